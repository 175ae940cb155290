"""Merge one member's documents into a single archival, accessible PDF.

Every part comes from LibreOffice as PDF/A-2b, tagged and flagged PDF/UA-1.
The package has to stay all of that. pikepdf (qpdf underneath) copies the
pages for us with :meth:`pikepdf.Pdf.add_pages_from`: their resources,
annotations, form fields, named destinations and optional content, and the
part's outline, re-aimed at the copied pages. What no page copy knows about is
the catalog: the structure tree, ``/OutputIntents``, ``/Metadata``, ``/Lang``.
So :func:`merge`, per part:

* copies the part's whole ``/StructTreeRoot`` with one
  :meth:`pikepdf.Pdf.copy_foreign`. qpdf keeps one map of copied objects per
  source document, so an element's ``/Pg`` or an ``/OBJR``'s ``/Obj`` that
  points at a page or annotation copied with the pages now points at that copy
  (the tests check it on the output; pages are copied first, but qpdf would
  also fill in a page copied later);
* hangs the part's elements under one ``/Document`` as a ``/Part`` titled with
  the bookmark, the part's outline under one bookmark of its own;
* offsets the part's parent-tree keys, its pages' ``/StructParents`` and its
  annotations' and form XObjects' ``/StructParent(s)`` so that they are unique;
* merges the role maps (a name two parts map differently is resolved in the
  later part's elements instead).

The catalog then gets a new XMP packet that agrees with the Info dictionary,
the first part's output intent, ``/Lang``, page labels and viewer preferences.

Speed: a build merges the same regressavtal and protocol extract into every
member's package, hundreds of times. Parsing a part and checking its structure
tree cost more than copying it, so an opened, checked part is kept (by content,
see :class:`_Sources`) and later merges only copy from it; qpdf never changes
the document it copies from.

The output is byte-for-byte reproducible: no current time, and qpdf's
deterministic ``/ID`` (a digest of the written file) instead of a random one.
"""

from __future__ import annotations

import datetime
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pikepdf
from lxml import etree
from pikepdf import Array, Dictionary, Name, ObjectStreamMode, OutlineItem, String

from docgen.errors import ToolError
from docgen.files import write_atomically
from docgen.pdf import dates

PRODUCER = "docgen"

# A tree deeper than this is broken (or hostile), not a document.
_MAX_DEPTH = 200

# One way to write, always: object streams keep the big structure trees small (PDF/A-2 allows
# them); qpdf never compresses the XMP stream and leaves already compressed streams alone.
_SAVE_OPTIONS = {
    "object_stream_mode": ObjectStreamMode.generate,
    "compress_streams": True,
    "recompress_flate": False,
    "deterministic_id": True,
    "qdf": False,
    "linearize": False,
    "preserve_pdfa": True,
    "fix_metadata_version": False,  # the XMP packet is ours, written below: leave it be
}

_OBJGEN = tuple[int, int]


@dataclass(frozen=True)
class Part:
    """One document of a package."""

    bookmark: str  # outline title of the document, e.g. "Hemställan till Kommunfullmäktige i …"
    label: str  # page-label prefix: "Hemställan " labels the pages "Hemställan 1", "Hemställan 2", …
    pdf: Path
    external: bool = False
    """A PDF the secretary attached as it is: its pages are copied, nothing of it is vouched for, and
    the package no longer claims PDF/A or PDF/UA (``docgen verify`` says so from the manifest)."""


