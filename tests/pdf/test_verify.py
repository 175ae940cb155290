"""docgen.verify on real LibreOffice PDFs, on variants broken with pypdf, and on non-PDFs."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from docx.document import Document
from docx.enum.text import WD_BREAK
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from rich.console import Console

from docgen.pdf.verify import (
    Check,
    PdfReport,
    check_pdf,
    parse_pdf_date,
    parse_xmp_date,
    print_report,
    summary_line,
    verify_tree,
)
from support import soffice_export, swedish_document

TITLE = "Provhandling för kontroll av PDF/A"
AUTHOR = "Kommunalförbundet Itsam"
ALL_CHECKS = ["PDF/A", "utdataprofil", "typsnitt", "taggning", "språk", "titel", "metadata"]


def _two_pages() -> Document:
    """Two pages: a heading, Swedish text, a table; Swedish as the document language."""
    doc = swedish_document(TITLE, AUTHOR)

    doc.add_heading("Beslut om borgen", level=1)
    doc.add_paragraph("Direktionen beslöt att gå vidare med ärendet. Åtvidaberg, Ödeshög och Växjö är överens.")
    table = doc.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    for row, (member, share) in zip(table.rows, [("Medlem", "Andel"), ("Ödeshög", "12 %"), ("Ydre", "8 %")]):
        row.cells[0].text, row.cells[1].text = member, share
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_heading("Sida två", level=2)
    doc.add_paragraph("Här står något mer på andra sidan, så att dokumentet får två sidor.")
    return doc


@pytest.fixture(scope="module")
def lo_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A PDF/A-2b + PDF/UA export ("good") and a plain export ("plain") of the same DOCX."""
    tmp = tmp_path_factory.mktemp("verify")
    doc = _two_pages()
    exports = {}
    for name, target in (("good", None), ("plain", "pdf")):
        doc.save(str(tmp / f"{name}.docx"))
        exports[name] = soffice_export(tmp / f"{name}.docx", tmp / name, tmp / "profile", target)
    return exports


def _details(report: PdfReport) -> dict[str, Check]:
    return {check.name: check for check in report.checks}


def _failed(report: PdfReport) -> set[str]:
    return {check.name for check in report.checks if not check.ok}


def _report_text(folder: Path) -> str:
    """What ``docgen verify`` prints for ``folder``."""
    console = Console(record=True, width=200)
    print_report(verify_tree(folder), console, folder)
    return console.export_text()


def _variant(source: Path, target: Path, change) -> Path:
    """A copy of ``source`` with ``change(writer)`` applied; Info and XMP otherwise untouched."""
    writer = PdfWriter(clone_from=source)
    change(writer)
    writer.write(target)
    return target


# --- real LibreOffice PDFs ---------------------------------------------------------------


@pytest.mark.libreoffice
def test_good_pdf_passes_every_check(lo_pdfs):
    report = check_pdf(lo_pdfs["good"])
    checks = _details(report)
    assert list(checks) == ALL_CHECKS
    assert report.ok, report.checks
    assert checks["PDF/A"].detail == "PDF/A-2B, PDF/UA-1"
    assert checks["typsnitt"].detail.endswith("inbäddade")
    assert checks["taggning"].detail == "taggad på alla 2 sidor"
    assert checks["språk"].detail == "sv-SE"
    assert checks["titel"].detail == "Provhandling för kontroll av PDF/A"
    assert checks["metadata"].detail.startswith("Info och XMP stämmer")


@pytest.mark.libreoffice
def test_language_must_match_the_argument(lo_pdfs):
    check = _details(check_pdf(lo_pdfs["good"], language="en-GB"))["språk"]
    assert not check.ok
    assert check.detail == "sv-SE (förväntat en-GB)"


@pytest.mark.libreoffice
def test_plain_export_fails_pdfa_output_intent_and_tagging(lo_pdfs):
    report = check_pdf(lo_pdfs["plain"])
    checks = _details(report)
    assert not report.ok
    assert {"PDF/A", "utdataprofil", "taggning"} <= _failed(report)
    assert checks["PDF/A"].detail == "XMP-metadata saknas"  # LibreOffice writes no XMP without PDF/A
    assert checks["utdataprofil"].detail == "OutputIntents saknas"
    assert checks["taggning"].detail == "otaggad (MarkInfo och StructTreeRoot saknas)"
    assert checks["typsnitt"].ok
    assert checks["språk"].ok


def _drop_lang(writer: PdfWriter) -> None:
    del writer.root_object["/Lang"]


def _untag_page_two(writer: PdfWriter) -> None:
    assert len(writer.pages) == 2
    del writer.pages[1]["/StructParents"]


def _dangle_page_one(writer: PdfWriter) -> None:
    writer.pages[0][NameObject("/StructParents")] = NumberObject(9999)


def _drop_intents(writer: PdfWriter) -> None:
    del writer.root_object["/OutputIntents"]


