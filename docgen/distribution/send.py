"""Sending: decide what each member gets now, prove it is its own, write the drafts, then send and log.

The default is a dry run: one ``.eml`` per member in ``out/<möte>-e-post/``,
which Outlook and Thunderbird open, and nothing sent. With ``send=True``
each message is logged as ``skickar`` before it goes to the server and as
``skickat`` after, so a rerun after an error or a kill sends only what was
certainly not delivered. A message whose fate the log cannot prove (in flight
when docgen stopped, or behind a damaged line) is osäkert: it goes nowhere
until the secretary, having asked the registrator, says it arrived
(``arrived``) or that a copy goes (``copies``, same Message-ID, marked as a
copy); both words are written to the log. A damaged line stops every send
until each member it may concern has a word. A member whose files changed
after they were sent gets nothing until the secretary says so (``again``);
the new e-mail then says it replaces the earlier one.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable, Collection
from contextlib import nullcontext
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path

from docgen.distribution import mail
from docgen.distribution.isolation import check_isolation
from docgen.distribution.outgoing import REQUEST, Delivery, check_unchanged
from docgen.distribution.sendlog import History, LogState, SendLog, now, refusal
from docgen.distribution.settings import Settings
from docgen.distribution.smtp import Connection, Refused
from docgen.errors import DocgenError, Problem, os_reason
from docgen.files import write_atomically
from docgen.model.case import Case
from docgen.records.sendlog import Arrived, CopyOrdered, Failed, LoggedAttachment, Sending, Sent

NEW, AGAIN, DONE, CHANGED = "skickas", "skickas på nytt", "redan skickat", "ändrat"
UNCERTAIN, ARRIVED, COPY = "osäkert", "kom fram", "skickas som kopia"
SENDS = (NEW, AGAIN, COPY)
ARRIVED_OPTION, COPY_OPTION = "--kom-fram", "--skicka-kopia"


class SendError(DocgenError):
    """The server refused, or the connection broke: what was sent is in the log, the rest goes next time."""

    exit_code = 3


class LogLostError(SendError):
    """The server took a message and the log could not say so: the secretary must record it, not resend it."""


class ChangedError(DocgenError):
    """A member's files changed after they were sent; sending again needs the secretary's word."""

    exit_code = 1


class UnknownMemberError(DocgenError):
    exit_code = 2


class WordError(DocgenError):
    """A word (``--kom-fram``, ``--skicka-kopia``) for a member with no osäkert message, or both for one."""

    exit_code = 2


@dataclass(frozen=True)
class Words:
    """The secretary's word per member on an osäkert message, after asking its registrator."""

    arrived: frozenset[str] = frozenset()
    copies: frozenset[str] = frozenset()

    @classmethod
    def of(cls, arrived: Collection[str] = (), copies: Collection[str] = ()) -> Words:
        return cls(frozenset(arrived), frozenset(copies))

    def about(self, member: str) -> str | None:
        return ARRIVED if member in self.arrived else COPY if member in self.copies else None


@dataclass
class Step:
    """One member's e-mail in this run and what happens to it."""

    delivery: Delivery
    action: str
    message_id: str
    message: EmailMessage | None = None
    replaces: mail.Earlier | None = None
    note: str = ""
    reply: str | None = None

    @property
    def sends(self) -> bool:
        return self.action in SENDS


def drafts_folder(case: Case, out_root: Path) -> Path:
    """Beside the meeting folder, not in it: a build replaces that folder and refuses files it did not make."""
    return out_root / f"{case.meeting.slug}-e-post"


def check_members(case: Case, again: Collection[str], words: Words = Words()) -> None:
    known = {m.id for m in case.association.members}
    for option, given in (("--igen", again), (ARRIVED_OPTION, words.arrived), (COPY_OPTION, words.copies)):
        unknown = sorted(set(given) - known)
        if unknown:
            raise UnknownMemberError(f"{option} {', '.join(unknown)}: okänd medlem; "
                                     f"känd är: {', '.join(sorted(known))}")
    both = sorted(words.arrived & words.copies)
    if both:
        raise WordError(f"{ARRIVED_OPTION} och {COPY_OPTION} för {', '.join(both)}: ange ett av dem per medlem")


