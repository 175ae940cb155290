"""Reminders: a short letter per request a member's council has not answered as its ``svar_senast`` nears.

A meeting may make several requests, each with its own ``svar_senast``; a
member is reminded of each on its own, one letter per request, and the
letters due the same day go in one e-mail whose text names just those
requests. Each letter is made like every other document (the association's
template or docgen's ``paminnelse.docx``, PDF by LibreOffice, normalised),
written beside the meeting folder in ``out/<möte>-paminnelser/`` (a build
replaces the meeting folder and refuses files it did not make), and sent
through the same checks, drafts and log as the documents themselves. A
member is reminded once of each request; again only with ``--igen``. Which
requests a reminder covered the log tells: its letters' names carry the
paragraph (``paminnelse-ydre-paragraf-42-2027-01-20.pdf``; with one request,
none).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from docgen.distribution import mail
from docgen.distribution.outgoing import REMINDER, REQUEST, Attachment, Delivery
from docgen.distribution.send import AGAIN, NEW, Run, dispatch
from docgen.distribution.sendlog import History, SendLog, log_file
from docgen.distribution.settings import Settings
from docgen.distribution.smtp import Connection
from docgen.documents.templates import Templates
from docgen.documents.wordfile import write_docx
from docgen.errors import DocgenError
from docgen.model import formatting as fmt
from docgen.model.answers import Answers
from docgen.model.case import Case, Item, Member
from docgen.pipeline.fingerprint import file_digest

TEMPLATE = "paminnelse.docx"
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
    """Per member sent the requests: each request it has not answered, with at most ``days`` left to its
    ``svar_senast`` (or past it), that no reminder covered yet (unless the member is in ``again``)."""
    histories = log.histories()
    due = []
    for member in case.association.members:
        if histories.get((member.id, REQUEST), History()).last_delivered is None:
            continue
        reminded = () if member.id in again else reminded_of(case, histories.get((member.id, REMINDER), History()))
        items = tuple(item for item in case.request_items
                      if answers.answer(member.id, item.number) is None and item.number not in reminded
                      and _near(item, today, days))
        if items:
            due.append(Due(member, items))
    return due


def _near(item: Item, today: dt.date, days: int) -> bool:
    assert item.request is not None  # only requests are reminded of
    return (item.request.reply_by - today).days <= days


_PARAGRAPH_IN_NAME = re.compile(r"^paminnelse-.+-paragraf-(\d+)-\d{4}-\d{2}-\d{2}\.pdf$")


def reminded_of(case: Case, history: History) -> set[int]:
    """The request paragraphs the member's delivered reminders covered, read from their letters' names.

    A letter without a paragraph in its name was written while the meeting had one request, and counts
    for every request.
    """
    every = {item.number for item in case.request_items}
    covered: set[int] = set()
    for message in history.delivered:
        for attachment in message.attachments:
            match = _PARAGRAPH_IN_NAME.match(attachment.name)
            covered |= {int(match.group(1))} if match else every
    return covered


def letter_name(case: Case, member: Member, item: Item, today: dt.date) -> str:
    """``paminnelse-ydre-2026-06-20``; with several requests ``paminnelse-ydre-paragraf-42-2027-01-20``."""
    paragraph = f"paragraf-{item.number}-" if len(case.request_items) > 1 else ""
    return f"paminnelse-{member.id}-{paragraph}{today.isoformat()}"


def remind_meeting(meeting_file: Path, out_root: Path, *, days: int = DEFAULT_DAYS, today: dt.date | None = None,
                   send: bool = False, again: Collection[str] = (), settings_path: Path | None = None,
                   environ: dict[str, str] | None = None,
                   connect: Callable[[Settings], Connection] = Connection) -> Run:
    from docgen.input.answers import answers_file, load_answers
    from docgen.input.validate import load_case

    case = load_case(meeting_file)
    today = today or dt.date.today()
    log = SendLog(log_file(meeting_file))
    answers = load_answers(answers_file(meeting_file), case)
    due = due_reminders(case, answers, log, today, days, again)
    histories = log.histories()
    earlier = {d.member.id: mail.Earlier(h.message_id, h.sent) for d in due
               if (h := histories[(d.member.id, REQUEST)].last_delivered) is not None and h.sent is not None}
    letters = write_letters(case, due, letters_folder(case, out_root), today, earlier) if due else {}
    # A member reminded before, of other requests, gets a new e-mail: the log would call it sent already.
    follow_ups = {d.member.id for d in due if histories.get((d.member.id, REMINDER), History()).delivered}

    def send_group(group: list[Due]) -> Run:
        deliveries = [Delivery(d.member, REMINDER, tuple(letters[(d.member.id, n)] for n in d.numbers))
                      for d in group]
        return dispatch(meeting_file, asking_only(case, group[0].items) if group else case, out_root,
                        lambda: deliveries, send=send, again={*again, *follow_ups}, settings_path=settings_path,
                        environ=environ, connect=connect, reminded=earlier)

    runs = [send_group(group) for group in _by_requests(due)] or [send_group([])]
    return _relabelled(_joined(case, runs), due, follow_ups - set(again))


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
                  earlier: dict[str, mail.Earlier]) -> dict[tuple[str, int], Attachment]:
    """Each member's letter per request as DOCX and PDF in ``folder``; the PDFs, as attachments, by (member id, §)."""
    from docgen.pdf import normalise
    from docgen.pdf import office as convert

    folder.mkdir(parents=True, exist_ok=True)
    stamp = _stamp(today)
    template = Templates(case.templates_folder).path(TEMPLATE)
    made = {}
    for entry in due:
        member = entry.member
        for item in entry.items:
            docx = folder / f"{letter_name(case, member, item, today)}.docx"
            render_letter(case, member, item, template, docx, today, earlier.get(member.id), stamp)
            made[(member.id, item.number)] = docx
    with convert.Office(convert.profile_root()) as office:
        futures = {key: office.submit(docx, docx.with_suffix(".pdf")) for key, docx in made.items()}
        for future in futures.values():
            future.result(timeout=convert.REPLY_TIMEOUT)
    attachments = {}
    for (member_id, number), docx in made.items():
        pdf = docx.with_suffix(".pdf")
        normalise.normalise_pdf(pdf, stamp)
        attachments[(member_id, number)] = Attachment(pdf, pdf.name, file_digest(pdf), pdf.stat().st_size,
                                                      REMINDER, (member_id,), f"{folder.name}/{pdf.name}")
    return attachments


