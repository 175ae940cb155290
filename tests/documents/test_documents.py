"""Every generated document: opens, is Swedish, has its own title, carries nothing of the template."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from docgen.documents.plan import plan
from docgen.documents.render import render_docx
from docgen.documents.templates import Templates
from docgen.input.validate import load_case
from support import docx_text, edited_copy

pytestmark = pytest.mark.libreoffice


def test_every_docx_opens_is_swedish_has_a_title_and_no_template_leftovers(seed_build):
    docx_files = [p for p in seed_build.files if p.suffix == ".docx"]
    assert len(docx_files) == 29  # protocol, anslag, 2 extracts, 5 × 5 member documents
    for path in docx_files:
        props = Document(str(path)).core_properties
        assert props.language == "sv-SE", path.name
        assert props.title and "{{" not in props.title, path.name
        assert props.author == "Kommunalförbundet Itsam", path.name
        assert props.last_modified_by == "", path.name
        with zipfile.ZipFile(path) as archive:
            app = archive.read("docProps/app.xml").decode("utf-8")
            styles = archive.read("word/styles.xml").decode("utf-8")
        assert "Microsoft" not in app and "<Company>" not in app, path.name
        assert '<w:lang w:val="sv-SE"' in styles, path.name


def test_every_pdf_is_swedish_with_the_title_shown_by_the_viewer(seed_build):
    pdfs = [p for p in seed_build.files if p.suffix == ".pdf"]
    assert len(pdfs) == 34  # each DOCX as PDF, and 5 member packages
    for path in pdfs:
        reader = PdfReader(path)
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "sv-SE", path.name
        assert reader.metadata.title, path.name
        # A pypdf BooleanObject is always truthy (bool(BooleanObject(False)) is True): compare its value.
        assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True, path.name
        twin = path.with_suffix(".docx")
        if twin.exists():
            assert reader.metadata.title == Document(str(twin)).core_properties.title


def test_a_digitally_adjusted_protocol_has_page_numbers_and_no_empty_signature_boxes(seed_build):
    """The seed was adjusted digitally: boxes for a handwritten signature would contradict it."""
    pdf = seed_build.folder / "protokoll" / "protokoll-2026-03-26-direktionen.pdf"
    pages = PdfReader(pdf).pages
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Sida {number} ({len(pages)})" in text.replace("\u00a0", " ")
        assert "Justerandes signatur" not in text
    first = " ".join(pages[0].extract_text().replace("\u00a0", " ").split())
    assert "Protokollet justerades digitalt 2026-03-26" in first
    assert "Sista dag för överklagande 2026-04-17" in first
    assert "Underskrift" in first and "Mattias Geving, vice förbundsdirektör Itsam" in first


def test_a_protocol_adjusted_on_paper_keeps_signature_lines_and_boxes(tmp_path: Path):
    meeting = edited_copy(tmp_path, "  sätt: digitalt\n", "  sätt: på plats\n  plats: Linköping\n")
    case = load_case(meeting)
    documents = {d.key: d for d in plan(case)}
    for key in ("protokoll", "utdrag-18"):
        render_docx(documents[key], case, tmp_path / f"{key}.docx", Templates())
        footer = Document(str(tmp_path / f"{key}.docx")).sections[0].footer
        cells = [c.text for row in footer.tables[0].rows for c in row.cells] if footer.tables else []
        assert "Justerandes signatur" in cells and "Utdragsbestyrkande" in cells, key
    assert "Underskrifter" in docx_text(tmp_path / "protokoll.docx")


def test_extract_has_the_meeting_facts_justering_and_certification(seed_build):
    pdf = seed_build.folder / "utdrag" / "protokollsutdrag-2026-03-26-direktionen-paragraf-16.pdf"
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(pdf).pages).replace("\u00a0", " ").split())
    for expected in ("Protokollsutdrag", "Sammanträdesdatum 2026-03-26", "§ 16", "Dnr 2026/8",
                     "Direktionen beslutar att godkänna årsbokslut för 2025.",
                     "Protokollet justerades digitalt 2026-03-26 av Claes Sjökvist.",
                     "Anslaget tas ned 2026-04-17", "Utdragsbestyrkande",
                     "Utdraget överensstämmer med originalprotokollet."):
        assert expected in text, expected