def sender_for(case: Case, settings: Settings) -> str:
    """The sender; a dry run without settings shows the association's address (or the contact's)."""
    if settings.sender:
        return settings.sender
    contacts = [i.request.contact.email for i in case.request_items if i.request.contact.email]
    return case.association.email or (contacts[0] if contacts else "utskick@docgen.invalid")


def prepare(case: Case, deliveries: list[Delivery], log: SendLog, sender: str, again: Collection[str],
            when: dt.datetime, reminded: dict[str, mail.Earlier] | None = None, words: Words = Words()) -> list[Step]:
    """What this run does for each member, with the e-mail composed for those it sends to.

    The isolation check runs first: one violation and nothing is composed.
    """
    check_members(case, again, words)
    check_isolation(case, deliveries)
    state = log.state(m.id for m in case.association.members)
    steps = plan(case, deliveries, state, log.path, sender, again, words)
    for step in steps:
        if step.sends:
            earlier = (reminded or {}).get(step.delivery.member.id)
            step.message = mail.compose(case, step.delivery, sender, step.message_id, when, step.replaces, earlier,
                                        copy=step.action == COPY)
    return steps


def plan(case: Case, deliveries: list[Delivery], state: LogState, path: Path, sender: str,
         again: Collection[str], words: Words) -> list[Step]:
    """What each member gets, from the log alone: no file is read, nothing is composed.

    A damaged line without a word for every member it may concern stops it all, with every such line named.
    """
    doubtful = state.unsettled()
    waiting = {member: found for member, found in doubtful.items() if words.about(member) is None}
    if waiting:
        raise refusal(path, waiting)
    steps = [_decide(case, d, state.histories.get((d.member.id, d.purpose), History()), sender,
                     d.member.id in again, words.about(d.member.id), d.member.id in doubtful)
             for d in deliveries]
    _check_words(steps, words)
    return steps


def _check_words(steps: list[Step], words: Words) -> None:
    """A word is for an osäkert message only: one that arrived or never left needs none."""
    wrong = [f"{ARRIVED_OPTION if s.delivery.member.id in words.arrived else COPY_OPTION} {s.delivery.member.id}: "
             f"{s.delivery.member.name} har inget osäkert utskick ({s.action}{f', {s.note}' if s.note else ''})"
             for s in steps if words.about(s.delivery.member.id) is not None and s.action not in (ARRIVED, COPY)]
    if wrong:
        raise WordError("inget har skickats: " + "; ".join(wrong) + ". docgen status visar vad som är osäkert.")


def _decide(case: Case, delivery: Delivery, history: History, sender: str, forced: bool, word: str | None,
            doubtful: bool) -> Step:
    # Delivered messages count towards the Message-ID; a failed or uncertain one does not, so a copy keeps it.
    message_id = mail.message_id(case, delivery, sender, len(history.delivered))
    uncertain, delivered = history.uncertain, history.last_delivered
    replaces = (mail.Earlier(delivered.message_id, delivered.sent)
                if delivered and delivered.sent and delivery.purpose == REQUEST else None)
    if forced:
        return Step(delivery, AGAIN, message_id, replaces=replaces, note="--igen")
    if uncertain is not None or doubtful:
        # A word behind damage is about the last message the log still shows, if any: it arrived, or its copy goes.
        known = uncertain or delivered
        return _uncertain(delivery, known.message_id if known else message_id,
                          known is None or known.digest == delivery.digest, word)
    if delivered is None:
        return Step(delivery, NEW, message_id)
    if delivered.digest == delivery.digest or delivery.purpose != REQUEST:
        return Step(delivery, DONE, delivered.message_id, note=f"{delivered.sent:%Y-%m-%d %H:%M}")
    return Step(delivery, CHANGED, message_id, note="ändrat sedan utskicket; kräver --igen")