class ReminderTemplateError(DocgenError):
    exit_code = 3


def render_letter(case: Case, member: Member, item: Item, template: Path, dest: Path, today: dt.date,
                  earlier: mail.Earlier | None, stamp: dt.datetime) -> None:
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    tpl = DocxTemplate(str(template))
    context = letter_context(case, member, item, today, earlier)
    try:
        tpl.render(context, jinja_env=_JINJA, autoescape=True)
    except TemplateError as exc:
        raise ReminderTemplateError(f"mallen {template} gick inte att fylla i: {exc}") from None
    props = tpl.docx.core_properties
    props.title = f"Påminnelse till {member.council} i {member.name}: {context['hemställan']['ämne']}"[:255]
    props.subject = context["hemställan"]["ämne"][:255]
    props.author = case.association.name
    props.language = "sv-SE"
    props.created = props.modified = stamp
    buffer = io.BytesIO()
    tpl.save(buffer)
    write_docx(dest, buffer.getvalue())


_JINJA = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def letter_context(case: Case, member: Member, item: Item, today: dt.date,
                   earlier: mail.Earlier | None) -> dict[str, Any]:
    """What the letter reminding ``member`` of the request in ``item`` says."""
    association, meeting = case.association, case.meeting
    request = item.request
    assert request is not None  # only requests are reminded of
    contact = request.contact
    secretary = meeting.person_with_role("sekreterare")
    footer = [association.name, *association.address.lines]
    footer += [x for x in (association.email, association.phone, association.website) if x]
    return {
        "förbund": {"namn": association.name, "sidfot": " · ".join(footer)},
        "dokument": {"datum": fmt.short_date(today)},
        "p": {"diarienummer": f"{association.registry_prefix} {item.registry_number}",
              "paragraf": fmt.paragraph(item.number)},
        "medlem": {"namn": member.name, "fullmäktige_i": f"{member.council} i {member.name}",
                   "adressrader": member.address.lines, "registrator_epost": member.registry_email},
        "möte": {"organ": meeting.body, "datum_lång": fmt.long_date(meeting.date),
                 "organ_bestämd_form_liten": meeting.body.lower()},
        "hemställan": {"ämne": request.subject, "svar_senast": fmt.long_date(request.reply_by)},
        "utskick": {"datum_lång": fmt.long_date(earlier.sent.date() if earlier else meeting.adjustment.date)},
        "försenad": today > request.reply_by,
        "kontakt": {"namn": contact.name, "titel": contact.title or "", "epost": contact.email or "",
                    "telefon_text": f", telefon {contact.phone}" if contact.phone else ""},
        "sekreterare": {"namn": secretary.name if secretary else "",
                        "titel": (secretary.title or "sekreterare") if secretary else ""},
    }


def _stamp(today: dt.date) -> dt.datetime:
    """The letter's date as its timestamp (``SOURCE_DATE_EPOCH`` if set), so the same letter has the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return dt.datetime.combine(today, dt.time(0))
