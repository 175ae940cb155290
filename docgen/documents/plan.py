"""The plan of a meeting's documents: what is made, for whom, and where it lands.

The plan is data. Each :class:`PlannedDocument` says what kind of document
it is, whom the protocol sends it to, and which members' packages hold it at
which place; :func:`outputs` derives every path in ``out/`` from those
fields, in this one place. Later stages (conversion, package merge, the
manifest, sending) read the fields and never parse a path back.

A document that is the same for several recipients (the § 18 extract, the
regressavtal, an underlag file) is planned once: rendered and converted
once, copied to each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from docgen.model import formatting as fmt
from docgen.model.case import Case, Item, Member, ascii_slug

MEMBERS_FOLDER = "medlemmar"


class Kind(Enum):
    """The kinds of document, with their template, label and the association's own folder."""

    PROTOCOL = ("protokoll.docx", "Protokoll", "protokoll")
    NOTICE = ("anslag.docx", "Anslag", "anslag")
    EXTRACT = ("protokollsutdrag.docx", "Protokollsutdrag", "utdrag")
    LETTER = ("hemstallan.docx", "Hemställan", None)
    PROPOSAL = ("forslag-till-beslut.docx", "Förslag till beslut", None)
    AGREEMENT = ("regressavtal.docx", "Regressavtal", None)
    ATTACHMENT = (None, "Underlag", "underlag")
    """A file the secretary names under beslutsunderlag: a PDF as it is, a Word file made PDF."""

    def __init__(self, template: str | None, label: str, folder: str | None) -> None:
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
    places: tuple[tuple[str, int], ...] = ()
    """The members whose package holds it, each with its place in that package (1 first)."""
    source: Path | None = None
    """The secretary's file an underlag is made from."""

    @property
    def packages(self) -> tuple[str, ...]:
        """The members whose package holds it."""
        return tuple(member for member, _position in self.places)

    def position(self, member: str) -> int:
        return dict(self.places)[member]

    @property
    def external(self) -> bool:
        """An attached PDF, kept byte for byte as the secretary gave it: docgen vouches for nothing in it."""
        return self.source is not None and self.source.suffix.lower() == ".pdf"

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The files it has in out/: the Word file and its PDF, or only the PDF of an attached PDF."""
        return (".pdf",) if self.external else (".docx", ".pdf")


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
    """Every document of the meeting, in the order a reader meets them, each placed in its packages."""
    meeting = case.meeting
    slug, day = meeting.slug, fmt.short_date(meeting.date)
    documents = [
        PlannedDocument("protokoll", Kind.PROTOCOL, f"Protokoll {meeting.body} {day}",
                        f"protokoll-{slug}", ("Akt",)),
        PlannedDocument("anslag", Kind.NOTICE, f"Anslag {meeting.body} {day}",
                        f"anslag-{slug}", (case.association.notice_board,)),
    ]
    extracts = {item.number: _extract(case, item) for item in meeting.items if item.goes_to_members}
    requests = {item.number: _request_documents(case, item, several=len(case.request_items) > 1)
                for item in case.request_items}
    attachments = {item.number: _attachments(case, item) for item in meeting.items}
    documents += extracts.values()
    documents += [d for group in requests.values() for d in group]
    documents += [d for group in attachments.values() for d in group]
    return _placed(case, documents, extracts, requests, attachments)


def _extract(case: Case, item: Item) -> PlannedDocument:
    meeting = case.meeting
    return PlannedDocument(
        f"utdrag-{item.number}", Kind.EXTRACT,
        f"Protokollsutdrag {meeting.body} {fmt.short_date(meeting.date)} {fmt.paragraph(item.number)}",
        f"protokollsutdrag-{meeting.slug}-paragraf-{item.number}", tuple(item.recipients), item=item.number)


def _request_documents(case: Case, item: Item, several: bool) -> list[PlannedDocument]:
    """Letter and proposal for every member, and the regressavtal if the request is a guarantee.

    With several requests in one meeting, the paragraph goes into the names so that they stay apart.
    """
    request = item.request
    assert request is not None
    tag = f"paragraf-{item.number}-" if several else ""
    key_tag = f"{item.number}-" if several else ""
    documents = []
    for member in case.association.members:
        documents.append(PlannedDocument(
            f"hemstallan-{key_tag}{member.id}", Kind.LETTER,
            f"Hemställan till {member.council} i {member.name}: {request.subject}",
            f"hemstallan-{tag}{member.id}", (member.id,), item=item.number, member=member.id))
        documents.append(PlannedDocument(
            f"forslag-{key_tag}{member.id}", Kind.PROPOSAL,
            f"Förslag till beslut för {member.council} i {member.name}: {request.subject}",
            f"forslag-till-beslut-{tag}{member.id}", (member.id,), item=item.number, member=member.id))
    if request.guarantee:
        name = f"regressavtal-paragraf-{item.number}" if several else "regressavtal"
        documents.append(PlannedDocument(
            name, Kind.AGREEMENT, f"Regressavtal avseende borgen för {case.association.name}", name,
            tuple(m.id for m in case.association.members), item=item.number))
    return documents


def _attachments(case: Case, item: Item) -> list[PlannedDocument]:
    documents: list[PlannedDocument] = []
    names: set[str] = set()
    for index, attachment in enumerate(item.attachments, start=1):
        source = case.attachment_path(attachment)
        name = f"underlag-paragraf-{item.number}-{ascii_slug(source.stem) or index}"
        if name in names:  # two files of the same name from different folders
            name = f"{name}-{index}"
        names.add(name)
        documents.append(PlannedDocument(
            f"underlag-{item.number}-{index}", Kind.ATTACHMENT, attachment.title, name, tuple(item.recipients),
            item=item.number, source=source))
    return documents


def _placed(case: Case, documents: list[PlannedDocument], extracts: dict[int, PlannedDocument],
            requests: dict[int, list[PlannedDocument]],
            attachments: dict[int, list[PlannedDocument]]) -> list[PlannedDocument]:
    """``documents`` with each member's package places filled in.

    A package holds everything the protocol sends that member: first each
    request (letter, proposal, the paragraph's extract, regressavtal), then
    the extracts of the other paragraphs sent to it, then the underlag files
    of those paragraphs, numbered from 1 in that order.
    """
    places: dict[str, list[tuple[str, int]]] = {}
    for member in case.association.members:
        order: list[PlannedDocument] = []
        for item in case.request_items:
            for document in requests[item.number]:
                if document.kind is Kind.AGREEMENT and item.number in extracts:
                    order.append(extracts[item.number])  # the decision before the agreement it asks for
                if document.member in (None, member.id):
                    order.append(document)
            if item.number in extracts and extracts[item.number] not in order:
                order.append(extracts[item.number])
        received = [item for item in case.meeting.items if item.request or item.sent_to(member)]
        order += [extracts[item.number] for item in received
                  if item.request is None and item.number in extracts]
        order += [document for item in received for document in attachments[item.number]]
        for position, document in enumerate(order, start=1):
            places.setdefault(document.key, []).append((member.id, position))
    return [replace(document, places=tuple(places.get(document.key, ()))) for document in documents]


def outputs(document: PlannedDocument) -> list[Output]:
    """Where the copies of ``document`` land: the association's folder, then each member's package folder."""
    copies = []
    if document.kind.folder is not None:
        copies.append(Output(f"{document.kind.folder}/{document.name}", document, None))
    for member in document.packages:
        copies.append(Output(f"{MEMBERS_FOLDER}/{member}/{document.position(member)}-{_package_name(document)}",
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
        parts = sorted((d for d in documents if member.id in d.packages), key=lambda d: d.position(member.id))
        if parts:
            result.append((member, parts))
    return result
