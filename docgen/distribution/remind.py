"""Reminders: a short letter per request a member's council has not answered as its ``svar_senast`` nears.

A meeting may make several requests, each with its own ``svar_senast``; a
member is reminded of each on its own, one letter per request, and the
letters due the same day go in one e-mail whose text names just those
requests. Each letter is a document of the ``paminnelse`` kind
(:mod:`docgen.documents.kinds.reminder`), made by the pipeline like every
other document (:func:`docgen.pipeline.produce.produce`: the association's
template or docgen's, PDF by LibreOffice, normalised),
written beside the meeting folder in ``out/<möte>-paminnelser/`` (a build
replaces the meeting folder and refuses files it did not make), and sent
through the same checks, drafts and log as the documents themselves. A
member is reminded once of each request; again only with ``--igen``. Which
requests a reminder covered the log tells: its letters' names carry the
paragraph (``paminnelse-ydre-paragraf-42-2027-01-20.pdf``; with one request,
none).

A reminder fits the day it is sent: after ``svar_senast`` it asks for a new
date (:func:`with_new_dates`; refused without one), its e-mail says where and
when the request went (address, day, Message-ID from the log), and a council
that sent the request back (återremiss) is reminded that the association
awaits its new decision, not of the old request.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from docgen.distribution import mail
from docgen.distribution.outgoing import REMINDER, REQUEST, Attachment, Delivery
from docgen.distribution.send import AGAIN, NEW, Run, dispatch
from docgen.distribution.sendlog import History, SendLog, log_file
from docgen.distribution.settings import Settings
from docgen.distribution.smtp import Connection
from docgen.documents.kinds import REMINDER as LETTER
from docgen.documents.kinds.reminder import Dates
from docgen.errors import DocgenError, InputError
from docgen.model import formatting as fmt
from docgen.model.answers import Answer, Answers
from docgen.model.case import Case, Item, Member
from docgen.pipeline.fingerprint import file_digest

DEFAULT_DAYS = 14
"""Reminders go out this many days before ``svar_senast`` (and after it, to whoever is still silent)."""


def letters_folder(case: Case, out_root: Path) -> Path:
    return out_root / f"{case.meeting.slug}-paminnelser"


@dataclass(frozen=True)
class Due:
    """A member to remind, and the requests (paragraphs) to remind it of, in meeting order."""

    member: Member
    items: tuple[Item, ...]

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(item.number for item in self.items)


def due_reminders(case: Case, answers: Answers, log: SendLog, today: dt.date, days: int,
                  again: Collection[str] = ()) -> list[Due]:
    """Per member sent the requests: each request it has not decided, with at most ``days`` left to its
    ``svar_senast`` (or past it), that no reminder covered yet (unless the member is in ``again``).

    A request the council sent back (återremiss) is not decided: the council will take it up again. Only a
    reminder sent after that answer covers it, since a reminder before it was about the old request.
    """
    histories = log.histories([m.id for m in case.association.members])
    due = []
    for member in case.association.members:
        if histories.get((member.id, REQUEST), History()).last_delivered is None:
            continue
        reminders = histories.get((member.id, REMINDER), History())

        def still_open(item: Item, member: Member = member, reminders: History = reminders) -> bool:
            answer = answers.answer(member.id, item.number)
            if answer is not None and answer.decided:
                return False
            since = answer.date if answer is not None else None
            return ((member.id in again or item.number not in reminded_of(case, reminders, since))
                    and _near(item, today, days))

        items = tuple(item for item in case.request_items if still_open(item))
        if items:
            due.append(Due(member, items))
    return due


def _near(item: Item, today: dt.date, days: int) -> bool:
    assert item.request is not None  # only requests are reminded of
    return (item.request.reply_by - today).days <= days


_PARAGRAPH_IN_NAME = re.compile(r"^paminnelse-.+-paragraf-(\d+)-\d{4}-\d{2}-\d{2}\.pdf$")


def reminded_of(case: Case, history: History, since: dt.date | None = None) -> set[int]:
    """The request paragraphs the member's delivered reminders (sent on ``since`` or later) covered, read from
    their letters' names.

    A letter without a paragraph in its name was written while the meeting had one request, and counts
    for every request.
    """
    every = {item.number for item in case.request_items}
    covered: set[int] = set()
    for message in history.delivered:
        if since is not None and message.sent is not None and message.sent.date() < since:
            continue
        for attachment in message.attachments:
            match = _PARAGRAPH_IN_NAME.match(attachment.name)
            covered |= {int(match.group(1))} if match else every
    return covered


def postponed(answers: Answers, due: Due) -> dict[int, Answer]:
    """The requests in ``due`` the member's council sent back (återremiss), with that answer, by paragraph."""
    found = {item.number: answers.answer(due.member.id, item.number) for item in due.items}
    return {number: answer for number, answer in found.items() if answer is not None and not answer.decided}


