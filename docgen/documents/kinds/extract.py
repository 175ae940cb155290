"""The protocol's extract of each paragraph sent to a member: with its request, or for information."""

from __future__ import annotations

from docgen.documents import context as ctx
from docgen.documents.kinds.base import (
    FOR_INFORMATION,
    WITH_REQUEST,
    Context,
    DocumentKind,
    PlannedDocument,
    item_of,
)
from docgen.model import formatting as fmt
from docgen.model.case import Case


class Extract(DocumentKind):
    id = "protokollsutdrag"
    label = "Protokollsutdrag"
    template = "protokollsutdrag.docx"
    styles = ("Normal", "Beslutsformel", "Att-sats", "Fotnotstext")
    folder = "utdrag"
    section = FOR_INFORMATION
    rank = 3  # a request's extract: after its letter and proposal, before the regressavtal it asks for
    mailed = (".pdf",)  # to a member it is sent to whose package does not hold it

    def plan(self, case: Case) -> list[PlannedDocument]:
        meeting = case.meeting
        day = fmt.short_date(meeting.date)
        return [PlannedDocument(f"utdrag-{item.number}", self,
                                f"Protokollsutdrag {meeting.body} {day} {fmt.paragraph(item.number)}",
                                f"protokollsutdrag-{meeting.slug}-paragraf-{item.number}", tuple(item.recipients),
                                item=item.number)
                for item in meeting.items if item.goes_to_members]

    def context(self, case: Case, document: PlannedDocument, pages: dict[int, str]) -> Context:
        item = item_of(case, document)
        context = ctx.common(case, f"{fmt.paragraph(item.number)} {item.heading}")
        context["p"] = ctx.item_with_texts(case, item)
        return context

    def section_of(self, case: Case, document: PlannedDocument) -> int | None:
        return WITH_REQUEST if item_of(case, document).request else FOR_INFORMATION

    def label_of(self, document: PlannedDocument) -> str:
        # A package may hold two extracts: the paragraph tells them apart.
        return f"{self.label} {fmt.paragraph(document.item)}" if document.item is not None else self.label

    def package_name(self, document: PlannedDocument) -> str:
        # In a member's folder the meeting is given by the folder; the extract drops it from its name.
        return f"protokollsutdrag-paragraf-{document.item}"


EXTRACT = Extract()
