"""Has anything a build depends on changed since the last build?

Kept free of heavy imports: the CLI asks this before it loads the model,
docxtpl or pypdf (only pydantic, which reads the manifest), so a rebuild
with nothing changed answers at once and starts no LibreOffice. It reads
no YAML either: each build records in ``out/.docgen-index.json`` which
files and template folders it read, and the question is whether any of
them changed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

from docgen.files import file_digest, write_atomically
from docgen.records.justering import JUSTERING_SUFFIX, Justering
from docgen.records.manifest import Manifest, ManifestError, load

PACKAGE = Path(__file__).resolve().parent.parent
INDEX = ".docgen-index.json"


def inputs_digest(files: list[Path], template_folders: list[Path]) -> str:
    """SHA-256 over the YAML files, every template docgen could pick, its own code and SOURCE_DATE_EPOCH.

    The templates are hashed by folder (name and content of each), so that a
    template newly put into the association's folder counts as a change.
    """
    digest = hashlib.sha256()
    templates = [path for folder in template_folders for path in sorted(folder.glob("*.docx"))]
    for path in [*files, *templates, *sorted(PACKAGE.rglob("*.py"))]:
        digest.update(path.name.encode() + b"\0")
        try:
            digest.update(_justering_day(path) if path.name.endswith(JUSTERING_SUFFIX) else path.read_bytes())
        except OSError:
            digest.update(b"<saknas>")
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    return digest.hexdigest()


def _justering_day(path: Path) -> bytes:
    """What a build takes from the justering's record: only its day. A signature that leaves someone still to sign
    changes no document, and certifying (a record of its own) none either."""
    try:
        record = Justering.model_validate_json(path.read_bytes(), by_alias=True, by_name=False)
    except FileNotFoundError:
        return b"None"  # no one has signed: as a record with someone still to sign
    except ValueError:
        return b"<trasig>"
    return str(record.day).encode()


@functools.cache
def code_identity() -> bytes:
    """A digest of docgen's own code: what fills in a template may change with any of it.

    Once per process: a running docgen (``serve``) runs the code it loaded, whatever is on disk later.
    """
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


def _index_key(meeting_file: Path) -> str:
    return str(meeting_file.resolve())


def up_to_date(meeting_file: Path, out_root: Path) -> Path | None:
    """The meeting's output folder if it was built from exactly these inputs and is intact."""
    try:
        index = json.loads((out_root / INDEX).read_text(encoding="utf-8"))
        entry = index[_index_key(meeting_file)]
        folder = out_root / entry["mapp"]
        digest = inputs_digest([Path(p) for p in entry["filer"]], [Path(p) for p in entry["mallmappar"]])
        manifest = load(folder)
    except (OSError, ValueError, KeyError, TypeError, ManifestError):
        return None
    if entry.get("indata") != digest or manifest.inputs != digest:
        return None
    return None if changed_outputs(folder, manifest, first_only=True) else folder


def changed_outputs(folder: Path, manifest: Manifest | None = None, first_only: bool = False) -> list[str]:
    """The files ``folder``'s manifest lists that are no longer as the build wrote them (relative paths)."""
    if manifest is None:
        try:
            manifest = load(folder)
        except ManifestError:
            return []
    changed = []
    for item in manifest.files:
        path = folder / item.file
        if not path.is_file() or path.stat().st_size != item.size or file_digest(path) != item.sha256:
            changed.append(item.file)
            if first_only:
                break
    return changed


def remember(meeting_file: Path, out_root: Path, folder: Path, digest: str,
             files: list[Path], template_folders: list[Path]) -> None:
    """Record what the build of ``meeting_file`` read, for :func:`up_to_date` to check next time."""
    path = out_root / INDEX
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        index = {}
    index[_index_key(meeting_file)] = {"mapp": folder.name, "indata": digest,
                                       "filer": [str(p.resolve()) for p in files],
                                       "mallmappar": [str(p.resolve()) for p in template_folders]}
    write_atomically(path, (json.dumps(index, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