def with_new_dates(meeting_file: Path, case: Case, due: list[Due], answers: Answers, today: dt.date,
                   new_reply_by: dt.date | None) -> Case:
    """The case as a reminder on ``today`` asks it: each request past its ``svar_senast`` carries the new date
    asked for (``--nytt-svar-senast``, else the YAML's ``nytt_svar_senast``), no other request one.

    A reminder after the date must not repeat it: refused, in Swedish with file:line, when a member still
    to decide a passed request would be reminded and no new date is given, or the new date has passed too.
    """
    from docgen.input.load import load_yaml

    if new_reply_by is not None and new_reply_by <= today:
        raise DocgenError(f"--nytt-svar-senast {new_reply_by.isoformat()} har redan passerat (i dag är det "
                          f"{today.isoformat()}); ange ett datum efter i dag.")
    source = load_yaml(meeting_file)
    asking = {item.number for d in due for item in d.items if item.number not in postponed(answers, d)}
    problems, items = [], []
    for index, item in enumerate(case.meeting.items):
        request = item.request
        if request is None:
            items.append(item)
            continue
        late = request.reply_by < today
        date = (new_reply_by or request.new_reply_by) if late else None
        where = ("paragrafer", index, "hemställan")
        if late and item.number in asking and date is None:
            problems.append(source.problem((*where, "svar_senast"), (
                f"{fmt.paragraph(item.number)}: svar_senast {fmt.long_date(request.reply_by)} har passerat; en "
                "påminnelse ber om ett nytt datum: ange det med --nytt-svar-senast ÅÅÅÅ-MM-DD eller som "
                "nytt_svar_senast under hemställan")))
        elif late and item.number in asking and new_reply_by is None and date is not None and date <= today:
            problems.append(source.problem((*where, "nytt_svar_senast"), (
                f"{fmt.paragraph(item.number)}: nytt_svar_senast {fmt.long_date(date)} har också passerat; "
                "ange ett senare datum")))
        items.append(item.model_copy(update={"request": request.model_copy(update={"new_reply_by": date})}))
    if problems:
        raise InputError(problems)
    return case.model_copy(update={"meeting": case.meeting.model_copy(update={"items": items})})


