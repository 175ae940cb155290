"""Has anything a build depends on changed since the last build?

Kept free of heavy imports: the CLI asks this before it loads the model,
docxtpl or pypdf, so a rebuild with nothing changed answers at once and
starts no LibreOffice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "templates"
INDEX = ".docgen-index.json"
MANIFEST = "manifest.json"

_ASSOCIATION = re.compile(r"^förbund:\s*[\"']?([^\"'#\n]+?)[\"']?\s*(#.*)?$", re.MULTILINE)


def association_file(meeting_file: Path) -> Path:
    """The association YAML the meeting names (``förbund:``), as the loader will read it."""
    try:
        match = _ASSOCIATION.search(meeting_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        match = None
    return meeting_file.parent / (match.group(1).strip() if match else "forbund.yaml")


def inputs_digest(meeting_file: Path, templates: Path = TEMPLATES) -> str:
    """SHA-256 over the two YAML files, the templates, docgen's own code and SOURCE_DATE_EPOCH."""
    digest = hashlib.sha256()
    files = [meeting_file, association_file(meeting_file), *sorted(templates.glob("*.docx")),
             *sorted(PACKAGE.rglob("*.py"))]
    for path in files:
        digest.update(path.name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<saknas>")
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _index_key(meeting_file: Path) -> str:
    return str(meeting_file.resolve())


def up_to_date(meeting_file: Path, out_root: Path) -> Path | None:
    """The meeting's output folder if it was built from exactly these inputs and is intact."""
    try:
        index = json.loads((out_root / INDEX).read_text(encoding="utf-8"))
        entry = index[_index_key(meeting_file)]
        folder = out_root / entry["mapp"]
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if entry.get("indata") != inputs_digest(meeting_file) or manifest.get("indata") != entry["indata"]:
        return None
    for item in manifest.get("filer", []):
        path = folder / item["fil"]
        if not path.is_file() or path.stat().st_size != item["byte"] or file_digest(path) != item["sha256"]:
            return None
    return folder


def remember(meeting_file: Path, out_root: Path, folder: Path, digest: str) -> None:
    path = out_root / INDEX
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        index = {}
    index[_index_key(meeting_file)] = {"mapp": folder.name, "indata": digest}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(index, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
