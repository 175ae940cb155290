"""Underlag files the secretary attaches: a Word file is readied for LibreOffice like a filled template.

A PDF underlag is kept byte for byte (see :attr:`PlannedDocument.external`);
nothing here touches it. A Word underlag gets the title the meeting gives
it (the bookmark and the PDF's title then agree), Swedish as its language
(``docgen verify`` requires sv-SE, and LibreOffice takes the PDF's /Lang from
the styles' default language, which python-docx and many offices leave at
en-US) and fixed zip times, so that the same file gives the same PDF and the
cache recognises it.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from docgen.documents.plan import PlannedDocument
from docgen.documents.wordfile import write_docx
from docgen.errors import RenderError

LANGUAGE = "sv-SE"
"""The language every PDF docgen makes must declare (what ``docgen verify`` checks)."""


def prepare_attachment(document: PlannedDocument, work: Path, timestamp: dt.datetime | None) -> Path:
    """Put the underlag of ``document`` into ``work`` as ``<key>.pdf`` (a PDF) or ``<key>.docx``."""
    assert document.source is not None, document.key
    if document.external:
        dest = work / f"{document.key}.pdf"
        shutil.copyfile(document.source, dest)
        return dest
    dest = work / f"{document.key}.docx"
    try:
        word = Document(str(document.source))
    except Exception as exc:  # python-docx raises many types for a damaged file
        raise RenderError(f"{document.source.name} kunde inte läsas som Word-fil: {exc}") from None
    props = word.core_properties
    props.title = document.title
    props.language = LANGUAGE
    _default_language(word, LANGUAGE)
    if timestamp is not None:
        props.created = props.modified = timestamp
    buffer = io.BytesIO()
    word.save(buffer)
    write_docx(dest, buffer.getvalue())
    return dest


def _default_language(word: Document, language: str) -> None:
    """The styles' default language: what a run without its own says, and what LibreOffice writes as /Lang."""
    styles = word.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)  # the schema puts it before w:pPrDefault
    lang = _child(_child(run_defaults, "w:rPr"), "w:lang")
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), language)


def _child(parent, tag: str):
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.append(found)
    return found
