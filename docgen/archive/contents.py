"""What a meeting's archive package holds, read from its records: never from what a rebuild could replace.

The files are the protocol (the justerat one where it exists), every extract and member package as it left
(certified and sealed where ``docgen bestyrk`` made copies), the anslag, the reminders, and the records
themselves: the send log, the councils' answers, the justering's and the certification's records, each as it
is and in a readable form. The events are what the records say happened: created, verified, signed, sent,
answered. What a complete package would hold but this one cannot (not justerat, not sent, answers missing) is
said in :attr:`Contents.lacking`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from docgen.distribution.outgoing import REQUEST
from docgen.distribution.remind import letters_folder
from docgen.distribution.sendlog import FAILED, SENT, Message, SendLog, log_file
from docgen.distribution.status import Status, status
from docgen.errors import DocgenError
from docgen.input.answers import answers_file, load_answers
from docgen.model.case import Case
from docgen.pdf import signatures
from docgen.pdf.verify import check_pdf, parse_pdf_date
from docgen.pipeline import fingerprint
from docgen.records import manifest as manifests
from docgen.records.justering import (
    certification_file,
    justering_file,
    load_certification,
    load_justering,
    signed_protocol_file,
)
from docgen.records.manifest import PACKAGE_KIND
from docgen.records.sendlog import Sending, anchor_file
from docgen.signing import justering

SWEDEN = ZoneInfo("Europe/Stockholm")

# Where each kind lies in the package's data folder, and how it is named in the description.
FOLDERS = {"protokoll": "protokoll", "protokollsutdrag": "utdrag", "anslag": "anslag", PACKAGE_KIND: "medlemspaket",
           "paminnelse": "paminnelser", "utskickslogg": "utskick", "svar": "svar", "justering": "justering",
           "bestyrkande": "justering"}


class ArchiveError(DocgenError):
    """The records cannot make a complete package, or the package written does not hold."""

    exit_code = 1


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    kind: str
    """PREMIS agentType: ``software``, ``organization`` or ``person``."""
    version: str | None = None


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    """PREMIS eventType, from the Library of Congress vocabulary where it has the word."""
    time: dt.datetime
    detail: str
    outcome: str
    objects: tuple[str, ...]
    """Paths in the package's data folder."""
    agents: tuple[tuple[str, str], ...]
    """(agent id, role) pairs."""


@dataclass(frozen=True)
class Item:
    """One file of the package's data: its path there, its bytes, what it is and whom it was for."""

    path: str
    data: bytes
    kind: str
    title: str
    recipients: tuple[str, ...] = ()
    signed: bool = False

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Contents:
    case: Case
    items: list[Item]
    events: list[Event]
    agents: list[Agent]
    lacking: list[str]
    time: dt.datetime
    """The package's time: the latest the records give (a package built twice from them is the same)."""
    status: Status | None = None


def gather(meeting_file: Path, out_root: Path) -> Contents:
    """The package's contents from the meeting's records; Swedish :class:`InputError` where they do not hold."""
    case = justering.current_case(meeting_file)
    folder = fingerprint.up_to_date(meeting_file, out_root)
    if folder is None:
        raise ArchiveError(f"handlingarna i {out_root} är inte byggda från YAML-filerna som de ser ut nu; kör docgen "
                         f"build {meeting_file} först")
    built = manifests.load(folder)
    roots = justering.trust_roots(case)
    software = Agent("agent-docgen", f"docgen {_version()}", "software", _version())
    association = Agent("agent-forbundet", case.association.name, "organization")
    gathering = _Gathering(case, [software, association])
    gathering.protocol(meeting_file, folder, built, roots)
    gathering.certified_and_built(meeting_file, folder, built)
    gathering.reminders(letters_folder(case, out_root))
    gathering.sent(meeting_file, folder, built)
    gathering.answered(meeting_file)
    gathering.records(meeting_file)
    gathering.created(built.inputs)
    gathering.verified(roots)
    gathering.items.sort(key=lambda item: item.path)
    times = [e.time for e in gathering.events]
    start = dt.datetime.combine(case.meeting.date, case.meeting.start, tzinfo=SWEDEN)
    return Contents(case, gathering.items, gathering.events, gathering.agents, gathering.lacking,
                    max(times, default=start), gathering.round)


def _version() -> str:
    from importlib.metadata import version

    return version("docgen")


