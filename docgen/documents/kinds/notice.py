"""The anslag announcing the justering, in the association's folder ``anslag/``, for its notice board."""

from __future__ import annotations

from docgen.documents import context as ctx
from docgen.documents.kinds.base import Context, DocumentKind, PlannedDocument
from docgen.model import formatting as fmt
from docgen.model.case import Case


class Notice(DocumentKind):
    id = "anslag"
    label = "Anslag"
    template = "anslag.docx"
    folder = "anslag"

    def plan(self, case: Case) -> list[PlannedDocument]:
        meeting = case.meeting
        return [PlannedDocument("anslag", self, f"Anslag {meeting.body} {fmt.short_date(meeting.date)}",
                                f"anslag-{meeting.slug}", (case.association.notice_board,))]

    def context(self, case: Case, document: PlannedDocument, pages: dict[int, str]) -> Context:
        return ctx.common(case, "Anslag om justerat protokoll")


NOTICE = Notice()
