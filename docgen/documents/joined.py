"""Members' documents of one kind joined into one Word file, so that LibreOffice loads and lays out once.

Converting a filled-in letter costs LibreOffice about a tenth of a second,
most of it per load (filters, fonts, layout, the PDF writer); 290 letters
in one file convert in about 4 s against 38 s one by one (issue 17). So
the documents of one kind that each lie in one member's package are joined
here, part after part, and the PDF is split again per member
(:mod:`docgen.pdf.split`).

Each part keeps what makes it its own document: its section, with its own
copies of its header and footer (so that LibreOffice gives it a page style
of its own) and page numbers starting again at 1. A header's NUMPAGES,
which would count the whole joined file, becomes the marker :data:`PAGES`;
once LibreOffice has laid the file out, the worker reads on which pages each
part lies (between the bookmarks :data:`START` and :data:`END`) and writes
each part's own page count over its marker. Where parts differ in anything
else (styles, numbering, relationships: a list that restarted its numbering,
a link) or count pages with a field this does not know, :func:`join`
declines and they are converted one by one, as before.

Hand-written, on lxml: docxcompose joins documents too, but took 28 s for
290 letters and gives each part neither its own header nor its page count.
"""

from __future__ import annotations

import copy
import re
import zipfile
from pathlib import Path

from lxml import etree

from docgen.documents.wordfile import write_entries

START = "docgen_del_{n}"
END = "docgen_slut_{n}"
PAGES = "‹docgen-sidor-{n}›"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"