def merge(parts: list[Part], dest: Path, title: str, timestamp: datetime.datetime,
          language: str = "sv-SE") -> None:
    """Write ``parts`` into ``dest`` in order: one tagged PDF/A-2b with a bookmark per part.

    ``timestamp`` becomes the creation and modification date; a naive one is taken as UTC.
    """
    try:
        if not parts:
            raise ValueError("inga handlingar att sätta ihop")
        instant = dates.aware(timestamp)
        inputs = [part.pdf.read_bytes() for part in parts]
        with _LOCK:  # qpdf objects are not thread-safe, and the sources are shared
            sources = [_SOURCES.get(part.pdf.name, data, part.external) for part, data in zip(parts, inputs)]
            data = _assemble(parts, sources, title, instant, language)
    except Exception as exc:  # pikepdf raises many types for a broken file
        raise ToolError(f"kunde inte sätta ihop {dest.name}: {exc}") from exc
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(dest, data)
    except OSError as exc:
        raise ToolError(f"kunde inte sätta ihop {dest.name}: {exc}") from exc


# --- the parts, opened and checked once -----------------------------------------------------


@dataclass
class _Source:
    """One part, opened, with what the merge needs to know about it, checked."""

    pdf: pikepdf.Pdf
    pages: int
    lang: str | None
    output_intents: list[pikepdf.Object]  # indirect, ready for copy_foreign
    page_keys: list[int | None]  # each page's /StructParents
    key_span: int  # keys the part's parent tree takes up: /ParentTreeNextKey or more
    role_map: dict[str, str]
    by_type: dict[str, list[_OBJGEN]]  # elements of each role-mapped type, to rename if need be
    wrong_parents: list[tuple[_OBJGEN, _OBJGEN]]  # (element, its real parent) where /P says otherwise
    document: bool  # the tree is one /Document element (LibreOffice's), which becomes the /Part
    external: bool = False  # attached as it is: only its pages are taken


