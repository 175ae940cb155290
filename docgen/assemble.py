"""Merge one member's documents into a single archival, accessible PDF.

Every part comes from LibreOffice as PDF/A-2b, tagged and flagged PDF/UA-1.
The package has to stay all of that, which plain ``PdfWriter.append`` does not
manage: pypdf copies the pages, their annotations and the outline, but drops
the pages' ``/StructParents``, leaves the structure trees behind and does not
carry the catalog's ``/Metadata`` and ``/OutputIntents`` (pypdf issue 1012).

So :func:`merge` lets pypdf do what it does well (pages, annotations, outline,
one writer for all parts so that already cloned objects are shared) and then,
per part:

* clones the part's structure elements into the same writer; pypdf's clone
  looks objects it has cloned before up in its translation table, so ``/Pg``,
  ``/Obj`` and ``/Stm`` end up pointing at the package's pages and annotations
  (checked below, not trusted);
* hangs them under one ``/Document`` as a ``/Part`` titled with the bookmark;
* offsets the part's parent-tree keys, its pages' ``/StructParents`` and its
  annotations' and form XObjects' ``/StructParent(s)`` so that they are unique;
* merges the role maps (a name two parts map differently is resolved in the
  later part's elements instead).

The catalog then gets a new XMP packet that agrees with the Info dictionary,
the first part's output intent, ``/Lang``, page labels and viewer preferences.
The output is byte-for-byte reproducible: no current time, and a trailer
``/ID`` derived from the inputs instead of a random one.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
    create_string_object,
)

from docgen.errors import ToolError

PRODUCER = "docgen"

# A tree deeper than this is broken (or hostile), not a document.
_MAX_DEPTH = 200


@dataclass(frozen=True)
class Part:
    """One document of a package."""

    bookmark: str  # outline title of the document, e.g. "Hemställan till Kommunfullmäktige i …"
    label: str  # page-label prefix: "Hemställan " labels the pages "Hemställan 1", "Hemställan 2", …
    pdf: Path


def page_count(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


def merge(parts: list[Part], dest: Path, title: str, timestamp: datetime.datetime,
          language: str = "sv-SE") -> None:
    """Write ``parts`` into ``dest`` in order: one tagged PDF/A-2b with a bookmark per part.

    ``timestamp`` becomes the creation and modification date; a naive one is taken as UTC.
    """
    try:
        if not parts:
            raise ValueError("inga handlingar att sätta ihop")
        inputs = [part.pdf.read_bytes() for part in parts]
        writer = _assemble(parts, inputs, title, _Instant(timestamp), language)
        buffer = BytesIO()
        writer.write(buffer)
    except Exception as exc:  # pypdf raises many types for a broken file
        raise ToolError(f"kunde inte sätta ihop {dest.name}: {exc}") from exc
    _write_atomically(dest, buffer.getvalue())


def _write_atomically(dest: Path, data: bytes) -> None:
    # Not tempfile: its 0600 mode would end up on the package; open() honours the umask.
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as handle:
            handle.write(data)
        os.replace(tmp, dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ToolError(f"kunde inte sätta ihop {dest.name}: {exc}") from exc


class _Instant:
    """One point in time, written the PDF way (Info) and the XMP way, second-exact."""

    def __init__(self, timestamp: datetime.datetime) -> None:
        if timestamp.tzinfo is None or timestamp.utcoffset() is None:
            timestamp = timestamp.replace(tzinfo=datetime.UTC)
        self.value = timestamp.replace(microsecond=0)
        offset = self.value.utcoffset() or datetime.timedelta(0)
        if offset:
            sign = "-" if offset < datetime.timedelta(0) else "+"
            minutes = abs(int(offset.total_seconds())) // 60
            hours, minutes = divmod(minutes, 60)
            xmp_zone, pdf_zone = f"{sign}{hours:02}:{minutes:02}", f"{sign}{hours:02}'{minutes:02}'"
        else:
            xmp_zone = pdf_zone = "Z"
        self.xmp = self.value.strftime("%Y-%m-%dT%H:%M:%S") + xmp_zone
        self.pdf = self.value.strftime("D:%Y%m%d%H%M%S") + pdf_zone


# --- the whole package ------------------------------------------------------------------------


def _assemble(parts: list[Part], inputs: list[bytes], title: str, instant: _Instant,
              language: str) -> PdfWriter:
    writer = PdfWriter()
    tree = _StructTree(writer)
    labels = ArrayObject()
    output_intents: PdfObject | None = None
    for part, data in zip(parts, inputs):
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            raise ValueError(f"{part.pdf.name} är krypterad")
        catalog = reader.root_object
        if "/StructTreeRoot" not in catalog:
            raise ValueError(f"{part.pdf.name} är inte taggad (saknar strukturträd)")
        first = len(writer.pages)
        labels.extend([NumberObject(first), _page_label(part.label)])
        # The same reader object all along: pypdf's translation table is per reader.
        writer.append(reader, outline_item=part.bookmark)
        pages = list(writer.pages[first:])
        if len(pages) != len(reader.pages):
            raise ValueError(f"{part.pdf.name}: {len(pages)} av {len(reader.pages)} sidor kom med")
        tree.add_part(part, reader, pages, language)
        if output_intents is None and "/OutputIntents" in catalog:
            output_intents = catalog.raw_get("/OutputIntents").clone(writer)
    if output_intents is None:
        raise ValueError("ingen av handlingarna har någon OutputIntent (är inte PDF/A)")
    tree.finish()

    root = writer.root_object
    root[NameObject("/OutputIntents")] = output_intents
    root[NameObject("/Lang")] = TextStringObject(language)
    root[NameObject("/PageMode")] = NameObject("/UseOutlines")
    root[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)})
    root[NameObject("/PageLabels")] = DictionaryObject({NameObject("/Nums"): labels})
    writer.metadata = {"/Title": title, "/Producer": PRODUCER,
                       "/CreationDate": instant.pdf, "/ModDate": instant.pdf}
    writer.xmp_metadata = _xmp(title, language, instant)
    metadata = root["/Metadata"]
    assert isinstance(metadata, DictionaryObject)
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    identifier = ByteStringObject(_identifier(parts, inputs, title, instant, language))
    # pypdf has no public setter; generate_file_identifiers() would be random.
    writer._ID = ArrayObject([identifier, identifier])
    return writer


def _page_label(prefix: str) -> DictionaryObject:
    label = DictionaryObject({NameObject("/S"): NameObject("/D"), NameObject("/St"): NumberObject(1)})
    if prefix:
        label[NameObject("/P")] = TextStringObject(prefix)
    return label


def _identifier(parts: list[Part], inputs: list[bytes], title: str, instant: _Instant,
                language: str) -> bytes:
    digest = hashlib.md5(usedforsecurity=False)
    for text in (title, language, instant.xmp):
        _feed(digest, text.encode())
    for part, data in zip(parts, inputs):
        for text in (part.bookmark, part.label):
            _feed(digest, text.encode())
        _feed(digest, data)
    return digest.digest()


def _feed(digest: hashlib._Hash, data: bytes) -> None:
    digest.update(len(data).to_bytes(8, "big"))
    digest.update(data)


# pdfuaid is not one of the schemas PDF/A-2 predefines, so it is described in an extension schema.
_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:language><rdf:Bag><rdf:li>{language}</rdf:li></rdf:Bag></dc:language>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{producer}</pdf:Producer>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
  </rdf:Description>
  <rdf:Description rdf:about=""
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def _xmp(title: str, language: str, instant: _Instant) -> bytes:
    return _XMP.format(title=escape(title), language=escape(language), producer=PRODUCER,
                       date=instant.xmp).encode("utf-8")


# --- the structure tree -----------------------------------------------------------------------


class _StructTree:
    """The package's structure tree, built up part by part in ``writer``."""

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self.root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
        self.root_ref = writer._add_object(self.root)
        self.document = DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): self.root_ref,
            NameObject("/K"): ArrayObject(),
        })
        self.document_ref = writer._add_object(self.document)
        self.root[NameObject("/K")] = ArrayObject([self.document_ref])
        self.parent_tree: list[tuple[int, PdfObject]] = []
        self.next_key = 0
        self.role_map: dict[str, str] = {}
        self.class_map = DictionaryObject()
        self.ids: dict[str, PdfObject] = {}
        self.elements: set[int] = set()  # idnums of every element in the tree

    def add_part(self, part: Part, reader: PdfReader, pages: list, language: str) -> None:
        source = reader.root_object["/StructTreeRoot"]
        assert isinstance(source, DictionaryObject)
        offset = self.next_key
        keys = [key for key, _value in _number_tree(source.get("/ParentTree"))]
        self.next_key = max([offset + _int(source.get("/ParentTreeNextKey", 0)),
                             *(offset + key + 1 for key in keys)])

        element = self._part_element(part, source)
        part_lang = reader.root_object.get("/Lang")
        if part_lang and str(part_lang) != language and "/Lang" not in element:
            element[NameObject("/Lang")] = TextStringObject(str(part_lang))
        self.document["/K"].append(element.indirect_reference)

        renames = self._merge_maps(source)
        page_ids = {page.indirect_reference.idnum for page in pages}
        self._adopt(element, self.document_ref, page_ids, renames, part.pdf.name)

        for key, value in _number_tree(source.get("/ParentTree")):
            clone = value.clone(self.writer)
            self.parent_tree.append((offset + key, clone))
            for target in _struct_refs(clone):
                if target.idnum not in self.elements:
                    raise ValueError(f"{part.pdf.name}: föräldraträdet pekar utanför strukturträdet")
        for name, value in _name_tree(source.get("/IDTree")):
            if name in self.ids:
                raise ValueError(f"{part.pdf.name}: struktur-id {name!r} finns redan i en tidigare handling")
            self.ids[name] = value.clone(self.writer)

        seen: set[int] = set()
        for source_page, page in zip(reader.pages, pages):
            key = source_page.get("/StructParents")
            if key is None:  # nothing marked on the page; it still gets a (empty) key
                key, self.next_key = self.next_key, self.next_key + 1
                self.parent_tree.append((key, self.writer._add_object(ArrayObject())))
            else:
                key = _int(key) + offset
            page[NameObject("/StructParents")] = NumberObject(key)
            for annotation in page.get("/Annots", ()) or ():
                _shift(annotation.get_object(), "/StructParent", offset, seen)
            _shift_xobjects(page.get("/Resources"), offset, seen, 0)

    def _part_element(self, part: Part, source: DictionaryObject) -> DictionaryObject:
        """The part's structure as one ``/Part`` element, cloned into the writer."""
        kids = source.get("/K")
        kids = list(kids) if isinstance(kids, list) else ([] if kids is None else [source.raw_get("/K")])
        # The parts' /P point at their own StructTreeRoot: not to be cloned, set in _adopt.
        only = kids[0].get_object() if len(kids) == 1 else None
        if isinstance(only, DictionaryObject) and only.get("/S") == "/Document":
            element = only.clone(self.writer, ignore_fields=(1, "/P"))
        else:
            element = DictionaryObject({
                NameObject("/Type"): NameObject("/StructElem"),
                NameObject("/K"): ArrayObject(kid.clone(self.writer, ignore_fields=(1, "/P")) for kid in kids),
            })
            self.writer._add_object(element)
        assert isinstance(element, DictionaryObject)
        element[NameObject("/S")] = NameObject("/Part")
        element[NameObject("/T")] = TextStringObject(part.bookmark)
        return element

    def _merge_maps(self, source: DictionaryObject) -> dict[str, str]:
        """Merge the part's role and class maps; return the renames its elements need."""
        for name, value in (source.get("/ClassMap") or {}).items():
            if name not in self.class_map:
                self.class_map[NameObject(name)] = value.clone(self.writer)
        part_map = {str(k): str(v) for k, v in (source.get("/RoleMap") or {}).items()}
        for name, target in part_map.items():
            self.role_map.setdefault(name, target)
        renames = {}
        for name in part_map:
            own = _resolve(name, part_map)
            if _resolve(name, self.role_map) != own:
                renames[name] = own
        return renames

    def _adopt(self, element: DictionaryObject, parent: IndirectObject, pages: set[int],
               renames: dict[str, str], name: str) -> None:
        """Walk the cloned elements: fix /P, apply renames, check /Pg, record the elements."""
        stack = [(element, parent, 0)]
        while stack:
            node, parent, depth = stack.pop()
            if depth > _MAX_DEPTH:
                raise ValueError(f"{name}: strukturträdet är för djupt")
            ref = node.indirect_reference
            if ref is None or ref.pdf is not self.writer:
                raise ValueError(f"{name}: strukturelement som inte är indirekta objekt")
            if ref.idnum in self.elements:
                raise ValueError(f"{name}: strukturträdet har en slinga")
            self.elements.add(ref.idnum)
            node[NameObject("/P")] = parent
            if str(node.get("/S")) in renames:
                node[NameObject("/S")] = NameObject(renames[str(node["/S"])])
            _check_page(node, pages, name)
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids]:
                kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
                if not isinstance(kid, DictionaryObject):
                    if kid is not None and "/Pg" not in node:
                        raise ValueError(f"{name}: innehåll i strukturträdet utan sida")
                    continue
                if kid.get("/Type") in ("/MCR", "/OBJR"):
                    _check_page(kid, pages, name)
                    if "/Pg" not in kid and "/Pg" not in node:
                        raise ValueError(f"{name}: innehåll i strukturträdet utan sida")
                else:
                    stack.append((kid, ref, depth + 1))

    def finish(self) -> None:
        """Put the tree into the catalog."""
        nums = ArrayObject()
        for key, value in sorted(self.parent_tree, key=lambda pair: pair[0]):
            nums.extend([NumberObject(key), value])
        self.root[NameObject("/ParentTree")] = self.writer._add_object(
            DictionaryObject({NameObject("/Nums"): nums}))
        self.root[NameObject("/ParentTreeNextKey")] = NumberObject(self.next_key)
        if self.role_map:
            self.root[NameObject("/RoleMap")] = DictionaryObject(
                {NameObject(k): NameObject(v) for k, v in sorted(self.role_map.items())})
        if self.class_map:
            self.root[NameObject("/ClassMap")] = self.class_map
        if self.ids:
            names = ArrayObject()
            for name in sorted(self.ids):
                names.extend([create_string_object(name), self.ids[name]])
            self.root[NameObject("/IDTree")] = DictionaryObject({NameObject("/Names"): names})
        catalog = self.writer.root_object
        catalog[NameObject("/StructTreeRoot")] = self.root_ref
        catalog[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})