_OWN = re.compile(r"word/(document|header\d+|footer\d+)\.xml$|word/_rels/(header|footer)\d+\.xml\.rels$|docProps/")
"""What each part has of its own; everything else must be the same bytes in every part."""
_REFERENCES = (f"{{{W}}}headerReference", f"{{{W}}}footerReference")
_BOOKMARK_IDS = 1 << 30
"""Bookmark ids of the markers, far above any a template has."""


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def join(sources: list[Path], dest: Path) -> bool:
    """Write ``sources`` joined into ``dest``; False (and nothing written) if they cannot be joined."""
    parts = [_entries(source) for source in sources]
    if len(parts) < 2 or not _alike(parts):
        return False
    joined = dict(parts[0])
    rels = etree.fromstring(joined["word/_rels/document.xml.rels"])
    types = etree.fromstring(joined["[Content_Types].xml"])
    by_id = {rel.get("Id"): rel for rel in rels}
    overrides = {o.get("PartName"): o for o in types if o.tag == f"{{{TYPES}}}Override"}
    lists = _Lists(joined)
    root = etree.fromstring(parts[0]["word/document.xml"])
    body = root.find(w("body"))
    assert body is not None
    for child in list(body):
        body.remove(child)
    for number, part in enumerate(parts, start=1):
        content, section = _body(part)
        if content is None or section is None:
            return False
        for reference in section:
            if reference.tag not in _REFERENCES:
                continue
            rel = by_id.get(reference.get(f"{{{R}}}id"))
            if rel is None:
                return False
            target = rel.get("Target")
            xml = _count_marked(part.get(f"word/{target}"), number)
            if xml is None:
                return False
            name = f"{Path(target).stem}-del{number}.xml"
            joined[f"word/{name}"] = xml
            if f"word/_rels/{target}.rels" in part:
                joined[f"word/_rels/{name}.rels"] = part[f"word/_rels/{target}.rels"]
            new_id = f"rIdDocgenDel{number}{Path(target).stem}"
            etree.SubElement(rels, f"{{{RELS}}}Relationship", Id=new_id, Type=rel.get("Type"), Target=name)
            override = overrides.get(f"/word/{target}")
            if override is not None:
                etree.SubElement(types, f"{{{TYPES}}}Override", PartName=f"/word/{name}",
                                 ContentType=override.get("ContentType"))
            reference.set(f"{{{R}}}id", new_id)
        _restart_page_numbers(section)
        if number > 1:
            lists.restart(content)
        _mark(content, number)
        if number < len(parts):
            _end_section(content, section)
        body.extend(content)
    body.append(section)  # the last part's section closes the file, as in a single document
    lists.save(joined)
    joined["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    joined["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                                           standalone=True)
    joined["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    write_entries(dest, joined)
    return True


def spec(count: int) -> dict[str, object]:
    """What the worker needs to know of a file that joins ``count`` parts (see :mod:`docgen.pdf.office_worker`)."""
    return {"count": count, "start": START, "end": END, "marker": PAGES}


_CORE = {"dc": "http://purl.org/dc/elements/1.1/"}


def properties(docx: Path) -> tuple[str, str, str]:
    """Title, subject and author of a DOCX, as LibreOffice puts them into the PDF it makes of it alone."""
    with zipfile.ZipFile(docx) as archive:
        core = etree.fromstring(archive.read("docProps/core.xml"))
    return tuple(core.findtext(f"dc:{name}", default="", namespaces=_CORE)  # type: ignore[return-value]
                 for name in ("title", "subject", "creator"))


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as docx:
        return {name: docx.read(name) for name in docx.namelist()}


def _alike(parts: list[dict[str, bytes]]) -> bool:
    def shared(part: dict[str, bytes]) -> dict[str, bytes]:
        return {name: data for name, data in part.items() if not _OWN.match(name)}

    first = shared(parts[0])
    return all(shared(part) == first for part in parts[1:])


def _body(part: dict[str, bytes]) -> tuple[list[etree._Element] | None, etree._Element | None]:
    """The part's body content and its closing section properties (None, None if it has none)."""
    body = etree.fromstring(part["word/document.xml"]).find(w("body"))
    children = list(body) if body is not None else []
    if not children or children[-1].tag != w("sectPr") or not any(c.tag == w("p") for c in children[:-1]):
        return None, None
    if any(True for c in children[:-1] for _ in c.iter(w("sectPr"))):
        return None, None  # sections of its own (a landscape page): their headers would count the whole file
    return children[:-1], children[-1]


def _count_marked(xml: bytes | None, number: int) -> bytes | None:
    """A header or footer with its NUMPAGES fields as this part's page-count marker; None if it counts
    pages otherwise (a complex field, SECTIONPAGES), which a marker could not stand in for."""
    if xml is None:
        return None
    root = etree.fromstring(xml)
    if any(re.search(r"\b(NUMPAGES|SECTIONPAGES)\b", text.text or "") for text in root.iter(w("instrText"))):
        return None
    for field in list(root.iter(w("fldSimple"))):
        instruction = field.get(w("instr"), "")
        if re.search(r"\bSECTIONPAGES\b", instruction):
            return None
        if not re.match(r"\s*NUMPAGES\b", instruction):
            continue
        run = etree.Element(w("r"))
        shown = field.find(w("r"))
        if shown is not None and shown.find(w("rPr")) is not None:
            run.append(copy.deepcopy(shown.find(w("rPr"))))
        etree.SubElement(run, w("t")).text = PAGES.format(n=number)
        field.getparent().replace(field, run)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class _Lists:
    """Numbered lists start again in each part: each part's paragraphs get numbering instances of their own.

    Joined, the parts' lists would share Word's numbering instances (``w:num``), and the third
    member's "Bilagor" be numbered 7 to 9. A part's paragraphs, numbered directly or through their
    style (List Number), get a new instance of the same list definition, starting where it starts.
    """

    NUMBERING = "word/numbering.xml"

    def __init__(self, entries: dict[str, bytes]) -> None:
        self.root = etree.fromstring(entries[self.NUMBERING]) if self.NUMBERING in entries else None
        self.styles = self._style_numbering(entries.get("word/styles.xml"))
        self.instances = {} if self.root is None else {
            num.get(w("numId")): num for num in self.root.iter(w("num"))}
        self.abstracts = {} if self.root is None else {
            a.get(w("abstractNumId")): a for a in self.root.iter(w("abstractNum"))}
        self.next_id = max([int(i) for i in self.instances if i and i.isdigit()] or [0]) + 1

    @staticmethod
    def _style_numbering(xml: bytes | None) -> dict[str, tuple[str, str]]:
        """Paragraph style id → (numId, ilvl) it numbers with, following basedOn."""
        if xml is None:
            return {}
        own: dict[str, tuple[str | None, str | None, str | None]] = {}
        for style in etree.fromstring(xml).iter(w("style")):
            numbering = style.find(f"{w('pPr')}/{w('numPr')}")
            based = style.find(w("basedOn"))
            own[style.get(w("styleId"))] = (_value(numbering, "numId"), _value(numbering, "ilvl"),
                                            based.get(w("val")) if based is not None else None)
        resolved: dict[str, tuple[str, str]] = {}
        for style_id in own:
            seen, current = set(), style_id
            while current in own and current not in seen:
                seen.add(current)
                num_id, level, based = own[current]
                if num_id is not None:
                    resolved[style_id] = (num_id, level or "0")
                    break
                current = based
        return resolved

    def restart(self, content: list[etree._Element]) -> None:
        if self.root is None:
            return
        fresh: dict[str, str] = {}
        for element in content:
            for paragraph in [element] if element.tag == w("p") else element.iter(w("p")):
                self._renumber(paragraph, fresh)

    def _renumber(self, paragraph: etree._Element, fresh: dict[str, str]) -> None:
        properties = paragraph.find(w("pPr"))
        if properties is None:
            return
        numbering = properties.find(w("numPr"))
        if numbering is not None:
            num_id = numbering.find(w("numId"))
            if num_id is not None and num_id.get(w("val")) in self.instances and num_id.get(w("val")) != "0":
                num_id.set(w("val"), self._fresh(num_id.get(w("val")), fresh))
            return
        style = properties.find(w("pStyle"))
        by_style = self.styles.get(style.get(w("val"))) if style is not None else None
        if by_style is None or by_style[0] not in self.instances or by_style[0] == "0":
            return
        numbering = etree.Element(w("numPr"))
        etree.SubElement(numbering, w("ilvl")).set(w("val"), by_style[1])
        etree.SubElement(numbering, w("numId")).set(w("val"), self._fresh(by_style[0], fresh))
        style.addnext(numbering)  # numPr follows pStyle (and keepNext … widowControl, which these lack)

    def _fresh(self, num_id: str, fresh: dict[str, str]) -> str:
        """A new instance of ``num_id``'s list for this part, every level starting where it starts."""
        if num_id in fresh:
            return fresh[num_id]
        original = self.instances[num_id]
        abstract_id = original.find(w("abstractNumId")).get(w("val"))
        instance = etree.Element(w("num"), {w("numId"): str(self.next_id)})
        etree.SubElement(instance, w("abstractNumId")).set(w("val"), abstract_id)
        overrides = {o.get(w("ilvl")): o for o in original.findall(w("lvlOverride"))}
        for level in self.abstracts.get(abstract_id, etree.Element("none")).findall(w("lvl")):
            ilvl = level.get(w("ilvl"))
            start = level.find(w("start"))
            override = copy.deepcopy(overrides[ilvl]) if ilvl in overrides else etree.Element(
                w("lvlOverride"), {w("ilvl"): ilvl})
            if override.find(w("startOverride")) is None:
                etree.SubElement(override, w("startOverride")).set(
                    w("val"), start.get(w("val")) if start is not None else "0")
            instance.append(override)
        last = list(self.root.iter(w("num")))
        (last[-1].addnext(instance) if last else self.root.append(instance))
        fresh[num_id] = str(self.next_id)
        self.next_id += 1
        return fresh[num_id]

    def save(self, entries: dict[str, bytes]) -> None:
        if self.root is not None:
            entries[self.NUMBERING] = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                                                     standalone=True)


