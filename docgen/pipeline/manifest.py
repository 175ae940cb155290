"""``manifest.json``: every file of a meeting with its SHA-256, size, document type and recipients.

Read from the plan, never from the shape of a path: the same record later
proves what was sent to whom.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from docgen.documents.plan import PlannedDocument, outputs, package_path, packages
from docgen.files import write_atomically
from docgen.model.case import Case
from docgen.pipeline.fingerprint import MANIFEST, file_digest

PACKAGE_KIND = "medlemspaket"
ADDED_KIND = "granskning"
"""Files a build's addition wrote (the review page): for the secretary, sent to no one."""


ORIGIN_OWN = "docgen"
ORIGIN_EXTERNAL = "extern"
"""An underlag PDF attached byte for byte as the secretary gave it: docgen vouches for nothing in it."""
ORIGIN_PARTLY_EXTERNAL = "delvis extern"
"""A member package that holds an attached PDF's pages besides docgen's own documents."""


def entries(case: Case, documents: list[PlannedDocument],
            added: Sequence[str] = ()) -> list[tuple[str, str, list[str], str]]:
    """(file, document type, recipients, origin) of every file the build writes, in path order.

    The document type is the kind's id (``hemstallan``), never its label: checks match it.
    """
    files = []
    for document in documents:
        origin = ORIGIN_EXTERNAL if document.external else ORIGIN_OWN
        for output in outputs(document):
            for suffix in document.suffixes:
                files.append((output.path + suffix, document.kind.id, list(output.recipients), origin))
    for member, parts in packages(case, documents):
        origin = ORIGIN_PARTLY_EXTERNAL if any(d.external for d in parts) else ORIGIN_OWN
        files.append((package_path(member), PACKAGE_KIND, [member.id], origin))
    files += [(name, ADDED_KIND, [], ORIGIN_OWN) for name in added]
    return sorted(files)


def write_manifest(case: Case, documents: list[PlannedDocument], tree: Path, digest: str,
                   added: Sequence[str] = ()) -> None:
    files = [{"fil": name, "sha256": file_digest(tree / name), "byte": (tree / name).stat().st_size,
              "dokumenttyp": kind, "mottagare": recipients, "ursprung": origin}
             for name, kind, recipients, origin in entries(case, documents, added)]
    manifest = {"sammanträde": case.meeting.slug, "organ": case.meeting.body,
                "datum": case.meeting.date.isoformat(), "indata": digest, "filer": files}
    write_atomically(tree / MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
