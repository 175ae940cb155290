"""Where the round stands: per member what was sent, and per request what each council answered and whether it holds.

A request to every member's council holds only "under förutsättning av
samtliga medlemskommuners fullmäktigebeslut", and a new regressavtal only
once every party has signed it. One avslag means the condition can no
longer be met; an återremiss means the council will take it up again. A
meeting may make several requests; each has its own reply date and its own
condition, and the round is done only when every condition is met.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docgen.distribution.outgoing import REMINDER, REQUEST
from docgen.distribution.remind import reminded_of
from docgen.distribution.sendlog import History, SendLog
from docgen.model.answers import Answer, Answers
from docgen.model.case import Case, Item, Member

MET, OPEN, FAILED = "uppfyllt", "öppet", "kan inte uppfyllas"


@dataclass(frozen=True)
class MemberStatus:
    """One member's row for one request: what was sent, what its council answered, days left to reply."""

    member: Member
    sent: str
    """``2026-04-01``, ``osäkert`` (in flight when docgen stopped), ``misslyckades`` or ``nej``."""
    answer: Answer | None
    days_left: int | None
    needs_agreement: bool
    reminded: dt.date | None = None
    """When the last reminder of this request went to the member (None: none has)."""

    @property
    def decided(self) -> bool:
        return self.answer is not None and self.answer.decided

    @property
    def signed(self) -> bool:
        return not self.needs_agreement or (self.answer is not None and self.answer.agreement_signed is not None)


@dataclass(frozen=True)
class RequestStatus:
    """Where one request (one paragraph's hemställan) stands."""

    item: Item
    members: list[MemberStatus]
    condition: str
    summary: str

    @property
    def decided(self) -> int:
        return sum(1 for m in self.members if m.decided)

    @property
    def needs_agreement(self) -> bool:
        """Whether the request is a guarantee, which every member must also sign a regressavtal for."""
        return self.item.request is not None and self.item.request.guarantee is not None

    @property
    def heading(self) -> str:
        """``§ 42 Ny solidarisk borgen … – svar senast 2027-01-31``: which request this is, in Swedish."""
        request = self.item.request
        assert request is not None  # only request items get a RequestStatus
        return f"§ {self.item.number} {request.subject} – svar senast {request.reply_by}"


@dataclass(frozen=True)
class Status:
    """The whole round: each request's status, and each member's row (what was sent is the same for every request)."""

    requests: list[RequestStatus]
    members: list[MemberStatus]
    """Each member's row for the first request; without a request, only what was sent."""

    @property
    def met(self) -> bool:
        """Whether every request's condition is met (the round is done)."""
        return all(r.condition == MET for r in self.requests)

    @property
    def condition(self) -> str:
        """MET when every request's is; FAILED when none is still open and one cannot be met; else OPEN."""
        if self.met:
            return MET
        return OPEN if any(r.condition == OPEN for r in self.requests) else FAILED

    @property
    def decided(self) -> int:
        """Members whose councils have decided every request."""
        if not self.requests:
            return 0
        each_members_rows = zip(*(r.members for r in self.requests), strict=True)
        return sum(1 for rows in each_members_rows if all(row.decided for row in rows))

    @property
    def summary(self) -> str:
        if not self.requests:
            return "Sammanträdet har ingen hemställan till medlemmarna; det finns inget villkor att följa upp."
        if len(self.requests) == 1:
            return self.requests[0].summary
        return _round_summary(self.requests)


def status(case: Case, answers: Answers, log: SendLog, today: dt.date) -> Status:
    histories = log.histories([m.id for m in case.association.members])
    sent = {m.id: _sent(histories.get((m.id, REQUEST), History())) for m in case.association.members}
    reminded = {m.id: _reminded(case, histories.get((m.id, REMINDER), History())) for m in case.association.members}
    requests = [request_status(case, item, answers, sent, today, reminded) for item in case.request_items]
    members = (requests[0].members if requests else
               [MemberStatus(m, sent[m.id], None, None, False) for m in case.association.members])
    return Status(requests, members)


def request_status(case: Case, item: Item, answers: Answers, sent: dict[str, str], today: dt.date,
                   reminded: dict[str, dict[int, dt.date]] | None = None) -> RequestStatus:
    """Each member's answer to the request in ``item``, and whether its condition holds."""
    request = item.request
    assert request is not None  # only request items are followed up
    agreement = request.guarantee is not None
    days_left = (request.reply_by - today).days
    rows = [MemberStatus(m, sent[m.id], answers.answer(m.id, item.number), days_left, agreement,
                         (reminded or {}).get(m.id, {}).get(item.number))
            for m in case.association.members]
    condition, summary = _condition(rows, agreement)
    return RequestStatus(item, rows, condition, summary)


def _sent(history: History) -> str:
    if history.uncertain is not None:
        return "osäkert"
    if history.last_delivered is not None and history.last_delivered.sent is not None:
        return history.last_delivered.sent.date().isoformat()
    return "misslyckades" if history.messages else "nej"


def _reminded(case: Case, history: History) -> dict[int, dt.date]:
    """The day the last delivered reminder of each request paragraph went."""
    last: dict[int, dt.date] = {}
    for message in history.delivered:
        assert message.sent is not None  # delivered
        for number in reminded_of(case, History([message])):
            last[number] = message.sent.date()
    return last


def _condition(rows: list[MemberStatus], agreement: bool) -> tuple[str, str]:
    total = len(rows)
    decided = sum(1 for r in rows if r.decided)
    refused = [r.member.name for r in rows if r.answer is not None and r.answer.decision == "avslag"]
    head = f"{decided} av {total} medlemmar har beslutat."
    if refused:
        return FAILED, (f"{head} Villkoret kan inte längre uppfyllas: {', '.join(refused)} har avslagit "
                        "hemställan, och beslutet gäller bara om samtliga medlemskommuners fullmäktige bifaller.")
    granted = sum(1 for r in rows if r.answer is not None and r.answer.decision == "bifall")
    signed = sum(1 for r in rows if r.signed)
    if granted == total and signed == total:
        tail = " och undertecknat regressavtalet" if agreement else ""
        return MET, f"{head} Villkoret uppfyllt: samtliga {total} medlemmars fullmäktige har bifallit{tail}."
    missing = []
    if granted < total:
        missing.append(f"{total - granted} fullmäktigebeslut om bifall")
    if agreement and signed < total:
        missing.append(f"{total - signed} underskrifter av regressavtalet")
    return OPEN, f"{head} Villkoret är ännu inte uppfyllt: det saknas {' och '.join(missing)}."


def _round_summary(requests: list[RequestStatus]) -> str:
    """``1 av 2 hemställanden har villkoret uppfyllt. Uppfyllt: § 43. Öppet: § 42.``"""
    met = sum(1 for r in requests if r.condition == MET)
    text = f"{met} av {len(requests)} hemställanden har villkoret uppfyllt."
    for condition in (MET, OPEN, FAILED):
        numbers = [f"§ {r.item.number}" for r in requests if r.condition == condition]
        if numbers:
            text += f" {condition.capitalize()}: {', '.join(numbers)}."
    return text
