"""The protocol: every paragraph, in the association's folder ``protokoll/``, sent to no member."""

from __future__ import annotations

from docgen.documents import context as ctx
from docgen.documents.kinds.base import Context, DocumentKind, PlannedDocument
from docgen.model import formatting as fmt
from docgen.model.case import FILE, Case


class Protocol(DocumentKind):
    id = "protokoll"
    label = "Protokoll"
    template = "protokoll.docx"
    # The worker finds where each § starts by its Heading 1 paragraph ("§ 16").
    styles = ("Normal", "Heading 1", "Beslutsformel", "Att-sats", "Fotnotstext")
    folder = "protokoll"
    agenda_pages = True

    def plan(self, case: Case) -> list[PlannedDocument]:
        meeting = case.meeting
        return [PlannedDocument("protokoll", self, f"Protokoll {meeting.body} {fmt.short_date(meeting.date)}",
                                f"protokoll-{meeting.slug}", (FILE,))]

    def context(self, case: Case, document: PlannedDocument, pages: dict[int, str]) -> Context:
        meeting = case.meeting
        context = ctx.common(case, f"Protokoll från {meeting.body_genitive.lower()} sammanträde "
                                   f"{fmt.long_date(meeting.date)}")
        context["paragrafer"] = [ctx.item_with_texts(case, item, pages.get(item.number, "…"))
                                 for item in meeting.items]
        return ctx.before_signing(case, context)


PROTOCOL = Protocol()
