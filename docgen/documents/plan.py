"""The plan of a meeting's documents: what is made, for whom, and where it lands.

The plan is data. Each :class:`PlannedDocument` says what kind of document
it is, whom the protocol sends it to, and which members' packages hold it at
which place; :func:`outputs` derives every path in ``out/`` from those
fields, in this one place. Later stages (conversion, package merge, the
manifest, sending) read the fields and never parse a path back.

A document that is the same for several recipients (the § 18 extract, the
regressavtal) is planned once: rendered and converted once, copied to each.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from docgen.model import formatting as fmt
from docgen.model.case import Case, Member

MEMBERS_FOLDER = "medlemmar"


class Kind(Enum):
    """The kinds of document, with their template, label and the association's own folder."""

    PROTOCOL = ("protokoll.docx", "Protokoll", "protokoll")
    NOTICE = ("anslag.docx", "Anslag", "anslag")
    EXTRACT = ("protokollsutdrag.docx", "Protokollsutdrag", "utdrag")
    LETTER = ("hemstallan.docx", "Hemställan", None)
    PROPOSAL = ("forslag-till-beslut.docx", "Förslag till beslut", None)
    AGREEMENT = ("regressavtal.docx", "Regressavtal", None)

    def __init__(self, template: str, label: str, folder: str | None) -> None:
        self.template = template
        self.label = label
        """The document type as the reader names it."""
        self.folder = folder
        """The folder of the association's own copy; None: only in members' packages."""


@dataclass(frozen=True)
class PlannedDocument:
    """One document to produce."""

    key: str
    """Unique within the meeting; names its work files."""
    kind: Kind
    title: str
    name: str
    """File name without suffix, as it stands in the association's folder or a package."""
    recipients: tuple[str, ...]
    """Whom it goes to: member ids, or as the protocol says (Akt, Medlemskommunerna, …)."""
    item: int | None = None
    """The paragraph it is about, for extracts and a request's documents."""
    member: str | None = None
    """The member it is written for, for letters and proposals."""
    packages: tuple[str, ...] = ()
    """The members whose package holds it."""
    position: int = 0
    """Its place in those packages (1 first)."""


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
    """Every document of the meeting, in the order a reader meets them."""
    meeting = case.meeting
    slug, day = meeting.slug, fmt.short_date(meeting.date)
    documents = [
        PlannedDocument("protokoll", Kind.PROTOCOL, f"Protokoll {meeting.body} {day}",
                        f"protokoll-{slug}", ("Akt",)),
        PlannedDocument("anslag", Kind.NOTICE, f"Anslag {meeting.body} {day}",
                        f"anslag-{slug}", (case.association.notice_board,)),
    ]
    request_item = case.request_item
    everyone = tuple(m.id for m in case.association.members)
    for item in meeting.items:
        if item.goes_to_members:
            documents.append(PlannedDocument(
                f"utdrag-{item.number}", Kind.EXTRACT,
                f"Protokollsutdrag {meeting.body} {day} {fmt.paragraph(item.number)}",
                f"protokollsutdrag-{slug}-paragraf-{item.number}", tuple(item.recipients), item=item.number,
                packages=everyone if item is request_item else (), position=3))
    if request_item is None or request_item.request is None:
        return documents
    subject = request_item.request.subject
    for member in case.association.members:
        documents.append(PlannedDocument(
            f"hemstallan-{member.id}", Kind.LETTER, f"Hemställan till {member.council} i {member.name}: {subject}",
            f"hemstallan-{member.id}", (member.id,), item=request_item.number, member=member.id,
            packages=(member.id,), position=1))
        documents.append(PlannedDocument(
            f"forslag-{member.id}", Kind.PROPOSAL,
            f"Förslag till beslut för {member.council} i {member.name}: {subject}",
            f"forslag-till-beslut-{member.id}", (member.id,), item=request_item.number, member=member.id,
            packages=(member.id,), position=2))
    if request_item.request.guarantee:
        documents.append(PlannedDocument(
            "regressavtal", Kind.AGREEMENT, f"Regressavtal avseende borgen för {case.association.name}",
            "regressavtal", everyone, item=request_item.number, packages=everyone, position=4))
    return documents


def outputs(document: PlannedDocument) -> list[Output]:
    """Where the copies of ``document`` land: the association's folder, then each member's package folder."""
    copies = []
    if document.kind.folder is not None:
        copies.append(Output(f"{document.kind.folder}/{document.name}", document, None))
    for member in document.packages:
        copies.append(Output(f"{MEMBERS_FOLDER}/{member}/{document.position}-{_package_name(document)}",
                             document, member))
    return copies


def _package_name(document: PlannedDocument) -> str:
    # In a member's folder the meeting is given by the folder; the extract drops it from its name.
    if document.kind is Kind.EXTRACT:
        return f"protokollsutdrag-paragraf-{document.item}"
    return document.name


def package_path(member: Member) -> str:
    """The member's whole package as one PDF, relative to the meeting folder."""
    return f"{MEMBERS_FOLDER}/{member.id}/{member.id}-samtliga-handlingar.pdf"


def packages(case: Case, documents: list[PlannedDocument]) -> list[tuple[Member, list[PlannedDocument]]]:
    """Each member's documents in the package's order; members with no package are left out."""
    result = []
    for member in case.association.members:
        parts = sorted((d for d in documents if member.id in d.packages), key=lambda d: d.position)
        if parts:
            result.append((member, parts))
    return result
