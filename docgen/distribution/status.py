"""Where the round stands: per member what was sent, what the council answered, and whether the decision holds.

A request to every member's council holds only "under förutsättning av
samtliga medlemskommuners fullmäktigebeslut", and a new regressavtal only
once every party has signed it. One avslag means the condition can no
longer be met; an återremiss means the council will take it up again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docgen.distribution.outgoing import REQUEST
from docgen.distribution.sendlog import History, SendLog
from docgen.model.answers import Answer, Answers
from docgen.model.case import Case, Member

MET, OPEN, FAILED = "uppfyllt", "öppet", "kan inte uppfyllas"


@dataclass(frozen=True)
class MemberStatus:
    member: Member
    sent: str
    """``2026-04-01``, ``osäkert`` (in flight when docgen stopped), ``misslyckades`` or ``nej``."""
    answer: Answer | None
    days_left: int | None
    needs_agreement: bool

    @property
    def decided(self) -> bool:
        return self.answer is not None and self.answer.decided

    @property
    def signed(self) -> bool:
        return not self.needs_agreement or (self.answer is not None and self.answer.agreement_signed is not None)


@dataclass(frozen=True)
class Status:
    members: list[MemberStatus]
    condition: str
    summary: str

    @property
    def decided(self) -> int:
        return sum(1 for m in self.members if m.decided)


def reply_by(case: Case) -> dt.date | None:
    dates = [item.request.reply_by for item in case.meeting.items if item.request]
    return min(dates) if dates else None


def needs_agreement(case: Case) -> bool:
    return any(item.request.guarantee for item in case.meeting.items if item.request)


def status(case: Case, answers: Answers, log: SendLog, today: dt.date) -> Status:
    histories = log.histories()
    due = reply_by(case)
    agreement = needs_agreement(case)
    rows = [MemberStatus(m, _sent(histories.get((m.id, REQUEST), History())), answers.answers.get(m.id),
                         (due - today).days if due else None, agreement)
            for m in case.association.members]
    condition, summary = _condition(rows, agreement)
    return Status(rows, condition, summary)


def _sent(history: History) -> str:
    if history.uncertain is not None:
        return "osäkert"
    if history.last_delivered is not None and history.last_delivered.sent is not None:
        return history.last_delivered.sent.date().isoformat()
    return "misslyckades" if history.messages else "nej"


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