class _Gathering:
    def __init__(self, case: Case, agents: list[Agent]) -> None:
        self.case = case
        self.agents = agents
        self.items: list[Item] = []
        self.events: list[Event] = []
        self.lacking: list[str] = []
        self.by_digest: dict[str, Item] = {}
        self.round: Status | None = None
        self.pdf_sources: dict[str, Path] = {}

    def add(self, item: Item, source: Path | None = None) -> Item:
        if item.sha256 in self.by_digest:
            return self.by_digest[item.sha256]
        self.items.append(item)
        self.by_digest[item.sha256] = item
        if source is not None and item.path.endswith(".pdf"):
            self.pdf_sources[item.path] = source
        return item

    def event(self, kind: str, time: dt.datetime, detail: str, outcome: str, objects: list[str],
              agents: list[tuple[str, str]]) -> None:
        self.events.append(Event(f"event-{len(self.events) + 1}", kind, time, detail, outcome, tuple(objects),
                                 tuple(agents)))

    def agent(self, name: str, kind: str = "person") -> str:
        for agent in self.agents:
            if agent.name == name and agent.kind == kind:
                return agent.id
        self.agents.append(Agent(f"agent-{len(self.agents) + 1}", name, kind))
        return self.agents[-1].id

    def protocol(self, meeting_file: Path, folder: Path, built: manifests.Manifest, roots) -> None:
        entry = next(e for e in built.files if e.kind == "protokoll" and e.file.endswith(".pdf"))
        record = load_justering(meeting_file)
        signed = signed_protocol_file(meeting_file)
        name = Path(entry.file).name
        if record is not None and record.protocol_sha256 == entry.sha256 and signed.is_file():
            data = signed.read_bytes()
            item = self.add(Item(f"protokoll/{Path(record.signed_file).name}", data, "protokoll",
                                 "Protokollet, justerat med elektroniska underskrifter", signed=True), signed)
            self.signed(item, data, roots)
            if record.day is None:
                self.lacking.append("underskrifter av protokollet från " + ", ".join(
                    r.name for r in justering.state(self.case, meeting_file, None, roots).missing()))
            return
        self.add(Item(f"protokoll/{name}", (folder / entry.file).read_bytes(), "protokoll", "Protokollet"),
                 folder / entry.file)
        if self.case.meeting.adjustment.electronic:
            self.lacking.append("justering av protokollet (elektronisk underskrift krävs)")

    def signed(self, item: Item, data: bytes, roots) -> None:
        reading = signatures.read(data, roots)
        for signature in reading.signatures:
            if signature.signed_at is None:
                continue
            verdict = ("hel" if signature.intact else "BRUTEN") + (", hela filen" if signature.whole_file else "")
            if signature.trusted is not None:
                verdict += ", betrodd" if signature.trusted else ", INTE betrodd"
            self.event("digital signature generation", signature.signed_at,
                       f"Underskrift av {signature.holder.name} ({signature.holder.subject})"
                       + (", tidsstämplad" if signature.timestamped else ""),
                       verdict, [item.path], [(self.agent(signature.holder.name), "implementer")])

    def certified_and_built(self, meeting_file: Path, folder: Path, built: manifests.Manifest) -> None:
        """Extracts, anslag and member packages: each as its certified copy where one was made."""
        record = load_certification(meeting_file)
        copies = record.by_built() if record is not None else {}
        for entry in built.files:
            if not entry.file.endswith(".pdf") or entry.kind not in ("protokollsutdrag", "anslag", PACKAGE_KIND):
                continue
            if entry.kind == "protokollsutdrag" and entry.file.startswith("medlemmar/"):
                continue  # the members' copies lie in their packages, under the package's seal
            sub = FOLDERS[entry.kind]
            copy = copies.get(entry.sha256)
            if entry.kind == PACKAGE_KIND:
                sub = f"{sub}/{entry.recipients[0]}" if entry.recipients else sub
            title = {"protokollsutdrag": "Protokollsutdrag", "anslag": "Anslag om justerat protokoll",
                     PACKAGE_KIND: "Medlemspaket"}[entry.kind]
            if copy is not None and (meeting_file.parent / copy.certified).is_file():
                path = meeting_file.parent / copy.certified
                data = path.read_bytes()
                item = self.add(Item(f"{sub}/{Path(entry.file).name}", data, entry.kind,
                                     f"{title}, bestyrkt" if entry.kind != PACKAGE_KIND else f"{title}, förseglat",
                                     entry.recipients, signed=True), path)
                self.signed(item, data, None)
            else:
                self.add(Item(f"{sub}/{Path(entry.file).name}", (folder / entry.file).read_bytes(), entry.kind,
                              title, entry.recipients), folder / entry.file)

    def reminders(self, folder: Path) -> None:
        for path in sorted(folder.glob("*.pdf")) if folder.is_dir() else []:
            self.add(Item(f"paminnelser/{path.name}", path.read_bytes(), "paminnelse", "Påminnelse"), path)

    def sent(self, meeting_file: Path, folder: Path, built: manifests.Manifest) -> None:
        log = SendLog(log_file(meeting_file))
        members = {m.id: m for m in self.case.association.members}
        # What else went out (the editable Word files of a package) is taken from the build where it is unchanged.
        other = {entry.sha256: entry for entry in built.files}
        histories = log.histories(list(members))
        ended = {m.message_id: _ended(m) for history in histories.values() for m in history.messages}
        for record in log.records():
            if not isinstance(record, Sending):
                continue
            member = members.get(record.member)
            objects = []
            for attachment in record.attachments:
                item = self.by_digest.get(attachment.sha256)
                if item is None and attachment.sha256 in other:
                    entry = other[attachment.sha256]
                    item = self.add(Item(f"{FOLDERS[PACKAGE_KIND]}/{record.member}/{Path(entry.file).name}",
                                         (folder / entry.file).read_bytes(), entry.kind,
                                         f"Skickad som Word-fil ({entry.kind})", entry.recipients))
                if item is None:
                    self.lacking.append(f"{attachment.name} i den form den skickades till {record.member} "
                                        f"{record.time.date()}")
                else:
                    objects.append(item.path)
            outcome = ended.get(record.message_id, "osäkert")
            self.event("transfer", record.time,
                       f"{'Hemställan' if record.purpose == 'hemställan' else 'Påminnelse'} skickad till "
                       f"{member.name if member else record.member} <{record.address}>, Message-ID "
                       f"{record.message_id}", outcome, objects, [(self.agents[1].id, "sender")])
        if self.case.request_items:
            unsent = [m.name for m in members.values() if not histories.get((m.id, REQUEST)) or
                      histories[(m.id, REQUEST)].last_delivered is None]
            if unsent:
                self.lacking.append("utskick av hemställan till " + ", ".join(unsent))

    def answered(self, meeting_file: Path) -> None:
        if not self.case.request_items:
            return
        answers = load_answers(answers_file(meeting_file), self.case)
        self.round = status(self.case, answers, SendLog(log_file(meeting_file)), dt.date.today())
        for request in self.round.requests:
            for row in request.members:
                if row.answer is None:
                    continue
                self.event("Fullmäktiges beslut", dt.datetime.combine(row.answer.date, dt.time(12),
                                                                        tzinfo=SWEDEN),
                           f"§ {request.item.number}: {row.member.council} i {row.member.name}, "
                           f"{row.answer.council_paragraph}", row.answer.decision, [],
                           [(self.agent(row.member.name, "organization"), "decider")])
            undecided = [row.member.name for row in request.members if not row.decided]
            if undecided:
                self.lacking.append(f"svar på § {request.item.number} från " + ", ".join(undecided))

    def records(self, meeting_file: Path) -> None:
        """The records as they are (the send log, the answers, the justering's and the certification's)."""
        log = log_file(meeting_file)
        if log.is_file():
            self.add(Item("utskick/utskick.txt", readable_log(self.case, SendLog(log)).encode("utf-8"), "utskickslogg",
                          "Utskicksloggen i läsbar form"))
            anchor = anchor_file(log)
            if anchor.is_file():
                self.add(Item(f"utskick/{anchor.name}", anchor.read_bytes(), "utskickslogg",
                              "Utskicksloggens kontrollfil"))
        if self.round is not None:
            self.add(Item("svar/svar.txt", readable_answers(self.round).encode("utf-8"), "svar",
                          "Fullmäktiges svar i läsbar form"))
        for path, kind, title in ((log, "utskickslogg", "Utskicksloggen"),
                                  (answers_file(meeting_file), "svar", "Fullmäktiges svar"),
                                  (justering_file(meeting_file), "justering", "Justeringens post"),
                                  (certification_file(meeting_file), "bestyrkande", "Bestyrkandets post")):
            if path.is_file():
                self.add(Item(f"{FOLDERS[kind]}/{path.name}", path.read_bytes(), kind, title))

    def created(self, inputs: str) -> None:
        """When the build made each PDF (its CreationDate: the build's fixed stamp), one event per stamp."""
        stamps: dict[dt.datetime, list[str]] = {}
        for item in self.items:
            source = self.pdf_sources.get(item.path)
            stamp = _created(source) if source is not None else None
            if stamp is not None:
                stamps.setdefault(stamp, []).append(item.path)
        for stamp, paths in sorted(stamps.items()):
            self.event("creation", stamp, f"Byggd av {self.agents[0].name} från sammanträdets YAML-filer "
                       f"(indata SHA-256 {inputs})", "lyckades", paths, [(self.agents[0].id, "executing program")])

    def verified(self, roots) -> None:
        for item in list(self.items):
            source = self.pdf_sources.get(item.path)
            if source is None:
                continue
            report = check_pdf(source, roots=roots)
            self.event("validation", self._time_of(item), "docgen verify: PDF/A-2b, taggar, språk, titel, "
                       "typsnitt" + (", underskrifter" if item.signed else ""),
                       "godkänd" if report.ok else "underkänd: " + "; ".join(
                           f"{c.name}: {c.detail}" for c in report.checks if not c.ok),
                       [item.path], [(self.agents[0].id, "executing program")])

    def _time_of(self, item: Item) -> dt.datetime:
        mine = [e.time for e in self.events if item.path in e.objects]
        return max(mine, default=dt.datetime.combine(self.case.meeting.date, self.case.meeting.start,
                                                     tzinfo=SWEDEN))


