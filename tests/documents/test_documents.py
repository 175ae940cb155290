"""Every generated document: opens, is Swedish, has its own title, carries nothing of the template."""

from __future__ import annotations

import zipfile

import pytest
from docx import Document
from pypdf import PdfReader

pytestmark = pytest.mark.libreoffice


def test_every_docx_opens_is_swedish_has_a_title_and_no_template_leftovers(seed_build):
    docx_files = [p for p in seed_build.files if p.suffix == ".docx"]
    assert len(docx_files) == 24  # protocol, anslag, 2 extracts, 5 × 4 member documents
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
    assert len(pdfs) == 29  # each DOCX as PDF, and 5 member packages
    for path in pdfs:
        reader = PdfReader(path)
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "sv-SE", path.name
        assert reader.metadata.title, path.name
        assert root["/ViewerPreferences"]["/DisplayDocTitle"], path.name
        twin = path.with_suffix(".docx")
        if twin.exists():
            assert reader.metadata.title == Document(str(twin)).core_properties.title


def test_protocol_pages_carry_page_numbers_and_the_signature_boxes(seed_build):
    pdf = seed_build.folder / "protokoll" / "protokoll-2026-03-26-direktionen.pdf"
    pages = PdfReader(pdf).pages
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Sida {number} ({len(pages)})" in text.replace("\u00a0", " ")
        assert "Justerandes signatur" in text and "Utdragsbestyrkande" in text


def test_extract_has_the_meeting_facts_justering_and_certification(seed_build):
    pdf = seed_build.folder / "utdrag" / "protokollsutdrag-2026-03-26-direktionen-paragraf-16.pdf"
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(pdf).pages).replace("\u00a0", " ").split())
    for expected in ("Protokollsutdrag", "Sammanträdesdatum 2026-03-26", "§ 16", "Dnr 2026/8",
                     "Direktionen beslutar att godkänna årsbokslut för 2025.",
                     "Protokollet justerades digitalt 2026-03-26 av Claes Sjökvist.",
                     "Anslaget tas ned 2026-04-17", "Utdragsbestyrkande",
                     "Utdraget överensstämmer med originalprotokollet."):
        assert expected in text, expected