def remind_meeting(meeting_file: Path, out_root: Path, *, days: int = DEFAULT_DAYS, today: dt.date | None = None,
                   new_reply_by: dt.date | None = None, send: bool = False, again: Collection[str] = (),
                   settings_path: Path | None = None,
                   environ: dict[str, str] | None = None,
                   connect: Callable[[Settings], Connection] = Connection,
                   waiting: Callable[[Path], None] | None = None) -> Run:
    from docgen.input.answers import answers_file, load_answers
    from docgen.input.readiness import refuse_unready, unready
    from docgen.input.validate import load_case

    case = load_case(meeting_file)
    today = today or dt.date.today()
    # A reminder is sent because svar_senast draws near or has passed: only example values stop it.
    warnings = (refuse_unready if send else unready)(case, today, reply_dates=False)
    log = SendLog(log_file(meeting_file))
    answers = load_answers(answers_file(meeting_file), case, today)
    due = due_reminders(case, answers, log, today, days, again)
    case = with_new_dates(meeting_file, case, due, answers, today, new_reply_by) if due else case
    histories = log.histories([m.id for m in case.association.members])
    earlier = {d.member.id: mail.Reminded(h.message_id, h.sent, h.address, postponed(answers, d)) for d in due
               if (h := histories[(d.member.id, REQUEST)].last_delivered) is not None and h.sent is not None}
    letters = write_letters(case, due, letters_folder(case, out_root), today, earlier) if due else {}
    # A member reminded before, of other requests, gets a new e-mail: the log would call it sent already.
    follow_ups = {d.member.id for d in due if histories.get((d.member.id, REMINDER), History()).delivered}

    def send_group(group: list[Due]) -> Run:
        deliveries = [Delivery(d.member, REMINDER, tuple(letters[(d.member.id, n)] for n in d.numbers))
                      for d in group]
        return dispatch(meeting_file, asking_only(case, group[0].items) if group else case, out_root,
                        lambda: deliveries, send=send, again={*again, *follow_ups}, settings_path=settings_path,
                        environ=environ, connect=connect, reminded=earlier, waiting=waiting)

    runs = [send_group(group) for group in _by_requests(due)] or [send_group([])]
    run = _relabelled(_joined(case, runs), due, follow_ups - set(again))
    run.warnings = warnings
    return run


def _by_requests(due: list[Due]) -> list[list[Due]]:
    """Members reminded of the same requests together: their e-mail names just those requests."""
    groups: dict[tuple[int, ...], list[Due]] = {}
    for entry in due:
        groups.setdefault(entry.numbers, []).append(entry)
    return list(groups.values())


def asking_only(case: Case, items: tuple[Item, ...]) -> Case:
    """The case as if the meeting made only the requests in ``items`` (for a reminder e-mail's text)."""
    numbers = {item.number for item in items}
    kept = [item for item in case.meeting.items if item.request is None or item.number in numbers]
    return case.model_copy(update={"meeting": case.meeting.model_copy(update={"items": kept})})


def _joined(case: Case, runs: list[Run]) -> Run:
    """One run of the e-mails of every group, in member order."""
    order = {m.id: index for index, m in enumerate(case.association.members)}
    steps = sorted((s for r in runs for s in r.steps), key=lambda s: order[s.delivery.member.id])
    return Run(case, steps, [d for r in runs for d in r.drafts], [s for r in runs for s in r.sent], runs[0].log)


def _relabelled(run: Run, due: list[Due], follow_ups: set[str]) -> Run:
    """A follow-up reminder went as a forced resend; show it as the new reminder it is."""
    numbers = {d.member.id: d.numbers for d in due}
    for step in run.steps:
        member_id = step.delivery.member.id
        if member_id in follow_ups and step.action == AGAIN:
            step.action = NEW
            step.note = "påminnelse om " + ", ".join(f"§ {n}" for n in numbers[member_id])
    return run


def write_letters(case: Case, due: list[Due], folder: Path, today: dt.date,
                  earlier: dict[str, mail.Reminded]) -> dict[tuple[str, int], Attachment]:
    """Each member's letter per request as DOCX and PDF in ``folder``; the PDFs, as attachments, by (member id, §)."""
    from docgen.pipeline.produce import produce, source_date

    letters = {}
    for entry in due:
        request = earlier.get(entry.member.id)
        sent = request.sent.date() if request else None
        for item in entry.items:
            dates = Dates(today, sent, request.postponed.get(item.number) if request else None)
            letters[(entry.member.id, item.number)] = LETTER.planned(case, entry.member, item, dates)
    pdfs = produce(case, list(letters.values()), folder, source_date(dt.datetime.combine(today, dt.time(0))))
    attachments = {}
    for (member_id, number), letter in letters.items():
        pdf = pdfs[letter.key]
        attachments[(member_id, number)] = Attachment(pdf, pdf.name, file_digest(pdf), pdf.stat().st_size,
                                                      LETTER.id, letter.recipients, f"{folder.name}/{pdf.name}")
    return attachments
