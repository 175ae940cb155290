"""The build's ``manifest.json`` (:mod:`docgen.records.manifest`), filled in from the plan.

Read from the plan, never from the shape of a path: the same record later
proves what was sent to whom.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from docgen.documents.plan import PlannedDocument, outputs, package_path, packages
from docgen.model.case import Case
from docgen.pipeline.fingerprint import file_digest
from docgen.records.manifest import (
    ADDED_KIND,
    ORIGIN_EXTERNAL,
    ORIGIN_OWN,
    ORIGIN_PARTLY_EXTERNAL,
    PACKAGE_KIND,
    Manifest,
    ManifestFile,
    save,
)


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
    files = [ManifestFile(file=name, sha256=file_digest(tree / name), size=(tree / name).stat().st_size,
                          kind=kind, recipients=tuple(recipients), origin=origin)
             for name, kind, recipients, origin in entries(case, documents, added)]
    save(Manifest(meeting=case.meeting.slug, body=case.meeting.body, date=case.meeting.date, inputs=digest,
                  files=tuple(files)), tree)