class _Sources:
    """Parts opened and checked before, by content.

    A build puts the same regressavtal and protocol extract into every member's package;
    keeping them open spares parsing and checking them again. Keyed by a digest of the
    bytes, so a file that changes is opened anew. qpdf reads a copied stream's data from the
    source when the package is written, so a source dropped from here stays open for as long
    as a merge still holds it.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.open: OrderedDict[bytes, _Source] = OrderedDict()

    def get(self, name: str, data: bytes, external: bool = False) -> _Source:
        key = hashlib.sha256(data).digest() + (b"extern" if external else b"")
        source = self.open.get(key)
        if source is None:
            source = _open_external(name, data) if external else _open(name, data)
            self.open[key] = source
            while len(self.open) > self.size:
                self.open.popitem(last=False)
        self.open.move_to_end(key)
        return source


_SOURCES = _Sources(size=8)
_LOCK = threading.Lock()


def _open(name: str, data: bytes) -> _Source:
    try:
        pdf = pikepdf.open(BytesIO(data))  # qpdf pushes inherited page attributes down to the pages
    except pikepdf.PasswordError:
        raise ValueError(f"{name} är krypterad") from None
    if pdf.is_encrypted:
        raise ValueError(f"{name} är krypterad")
    catalog = pdf.Root
    tree_root = catalog.get("/StructTreeRoot")
    if not isinstance(tree_root, Dictionary):
        raise ValueError(f"{name} är inte taggad (saknar strukturträd)")
    if not tree_root.is_indirect:  # copy_foreign takes indirect objects only
        catalog.StructTreeRoot = tree_root = pdf.make_indirect(tree_root)
    intents = catalog.get("/OutputIntents")
    intents = [intent if intent.is_indirect else pdf.make_indirect(intent)
               for intent in (intents if isinstance(intents, Array) else ())
               if isinstance(intent, Dictionary)]
    lang = catalog.get("/Lang")
    pages = [page.obj for page in pdf.pages]
    page_keys = [_optional_int(page.get("/StructParents")) for page in pages]
    source = _Source(pdf=pdf, pages=len(pages), lang=str(lang) if lang is not None else None,
                     output_intents=intents, page_keys=page_keys, key_span=0,
                     role_map=_role_map(tree_root), by_type={}, wrong_parents=[], document=False)
    _check_tree(source, tree_root, {page.objgen for page in pages}, name)
    return source


def _open_external(name: str, data: bytes) -> _Source:
    """An attached PDF: pages only (its structure tree, if any, is not ours to vouch for)."""
    try:
        pdf = pikepdf.open(BytesIO(data))
    except pikepdf.PasswordError:
        raise ValueError(f"{name} är lösenordsskyddad") from None
    pages = len(pdf.pages)
    return _Source(pdf=pdf, pages=pages, lang=None, output_intents=[], page_keys=[None] * pages, key_span=0,
                   role_map={}, by_type={}, wrong_parents=[], document=False, external=True)


def _role_map(tree_root: Dictionary) -> dict[str, str]:
    role_map = tree_root.get("/RoleMap")
    if not isinstance(role_map, Dictionary):
        return {}
    return {str(k): str(v) for k, v in role_map.items() if isinstance(v, Name)}


def _check_tree(source: _Source, tree_root: Dictionary, pages: set[_OBJGEN], name: str) -> None:
    """Check the part's structure tree once and note what the merge has to fix in the copy."""
    kids = _kids(tree_root.get("/K"))
    only = kids[0] if len(kids) == 1 else None
    source.document = isinstance(only, Dictionary) and only.get("/S") == Name.Document
    # The top elements get their /P from the merge: the /Part, or the /Document above it.
    stack = [(kid, None, 0) for kid in reversed(kids)]
    elements: set[_OBJGEN] = set()
    mapped = source.role_map
    while stack:
        node, parent, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise ValueError(f"{name}: strukturträdet är för djupt")
        if not isinstance(node, Dictionary) or not node.is_indirect:
            raise ValueError(f"{name}: strukturelement som inte är indirekta objekt")
        objgen = node.objgen
        if objgen in elements:
            raise ValueError(f"{name}: strukturträdet har en slinga")
        elements.add(objgen)
        if parent is not None:
            own = node.get("/P")
            if not (isinstance(own, Dictionary) and own.is_indirect and own.objgen == parent):
                source.wrong_parents.append((objgen, parent))
        kind = str(node.get("/S"))
        if kind in mapped:
            source.by_type.setdefault(kind, []).append(objgen)
        has_page = _check_page(node, pages, name)
        for kid in _kids(node.get("/K")):
            if not isinstance(kid, Dictionary):
                if kid is not None and not has_page:
                    raise ValueError(f"{name}: innehåll i strukturträdet utan sida")
                continue
            if kid.get("/Type") in (Name.MCR, Name.OBJR):
                if not _check_page(kid, pages, name) and not has_page:
                    raise ValueError(f"{name}: innehåll i strukturträdet utan sida")
            else:
                stack.append((kid, objgen, depth + 1))

    keys = []
    for key, value in _number_tree(source.pdf, tree_root.get("/ParentTree"), name):
        keys.append(key)
        for target in _struct_refs(value):
            if target not in elements:
                raise ValueError(f"{name}: föräldraträdet pekar utanför strukturträdet")
    source.key_span = max([_optional_int(tree_root.get("/ParentTreeNextKey")) or 0, *(key + 1 for key in keys)])


def _check_page(node: Dictionary, pages: set[_OBJGEN], name: str) -> bool:
    """Whether ``node`` names its page; an error if that is no page of the part."""
    page = node.get("/Pg")
    if page is None:
        return False
    if not (isinstance(page, Dictionary) and page.is_indirect and page.objgen in pages):
        raise ValueError(f"{name}: strukturträdet pekar på en sida utanför handlingen")
    return True


def _kids(value: object) -> list:
    if isinstance(value, Array):
        return list(value)
    return [] if value is None else [value]


def _struct_refs(value: object) -> Iterator[_OBJGEN]:
    """The structure elements a parent-tree value points at (an array for a page, else one)."""
    items = list(value) if isinstance(value, Array) else [value]
    for item in items:
        if isinstance(item, Dictionary) and item.is_indirect:
            yield item.objgen


# --- the whole package ------------------------------------------------------------------------


