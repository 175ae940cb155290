"""Reminders: a short letter to each member whose council has not answered as ``svar_senast`` nears.

The letter is made like every other document (the association's template
or docgen's ``paminnelse.docx``, PDF by LibreOffice, normalised), written
beside the meeting folder in ``out/<möte>-paminnelser/`` (a build replaces
the meeting folder and refuses files it did not make), and sent through the
same checks, drafts and log as the documents themselves. A member gets one
reminder; another only with ``--igen``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from docgen.build.fingerprint import file_digest
from docgen.distribution import mail
from docgen.distribution.outgoing import REMINDER, REQUEST, Attachment, Delivery
from docgen.distribution.send import Run, dispatch
from docgen.distribution.sendlog import History, SendLog, log_file
from docgen.distribution.settings import Settings
from docgen.distribution.smtp import Connection
from docgen.distribution.status import reply_by
from docgen.documents.templates import Templates
from docgen.documents.wordfile import write_docx
from docgen.errors import DocgenError
from docgen.model import formatting as fmt
from docgen.model.answers import Answers
from docgen.model.case import Case, Item, Member

TEMPLATE = "paminnelse.docx"
DEFAULT_DAYS = 14
"""Reminders go out this many days before ``svar_senast`` (and after it, to whoever is still silent)."""


def letters_folder(case: Case, out_root: Path) -> Path:
    return out_root / f"{case.meeting.slug}-paminnelser"


def due_members(case: Case, answers: Answers, log: SendLog, today: dt.date, days: int,
                again: Collection[str] = ()) -> list[Member]:
    """Members that were sent the request, have not answered, and have had no reminder (unless ``again``)."""
    due = reply_by(case)
    if due is None or (due - today).days > days:
        return []
    histories = log.histories()
    members = []
    for member in case.association.members:
        sent = histories.get((member.id, REQUEST), History()).last_delivered
        reminded = histories.get((member.id, REMINDER), History()).last_delivered
        if member.id in answers.answers or sent is None or (reminded is not None and member.id not in again):
            continue
        members.append(member)
    return members


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
    members = due_members(case, answers, log, today, days, again)
    histories = log.histories()
    earlier = {m.id: mail.Earlier(h.message_id, h.sent) for m in members
               if (h := histories[(m.id, REQUEST)].last_delivered) is not None and h.sent is not None}
    letters = write_letters(case, members, letters_folder(case, out_root), today, earlier) if members else {}
    deliveries = [Delivery(m, REMINDER, (letters[m.id],)) for m in members]
    return dispatch(meeting_file, case, out_root, lambda: deliveries, send=send, again=again,
                    settings_path=settings_path, environ=environ, connect=connect, reminded=earlier)


def write_letters(case: Case, members: list[Member], folder: Path, today: dt.date,
                  earlier: dict[str, mail.Earlier]) -> dict[str, Attachment]:
    """Each member's reminder as DOCX and PDF in ``folder``; the PDFs, as attachments, by member id."""
    from docgen.pdf import normalise
    from docgen.pdf import office as convert

    folder.mkdir(parents=True, exist_ok=True)
    stamp = _stamp(today)
    template = Templates(case.templates_folder).path(TEMPLATE)
    made = {}
    for member in members:
        docx = folder / f"paminnelse-{member.id}-{today.isoformat()}.docx"
        render_letter(case, member, template, docx, today, earlier.get(member.id), stamp)
        made[member.id] = docx
    with convert.Office(convert.profile_root()) as office:
        futures = {m: office.submit(docx, docx.with_suffix(".pdf")) for m, docx in made.items()}
        for future in futures.values():
            future.result(timeout=convert.REPLY_TIMEOUT)
    attachments = {}
    for member_id, docx in made.items():
        pdf = docx.with_suffix(".pdf")
        normalise.normalise_pdf(pdf, stamp)
        attachments[member_id] = Attachment(pdf, pdf.name, file_digest(pdf), pdf.stat().st_size, REMINDER,
                                            (member_id,), f"{folder.name}/{pdf.name}")
    return attachments


class ReminderTemplateError(DocgenError):
    exit_code = 3


def render_letter(case: Case, member: Member, template: Path, dest: Path, today: dt.date,
                  earlier: mail.Earlier | None, stamp: dt.datetime) -> None:
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    tpl = DocxTemplate(str(template))
    context = letter_context(case, member, today, earlier)
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


def letter_context(case: Case, member: Member, today: dt.date, earlier: mail.Earlier | None) -> dict[str, Any]:
    association, meeting = case.association, case.meeting
    item = _request_item(case)
    request = item.request
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


def _request_item(case: Case) -> Item:
    return next(item for item in case.meeting.items if item.request)


def _stamp(today: dt.date) -> dt.datetime:
    """The letter's date as its timestamp (``SOURCE_DATE_EPOCH`` if set), so the same letter has the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return dt.datetime.combine(today, dt.time(0))
