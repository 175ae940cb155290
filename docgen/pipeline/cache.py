"""PDFs by the SHA-256 of the DOCX they were made from, and filled-in DOCX by what they are made from.

A document whose DOCX comes out byte-identical to one converted before is
not converted again. The key is salted with the identity of what made the
PDF (LibreOffice's export options and worker, the normaliser), so a change
to either never serves an old PDF. A document whose inputs (template, the
part of the case it shows, docgen's code) are unchanged is not even filled
in again. Each entry is a PDF and the
worker's reply; the reply records the PDF's SHA-256, and an entry that does
not match it is discarded. Writes go to a temporary file and are renamed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from docgen.files import write_atomically
from docgen.pipeline import outfolder


def is_cold(out_root: Path, slug: str | None, use_cache: bool = True) -> bool:
    """Whether a build of meeting ``slug`` into ``out_root`` has no cached PDF to reuse, so that LibreOffice
    is worth starting at once; looked at without creating anything (the build's own checks come later)."""
    if slug is None:
        return not use_cache or _holds_nothing(out_root / outfolder.CACHE)
    return not use_cache or _holds_nothing(outfolder.cache_folder(out_root, slug))


def _holds_nothing(folder: Path) -> bool:
    return not folder.is_dir() or folder.is_symlink() or not any(folder.iterdir())


class PdfCache:
    def __init__(self, folder: Path, salt: bytes, serve: bool = True, code: bytes = b"") -> None:
        self.folder = folder
        self.salt = salt
        self.code = code
        """The identity of the code that fills in templates: it salts the keys of filled-in DOCX."""
        self.serve = serve
        """False: store what is converted, but serve nothing (``--tvinga``)."""
        self.used: set[str] = set()
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def empty(self) -> bool:
        return not self.serve or _holds_nothing(self.folder)

    def key(self, docx: Path) -> str:
        key = hashlib.sha256(self.salt + docx.read_bytes()).hexdigest()
        self.used.add(key)
        return key

    def part_key(self, key: str, index: int) -> str:
        """The key of part ``index`` of the joined file whose key is ``key``."""
        part = hashlib.sha256(f"{key} del {index}".encode()).hexdigest()
        self.used.add(part)
        return part

    def fetch(self, key: str, pdf: Path) -> dict[str, Any] | None:
        """Copy the cached PDF to ``pdf`` and return the worker's reply, or None if there is no sound entry."""
        if not self.serve:
            return None
        try:
            reply = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            data = (self.folder / f"{key}.pdf").read_bytes()
        except (OSError, ValueError):
            return None
        if not isinstance(reply, dict) or reply.get("sha256") != hashlib.sha256(data).hexdigest():
            return None
        write_atomically(pdf, data, durable=False)
        return reply

    def store(self, key: str, pdf: Path, reply: dict[str, Any]) -> None:
        data = pdf.read_bytes()
        write_atomically(self.folder / f"{key}.pdf", data, durable=False)
        entry = {**reply, "sha256": hashlib.sha256(data).hexdigest()}
        write_atomically(self.folder / f"{key}.json", json.dumps(entry, ensure_ascii=False).encode("utf-8"),
                         durable=False)

    def docx_key(self, material: bytes) -> str:
        """The key of a filled-in template made from ``material`` (see ``render.Filling.material``)."""
        key = hashlib.sha256(b"docx\0" + self.code + material).hexdigest()
        self.used.add(key)
        return key

    def fetch_docx(self, key: str, docx: Path) -> bool:
        """Copy the filled-in template stored under ``key`` to ``docx``; False if there is none."""
        if not self.serve:
            return False
        try:
            data = (self.folder / f"{key}.docx").read_bytes()
        except OSError:
            return False
        if not data.startswith(b"PK"):  # not a zip: a damaged entry, fill in anew
            return False
        write_atomically(docx, data, durable=False)
        return True

    def store_docx(self, key: str, docx: Path) -> None:
        write_atomically(self.folder / f"{key}.docx", docx.read_bytes(), durable=False)

    def prune(self) -> None:
        """Keep only what this build used: the cache is for the next edit, not an archive."""
        for path in self.folder.iterdir():
            if path.is_file() and path.stem not in self.used:
                path.unlink(missing_ok=True)
