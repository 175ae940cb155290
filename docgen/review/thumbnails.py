"""Page thumbnails of a PDF: the one module that draws pages (PDFium, through pypdfium2).

Pages are drawn in this process, at the width they are stored in, by
PDFium (the renderer of Chromium, where the secretary will look at them);
a process per page, as pdftoppm was, cost about 0.1 s of CPU a page. A
thumbnail is named by the SHA-256 of its PDF and of how it was drawn (the
width, PDFium's and Pillow's versions), so the same PDF always gives the same
file name, and PDFium with Pillow's PNG encoder writes the same bytes for
the same PDF: a thumbnail from the previous build is copied instead of drawn again.
"""

from __future__ import annotations

import functools
import hashlib
import io
import shutil
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import PIL
import pypdfium2
import pypdfium2.version

from docgen.errors import ToolError
from docgen.files import write_atomically

WIDTH = 280
"""Thumbnail width in pixels (A4 portrait: about 396 high); the page shows it at 150 px, sharp on a HiDPI screen."""

_PDFIUM = threading.Lock()
"""PDFium is not thread-safe: one page is drawn at a time, whichever thread asks (each takes a few ms)."""


@dataclass(frozen=True)
class Request:
    """Draw the first ``pages`` pages of ``pdf`` (whose SHA-256 is ``digest``)."""

    pdf: Path
    digest: str
    pages: int


@dataclass(frozen=True)
class Thumbnail:
    name: str
    """File name in the thumbnail folder."""
    page: int
    width: int
    height: int


@functools.cache
def drawing_identity() -> str:
    """What shapes the pixels besides the PDF: the width and the renderer's and encoder's versions."""
    return f"{WIDTH}px pdfium {pypdfium2.version.PDFIUM_INFO} pypdfium2 {pypdfium2.version.PYPDFIUM_INFO} " \
           f"pillow {PIL.__version__}"


def stem(digest: str) -> str:
    """The name stem of every thumbnail of the PDF whose SHA-256 is ``digest``."""
    return hashlib.sha256(f"{digest} {drawing_identity()}".encode()).hexdigest()[:20]


def names(digest: str, pages: int) -> list[str]:
    return [f"{stem(digest)}-{page}.png" for page in range(1, pages + 1)]


def draw(requests: list[Request], folder: Path, reuse: Sequence[Path] = ()) -> dict[str, list[Thumbnail]]:
    """Thumbnails for every request into ``folder``, by PDF digest; each distinct page is drawn once.

    A thumbnail already in a ``reuse`` folder (the previous build's, or one drawn earlier in this
    build) is copied, not drawn.
    """
    folder.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, Request] = {}
    for request in requests:
        known = wanted.get(request.digest)
        if known is None or known.pages < request.pages:
            wanted[request.digest] = request
    for request in wanted.values():
        missing = [(page, name) for page, name in enumerate(names(request.digest, request.pages), start=1)
                   if not (folder / name).is_file()
                   and not any(_copied(source / name, folder / name) for source in reuse)]
        if missing:
            _draw_pages(request, missing, folder)
    return {digest: [_thumbnail(folder / name, page)
                     for page, name in enumerate(names(digest, request.pages), start=1)]
            for digest, request in wanted.items()}


def _copied(source: Path, dest: Path) -> bool:
    if not source.is_file() or source.is_symlink():
        return False
    shutil.copyfile(source, dest)
    return True


def _draw_pages(request: Request, pages: list[tuple[int, str]], folder: Path) -> None:
    """Draw ``pages`` (number, file name) of one PDF, opened once."""
    with _PDFIUM:
        try:
            document = pypdfium2.PdfDocument(request.pdf)
        except (pypdfium2.PdfiumError, OSError) as exc:
            raise ToolError(f"sidorna i {request.pdf.name} kunde inte ritas: {exc}") from None
        try:
            images = {name: _png(document, page, request.pdf) for page, name in pages}
        finally:
            document.close()
    for name, png in images.items():
        write_atomically(folder / name, png)


def _png(document: pypdfium2.PdfDocument, page: int, pdf: Path) -> bytes:
    if page > len(document):
        raise ToolError(f"{pdf.name} har ingen sida {page} att rita")
    sheet = document[page - 1]
    try:
        width, _height = sheet.get_size()
        bitmap = sheet.render(scale=WIDTH / width, draw_annots=True)
        image = bitmap.to_pil()
    finally:
        sheet.close()
    if image.width != WIDTH:  # PDFium rounds the size up: the stored width is exact
        image = image.resize((WIDTH, round(image.height * WIDTH / image.width)))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def _thumbnail(path: Path, page: int) -> Thumbnail:
    width, height = png_size(path)
    return Thumbnail(path.name, page, width, height)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    with path.open("rb") as file:
        head = file.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ToolError(f"{path.name} är ingen PNG-bild")
    width, height = struct.unpack(">II", head[16:24])
    return width, height

