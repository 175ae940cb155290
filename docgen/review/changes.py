"""What differs between two states of a meeting folder, by document.

Both states are {file: SHA-256}: the new tree (hashed here) and an earlier
one (its ``manifest.json``, or, once distribution records it, what was sent).
The review page's own files are left out on both sides.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from docgen.documents.plan import PlannedDocument, outputs, package_path
from docgen.files import file_digest
from docgen.model.case import Case
from docgen.records.manifest import ADDED_KIND, MANIFEST, PACKAGE_KIND, ManifestError, load

REVIEW_FOLDER = "granskning"


@dataclass
class Changes:
    """How a set of files differs from an earlier one, told by document."""

    documents: list[PlannedDocument] = field(default_factory=list)
    """Planned documents with at least one copy new or changed."""
    packages: list[str] = field(default_factory=list)
    """Member ids whose whole package PDF is new or changed."""
    removed: list[str] = field(default_factory=list)
    """Files the earlier state had and the new one has not."""
    paragraphs: list[int] = field(default_factory=list)
    """Paragraphs whose content (heading, texts, request, recipients …) is new or changed."""

    @property
    def empty(self) -> bool:
        return not (self.documents or self.packages or self.removed or self.paragraphs)

    def touches(self, document: PlannedDocument) -> bool:
        return any(d.key == document.key for d in self.documents)


PARAGRAPHS = "paragrafer.json"
"""In the review folder: a digest of each paragraph's content, for the next build to compare with."""


def paragraph_digests(case: Case) -> dict[str, str]:
    """{§ number: SHA-256 of everything the YAML says of that paragraph}."""
    return {str(item.number): hashlib.sha256(item.model_dump_json().encode("utf-8")).hexdigest()
            for item in case.meeting.items}


def changed_paragraphs(previous: Path | None, now: dict[str, str]) -> list[int]:
    """Paragraphs that differ from the previous build's (all of them if it recorded none)."""
    try:
        before = json.loads((previous / REVIEW_FOLDER / PARAGRAPHS).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        before = {}
    if not isinstance(before, dict):
        before = {}
    return sorted(int(number) for number, digest in now.items() if before.get(number) != digest)


def tree_digests(tree: Path) -> dict[str, str]:
    """{relative path: SHA-256} of every file in ``tree`` outside the review folder and the manifest."""
    found = {}
    for path in sorted(tree.rglob("*")):
        relative = path.relative_to(tree).as_posix()
        if path.is_file() and not path.is_symlink() and relative != MANIFEST \
                and not relative.startswith(f"{REVIEW_FOLDER}/"):
            found[relative] = file_digest(path)
    return found


def manifest_digests(folder: Path | None) -> dict[str, str] | None:
    """{file: SHA-256} from ``folder``'s manifest, the review page's files left out; None: no usable manifest."""
    if folder is None:
        return None
    try:
        listed = load(folder).files
    except ManifestError:
        return None
    return {entry.file: entry.sha256 for entry in listed if entry.kind != ADDED_KIND}


def compare(case: Case, documents: list[PlannedDocument], before: dict[str, str],
            after: dict[str, str]) -> Changes:
    differs = {name for name, digest in after.items() if before.get(name) != digest}
    changes = Changes(removed=sorted(set(before) - set(after)))
    for document in documents:
        paths = {output.path + suffix for output in outputs(document) for suffix in (".pdf", ".docx")}
        if paths & differs:
            changes.documents.append(document)
    changes.packages = [member.id for member in case.association.members if package_path(member) in differs]
    return changes


__all__ = ["PACKAGE_KIND", "Changes", "compare", "manifest_digests", "tree_digests"]
