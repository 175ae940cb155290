"""What a document kind is, the planned document it makes, and the registry of kinds.

A kind (pelican's generator, sphinx's builder) is one object that knows all
docgen needs of one sort of document: its stable id (the manifest's
``dokumenttyp``; every check keys on it, never on the label), the label a
reader sees, its template and the styles the template must keep, the
association's folder for it, its place in members' packages, whom it is
addressed to, what of it is e-mailed, which documents of it a case has, and
what its template sees. Each kind lives in a module of its own in this
package; :func:`register` adds one from anywhere (a test adds a kind so).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.model.case import ALL_MEMBERS, Case, Item, Member

Context = dict[str, Any]
"""What a template sees: plain data (text, lists, dicts, bools) and the markers of
:mod:`docgen.documents.content` where Word content is built in code."""

# A member's package reads: each request with its documents, then the extracts of the other
# paragraphs sent to the member, then the underlag files; a kind's rank orders it within its section.
WITH_REQUEST = 0
FOR_INFORMATION = 1
UNDERLAG = 2


@dataclass(frozen=True)
class PlannedDocument:
    """One document to produce."""

    key: str
    """Unique within the meeting; names its work files."""
    kind: DocumentKind
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
    details: Any = None
    """What the kind needs beyond the case to write it (a reminder's date); frozen plain data."""

    @functools.cached_property
    def packages(self) -> tuple[str, ...]:
        """The members whose package holds it."""
        return tuple(member for member, _position in self.places)

    @functools.cached_property
    def _positions(self) -> dict[str, int]:
        return dict(self.places)

    def position(self, member: str) -> int:
        return self._positions[member]

    @property
    def external(self) -> bool:
        """An attached PDF, kept byte for byte as the secretary gave it: docgen vouches for nothing in it."""
        return self.source is not None and self.source.suffix.lower() == ".pdf"

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The files it has in out/: the Word file and its PDF, or only the PDF of an attached PDF."""
        return (".pdf",) if self.external else (".docx", ".pdf")


class DocumentKind:
    """One kind of document. Subclass it in a module of its own, make one instance and register it."""

    id: str
    """Stable and ASCII: the manifest's ``dokumenttyp``, and what every check matches."""
    label: str
    """The document type as the reader names it (bookmarks, page labels, the review page)."""
    template: str | None = None
    """The Word template it is filled from; None: made from the secretary's own file."""
    styles: tuple[str, ...] = ("Normal",)
    """The template's styles docgen writes content in (``docgen check`` and the build refuse a template without)."""
    folder: str | None = None
    """The folder of the association's own copy in ``out/<möte>/``; None: only in members' packages."""
    section: int | None = None
    """Where in a member's package it stands (:data:`WITH_REQUEST`, …); None: in no member's package."""
    rank: int = 0
    """Its order within that section, among the documents of one paragraph."""
    addressed: bool = False
    """Addressed to one member: each copy must name that member's council and no other (the isolation check)."""
    mailed: tuple[str, ...] = ()
    """Its files that go with the member's e-mail besides the package (a PDF already in the package does not)."""
    agenda_pages: bool = False
    """LibreOffice writes on which pages each § stands into it (the protocol's ärendelista)."""

    def plan(self, case: Case) -> list[PlannedDocument]:
        """The documents of this kind a build of ``case`` makes, in reading order."""
        return []

    def sample(self, case: Case) -> PlannedDocument | None:
        """One document of this kind for ``docgen check`` to fill the template with; None: the case has none."""
        planned = self.plan(case)
        return planned[0] if planned else None

    def context(self, case: Case, document: PlannedDocument, pages: dict[int, str]) -> Context:
        """What the template of ``document`` sees; ``pages`` are the ärendelista's page texts by §."""
        raise NotImplementedError(f"{self.id}: a kind with a template builds its context")

    def section_of(self, case: Case, document: PlannedDocument) -> int | None:
        """Where ``document`` stands in a member's package (the extract of a request stands with it)."""
        return self.section

    def holders(self, case: Case, document: PlannedDocument) -> list[Member]:
        """The members whose package holds ``document``: the one it is written for; everyone for a
        request's documents; else the members its paragraph (or its recipients) is sent to."""
        members = case.association.members
        if self.section_of(case, document) is None:
            return []
        if document.member is not None:
            return [m for m in members if m.id == document.member]
        item = item_of(case, document) if document.item is not None else None
        if item is not None:
            return [m for m in members if item.request or item.sent_to(m)]
        return [m for m in members if any(r in (ALL_MEMBERS, m.id, m.name) for r in document.recipients)]

    def label_of(self, document: PlannedDocument) -> str:
        """How the review page heads ``document``."""
        return self.label

    def package_name(self, document: PlannedDocument) -> str:
        """Its file name in a member's folder (without place number and suffix)."""
        return document.name

    def __repr__(self) -> str:
        return f"<kind {self.id}>"


def item_of(case: Case, document: PlannedDocument) -> Item:
    """The paragraph ``document`` is about."""
    return next(item for item in case.meeting.items if item.number == document.item)


def member_of(case: Case, document: PlannedDocument) -> Member:
    """The member ``document`` is written for."""
    assert document.member is not None, document.key
    return case.association.member(document.member)


_KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    """Add ``kind`` after the kinds there are: its documents come after theirs in the plan."""
    if kind.id in _KINDS and _KINDS[kind.id] is not kind:
        raise ValueError(f"a document kind {kind.id!r} is registered already")
    _KINDS[kind.id] = kind
    return kind


def unregister(kind: DocumentKind) -> None:
    """Take ``kind`` out again (a test's kind, after the test)."""
    if _KINDS.get(kind.id) is kind:
        del _KINDS[kind.id]


def kinds() -> list[DocumentKind]:
    """Every registered kind, in plan order."""
    return list(_KINDS.values())


def kind(kind_id: str) -> DocumentKind:
    """The registered kind with id ``kind_id``."""
    return _KINDS[kind_id]


def several_requests(case: Case) -> bool:
    """With several requests in one meeting, the paragraph goes into names so that they stay apart."""
    return len(case.request_items) > 1
