"""The hemställan: the covering letter to each member's council that asks it to decide."""

from __future__ import annotations

from docgen.documents import context as ctx
from docgen.documents.kinds.base import (
    WITH_REQUEST,
    Context,
    DocumentKind,
    PlannedDocument,
    item_of,
    member_of,
    several_requests,
)
from docgen.model.case import Case, Item, Member


class Letter(DocumentKind):
    id = "hemstallan"
    label = "Hemställan"
    template = "hemstallan.docx"
    section = WITH_REQUEST
    rank = 1
    addressed = True
    # One per member and request; the proposal is planned the same way under its own names.
    noun = "hemstallan"
    """Its file name without member and paragraph."""
    key_prefix = "hemstallan"
    """Its work files' name without member and paragraph."""
    title_start = "Hemställan till"
    """Its title before the council it is addressed to."""

    def plan(self, case: Case) -> list[PlannedDocument]:
        return [self.planned(case, item, member)
                for item in case.request_items for member in case.association.members]

    def planned(self, case: Case, item: Item, member: Member) -> PlannedDocument:
        """The document of this kind for ``member`` about the request in ``item``."""
        assert item.request is not None
        several = several_requests(case)
        key_tag = f"{item.number}-" if several else ""
        tag = f"paragraf-{item.number}-" if several else ""
        return PlannedDocument(f"{self.key_prefix}-{key_tag}{member.id}", self,
                               f"{self.title_start} {member.council_in}: {item.request.subject}",
                               f"{self.noun}-{tag}{member.id}", (member.id,), item=item.number, member=member.id)

    def context(self, case: Case, document: PlannedDocument, pages: dict[int, str]) -> Context:
        item = item_of(case, document)
        assert item.request is not None
        context = ctx.common(case, item.request.subject, item)
        context.update(ctx.request(case, item, member_of(case, document)))
        return context


LETTER = Letter()
