"""The member package: one PDF/A-2b, tagged, bookmarked and reproducible, from several parts."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf
import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from docgen.errors import ToolError
from docgen.pdf import assemble
from docgen.pdf.assemble import Part, merge
from docgen.pdf.office import convert_to_argument
from docgen.pdf.verify import check_pdf
from support import xmp_element

TITLE = "Kommunalförbundet Itsam: Ny borgen – handlingar till Boxholms kommun"
STAMP = datetime.datetime(2026, 3, 26, 10, 0, tzinfo=datetime.UTC)
LABELS = ["Hemställan ", "Förslag ", "Avtal "]
BOOKMARKS = ["Hemställan till Kommunfullmäktige i Boxholms kommun: Ny borgen",
             "Förslag till beslut för Kommunfullmäktige i Boxholms kommun: Ny borgen",
             "Regressavtal avseende borgen"]

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}


# --- inputs: three small Word documents through LibreOffice, once per module ------------------


def _hyperlink(paragraph, url: str, text: str) -> None:
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    paragraph._p.append(parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="{r_id}">'
                                  f"<w:r><w:t>{escape(text)}</w:t></w:r></w:hyperlink>"))


def _document(path: Path, title: str, *, pages: int, link: bool = False) -> None:
    doc = Document()
    doc.core_properties.title = title
    doc.styles.add_style("Tabelltext", WD_STYLE_TYPE.PARAGRAPH)
    for page in range(pages):
        doc.add_heading(f"{title}, avsnitt {page + 1}", level=1)
        doc.add_heading("Ärendet", level=2)
        paragraph = doc.add_paragraph("Kommunalförbundet Itsam begär att medlemmarna går i borgen. ")
        if link and page == 0:
            _hyperlink(paragraph, "https://www.itsam.se/", "Läs mer om förbundet")
        table = doc.add_table(rows=2, cols=2)
        for row, cells in enumerate(table.rows):
            for col, cell in enumerate(cells.cells):
                cell.paragraphs[0].text = f"Rad {row + 1}, kolumn {col + 1}"
                cell.paragraphs[0].style = "Tabelltext"
        doc.add_paragraph("Beslutet skickas till medlemmarna.", style="List Bullet")
        if page + 1 < pages:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.save(path)


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> list[Part]:
    folder = tmp_path_factory.mktemp("delar")
    stems = ["1-hemstallan", "2-forslag", "3-avtal"]
    for stem, bookmark, pages, link in zip(stems, BOOKMARKS, (1, 2, 1), (False, True, False)):
        _document(folder / f"{stem}.docx", bookmark.split(":")[0], pages=pages, link=link)
    profile = tmp_path_factory.mktemp("profil")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", convert_to_argument(), "--outdir", str(folder),
                    *(str(folder / f"{stem}.docx") for stem in stems)],
                   check=True, capture_output=True, timeout=300)
    _add_link_annotation(folder / f"{stems[1]}.pdf")  # not the first part: its keys are offset
    return [Part(bookmark, label, folder / f"{stem}.pdf") for stem, bookmark, label in zip(stems, BOOKMARKS, LABELS)]


def _add_link_annotation(pdf: Path) -> None:
    """Give the hyperlink LibreOffice tagged as /Link the annotation it would have on a web page.

    LibreOffice 7.4 tags a DOCX hyperlink but exports no link annotation for it here; a tagged
    annotation (/StructParent, an /OBJR in its /Link element) is what the merge must renumber.
    """
    writer = PdfWriter(clone_from=pdf)
    tree = writer.root_object["/StructTreeRoot"]
    link_ref, link = next((ref, e) for ref, e in _elements(tree) if e["/S"] == "/Link")
    page = writer.pages[0]
    nums = tree["/ParentTree"]["/Nums"]
    key = max(int(k) for k in nums[0::2]) + 1
    annotation = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (70, 600, 250, 612)]),
        NameObject("/Border"): ArrayObject([NumberObject(0)] * 3),
        NameObject("/F"): NumberObject(4),
        NameObject("/P"): page.indirect_reference,
        NameObject("/Contents"): TextStringObject("Läs mer om förbundet"),
        NameObject("/A"): DictionaryObject({NameObject("/S"): NameObject("/URI"),
                                            NameObject("/URI"): TextStringObject("https://www.itsam.se/")}),
        NameObject("/StructParent"): NumberObject(key),
    }))
    page[NameObject("/Annots")] = ArrayObject([annotation])
    page[NameObject("/Tabs")] = NameObject("/S")
    kids = link["/K"]
    link[NameObject("/K")] = ArrayObject([*(kids if isinstance(kids, list) else [kids]), DictionaryObject({
        NameObject("/Type"): NameObject("/OBJR"), NameObject("/Obj"): annotation,
        NameObject("/Pg"): page.indirect_reference})])
    nums.extend([NumberObject(key), link_ref])
    tree[NameObject("/ParentTreeNextKey")] = NumberObject(key + 1)
    writer.write(pdf)


@pytest.fixture(scope="module")
def package(parts: list[Part], tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("paket") / "boxholm-samtliga-handlingar.pdf"
    merge(parts, dest, TITLE, STAMP)
    return dest


# --- helpers --------------------------------------------------------------------------------


def _number_tree(node) -> dict[int, object]:
    node = node.get_object()
    found = {}
    nums = node.get("/Nums", [])
    for i in range(0, len(nums), 2):
        found[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", []):
        found.update(_number_tree(kid))
    return found


def _elements(tree_root: DictionaryObject) -> list[tuple[IndirectObject, DictionaryObject]]:
    """Every structure element, depth first, with a check that /P points at the parent."""
    found = []
    stack = [(kid, tree_root.indirect_reference) for kid in reversed(tree_root["/K"])]
    while stack:
        ref, parent = stack.pop()
        element = ref.get_object()
        assert element.raw_get("/P") == parent, element.get("/S")
        found.append((ref, element))
        kids = element.get("/K", [])
        for kid in reversed(kids if isinstance(kids, list) else [kids]):
            if isinstance(kid, IndirectObject):
                resolved = kid.get_object()
                if isinstance(resolved, DictionaryObject) and resolved.get("/Type") not in ("/MCR", "/OBJR"):
                    stack.append((kid, ref))
    return found


def _content_pages(element: DictionaryObject) -> list:
    """The pages of the marked content and annotations an element holds directly."""
    pages = []
    kids = element.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        if isinstance(kid, int):
            pages.append(element.raw_get("/Pg"))
        else:
            resolved = kid.get_object()
            if isinstance(resolved, DictionaryObject) and resolved.get("/Type") in ("/MCR", "/OBJR"):
                pages.append(resolved.raw_get("/Pg") if "/Pg" in resolved else element.raw_get("/Pg"))
    return pages


def _outline(reader: PdfReader) -> list[tuple[str, int, list[str]]]:
    """Top-level bookmarks as (title, page index, titles of everything below it)."""
    top: list[tuple[str, int, list[str]]] = []

    def flat(items: list) -> list[str]:
        return [t for item in items for t in (flat(item) if isinstance(item, list) else [item.title])]

    for item in reader.outline:
        if isinstance(item, list):
            title, page, _ = top[-1]
            top[-1] = (title, page, flat(item))
        else:
            top.append((item.title, reader.get_destination_page_number(item), []))
    return top


def _xmp(reader: PdfReader) -> ET.Element:
    return xmp_element(reader.trailer["/Root"]["/Metadata"].get_data())


def _xmp_text(xmp: ET.Element, path: str) -> str:
    found = xmp.find(f".//{path}", NS)
    assert found is not None, path
    return (found.text or "").strip()


# --- the package ------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_all_pages_of_all_parts_in_order(parts, package):
    assert [page_count(p.pdf) for p in parts] == [1, 2, 1]
    merged = PdfReader(package)
    expected = [page.extract_text() for part in parts for page in PdfReader(part.pdf).pages]
    assert [page.extract_text() for page in merged.pages] == expected
    assert page_count(package) == 4


@pytest.mark.libreoffice
def test_one_bookmark_per_part_at_its_first_page_with_its_own_outline_below(parts, package):
    outline = _outline(PdfReader(package))
    assert [title for title, _page, _below in outline] == BOOKMARKS
    assert [page for _title, page, _below in outline] == [0, 1, 3]
    for (_title, _page, below), part in zip(outline, parts):
        own = PdfReader(part.pdf).outline
        assert own, part.pdf.name  # the headings came through LibreOffice as bookmarks
        assert below == [t for item in own for t in _titles(item)]
    assert "Ärendet" in outline[1][2]


def _titles(item) -> list[str]:
    return [t for sub in item for t in _titles(sub)] if isinstance(item, list) else [item.title]


@pytest.mark.libreoffice
def test_page_labels_restart_with_each_part(package):
    reader = PdfReader(package)
    assert reader.page_labels == ["Hemställan 1", "Förslag 1", "Förslag 2", "Avtal 1"]
    nums = reader.trailer["/Root"]["/PageLabels"]["/Nums"]
    assert [int(n) for n in nums[0::2]] == [0, 1, 3]
    for label, prefix in zip(nums[1::2], LABELS):
        assert (label["/S"], label["/St"], label["/P"]) == ("/D", 1, prefix)


@pytest.mark.libreoffice
def test_every_page_tagged_in_one_structure_tree(parts, package):
    reader = PdfReader(package)
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    tree = root["/StructTreeRoot"]
    parent_tree = _number_tree(tree["/ParentTree"])
    pages = {page.indirect_reference.idnum for page in reader.pages}

    keys = [page["/StructParents"] for page in reader.pages]
    assert len(set(keys)) == len(keys)
    assert all(key in parent_tree for key in keys)
    annotations = [a.get_object() for page in reader.pages for a in page.get("/Annots", []) or []]
    links = [a for a in annotations if a["/Subtype"] == "/Link"]
    assert links, "the hyperlink in the second part should be a tagged link annotation"
    for annotation in annotations:
        key = annotation["/StructParent"]
        assert key in parent_tree and key not in keys
        assert annotation.raw_get("/P").idnum in pages
    assert tree["/ParentTreeNextKey"] > max(parent_tree)

    # One /Document, one /Part per part, titled with the bookmark.
    (document,) = tree["/K"]
    assert document.get_object()["/S"] == "/Document"
    part_elements = [kid.get_object() for kid in document.get_object()["/K"]]
    assert [(p["/S"], p["/T"]) for p in part_elements] == [("/Part", b) for b in BOOKMARKS]

    elements = _elements(tree)
    ids = {ref.idnum for ref, _e in elements}
    with_content = [e for _ref, e in elements if _content_pages(e)]
    assert len(with_content) > 20
    for element in with_content:
        assert all(page is not None and page.idnum in pages for page in _content_pages(element)), element["/S"]
    for _ref, element in elements:
        if "/Pg" in element:
            assert element.raw_get("/Pg").idnum in pages
    assert {e["/S"] for _ref, e in elements} >= {"/H1", "/H2", "/Table", "/TR", "/TD", "/L", "/Link", "/Tabelltext"}

    # The parent tree points back at elements of the tree, on the right page.
    for page in reader.pages:
        for ref in parent_tree[page["/StructParents"]].get_object():
            if ref is not None:
                assert ref.idnum in ids
    for annotation in annotations:
        owner = parent_tree[annotation["/StructParent"]]
        assert owner.idnum in ids
        kids = [kid.get_object() for kid in owner.get_object()["/K"]]
        assert any(isinstance(kid, DictionaryObject) and kid.get("/Type") == "/OBJR"
                   and kid.raw_get("/Obj") == annotation.indirect_reference for kid in kids)

    # Role maps merged: every part's custom names keep their standard meaning.
    role_map = tree["/RoleMap"]
    for part in parts:
        for name, target in PdfReader(part.pdf).trailer["/Root"]["/StructTreeRoot"]["/RoleMap"].items():
            assert role_map[name] == target
    assert role_map["/Tabelltext"] == "/P"


@pytest.mark.libreoffice
def test_archival_metadata(package):
    reader = PdfReader(package)
    root = reader.trailer["/Root"]
    (intent,) = root["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert len(intent["/DestOutputProfile"].get_data()) > 1000

    stream = root["/Metadata"]
    assert (stream["/Type"], stream["/Subtype"]) == ("/Metadata", "/XML")
    assert "/Filter" not in stream
    xmp = _xmp(reader)
    assert _xmp_text(xmp, "pdfaid:part") == "2"
    assert _xmp_text(xmp, "pdfaid:conformance") == "B"
    assert _xmp_text(xmp, "pdfuaid:part") == "1"
    assert _xmp_text(xmp, "dc:title/rdf:Alt/rdf:li") == TITLE == reader.metadata["/Title"]
    assert xmp.find(".//dc:title/rdf:Alt/rdf:li", NS).get("{http://www.w3.org/XML/1998/namespace}lang") == "x-default"
    assert _xmp_text(xmp, "pdf:Producer") == "docgen" == reader.metadata["/Producer"]

    assert root["/Lang"] == "sv-SE"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert root["/PageMode"] == "/UseOutlines"


@pytest.mark.libreoffice
def test_info_and_xmp_dates_are_the_same_instant(package):
    reader = PdfReader(package)
    assert reader.metadata["/CreationDate"] == reader.metadata["/ModDate"] == "D:20260326100000Z"
    assert reader.metadata.creation_date == reader.metadata.modification_date == STAMP
    xmp = _xmp(reader)
    for name in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
        assert _xmp_text(xmp, name) == "2026-03-26T10:00:00Z"
    assert reader.xmp_metadata.xmp_create_date == STAMP.replace(tzinfo=None)  # pypdf gives naive UTC


@pytest.mark.libreoffice
def test_a_local_time_keeps_its_offset_in_both_places(parts, tmp_path):
    stockholm = datetime.timezone(datetime.timedelta(hours=1))
    dest = tmp_path / "paket.pdf"
    merge(parts[:1], dest, TITLE, datetime.datetime(2026, 3, 26, 11, 0, 0, 123456, tzinfo=stockholm))
    reader = PdfReader(dest)
    assert reader.metadata["/CreationDate"] == reader.metadata["/ModDate"] == "D:20260326110000+01'00'"
    assert _xmp_text(_xmp(reader), "xmp:CreateDate") == "2026-03-26T11:00:00+01:00"
    assert reader.metadata.creation_date == STAMP  # the same instant as 10:00 UTC
    assert reader.page_labels == ["Hemställan 1"]


@pytest.mark.libreoffice
def test_same_inputs_give_the_same_bytes(parts, package, tmp_path):
    again = tmp_path / package.name
    merge(parts, again, TITLE, STAMP)
    assert again.read_bytes() == package.read_bytes()
    first, second = PdfReader(package).trailer["/ID"]
    assert first == second and len(first.original_bytes) == 16
    other = tmp_path / "annan-titel.pdf"
    merge(parts, other, TITLE + " (rättad)", STAMP)
    assert PdfReader(other).trailer["/ID"][0] != first
    assert not list(tmp_path.glob(".*"))  # no temp files left behind
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(again.stat().st_mode) == 0o666 & ~umask  # like any file written, not 0600


@pytest.mark.libreoffice
def test_fonts_stay_embedded(package):
    checked = 0
    for page in PdfReader(package).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/DescendantFonts" in font:
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"]
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font.get("/BaseFont")
            checked += 1
    assert checked >= 4


@pytest.mark.libreoffice
def test_a_name_two_parts_map_differently_keeps_each_parts_meaning(parts, tmp_path):
    # The same custom style name mapped to another standard type in the second part.
    other = tmp_path / "annan-rollkarta.pdf"
    writer = PdfWriter(clone_from=parts[2].pdf)
    writer.root_object["/StructTreeRoot"]["/RoleMap"][NameObject("/Tabelltext")] = NameObject("/Span")
    writer.write(other)
    dest = tmp_path / "paket.pdf"
    merge([parts[0], Part("Avtal", "Avtal ", other)], dest, TITLE, STAMP)

    tree = PdfReader(dest).trailer["/Root"]["/StructTreeRoot"]
    assert tree["/RoleMap"]["/Tabelltext"] == "/P"
    first, second = (kid.get_object() for kid in tree["/K"][0].get_object()["/K"])

    assert "/Tabelltext" in _types(first) and "/Span" not in _types(first)
    assert "/Tabelltext" not in _types(second) and "/Span" in _types(second)


def _types(element: DictionaryObject) -> set[str]:
    found = {element["/S"]}
    kids = element.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        if isinstance(kid, IndirectObject):
            resolved = kid.get_object()
            if isinstance(resolved, DictionaryObject) and "/S" in resolved:
                found |= _types(resolved)
    return found


@pytest.mark.libreoffice
def test_the_package_passes_every_check_of_docgen_verify(package):
    report = check_pdf(package)
    assert [check.name for check in report.checks] == [
        "PDF/A", "utdataprofil", "typsnitt", "taggning", "språk", "titel", "metadata"]
    assert report.ok, [check for check in report.checks if not check.ok]


_MERGE_IN_A_NEW_PROCESS = """
import datetime, json, sys
from pathlib import Path
from docgen.pdf.assemble import Part, merge
parts, dest, title, stamp = json.loads(sys.argv[1])
merge([Part(b, l, Path(p)) for b, l, p in parts], Path(dest), title, datetime.datetime.fromisoformat(stamp))
"""


@pytest.mark.libreoffice
def test_the_same_bytes_from_a_new_process_whatever_its_hash_seed(parts, package, tmp_path):
    # The package fixture was the first merge of these parts in this process; this one reuses the
    # parts it opened then. A new process opens them anew.
    again = tmp_path / "igen.pdf"
    merge(parts, again, TITLE, STAMP)
    outputs = [again]
    for seed in ("1", "4711"):
        dest = tmp_path / f"frö-{seed}.pdf"
        argument = json.dumps([[[p.bookmark, p.label, str(p.pdf)] for p in parts], str(dest), TITLE,
                               STAMP.isoformat()])
        subprocess.run([sys.executable, "-c", _MERGE_IN_A_NEW_PROCESS, argument], check=True, timeout=120,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.append(dest)
    assert {path.read_bytes() for path in outputs} == {package.read_bytes()}


@pytest.mark.libreoffice
def test_a_part_whose_file_changed_is_read_anew(parts, tmp_path):
    part = tmp_path / "del.pdf"
    dest = tmp_path / "paket.pdf"
    for source, pages in ((parts[0].pdf, 1), (parts[1].pdf, 2), (parts[0].pdf, 1)):
        shutil.copyfile(source, part)
        merge([Part("Del", "Del ", part)], dest, TITLE, STAMP)
        reader = PdfReader(dest)
        assert [page.extract_text() for page in reader.pages] == [
            page.extract_text() for page in PdfReader(source).pages]
        assert len(reader.pages) == pages


@pytest.mark.libreoffice
def test_more_parts_than_are_kept_open_between_merges(parts, tmp_path):
    # Every part different in its bytes: each is opened anew, and the first are let go of before
    # the package is written, which still needs their fonts and content streams.
    many = []
    for number in range(assemble._SOURCES.size + 2):
        path = tmp_path / f"del-{number}.pdf"
        with pikepdf.open(parts[number % 3].pdf) as pdf:
            pdf.docinfo["/Subject"] = f"Del {number}"
            pdf.save(path)
        many.append(Part(f"Del {number}", f"Del {number}:", path))
    dest = tmp_path / "paket.pdf"
    merge(many, dest, TITLE, STAMP)
    reader = PdfReader(dest)
    assert [p.extract_text() for p in reader.pages] == [
        p.extract_text() for part in many for p in PdfReader(part.pdf).pages]
    assert [title for title, _page, _below in _outline(reader)] == [part.bookmark for part in many]
    assert check_pdf(dest).ok


@pytest.mark.libreoffice
def test_page_attributes_held_by_the_page_tree_reach_the_pages(parts, tmp_path):
    # /Resources and /MediaBox may sit on /Pages for all its pages to inherit; the package has
    # a page tree of its own, so the pages have to take them along.
    inherited = tmp_path / "arv.pdf"
    with pikepdf.open(parts[1].pdf, inherit_page_attributes=False) as pdf:
        first = pdf.pages[0].obj
        for key in ("/Resources", "/MediaBox"):
            pdf.Root.Pages[key] = first[key]
            for page in pdf.pages:
                del page.obj[key]
        pdf.save(inherited)
    with pikepdf.open(inherited, inherit_page_attributes=False) as pdf:
        assert not any({"/Resources", "/MediaBox"} & set(page.obj.keys()) for page in pdf.pages)
    dest = tmp_path / "paket.pdf"
    merge([Part("Förslag", "Förslag ", inherited)], dest, TITLE, STAMP)
    with pikepdf.open(dest, inherit_page_attributes=False) as pdf:
        assert all({"/Resources", "/MediaBox"} <= set(page.obj.keys()) for page in pdf.pages)
    expected = [page.extract_text() for page in PdfReader(parts[1].pdf).pages]
    assert [page.extract_text() for page in PdfReader(dest).pages] == expected
    assert check_pdf(dest).ok


@pytest.mark.libreoffice
def test_an_element_that_names_the_wrong_parent_is_put_right(parts, tmp_path):
    astray = tmp_path / "fel-forälder.pdf"
    with pikepdf.open(parts[1].pdf) as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        document.K[1].P = document.K[0]
        table = next(kid for kid in document.K if kid.S == "/Table")
        table.K[0].P = pdf.Root.StructTreeRoot
        pdf.save(astray)
    dest = tmp_path / "paket.pdf"
    merge([parts[0], Part("Förslag", "Förslag ", astray)], dest, TITLE, STAMP)
    tree = PdfReader(dest).trailer["/Root"]["/StructTreeRoot"]
    assert len(_elements(tree)) > 20  # checks every element's /P


def _first_marked(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    element = pdf.Root.StructTreeRoot.K[0]
    while "/Pg" not in element:
        element = element.K[0]
    return element


def _stray_page(pdf: pikepdf.Pdf) -> None:
    _first_marked(pdf).Pg = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Page))


def _loop(pdf: pikepdf.Pdf) -> None:
    document = pdf.Root.StructTreeRoot.K[0]
    document.K[0].K = pikepdf.Array([document])


def _parent_tree_loop(pdf: pikepdf.Pdf) -> None:
    root = pdf.Root.StructTreeRoot
    root.ParentTree = node = pdf.make_indirect(pikepdf.Dictionary())
    node.Kids = pikepdf.Array([node])


def _parent_tree_key_no_number(pdf: pikepdf.Pdf) -> None:
    nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
    pdf.Root.StructTreeRoot.ParentTree.Nums = pikepdf.Array([pikepdf.String("noll"), *nums[1:]])


@pytest.mark.libreoffice
@pytest.mark.parametrize(("damage", "message"), [
    (_stray_page, "strukturträdet pekar på en sida utanför handlingen"),
    (_loop, "strukturträdet har en slinga"),
    (_parent_tree_loop, "trasigt talträd"),
    (_parent_tree_key_no_number, "trasigt talträd"),
])
def test_a_broken_structure_tree_is_refused(parts, tmp_path, damage, message):
    broken = tmp_path / "trasigt-trad.pdf"
    with pikepdf.open(parts[0].pdf) as pdf:
        damage(pdf)
        pdf.save(broken)
    dest = tmp_path / "paket.pdf"
    with pytest.raises(ToolError, match=f"^kunde inte sätta ihop paket.pdf: trasigt-trad.pdf: {message}$"):
        merge([parts[1], Part("Trasig", "", broken)], dest, TITLE, STAMP)
    assert not dest.exists()


# --- errors (no LibreOffice needed) -----------------------------------------------------------


def test_a_broken_part_is_a_swedish_tool_error_and_leaves_nothing_behind(tmp_path):
    broken = tmp_path / "trasig.pdf"
    broken.write_bytes(b"%PDF-1.6\nsomething that is not a PDF\n")
    dest = tmp_path / "ut" / "paket.pdf"
    with pytest.raises(ToolError, match=r"^kunde inte sätta ihop paket\.pdf: "):
        merge([Part("Trasig", "Trasig ", broken)], dest, TITLE, STAMP)
    assert not dest.exists()
    assert not (dest.parent.exists() and any(dest.parent.iterdir()))


def test_an_untagged_part_is_refused(tmp_path):
    plain = tmp_path / "otaggad.pdf"
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(plain)
    with pytest.raises(ToolError, match="otaggad.pdf är inte taggad"):
        merge([Part("Otaggad", "", plain)], tmp_path / "paket.pdf", TITLE, STAMP)


def test_a_missing_part_is_a_tool_error(tmp_path):
    with pytest.raises(ToolError, match="kunde inte sätta ihop paket.pdf"):
        merge([Part("Saknas", "", tmp_path / "saknas.pdf")], tmp_path / "paket.pdf", TITLE, STAMP)


@pytest.mark.parametrize("user_password", ["", "hemligt"])
def test_an_encrypted_part_is_refused(tmp_path, user_password):
    locked = tmp_path / "krypterad.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(locked, encryption=pikepdf.Encryption(owner="ägare", user=user_password))
    with pytest.raises(ToolError, match="krypterad.pdf är krypterad"):
        merge([Part("Krypterad", "", locked)], tmp_path / "paket.pdf", TITLE, STAMP)


def page_count(pdf: Path) -> int:
    with pikepdf.open(pdf) as document:
        return len(document.pages)