def _uncertain(delivery: Delivery, message_id: str, same: bool, word: str | None) -> Step:
    """A message that may have arrived: confirmed, copied (only as it was), or waiting for the word."""
    member = delivery.member.id
    if word == ARRIVED:
        return Step(delivery, ARRIVED, message_id, note="enligt registratorn; skrivs i loggen")
    if word == COPY and same:
        return Step(delivery, COPY, message_id, note="samma Message-ID, märkt som kopia")
    if not same:
        return Step(delivery, UNCERTAIN, message_id,
                    note=f"ändrat efter ett avbrutet utskick; fråga registratorn, sedan {ARRIVED_OPTION} {member} "
                         f"och därefter --igen {member}")
    return Step(delivery, UNCERTAIN, message_id,
                note=f"kan ha kommit fram; fråga registratorn, sedan {ARRIVED_OPTION} {member} eller "
                     f"{COPY_OPTION} {member}")


def write_drafts(steps: list[Step], folder: Path) -> list[Path]:
    """One ``.eml`` per message this run sends, for the secretary to open and read.

    A draft an earlier run wrote for a member this run sends nothing is removed,
    so that what lies in the folder is what would go out now.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for step in steps:
        prefix = "paminnelse-" if step.delivery.purpose != REQUEST else ""
        path = folder / f"{prefix}{step.delivery.member.id}.eml"
        if step.message is None:
            _remove_if_docgens_draft(path)
            continue
        write_atomically(path, step.message.as_bytes(policy=mail.POLICY))
        written.append(path)
    return written


def _remove_if_docgens_draft(path: Path) -> None:
    """Remove ``path`` only if docgen wrote it (its header names the package); a file of the secretary's stays."""
    try:
        with path.open("rb") as handle:
            headers = BytesHeaderParser().parse(handle)
    except FileNotFoundError:
        return
    if headers[mail.PACKAGE_HEADER] is not None:
        path.unlink()


def refuse_changed(steps: list[Step]) -> None:
    changed = [s for s in steps if s.action == CHANGED]
    if changed:
        names = ", ".join(f"{s.delivery.member.name} ({s.delivery.member.id})" for s in changed)
        ids = " ".join(f"--igen {s.delivery.member.id}" for s in changed)
        raise ChangedError(f"inget har skickats: handlingarna till {names} har ändrats sedan de skickades. "
                           f"Granska dem; ska de skickas igen, kör med {ids} – e-postmeddelandet säger då att "
                           "det ersätter det förra.")


def transmit(steps: list[Step], log: SendLog, settings: Settings,
             connect: Callable[[Settings], Connection] = Connection) -> list[Step]:
    """Record each word, then send each step that sends, logging before and after; stop at the first error."""
    refuse_changed(steps)
    for step in steps:
        if step.action == ARRIVED:
            log.append(Arrived(**_to(step), purpose=step.delivery.purpose, time=now(), package=step.delivery.digest))
    pending = [s for s in steps if s.sends]
    if not pending:
        return []
    settings.ready_to_send()
    sent: list[Step] = []
    try:
        connection = connect(settings).__enter__()
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"kunde inte ansluta till e-postservern {settings.server}:{settings.port}: "
                        f"{_clause(exc)}. Inget har skickats.") from None
    try:
        for step in pending:
            _send_one(step, log, connection, settings)
            sent.append(step)
    except LogLostError:
        raise
    except SendError as exc:
        raise SendError(f"{exc} Skickat i denna körning: {len(sent)} av {len(pending)}; kör samma kommando igen när "
                        "felet är åtgärdat – det som redan skickats skickas inte igen.") from None
    finally:
        connection.__exit__(None, None, None)
    return sent


def _to(step: Step) -> dict[str, str]:
    member = step.delivery.member
    return {"member": member.id, "address": member.registry_email, "message_id": step.message_id}


