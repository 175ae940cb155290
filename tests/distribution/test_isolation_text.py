"""The text the isolation check reads from a Word attachment: every run, header and property, entities decoded."""

from __future__ import annotations

import zipfile

import pytest
from docx import Document
from lxml import etree

from docgen.distribution import isolation


def test_word_text_comes_from_split_runs_the_header_and_the_properties(tmp_path):
    doc = Document()
    doc.core_properties.title = "Hemställan & förslag"
    doc.core_properties.subject = "Borgen <2026>"
    paragraph = doc.add_paragraph()
    paragraph.add_run("Kommunfull")
    paragraph.add_run("mäktige i Ydre kommun")
    doc.sections[0].header.paragraphs[0].text = "Sidhuvud för Boxholm"
    path = tmp_path / "brev.docx"
    doc.save(str(path))
    text = isolation.squash(isolation._docx_text(path))
    assert isolation.squash("Kommunfullmäktige i Ydre kommun") in text
    assert isolation.squash("Sidhuvud för Boxholm") in text
    assert "hemställan&förslag" in text and "borgen<2026>" in text


def test_a_word_part_that_is_no_xml_is_unreadable(tmp_path):
    path = tmp_path / "trasig.docx"
    with zipfile.ZipFile(path, "w") as docx:
        docx.writestr("word/document.xml", "<w:document><w:t>Ydre</w:document>")
    with pytest.raises(etree.XMLSyntaxError):  # document_text reports it as unreadable, naming the file
        isolation._docx_text(path)
