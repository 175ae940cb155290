"""The send log: a record of what was sent to whom and when, never rewritten.

Its lines (:mod:`docgen.records.sendlog`) are a ``skickar`` before a message
goes to the server, then ``skickat`` (with the server's reply) or
``misslyckades`` after. A ``skickar`` with neither after it is a message in
flight when docgen was stopped: it may or may not have arrived (*osäkert*),
and stays so until the secretary, having asked the registrator, says
``kom fram`` or ``skicka kopia`` (both lines in the log).

A damaged line proves nothing about the members it may be about: those it
names, or every member when it names none (or one the association does not
have), as does a line the log's control file shows gone or changed. Each of
them is osäkert from that line on, until a word for it is written after the
line. So is a member with an outcome line whose ``skickar``
is missing: the log cannot say what was sent.

The log lies beside the meeting's YAML (``<möte>.utskick.jsonl``), never in
``out/``, which a build replaces wholesale. Only one send runs at a time
(an exclusive lock on the log).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from docgen.errors import InputError
from docgen.files import held
from docgen.records import sendlog as lines
from docgen.records.sendlog import (
    FAILED,
    SENT,
    Arrived,
    CopyOrdered,
    Damage,
    Failed,
    Line,
    LoggedAttachment,
    Sending,
    Sent,
)

UNCERTAIN = "osäkert"
RESTORE = ("loggen är ett diarium som docgen bara lägger till i – "
           "återställ den och dess kontrollfil från säkerhetskopian")

SUFFIX = ".utskick.jsonl"


def log_file(meeting_file: Path) -> Path:
    return meeting_file.with_name(meeting_file.stem + SUFFIX)


@dataclass
class Message:
    """One message as the log tells it: what was attempted, and how it ended."""

    message_id: str
    member: str
    purpose: str
    digest: str
    address: str
    attachments: tuple[LoggedAttachment, ...]
    started: dt.datetime
    sent: dt.datetime | None = None
    reply: str | None = None
    failed: bool = False
    attempts: int = 1
    confirmed: bool = False
    """Delivered by the secretary's word (``kom fram``), not by the server's reply."""

    @property
    def state(self) -> str:
        """``skickat``, ``misslyckades``, or ``osäkert`` (in flight when docgen stopped)."""
        if self.sent is not None:
            return SENT
        return FAILED if self.failed else UNCERTAIN


@dataclass
class History:
    """Every message of one purpose to one member, oldest first."""

    messages: list[Message] = field(default_factory=list)

    @property
    def delivered(self) -> list[Message]:
        return [m for m in self.messages if m.state == SENT]

    @property
    def last_delivered(self) -> Message | None:
        return self.delivered[-1] if self.delivered else None

    @property
    def uncertain(self) -> Message | None:
        """The last message, if its fate is unknown and nothing was delivered after it."""
        last = self.messages[-1] if self.messages else None
        return last if last is not None and last.state == UNCERTAIN else None


@dataclass
class LogState:
    """The log read for a send: each (member, purpose)'s messages, and every line that proves nothing."""

    histories: dict[tuple[str, str], History]
    damaged: list[Damage]
    words: list[tuple[int, str]]
    """Each ``kom fram`` and ``skicka kopia`` line: its number and member."""
    members: frozenset[str]

    def concerned(self, damage: Damage) -> frozenset[str]:
        """The members a damaged line may be about: those it names, or all when it names no known one only."""
        named = damage.members
        return named if named and named <= self.members else self.members

    def unsettled(self) -> dict[str, list[Damage]]:
        """Per member, the damaged lines about it with no word for it written after them."""
        found: dict[str, list[Damage]] = {}
        for damage in self.damaged:
            for member in sorted(self.concerned(damage)):
                if not any(damage.settled_by(line) and who == member for line, who in self.words):
                    found.setdefault(member, []).append(damage)
        return found


class SendLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def records(self) -> list[Line]:
        """Every line that reads (see :meth:`histories` for a log that must be whole)."""
        return lines.read(self.path).records()

    def state(self, members: Collection[str] = ()) -> LogState:
        """The log as a send sees it; a line about a member not in ``members`` (if given) is damage too."""
        reading = lines.read(self.path)
        known = frozenset(members)
        damaged = list(reading.damaged)
        messages: dict[str, Message] = {}
        histories: dict[tuple[str, str], History] = {}
        words = []
        for number, record in reading.lines:
            if known and record.member not in known:
                damaged.append(Damage(number, f"okänd medlem {record.member!r}", frozenset()))
                continue
            if isinstance(record, Arrived | CopyOrdered):
                words.append((number, record.member))
            message = messages.get(record.message_id)
            if isinstance(record, Sending | Arrived) and message is None:
                message = messages[record.message_id] = _message(record)
                histories.setdefault((message.member, message.purpose), History()).messages.append(message)
                if isinstance(record, Sending):
                    continue
            if message is None or message.member != record.member:
                if not isinstance(record, CopyOrdered):  # a copy's word may follow a damaged skickar
                    damaged.append(Damage(number, f"{record.event} utan skickar före", frozenset({record.member})))
                continue
            _settle(message, record)
        damaged.sort(key=lambda d: d.line)
        return LogState(histories, damaged, words, known)

    def histories(self, members: Collection[str]) -> dict[tuple[str, str], History]:
        """Each (member, purpose)'s messages; damage a word has not settled is a Swedish error naming each line."""
        state = self.state(members)
        unsettled = sorted({d for found in state.unsettled().values() for d in found}, key=lambda d: d.line)
        if unsettled:
            raise lines.damage_error(self.path, unsettled, RESTORE)
        return state.histories

    def append(self, record: Line) -> None:
        """Append one record, synced to disk before this returns."""
        lines.append(self.path, record)

    @contextmanager
    def exclusive(self, waiting: Callable[[Path], None] | None = None) -> Iterator[None]:
        """One send at a time: a second waits rather than reading a log the first is about to extend.

        ``waiting`` is told the log's path if another send holds it.
        """
        with held(self.path.with_name(f".{self.path.name}.lås"), waiting and (lambda: waiting(self.path))):
            yield


def _message(record: Sending | Arrived) -> Message:
    if isinstance(record, Sending):
        return Message(record.message_id, record.member, record.purpose, record.package, record.address,
                       record.attachments, record.time)
    return Message(record.message_id, record.member, record.purpose, record.package, record.address, (),
                   record.time)


def _settle(message: Message, record: Line) -> None:
    """What a later line says about a message already begun."""
    if isinstance(record, Sending):  # a retry or a copy: in flight again
        message.attempts += 1
        message.failed = False
    elif isinstance(record, Sent):
        message.sent, message.reply = record.time, record.reply
    elif isinstance(record, Failed):
        message.failed, message.reply = message.sent is None, record.reply
    elif isinstance(record, Arrived):
        message.sent, message.reply, message.confirmed = record.time, "kom fram enligt registratorn", True


def refusal(path: Path, unsettled: dict[str, list[Damage]]) -> InputError:
    """Every damaged line a send stops at, with what the secretary does about each member it may concern."""
    damaged = sorted({d for found in unsettled.values() for d in found}, key=lambda d: d.line)
    names = ", ".join(sorted(unsettled))
    return lines.damage_error(path, damaged, f"inget har skickats; raden kan gälla {names}. Återställ loggen och "
                                            "dess kontrollfil från säkerhetskopian, eller fråga registratorn hos var "
                                            "och en och kör docgen send --skicka --kom-fram MEDLEM (det har kommit "
                                            "fram) eller --skicka-kopia MEDLEM (skicka en kopia)")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone()