def _check_page(node: DictionaryObject, pages: set[int], name: str) -> None:
    page = node.raw_get("/Pg") if "/Pg" in node else None
    if page is not None and not (isinstance(page, IndirectObject) and page.idnum in pages):
        raise ValueError(f"{name}: strukturträdet pekar på en sida utanför handlingen")


def _shift(obj: PdfObject, key: str, offset: int, seen: set[int]) -> None:
    """Add ``offset`` to ``obj[key]``, once per object."""
    if not isinstance(obj, DictionaryObject) or key not in obj or obj.indirect_reference is None:
        return
    if obj.indirect_reference.idnum in seen:
        return
    seen.add(obj.indirect_reference.idnum)
    obj[NameObject(key)] = NumberObject(_int(obj[key]) + offset)


def _shift_xobjects(resources: PdfObject | None, offset: int, seen: set[int], depth: int) -> None:
    """Offset ``/StructParents`` of form XObjects that hold marked content of their own."""
    resources = resources.get_object() if resources is not None else None
    if not isinstance(resources, DictionaryObject) or depth > _MAX_DEPTH:
        return
    xobjects = resources.get("/XObject")
    if not isinstance(xobjects, DictionaryObject):
        return
    for ref in xobjects.values():
        xobject = ref.get_object()
        if not isinstance(xobject, DictionaryObject) or xobject.get("/Subtype") != "/Form":
            continue
        if xobject.indirect_reference is not None and xobject.indirect_reference.idnum in seen:
            continue
        _shift(xobject, "/StructParents", offset, seen)
        if xobject.indirect_reference is not None:
            seen.add(xobject.indirect_reference.idnum)
        _shift_xobjects(xobject.get("/Resources"), offset, seen, depth + 1)


