"""The påminnelse: a short letter to a member's council that has not answered a request as its date nears.

Not part of a build: ``docgen remind`` plans one for each member and request
that is due (:func:`Reminder.planned`), on the day it runs, and produces it
like any other document into ``out/<möte>-paminnelser/``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docgen.documents import context as ctx
from docgen.documents.kinds.base import Context, DocumentKind, PlannedDocument, item_of, member_of
from docgen.model import formatting as fmt
from docgen.model.answers import Answer
from docgen.model.case import Case, Item, Member


@dataclass(frozen=True)
class Dates:
    """The reminder's own date, the day the request went to the member (None: not known), and the council's
    återremiss of the request, if it sent it back (the reminder then awaits the new decision)."""

    written: dt.date
    request_sent: dt.date | None = None
    postponed: Answer | None = None


class Reminder(DocumentKind):
    id = "paminnelse"
    label = "Påminnelse"
    template = "paminnelse.docx"
    addressed = True

    def planned(self, case: Case, member: Member, item: Item, dates: Dates) -> PlannedDocument:
        """``paminnelse-ydre-2026-06-20``; with several requests ``paminnelse-ydre-paragraf-42-2027-01-20``."""
        assert item.request is not None  # only requests are reminded of
        paragraph = f"paragraf-{item.number}-" if len(case.request_items) > 1 else ""
        name = f"paminnelse-{member.id}-{paragraph}{dates.written.isoformat()}"
        return PlannedDocument(name, self, f"Påminnelse till {member.council_in}: {item.request.subject}", name,
                               (member.id,), item=item.number, member=member.id, details=dates)

    def sample(self, case: Case) -> PlannedDocument | None:
        items = case.request_items
        if not items or items[0].request is None:
            return None
        return self.planned(case, case.association.members[0], items[0], Dates(items[0].request.reply_by))

    def context(self, case: Case, document: PlannedDocument, pages: dict[int, str]) -> Context:
        item, member, dates = item_of(case, document), member_of(case, document), document.details
        assert item.request is not None and isinstance(dates, Dates)
        request = item.request
        context = ctx.common(case, request.subject, item)
        context["dokument"]["datum"] = fmt.short_date(dates.written)
        late = dates.written > request.reply_by
        # docgen remind gives a passed request its new date (nytt_svar_senast) and no other request one.
        new_date = request.new_reply_by
        postponed = dates.postponed
        context.update({
            "p": ctx.item(case, item),
            "medlem": ctx.member(case, member),
            "hemställan": {"ämne": request.subject, "svar_senast": fmt.long_date(request.reply_by),
                           "nytt_svar_senast": fmt.long_date(new_date) if new_date else None},
            "utskick": {"datum_lång": fmt.long_date(dates.request_sent or case.meeting.adjustment.day)},
            "försenad": late,
            "återremiss": {"datum_lång": fmt.long_date(postponed.date), "kf_paragraf": postponed.council_paragraph}
            if postponed else None,
            "kontakt": ctx.contact(request.contact),
        })
        return context


REMINDER = Reminder()
