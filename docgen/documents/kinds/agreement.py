"""The regressavtal: how the members share a guarantee between them, one for all members."""

from __future__ import annotations

from docgen.documents import context as ctx
from docgen.documents.kinds.base import WITH_REQUEST, Context, DocumentKind, PlannedDocument, item_of, several_requests
from docgen.model.case import Case


class Agreement(DocumentKind):
    id = "regressavtal"
    label = "Regressavtal"
    template = "regressavtal.docx"
    section = WITH_REQUEST
    rank = 4

    def plan(self, case: Case) -> list[PlannedDocument]:
        members = tuple(m.id for m in case.association.members)
        title = f"Regressavtal avseende borgen för {case.association.name}"
        documents = []
        for item in case.request_items:
            if item.request and item.request.guarantee:
                name = f"regressavtal-paragraf-{item.number}" if several_requests(case) else "regressavtal"
                documents.append(PlannedDocument(name, self, title, name, members, item=item.number))
        return documents

    def context(self, case: Case, document: PlannedDocument, pages: dict[int, str]) -> Context:
        item = item_of(case, document)
        assert item.request is not None
        context = ctx.common(case, f"Regressavtal: {item.request.subject}", item)
        context.update(ctx.agreement(case, item))
        return context


AGREEMENT = Agreement()
