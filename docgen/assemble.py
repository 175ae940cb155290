"""Merge one member's documents into a single PDF with a bookmark per document.

pypdf drops the catalog's language and metadata when merging (pypdf issue
1012), so the package gets its own title, language and viewer preference.
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import BooleanObject, DictionaryObject, NameObject, TextStringObject

from docgen.errors import ToolError


def page_count(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


def merge(parts: list[tuple[str, Path]], dest: Path, title: str, language: str = "sv-SE") -> None:
    """Write ``parts`` (bookmark title, PDF) into ``dest`` in order."""
    writer = PdfWriter()
    try:
        for bookmark, pdf in parts:
            writer.append(str(pdf), outline_item=bookmark)
    except Exception as exc:  # pypdf raises many types for a broken file
        raise ToolError(f"kunde inte sätta ihop {dest.name}: {exc}") from None
    writer.add_metadata({"/Title": title, "/Producer": "docgen"})
    root = writer._root_object
    root[NameObject("/Lang")] = TextStringObject(language)
    root[NameObject("/PageMode")] = NameObject("/UseOutlines")
    prefs = DictionaryObject({NameObject("/DisplayDocTitle"): BooleanObject(True)})
    root[NameObject("/ViewerPreferences")] = prefs
    with dest.open("wb") as handle:
        writer.write(handle)
