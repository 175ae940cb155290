"""The protocol's ärendelista: on which pages each § stands.

Page numbers exist only once LibreOffice has laid the protocol out. So the
protocol is rendered with a unique marker in each § 's page cell; the
LibreOffice worker (:mod:`docgen.pdf.office_worker`) finds where each
Heading 1 "§ n" starts, writes the ranges into the marked cells, lays out
again and exports. Its reply carries the ranges, and
:func:`finish_protocol_docx` puts the same texts into the DOCX, so that the
DOCX and the PDF say the same.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from docgen.documents.wordfile import write_docx
from docgen.errors import ToolError
from docgen.model import formatting as fmt
from docgen.model.case import Case

MARKER = "‹{n}›"
"""Stands in the ärendelista's page cells until LibreOffice has laid the protocol out."""


def markers(case: Case) -> dict[int, str]:
    """The marker of each §, as the protocol is first rendered with them."""
    return {item.number: MARKER.format(n=item.number) for item in case.meeting.items}


def page_spec() -> dict[str, str]:
    """What the LibreOffice worker needs to fill the page cells (it runs outside docgen's Python)."""
    return {"single": "{first}", "range": f"{{first}}{fmt.EN_DASH}{{last}}",
            "pattern": r"^§\s*(\d+)$", "marker": MARKER}


def finish_protocol_docx(case: Case, pages: dict[int, str], path: Path) -> None:
    """Replace the markers in the protocol's DOCX at ``path`` with the page ranges LibreOffice found.

    The rendered DOCX differs from the final one only in the ärendelista's
    page cells, which hold a unique marker each: replacing the markers in
    word/document.xml gives exactly what rendering again would, in a fraction
    of the time.
    """
    missing = [item.number for item in case.meeting.items if not pages.get(item.number)]
    if missing:
        raise ToolError(f"LibreOffice hittade inte var § {missing[0]} börjar i protokollet; "
                        "rubriken ska ha formatmallen Rubrik 1 (Heading 1)")
    with zipfile.ZipFile(path) as source:
        xml = source.read("word/document.xml").decode("utf-8")
    for item in case.meeting.items:
        marker = MARKER.format(n=item.number)
        if xml.count(marker) != 1:
            raise ToolError(f"ärendelistan i protokollet saknar platsen för sidorna till § {item.number}")
        xml = xml.replace(marker, escape(pages[item.number]))
    write_docx(path, parts={"word/document.xml": xml.encode("utf-8")})
