"""Underlag files the secretary attaches: a Word file is readied for LibreOffice like a filled template.

A PDF underlag is kept byte for byte (see :attr:`PlannedDocument.external`);
nothing here touches it. A Word underlag gets the title the meeting gives
it (the bookmark and the PDF's title then agree) and fixed zip times, so
that the same file gives the same PDF and the cache recognises it.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

from docx import Document

from docgen.documents.plan import PlannedDocument
from docgen.documents.wordfile import write_docx
from docgen.errors import RenderError


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
    if timestamp is not None:
        props.created = props.modified = timestamp
    buffer = io.BytesIO()
    word.save(buffer)
    write_docx(dest, buffer.getvalue())
    return dest
