"""Page thumbnails of a PDF: the one module that runs ``pdftoppm``.

A thumbnail is named by the SHA-256 of its PDF and of how it was drawn
(width, pdftoppm's version), so the same PDF always gives the same file
name, and pdftoppm writes the same PNG bytes for the same PDF: a thumbnail
from the previous build is copied instead of drawn again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import struct
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from docgen.errors import ToolError

WIDTH = 280
"""Thumbnail width in pixels (A4 portrait: about 396 high)."""
TIMEOUT = 120.0
"""Seconds pdftoppm may take over one PDF."""


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


def pdftoppm() -> str:
    found = shutil.which("pdftoppm")
    if found is None:
        raise ToolError("pdftoppm saknas, så granskningssidan kan inte visa sidorna. "
                        "Installera poppler-utils: make system (som root) eller "
                        "apt-get install poppler-utils.")
    return found


@functools.cache
def drawing_identity() -> str:
    """What shapes the pixels besides the PDF: the width and pdftoppm's version line."""
    try:
        reply = subprocess.run([pdftoppm(), "-v"], capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except OSError as exc:
        raise ToolError(f"pdftoppm kunde inte startas: {exc.strerror or exc}") from None
    version = (reply.stderr or reply.stdout).splitlines()[0] if (reply.stderr or reply.stdout) else ""
    return f"{WIDTH}px {version}"


def stem(digest: str) -> str:
    """The name stem of every thumbnail of the PDF whose SHA-256 is ``digest``."""
    return hashlib.sha256(f"{digest} {drawing_identity()}".encode()).hexdigest()[:20]


def names(digest: str, pages: int) -> list[str]:
    return [f"{stem(digest)}-{page}.png" for page in range(1, pages + 1)]


def draw(requests: list[Request], folder: Path, reuse: Sequence[Path] = (),
         at_once: int | None = None) -> dict[str, list[Thumbnail]]:
    """Thumbnails for every request into ``folder``, by PDF digest; each distinct page is drawn once.

    A thumbnail already in a ``reuse`` folder (the previous build's, or one drawn earlier in this
    build) is copied, not drawn. Pages are drawn one per pdftoppm run, ``at_once`` at a time (as many
    as there are cores if not given).
    """
    folder.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, Request] = {}
    for request in requests:
        known = wanted.get(request.digest)
        if known is None or known.pages < request.pages:
            wanted[request.digest] = request
    jobs = [(request, page, name) for request in wanted.values()
            for page, name in enumerate(names(request.digest, request.pages), start=1)
            if not (folder / name).is_file() and not any(_copied(source / name, folder / name) for source in reuse)]
    if jobs:
        with ThreadPoolExecutor(max_workers=min(len(jobs), at_once or os.cpu_count() or 2)) as pool:
            list(pool.map(lambda job: _draw_page(*job, folder), jobs))
    return {digest: [_thumbnail(folder / name, page)
                     for page, name in enumerate(names(digest, request.pages), start=1)]
            for digest, request in wanted.items()}


def _copied(source: Path, dest: Path) -> bool:
    if not source.is_file() or source.is_symlink():
        return False
    shutil.copyfile(source, dest)
    return True


def _draw_page(request: Request, page: int, name: str, folder: Path) -> None:
    temporary = folder / f".{name}"
    command = [pdftoppm(), "-png", "-scale-to-x", str(WIDTH), "-scale-to-y", "-1", "-f", str(page), "-l", str(page),
               "-singlefile", str(request.pdf), str(temporary.with_suffix(""))]
    try:
        reply = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        temporary.unlink(missing_ok=True)
        raise ToolError(f"pdftoppm svarade inte inom {TIMEOUT:.0f} s för {request.pdf.name}") from None
    except OSError as exc:
        raise ToolError(f"pdftoppm kunde inte startas: {exc.strerror or exc}") from None
    if reply.returncode != 0 or not temporary.is_file():
        temporary.unlink(missing_ok=True)
        last = (reply.stderr or "").strip().splitlines()[-1:] or ["ingen bild"]
        raise ToolError(f"pdftoppm kunde inte rita sida {page} i {request.pdf.name}: {last[0]}")
    os.replace(temporary, folder / name)


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