def _send_one(step: Step, log: SendLog, connection: Connection, settings: Settings) -> None:
    delivery, member = step.delivery, step.delivery.member
    assert step.message is not None and settings.sender is not None
    check_unchanged(delivery)
    to = _to(step)
    try:
        if step.action == COPY:
            log.append(CopyOrdered(**to, purpose=delivery.purpose, time=now(), package=delivery.digest))
        log.append(Sending(**to, purpose=delivery.purpose, time=now(), package=delivery.digest,
                           replaces=step.replaces.message_id if step.replaces else None,
                           attachments=tuple(LoggedAttachment(file=a.file, name=a.name, sha256=a.sha256,
                                                              size=a.size) for a in delivery.attachments)))
    except OSError as exc:
        raise SendError(f"utskicksloggen {log.path} gick inte att skriva ({os_reason(exc)}); meddelandet till "
                        f"{member.name} har inte skickats.") from None
    try:
        reply = connection.send(step.message, settings.sender, member.registry_email)
    except Refused as exc:
        log.append(Failed(**to, time=now(), reply=exc.reply))
        raise SendError(f"servern tog inte emot meddelandet till {member.name} ({member.registry_email}): "
                        f"{_clause(exc.reply)}.") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"förbindelsen bröts medan meddelandet till {member.name} skickades ({exc}); det kan ha "
                        "kommit fram och är markerat som osäkert i loggen (docgen status visar det).") from None
    step.reply = reply
    try:
        log.append(Sent(**to, time=now(), reply=reply))
    except OSError as exc:
        raise LogLostError(
            f"meddelandet till {member.name} ({member.registry_email}) HAR KOMMIT FRAM – servern svarade "
            f"{reply} – men utskicksloggen {log.path} gick inte att skriva ({os_reason(exc)}). Skicka det inte igen. "
            f"Inget mer har skickats. När loggen går att skriva: kör docgen send --skicka {ARRIVED_OPTION} "
            f"{member.id}, så skrivs det i loggen att det kommit fram, och resten skickas.") from None


def _clause(error: object) -> str:
    """An error's text to go before a full stop of ours: smtplib ends some of its own with one."""
    return str(error).rstrip(". ")


@dataclass
class Run:
    """What one ``docgen send`` (or ``remind``) did."""

    case: Case
    steps: list[Step]
    drafts: list[Path]
    sent: list[Step]
    log: Path
    warnings: list[Problem] = field(default_factory=list)
    """What would stop a real send (:mod:`docgen.input.readiness`), shown by a dry run."""


def send_meeting(meeting_file: Path, out_root: Path, *, send: bool = False, again: Collection[str] = (),
                 settings_path: Path | None = None, environ: dict[str, str] | None = None,
                 connect: Callable[[Settings], Connection] = Connection,
                 waiting: Callable[[Path], None] | None = None, today: dt.date | None = None,
                 words: Words = Words()) -> Run:
    """Each member's e-mail of the meeting's documents: drafts always, sent only with ``send``.

    A real send is refused while the request is not ready to go out (its
    ``svar_senast``, values marked EXEMPEL); a dry run shows the same as warnings.
    ``waiting`` is told the send log's path when another send holds it and this one waits.
    """
    from docgen.distribution.certified import vouched
    from docgen.distribution.outgoing import built_folder, deliveries
    from docgen.input.readiness import refuse_unready, unready
    from docgen.signing.justering import current_case

    case = current_case(meeting_file)
    today = today or dt.date.today()
    warnings = refuse_unready(case, today) if send else unready(case, today)
    folder = built_folder(meeting_file, case, out_root)
    run = dispatch(meeting_file, case, out_root,
                   lambda: vouched(case, meeting_file, out_root, deliveries(case, folder)), send=send, again=again,
                   settings_path=settings_path, environ=environ, connect=connect, waiting=waiting,
                   words=words)
    run.warnings = warnings
    return run


def dispatch(meeting_file: Path, case: Case, out_root: Path, collect: Callable[[], list[Delivery]], *,
             send: bool, again: Collection[str], settings_path: Path | None, environ: dict[str, str] | None,
             connect: Callable[[Settings], Connection], reminded: dict[str, mail.Earlier] | None = None,
             waiting: Callable[[Path], None] | None = None, words: Words = Words()) -> Run:
    """The path every e-mail takes, requests and reminders alike: check, draft, then (if asked) send and log."""
    from docgen.distribution.sendlog import log_file
    from docgen.distribution.settings import load_settings, settings_file

    settings = load_settings(settings_path or settings_file(meeting_file), environ)
    log = SendLog(log_file(meeting_file))
    # Only a real send extends the log; a dry run reads it and leaves no lock file beside the YAML.
    with log.exclusive(waiting) if send else nullcontext():
        steps = prepare(case, collect(), log, sender_for(case, settings), again, now(), reminded, words)
        drafts = write_drafts(steps, drafts_folder(case, out_root))
        sent = transmit(steps, log, settings, connect) if send else []
    return Run(case, steps, drafts, sent, log.path)