# (change, the one check that fails, the start of its detail)
VARIANTS = [
    pytest.param(_drop_lang, "språk", "/Lang saknas (förväntat sv-SE)", id="utan-lang"),
    pytest.param(_untag_page_two, "taggning", "sida utan taggning: 2", id="sida-utan-structparents"),
    pytest.param(_dangle_page_one, "taggning", "sida utan taggning: 1", id="nyckel-utanfor-foraldratradet"),
    pytest.param(lambda writer: writer.add_metadata({"/Title": "En helt annan titel"}), "titel",
                 f"Info ”En helt annan titel” ≠ XMP ”{TITLE}”", id="annan-titel-i-info"),
    pytest.param(_drop_intents, "utdataprofil", "OutputIntents saknas", id="utan-outputintents"),
    pytest.param(lambda writer: writer.add_metadata({"/Producer": "pypdf"}), "metadata",
                 "Producer: Info ”pypdf” ≠ XMP ”LibreOffice", id="producer-skriven-av-pypdf"),
]


@pytest.mark.libreoffice
@pytest.mark.parametrize(("change", "failing", "detail"), VARIANTS)
def test_a_broken_variant_fails_exactly_its_check(lo_pdfs, tmp_path, change, failing, detail):
    report = check_pdf(_variant(lo_pdfs["good"], tmp_path / "variant.pdf", change))
    assert _failed(report) == {failing}
    assert _details(report)[failing].detail.startswith(detail)


@pytest.mark.libreoffice
def test_print_report_all_passed(lo_pdfs, tmp_path):
    shutil.copy(lo_pdfs["good"], tmp_path / "a.pdf")
    (tmp_path / "sub").mkdir()
    shutil.copy(lo_pdfs["good"], tmp_path / "sub" / "b.pdf")
    text = _report_text(tmp_path)
    assert "2 PDF-filer kontrollerade: alla godkända." in text
    assert "sub/b.pdf" in text and "✓ PDF/A-2B, PDF/UA-1" in text


# --- without LibreOffice -----------------------------------------------------------------


def _blank_pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(path)
    return path


def test_non_pdf_fails_readable(tmp_path):
    fake = tmp_path / "x.pdf"
    fake.write_text("Det här är ingen PDF.\n", encoding="utf-8")
    report = check_pdf(fake)
    assert not report.ok
    assert [check.name for check in report.checks] == ["läsbar"]
    assert report.checks[0].detail.startswith("kan inte läsas som PDF")


def test_empty_file_fails_readable(tmp_path):
    empty = tmp_path / "tom.pdf"
    empty.write_bytes(b"")
    assert [(c.name, c.ok) for c in check_pdf(empty).checks] == [("läsbar", False)]


def test_bare_pypdf_pdf_fails_but_is_readable(tmp_path):
    report = check_pdf(_blank_pdf(tmp_path / "blank.pdf"))
    checks = _details(report)
    assert list(checks) == ALL_CHECKS
    assert checks["typsnitt"] == Check("typsnitt", True, "inga typsnitt")
    assert {"PDF/A", "utdataprofil", "taggning", "språk", "titel"} <= _failed(report)


def test_verify_tree_skips_hidden_folders_and_sorts(tmp_path):
    for relative in ["b/z.pdf", "a.pdf", "b/a.pdf", "c/d/e.pdf", ".git/x.pdf", "b/.cache/y.pdf", "notes.txt"]:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if relative.endswith(".pdf"):
            _blank_pdf(path)
        else:
            path.write_text("x", encoding="utf-8")
    reports = verify_tree(tmp_path)
    assert [r.path.relative_to(tmp_path).as_posix() for r in reports] == ["a.pdf", "b/a.pdf", "b/z.pdf", "c/d/e.pdf"]


def test_print_report_with_failures(tmp_path):
    _blank_pdf(tmp_path / "tom.pdf")
    (tmp_path / "x.pdf").write_text("inte en PDF", encoding="utf-8")
    text = _report_text(tmp_path)
    assert "2 av 2 PDF-filer har fel." in text
    assert "x.pdf" in text and "✗ kan inte läsas som" in text
    assert "läsbar" in text and "taggning" in text


def test_summary_line_wording():
    ok = PdfReport(Path("a.pdf"), (Check("språk", True, "sv-SE"),))
    bad = PdfReport(Path("b.pdf"), (Check("språk", False, "/Lang saknas"),))
    assert summary_line([]) == "Inga PDF-filer hittades."
    assert summary_line([ok]) == "1 PDF-fil kontrollerad: godkänd."
    assert summary_line([ok] * 29) == "29 PDF-filer kontrollerade: alla godkända."
    assert summary_line([bad, bad] + [ok] * 27) == "2 av 29 PDF-filer har fel."


