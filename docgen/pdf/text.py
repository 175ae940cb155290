"""A PDF's text as a reader sees it: the one module that reads words off pages (PDFium, through pypdfium2).

PDFium is C and in-process: the isolation check reads every member's package before a send, and pypdf's
pure-Python extraction took about ten times as long for the same words (0.29 s against 0.03 s for one seed
package), which every ``docgen send`` paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pypdfium2

UnreadablePdf = pypdfium2.PdfiumError
"""What a file PDFium cannot read as a PDF raises."""

_LINE_END_HYPHEN = "\ufffe"
"""PDFium's mark for a hyphen at the end of a line; the text has a hyphen there."""


@dataclass(frozen=True)
class PdfText:
    title: str
    pages: list[str]
    """Each page's text as PDFium reads it (lines end in CR LF)."""


def read_text(source: Path | bytes) -> PdfText:
    document = pypdfium2.PdfDocument(source)
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range().replace(_LINE_END_HYPHEN, "-"))
            textpage.close()
            page.close()
        return PdfText(document.get_metadata_dict().get("Title", ""), pages)
    finally:
        document.close()


def squeezed_pages(data: bytes) -> list[str]:
    """Each page's text with whitespace squeezed: to compare a provider's re-rendered protocol with docgen's."""
    return [" ".join(page.split()) for page in read_text(data).pages]