def _assemble(parts: list[Part], sources: list[_Source], title: str, instant: datetime.datetime,
              language: str) -> bytes:
    pdf = pikepdf.Pdf.new()
    root = pdf.Root
    tree = _StructTree(pdf)
    labels: list = []
    output_intents: Array | None = None
    for index, (part, source) in enumerate(zip(parts, sources)):
        first = len(pdf.pages)
        labels.extend([first, _page_label(part.label)])
        pdf.add_pages_from(source.pdf)
        pages = [page.obj for page in pdf.pages[first:]]
        if len(pages) != source.pages:
            raise ValueError(f"{part.pdf.name}: {len(pages)} av {source.pages} sidor kom med")
        _bookmark(pdf, index, part.bookmark, first)
        if source.external:
            tree.add_external(part, pages)
        else:
            tree.add_part(part, source, pages, language)
        if output_intents is None and source.output_intents:
            output_intents = Array([pdf.copy_foreign(intent) for intent in source.output_intents])
    if output_intents is None:
        raise ValueError("ingen av handlingarna har någon OutputIntent (är inte PDF/A)")
    tree.finish()

    root.OutputIntents = output_intents
    root.Lang = String(language)
    root.PageMode = Name.UseOutlines
    root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    root.PageLabels = Dictionary(Nums=Array(labels))
    pdf.trailer.Info = pdf.make_indirect(Dictionary({
        "/Title": String(title), "/Producer": String(PRODUCER),
        "/CreationDate": String(dates.pdf_date(instant)), "/ModDate": String(dates.pdf_date(instant))}))
    _write_xmp(pdf, title, language, instant, conforming=not any(source.external for source in sources))
    buffer = BytesIO()
    version = max((source.pdf.pdf_version for source in sources), key=_version_key)
    pdf.save(buffer, min_version=version, **_SAVE_OPTIONS)
    return buffer.getvalue()


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(number) for number in version.split("."))
    except ValueError:
        return (0,)


def _bookmark(pdf: pikepdf.Pdf, index: int, title: str, page: int) -> None:
    """Put the outline items part ``index`` brought along under one new item for the part.

    ``add_pages_from`` appended them at the top level, after the one item of each part before.
    """
    with pdf.open_outline(max_depth=_MAX_DEPTH) as outline:
        item = OutlineItem(title, page)  # the page, /Fit
        item.children = outline.root[index:]
        del outline.root[index:]
        outline.root.append(item)


def _page_label(prefix: str) -> Dictionary:
    label = Dictionary(S=Name.D, St=1)
    if prefix:
        label.P = String(prefix)
    return label


# pdfuaid is not one of the schemas PDF/A-2 predefines, so it is described in an extension schema:
# a structure pikepdf's metadata API cannot write, so the packet starts out with it.
_XMP_START = """<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""/>
{extension} </rdf:RDF>
</x:xmpmeta>"""

_EXTENSION = """  <rdf:Description rdf:about=""
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
"""

# PDF/A-2b and PDF/UA-1, claimed only if every part is docgen's own.
_CLAIMS = {"pdfaid:part": "2", "pdfaid:conformance": "B", "pdfuaid:part": "1"}


def _write_xmp(pdf: pikepdf.Pdf, title: str, language: str, instant: datetime.datetime, conforming: bool) -> None:
    """The package's XMP packet, saying what Info says (written beside it, so update_docinfo is off)."""
    # Without the blanks, so that pikepdf's pretty printing indents the whole packet alike.
    start = etree.fromstring(_XMP_START.format(extension=_EXTENSION if conforming else ""),
                             etree.XMLParser(remove_blank_text=True))
    pdf.Root.Metadata = pdf.make_stream(etree.tostring(start, encoding="utf-8"), Type=Name.Metadata,
                                        Subtype=Name.XML)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False, strict=True) as xmp:
        xmp["dc:format"] = "application/pdf"
        xmp["dc:title"] = title
        xmp["dc:language"] = [language]
        xmp["pdf:Producer"] = PRODUCER
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            xmp[key] = dates.xmp_date(instant)
        if conforming:
            for key, value in _CLAIMS.items():
                xmp[key] = value