@pytest.mark.parametrize(
    ("pdf_date", "xmp_date"),
    [
        ("D:20261127010219Z'", "2026-11-27T01:02:19Z"),
        ("D:20261127010219Z", "2026-11-27T01:02:19+00:00"),
        ("D:20260326100000+01'00'", "2026-03-26T09:00:00Z"),
        ("D:20260326100000+01'00", "2026-03-26T10:00:00+01:00"),
        ("D:20260326100000-02'30'", "2026-03-26T12:30:00Z"),
        ("D:20260326", "2026-03-26"),
        ("D:20260326100000", "2026-03-26T10:00:00.25"),
    ],
)
def test_pdf_and_xmp_dates_are_the_same_instant(pdf_date, xmp_date):
    a, b = parse_pdf_date(pdf_date), parse_xmp_date(xmp_date)
    assert a is not None and b is not None
    if a.tzinfo is None or b.tzinfo is None:
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    assert a == b


def test_date_parsing_details():
    assert parse_pdf_date("D:20260326100000+01'00'") == datetime(
        2026, 3, 26, 10, tzinfo=timezone(timedelta(hours=1)))
    assert parse_pdf_date("D:20261127010219Z'") == datetime(2026, 11, 27, 1, 2, 19, tzinfo=UTC)
    assert parse_xmp_date("2026-11-27T01:02:19+01:00") == datetime(
        2026, 11, 27, 1, 2, 19, tzinfo=timezone(timedelta(hours=1)))
    assert parse_pdf_date("igår") is None
    assert parse_xmp_date("2026-13-40") is None


def test_title_check_reads_text_strings(tmp_path):
    """A title with non-ASCII characters set by pypdf is read back as text, and DisplayDocTitle is required."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": TextStringObject("Åtgärder – översikt")})
    writer.write(tmp_path / "t.pdf")
    detail = _details(check_pdf(tmp_path / "t.pdf"))["titel"].detail
    assert "dc:title saknas i XMP" in detail and "DisplayDocTitle är inte satt" in detail


XMP_WITH_ATTRIBUTES = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
   xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
   pdfaid:part="3" pdfaid:conformance="U" pdf:Producer="docgen" xmp:CreateDate="2026-03-26T10:00:00+01:00">
  <dc:title xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Alt>
   <rdf:li xml:lang="en">Other language</rdf:li><rdf:li xml:lang="x-default">Årsbesked</rdf:li>
  </rdf:Alt></dc:title>
 </rdf:Description>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


def test_xmp_properties_as_attributes_and_dates_with_offsets(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": "Årsbesked", "/Producer": "docgen", "/CreationDate": "D:20260326090000Z"})
    stream = DecodedStreamObject()
    stream.set_data(XMP_WITH_ATTRIBUTES.encode("utf-8"))
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    writer.root_object[NameObject("/Metadata")] = writer._add_object(stream)
    writer.root_object[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)})
    writer.write(tmp_path / "attr.pdf")
    checks = _details(check_pdf(tmp_path / "attr.pdf"))
    assert checks["PDF/A"] == Check("PDF/A", True, "PDF/A-3U")
    assert checks["titel"] == Check("titel", True, "Årsbesked")
    assert checks["metadata"] == Check("metadata", True, "Info och XMP stämmer (2 fält)")


def _font(base: str, embedded: bool) -> DictionaryObject:
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/TrueType"),
                             NameObject("/BaseFont"): NameObject(f"/{base}")})
    if embedded:
        program = DecodedStreamObject()
        program.set_data(b"\0")
        font[NameObject("/FontDescriptor")] = DictionaryObject({NameObject("/FontFile2"): program})
    return font


def test_fonts_found_in_form_xobjects_type0_and_type3(tmp_path):
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    form = DecodedStreamObject()
    form.set_data(b"")
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): ArrayObject([NumberObject(0)] * 4),
                 NameObject("/Resources"): DictionaryObject({NameObject("/Font"): DictionaryObject(
                     {NameObject("/F9"): writer._add_object(_font("Helvetica", embedded=False))})})})
    type0 = DictionaryObject({NameObject("/Subtype"): NameObject("/Type0"),
                              NameObject("/BaseFont"): NameObject("/ABCDEF+LiberationSerif"),
                              NameObject("/DescendantFonts"): ArrayObject(
                                  [writer._add_object(_font("ABCDEF+LiberationSerif", embedded=True))])})
    type3 = DictionaryObject({NameObject("/Subtype"): NameObject("/Type3"), NameObject("/Name"): NameObject("/T3")})
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(type0),
                                               NameObject("/F2"): type3,
                                               NameObject("/F3"): writer._add_object(_font("Arial", embedded=False))}),
        NameObject("/XObject"): DictionaryObject({NameObject("/Fm1"): writer._add_object(form)}),
    })
    writer.write(tmp_path / "fonts.pdf")
    assert _details(check_pdf(tmp_path / "fonts.pdf"))["typsnitt"] == Check(
        "typsnitt", False, "ej inbäddade: Arial, Helvetica")

    del page["/Resources"]["/Font"]["/F3"]
    del form["/Resources"]["/Font"]["/F9"]
    writer.write(tmp_path / "fonts2.pdf")
    assert _details(check_pdf(tmp_path / "fonts2.pdf"))["typsnitt"] == Check(
        "typsnitt", True, "2 typsnitt, alla inbäddade")
