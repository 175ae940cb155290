"""The plan of a meeting's documents: what is made, for whom, and where it lands.

The plan is data. Each :class:`PlannedDocument` says what kind of document
it is, whom the protocol sends it to, and which members' packages hold it at
which place; :func:`outputs` derives every path in ``out/`` from those
fields, in this one place. Later stages (conversion, package merge, the
manifest, sending) read the fields and never parse a path back. Which
documents there are, and where each stands in a package, each kind says
(:mod:`docgen.documents.kinds`).

A document that is the same for several recipients (the § 18 extract, the
regressavtal, an underlag file) is planned once: rendered and converted
once, copied to each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from docgen.documents.kinds import DocumentKind, PlannedDocument, kinds
from docgen.model.case import Case, Member

MEMBERS_FOLDER = "medlemmar"

__all__ = ["MEMBERS_FOLDER", "DocumentKind", "Output", "PlannedDocument", "outputs", "package_path", "packages",
           "plan", "reading_order"]


@dataclass(frozen=True)
class Output:
    """One copy of a planned document in ``out/<meeting>/``."""

    path: str
    """Relative to the meeting folder, without suffix."""
    document: PlannedDocument
    member: str | None
    """The member whose package folder it lies in; None: the association's own folder."""

    @property
    def recipients(self) -> tuple[str, ...]:
        return (self.member,) if self.member else self.document.recipients


def plan(case: Case) -> list[PlannedDocument]:
    """Every document of the meeting, kind by kind in the registry's order, each placed in its packages."""
    return _placed(case, [document for kind in kinds() for document in kind.plan(case)])


def reading_order(case: Case, documents: list[PlannedDocument]) -> list[PlannedDocument]:
    """``documents`` in the order a member reads them: each request with its documents, then the
    extracts of the other paragraphs, then the underlag files, by paragraph and the kinds' ranks."""
    numbers: dict[int | None, int] = {item.number: index for index, item in enumerate(case.meeting.items)}
    sequence = {document.key: index for index, document in enumerate(documents)}

    def place(document: PlannedDocument) -> tuple[int, int, int, int]:
        section = document.kind.section_of(case, document)
        assert section is not None, document.key
        # A document about no paragraph stands before those about one.
        return section, numbers.get(document.item, -1), document.kind.rank, sequence[document.key]

    return sorted(documents, key=place)


def _placed(case: Case, documents: list[PlannedDocument]) -> list[PlannedDocument]:
    """``documents`` with each member's package places filled in, numbered from 1 in reading order."""
    holders = {document.key: {m.id for m in document.kind.holders(case, document)} for document in documents}
    places: dict[str, list[tuple[str, int]]] = {}
    for member in case.association.members:
        held = [document for document in documents if member.id in holders[document.key]]
        for position, document in enumerate(reading_order(case, held), start=1):
            places.setdefault(document.key, []).append((member.id, position))
    return [replace(document, places=tuple(places.get(document.key, ()))) for document in documents]


def outputs(document: PlannedDocument) -> list[Output]:
    """Where the copies of ``document`` land: the association's folder, then each member's package folder."""
    copies = []
    if document.kind.folder is not None:
        copies.append(Output(f"{document.kind.folder}/{document.name}", document, None))
    for member in document.packages:
        copies.append(Output(f"{MEMBERS_FOLDER}/{member}/{document.position(member)}-"
                             f"{document.kind.package_name(document)}", document, member))
    return copies


def package_path(member: Member) -> str:
    """The member's whole package as one PDF, relative to the meeting folder."""
    return f"{MEMBERS_FOLDER}/{member.id}/{member.id}-samtliga-handlingar.pdf"


def packages(case: Case, documents: list[PlannedDocument]) -> list[tuple[Member, list[PlannedDocument]]]:
    """Each member's documents in the package's order; members with no package are left out."""
    result = []
    for member in case.association.members:
        parts = sorted((d for d in documents if member.id in d.packages), key=lambda d: d.position(member.id))
        if parts:
            result.append((member, parts))
    return result