# --- the structure tree -----------------------------------------------------------------------


class _StructTree:
    """The package's structure tree, built up part by part in ``pdf``."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=self.root))
        self.root.K = Array([self.document])
        self.parts: list[Dictionary] = []
        self.parent_tree: list[tuple[int, object]] = []
        self.next_key = 0
        self.role_map: dict[str, str] = {}
        self.class_map: dict[str, object] = {}
        self.ids: dict[str, object] = {}

    def add_part(self, part: Part, source: _Source, pages: list[Dictionary], language: str) -> None:
        # One copy of the part's whole tree: its elements, parent tree, ID tree and class map.
        # The copied /StructTreeRoot itself is left unreferenced, and so is not written.
        copy = self.pdf.copy_foreign(source.pdf.Root.StructTreeRoot)
        offset = self.next_key
        self.next_key += source.key_span

        element = self._part_element(part, source, copy)
        if source.lang and source.lang != language and "/Lang" not in element:
            element.Lang = String(source.lang)
        self.parts.append(element)

        for name, target in self._merge_maps(source, copy).items():
            for objgen in source.by_type.get(name, ()):
                self._copied(source, objgen).S = Name(target)
        for objgen, parent in source.wrong_parents:
            self._copied(source, objgen).P = self._copied(source, parent)

        for key, value in _number_tree(self.pdf, copy.get("/ParentTree"), part.pdf.name):
            self.parent_tree.append((offset + key, value))
        for name, value in _name_tree(self.pdf, copy.get("/IDTree"), part.pdf.name):
            if name in self.ids:
                raise ValueError(f"{part.pdf.name}: struktur-id {name!r} finns redan i en tidigare handling")
            self.ids[name] = value

        seen: set[_OBJGEN] = set()
        for page, key in zip(pages, source.page_keys):
            if key is None:  # nothing marked on the page; it still gets a (empty) key
                key, self.next_key = self.next_key, self.next_key + 1
                self.parent_tree.append((key, self.pdf.make_indirect(Array())))
            else:
                key += offset
            page.StructParents = key
            annotations = page.get("/Annots")
            for annotation in annotations if isinstance(annotations, Array) else ():
                _shift(annotation, "/StructParent", offset, seen)
            _shift_xobjects(page.get("/Resources"), offset, seen, 0)

    def add_external(self, part: Part, pages: list[Dictionary]) -> None:
        """An attached PDF: a /Part titled with its bookmark and nothing claimed inside it.

        Its pages lose the keys that pointed into its own parent tree (not copied), and each
        gets an empty entry of ours, so that nothing in the package points nowhere.
        """
        element = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Part, P=self.document,
                                                    T=String(part.bookmark), K=Array()))
        self.parts.append(element)
        for page in pages:
            key, self.next_key = self.next_key, self.next_key + 1
            self.parent_tree.append((key, self.pdf.make_indirect(Array())))
            page.StructParents = key
            annotations = page.get("/Annots")
            for annotation in annotations if isinstance(annotations, Array) else ():
                if isinstance(annotation, Dictionary) and "/StructParent" in annotation:
                    del annotation["/StructParent"]

    def _copied(self, source: _Source, objgen: _OBJGEN) -> Dictionary:
        """The package's copy of an object of ``source``: copy_foreign hands back the one made."""
        return self.pdf.copy_foreign(source.pdf.get_object(objgen))

    def _part_element(self, part: Part, source: _Source, copy: Dictionary) -> Dictionary:
        """The part's structure as one ``/Part`` element."""
        kids = _kids(copy.get("/K"))
        if source.document:
            element = kids[0]
        else:
            element = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, K=Array(kids)))
            for kid in kids:
                kid.P = element
        element.P = self.document
        element.S = Name.Part
        element.T = String(part.bookmark)
        return element

    def _merge_maps(self, source: _Source, copy: Dictionary) -> dict[str, str]:
        """Merge the part's role and class maps; return the renames its elements need."""
        class_map = copy.get("/ClassMap")
        for name, value in (class_map.items() if isinstance(class_map, Dictionary) else ()):
            self.class_map.setdefault(str(name), value)
        part_map = source.role_map
        for name, target in part_map.items():
            self.role_map.setdefault(name, target)
        renames = {}
        for name in part_map:
            own = _resolve(name, part_map)
            if _resolve(name, self.role_map) != own:
                renames[name] = own
        return renames

    def finish(self) -> None:
        """Put the tree into the catalog."""
        self.document.K = Array(self.parts)
        nums: list = []
        for key, value in sorted(self.parent_tree, key=lambda pair: pair[0]):
            nums.extend([key, value])
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=Array(nums)))
        self.root.ParentTreeNextKey = self.next_key
        if self.role_map:
            self.root.RoleMap = Dictionary({k: Name(v) for k, v in sorted(self.role_map.items())})
        if self.class_map:
            self.root.ClassMap = Dictionary(self.class_map)
        if self.ids:
            names: list = []
            for name in sorted(self.ids):
                names.extend([String(name), self.ids[name]])
            self.root.IDTree = Dictionary(Names=Array(names))
        catalog = self.pdf.Root
        catalog.StructTreeRoot = self.root
        catalog.MarkInfo = Dictionary(Marked=True)


