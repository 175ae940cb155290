"""The sending round as the review page shows it, read from docgen/distribution's records.

What was sent is in the meeting's send log and what the councils answered in
its answers file, both beside the meeting's YAML. The page shows them as
they stand when the page is written; ``docgen status`` is the live view. A
log or answers file that cannot be read is left to ``docgen status`` to
report with its line: the page then says only that there is nothing to show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from docgen.distribution.outgoing import REQUEST
from docgen.distribution.sendlog import SendLog, log_file
from docgen.distribution.status import status
from docgen.errors import InputError
from docgen.input.answers import answers_file, load_answers
from docgen.model import formatting as fmt
from docgen.model.answers import Answer
from docgen.model.case import Case

NO_DISTRIBUTION_DATA = None
"""What the functions return when nothing has been sent (or the records cannot be read)."""


@dataclass(frozen=True)
class MemberStatus:
    """One member's place in the round, as the page shows it."""

    member: str
    """Member id."""
    sent: str | None
    """When its documents were sent (Swedish text), None: not sent."""
    answered: str | None
    """What its council answered (Swedish text, per paragraph when there are several), None: no answer yet."""


def round_status(case: Case, today: dt.date | None = None) -> list[MemberStatus] | None:
    """Sent and answered per member; None while nothing has been sent."""
    meeting_file = _meeting_file(case)
    if meeting_file is None or not log_file(meeting_file).is_file():
        return NO_DISTRIBUTION_DATA
    try:
        answers = load_answers(answers_file(meeting_file), case)
        round_ = status(case, answers, SendLog(log_file(meeting_file)), today or dt.date.today())
    except InputError:
        return NO_DISTRIBUTION_DATA
    rows = []
    for index, member in enumerate(case.association.members):
        sent = round_.members[index].sent
        answered = [(request.item.number, request.members[index].answer) for request in round_.requests]
        rows.append(MemberStatus(member.id, None if sent == "nej" else sent, _answered(answered)))
    return rows


def _answered(answers: list[tuple[int, Answer | None]]) -> str | None:
    given = [(number, answer) for number, answer in answers if answer is not None]
    if not given:
        return None
    if len(answers) == 1:
        return _answer_text(given[0][1])
    return "; ".join(f"{fmt.paragraph(number)}: {_answer_text(answer) if answer else 'inget svar'}"
                     for number, answer in answers)


def _answer_text(answer: Answer) -> str:
    return f"{answer.decision} {fmt.short_date(answer.date)} ({answer.council_paragraph})"


def last_sent_digests(case: Case) -> dict[str, str] | None:
    """{file: SHA-256} of what the last send to each member delivered; None: nothing delivered yet."""
    meeting_file = _meeting_file(case)
    if meeting_file is None:
        return NO_DISTRIBUTION_DATA
    try:
        histories = SendLog(log_file(meeting_file)).histories([m.id for m in case.association.members])
    except InputError:
        return NO_DISTRIBUTION_DATA
    digests: dict[str, str] = {}
    for (_member, purpose), history in sorted(histories.items()):
        message = history.last_delivered
        if purpose == REQUEST and message is not None:
            digests.update({attachment.file: attachment.sha256 for attachment in message.attachments})
    return digests or NO_DISTRIBUTION_DATA


def _meeting_file(case: Case) -> Path | None:
    return case.sources[0] if case.sources else None
