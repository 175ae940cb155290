"""The förslag till beslut: the att-clauses with the member's own values, for its council to adopt."""

from __future__ import annotations

from docgen.documents import context as ctx
from docgen.documents.content import Rich
from docgen.documents.kinds.base import Context, PlannedDocument, item_of, member_of
from docgen.documents.kinds.letter import Letter
from docgen.model.case import Case


class Proposal(Letter):
    """Planned and written like the letter, with the member's att-clauses besides."""

    id = "forslag-till-beslut"
    label = "Förslag till beslut"
    template = "forslag-till-beslut.docx"
    styles = ("Normal", "Att-sats", "Fotnotstext")
    rank = 2
    mailed = (".docx",)  # so that the council's secretary can copy the att-clauses
    noun = "forslag-till-beslut"
    key_prefix = "forslag"
    title_start = "Förslag till beslut för"

    def context(self, case: Case, document: PlannedDocument, pages: dict[int, str]) -> Context:
        context = super().context(case, document, pages)
        context["att_satser"] = Rich(tuple(ctx.clauses(case, item_of(case, document), member_of(case, document))))
        return context


PROPOSAL = Proposal()