def _struct_refs(value: PdfObject) -> Iterator[IndirectObject]:
    """The structure elements a parent-tree value points at (an array for a page, else one)."""
    if isinstance(value, IndirectObject):
        resolved = value.get_object()
        if isinstance(resolved, list):
            yield from _struct_refs(resolved)
        elif isinstance(resolved, DictionaryObject):
            yield value
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, IndirectObject) and isinstance(item.get_object(), DictionaryObject):
                yield item


def _resolve(name: str, role_map: dict[str, str]) -> str:
    seen = {name}
    while name in role_map:
        name = role_map[name]
        if name in seen:
            break
        seen.add(name)
    return name


def _int(value: object) -> int:
    return int(value)  # type: ignore[call-overload]


def _number_tree(node: PdfObject | None) -> Iterator[tuple[int, PdfObject]]:
    """Keys and raw values of a number tree, in order."""
    for key, value in _tree(node, "/Nums"):
        yield _int(key), value


def _name_tree(node: PdfObject | None) -> Iterator[tuple[str, PdfObject]]:
    for key, value in _tree(node, "/Names"):
        yield str(key.get_object()), value


def _tree(node: PdfObject | None, leaf: str) -> Iterator[tuple[PdfObject, PdfObject]]:
    stack = [(node, 0)]
    visited: set[int] = set()
    while stack:
        current, depth = stack.pop()
        current = current.get_object() if current is not None else None
        if not isinstance(current, DictionaryObject):
            continue
        if depth > _MAX_DEPTH or id(current) in visited:
            raise ValueError("trasigt talträd/namnträd")
        visited.add(id(current))
        pairs = current.get(leaf)
        if isinstance(pairs, list):
            yield from ((pairs[i], pairs[i + 1]) for i in range(0, len(pairs) - 1, 2))
        kids = current.get("/Kids")
        if isinstance(kids, list):
            stack.extend((kid, depth + 1) for kid in reversed(kids))