def _shift(obj: object, key: str, offset: int, seen: set[_OBJGEN]) -> None:
    """Add ``offset`` to ``obj[key]``, once per object."""
    if not isinstance(obj, Dictionary) or key not in obj:
        return
    if obj.is_indirect:
        if obj.objgen in seen:
            return
        seen.add(obj.objgen)
    value = _optional_int(obj.get(key))
    if value is not None:
        obj[key] = value + offset


def _shift_xobjects(resources: object, offset: int, seen: set[_OBJGEN], depth: int) -> None:
    """Offset ``/StructParents`` of form XObjects that hold marked content of their own."""
    if not isinstance(resources, Dictionary) or depth > _MAX_DEPTH:
        return
    xobjects = resources.get("/XObject")
    if not isinstance(xobjects, Dictionary):
        return
    for xobject in xobjects.values():
        if not isinstance(xobject, pikepdf.Stream) or xobject.get("/Subtype") != Name.Form:
            continue
        if xobject.is_indirect and xobject.objgen in seen:
            continue
        _shift(xobject, "/StructParents", offset, seen)
        if xobject.is_indirect:
            seen.add(xobject.objgen)
        _shift_xobjects(xobject.get("/Resources"), offset, seen, depth + 1)


def _resolve(name: str, role_map: dict[str, str]) -> str:
    seen = {name}
    while name in role_map:
        name = role_map[name]
        if name in seen:
            break
        seen.add(name)
    return name


def _optional_int(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _number_tree(pdf: pikepdf.Pdf, node: object, name: str) -> list[tuple[int, pikepdf.Object]]:
    """Keys and values of a number tree of ``pdf`` (from part ``name``), in order."""
    return _tree_items(pdf, node, pikepdf.NumberTree, f"{name}: trasigt talträd")


def _name_tree(pdf: pikepdf.Pdf, node: object, name: str) -> list[tuple[str, pikepdf.Object]]:
    """Names and values of a name tree of ``pdf`` (from part ``name``), in order."""
    return _tree_items(pdf, node, pikepdf.NameTree, f"{name}: trasigt namnträd")


def _tree_items(pdf: pikepdf.Pdf, node: object, kind: type, broken: str) -> list:
    """qpdf reads round a broken tree (a loop, a key of the wrong type) and only warns: such a
    tree is no faithful copy of the part, so the warning is an error here."""
    if not isinstance(node, Dictionary):
        return []
    before = len(pdf.get_warnings())
    items = list(kind(node, auto_repair=False).items())
    if len(pdf.get_warnings()) > before:
        raise ValueError(broken)
    return items