def _ended(message: Message) -> str:
    """How a message ended, as the archive's transfer event says it."""
    if message.state == SENT:
        return f"skickat ({message.reply})" if message.reply else "kom fram (sekreterarens ord)"
    return "misslyckades" if message.state == FAILED else "osäkert"


def _created(path: Path) -> dt.datetime | None:
    import pikepdf

    with pikepdf.open(path) as pdf:
        value = pdf.docinfo.get("/CreationDate")
    stamp = parse_pdf_date(str(value)) if value is not None else None
    return stamp if stamp is None or stamp.tzinfo is not None else stamp.replace(tzinfo=dt.UTC)


def readable_log(case: Case, log: SendLog) -> str:
    """The send log as a person reads it: each message, to whom, when, how it ended and what it held."""
    names = {m.id: m.name for m in case.association.members}
    lines = [f"Utskick från {case.association.name}: {case.meeting.body} {case.meeting.date.isoformat()}", ""]
    for history in log.state().histories.values():
        for message in history.messages:
            ended = ("skickat " + message.sent.isoformat(timespec="seconds") if message.sent is not None
                     else "misslyckades" if message.failed else "osäkert (docgen stoppades medan det skickades)")
            lines += [f"{message.started.isoformat(timespec='seconds')}  {message.purpose} till "
                      f"{names.get(message.member, message.member)} <{message.address}>: {ended}"
                      + (f", {message.reply}" if message.reply else "")
                      + (" (kom fram enligt sekreteraren)" if message.confirmed else ""),
                      f"    Message-ID: {message.message_id}"]
            lines += [f"    bilaga: {a.name} ({a.size} byte, SHA-256 {a.sha256})" for a in message.attachments]
            lines.append("")
    return "\n".join(lines)


def readable_answers(round_status: Status) -> str:
    """Each request and each council's answer, and whether the condition holds."""
    lines = []
    for request in round_status.requests:
        lines += [request.heading, ""]
        for row in request.members:
            answer = row.answer
            if answer is None:
                lines.append(f"  {row.member.name}: inget svar")
                continue
            agreement = (f"; regressavtalet undertecknat {answer.agreement_signed.isoformat()}"
                         if answer.agreement_signed else "")
            lines.append(f"  {row.member.name}: {answer.decision} {answer.date.isoformat()}, "
                         f"{answer.council_paragraph}{agreement}")
        lines += ["", request.summary, ""]
    return "\n".join(lines)