def _value(element: etree._Element | None, child: str) -> str | None:
    """``w:val`` of ``element``'s child ``child``, if both are there."""
    found = element.find(w(child)) if element is not None else None
    return found.get(w("val")) if found is not None else None


_SECTION_ORDER = ["headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
                  "paperSrc", "pgBorders", "lnNumType", "pgNumType"]


def _restart_page_numbers(section: etree._Element) -> None:
    numbering = section.find(w("pgNumType"))
    if numbering is None:
        numbering = etree.Element(w("pgNumType"))
        # In schema order: after everything that comes before pgNumType, before the rest.
        before = [c for c in section if etree.QName(c).localname in _SECTION_ORDER]
        if before:
            before[-1].addnext(numbering)
        else:
            section.insert(0, numbering)
    numbering.set(w("start"), "1")


def _mark(content: list[etree._Element], number: int) -> None:
    """Bookmarks in the part's first and last paragraph, where the worker reads its pages."""
    paragraphs = [p for element in content for p in ([element] if element.tag == w("p") else element.iter(w("p")))]
    for paragraph, name, offset in ((paragraphs[0], START, 0), (paragraphs[-1], END, 1)):
        identifier = str(_BOOKMARK_IDS + 2 * number + offset)
        properties = paragraph.find(w("pPr"))
        start = etree.Element(w("bookmarkStart"), {w("id"): identifier, w("name"): name.format(n=number)})
        end = etree.Element(w("bookmarkEnd"), {w("id"): identifier})
        index = list(paragraph).index(properties) + 1 if properties is not None else 0
        if offset:  # at the end of the last paragraph
            paragraph.append(start)
            paragraph.append(end)
        else:
            paragraph.insert(index, end)
            paragraph.insert(index, start)


def _end_section(content: list[etree._Element], section: etree._Element) -> None:
    """End the part's section where it ends: in its last paragraph, as Word does, or after its last table."""
    last = content[-1]
    if last.tag != w("p"):
        last = etree.Element(w("p"))
        content.append(last)
    properties = last.find(w("pPr"))
    if properties is None:
        properties = etree.Element(w("pPr"))
        last.insert(0, properties)
    change = properties.find(w("pPrChange"))
    if change is not None:
        change.addprevious(section)
    else:
        properties.append(section)
