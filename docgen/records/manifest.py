"""``manifest.json``: every file of a meeting with its SHA-256, size, document type, recipients and origin.

One model, written once per build (:mod:`docgen.pipeline.manifest` fills it
in from the plan, never from the shape of a path) and read by every stage
that must know what a build made: the no-change check, the output folder's
ownership, ``docgen verify``, the sending and the review page. The same
record later proves what was sent to whom.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from docgen.errors import DocgenError
from docgen.files import write_atomically
from docgen.records.base import Record, reason

MANIFEST = "manifest.json"
PACKAGE_KIND = "medlemspaket"
"""A member's package: everything the protocol sends it, merged into one PDF."""
ADDED_KIND = "granskning"
"""Files a build's addition wrote (the review page): for the secretary, sent to no one."""

Origin = Literal["docgen", "extern", "delvis extern"]
ORIGIN_OWN: Origin = "docgen"
ORIGIN_EXTERNAL: Origin = "extern"
"""An underlag PDF attached byte for byte as the secretary gave it: docgen vouches for nothing in it."""
ORIGIN_PARTLY_EXTERNAL: Origin = "delvis extern"
"""A member package that holds an attached PDF's pages besides docgen's own documents."""


class ManifestError(DocgenError):
    """The manifest is missing or damaged: what the build made cannot be told from it."""

    exit_code = 1


class ManifestFile(Record):
    """One file the build wrote, relative to the meeting folder."""

    file: str = Field(alias="fil", min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(alias="byte", ge=0)
    kind: str = Field(alias="dokumenttyp", min_length=1)
    recipients: tuple[str, ...] = Field(alias="mottagare")
    """Member ids the file was made for; empty: the association's own (or everyone's alike)."""
    origin: Origin = Field(alias="ursprung")


class Manifest(Record):
    meeting: str = Field(alias="sammanträde")
    """The meeting's slug, its folder's name."""
    body: str = Field(alias="organ")
    date: dt.date = Field(alias="datum")
    inputs: str = Field(alias="indata")
    """The SHA-256 of everything the build read (:func:`docgen.pipeline.fingerprint.inputs_digest`)."""
    files: tuple[ManifestFile, ...] = Field(alias="filer")

    def by_file(self) -> dict[str, ManifestFile]:
        return {entry.file: entry for entry in self.files}

    def digests(self) -> dict[str, str]:
        """{file: SHA-256} of every file listed."""
        return {entry.file: entry.sha256 for entry in self.files}


def save(manifest: Manifest, folder: Path) -> None:
    """Write ``folder/manifest.json`` atomically: indented, UTF-8 as it is, in the fields' order."""
    text = json.dumps(manifest.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    write_atomically(folder / MANIFEST, text.encode("utf-8"))


def load(folder: Path) -> Manifest:
    """``folder``'s manifest; :class:`ManifestError` in Swedish if it is missing or damaged."""
    path = folder / MANIFEST
    try:
        return Manifest.model_validate_json(path.read_bytes(), by_alias=True, by_name=False)
    except FileNotFoundError:
        problem = "filen saknas"
    except OSError as exc:
        problem = exc.strerror or type(exc).__name__
    except ValidationError as exc:
        problem = reason(exc)
    raise ManifestError(f"{path} går inte att läsa ({problem}); kör docgen build igen")
