"""The send log: a record of what was sent to whom and when, never rewritten.

Its lines (:mod:`docgen.records.sendlog`) are a ``skickar`` before a message
goes to the server, then ``skickat`` (with the server's reply) or
``misslyckades`` after. A ``skickar`` with neither after it is a message in
flight when docgen was stopped: it may or may not have arrived, and stays
marked so until a retry settles it.

The log lies beside the meeting's YAML (``<möte>.utskick.jsonl``), never in
``out/``, which a build replaces wholesale. Only one send runs at a time
(an exclusive lock on the log).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from docgen.files import held
from docgen.records import sendlog as lines
from docgen.records.sendlog import FAILED, SENT, Line, LoggedAttachment, Sending, Sent

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

    @property
    def state(self) -> str:
        """``skickat``, ``misslyckades``, or ``osäkert`` (in flight when docgen stopped)."""
        if self.sent is not None:
            return SENT
        return FAILED if self.failed else "osäkert"


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
        return last if last is not None and last.state == "osäkert" else None


class SendLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def records(self) -> list[Line]:
        """Every line; one cut short by a kill is no record (it was being written before the message left)."""
        return lines.read(self.path)

    def histories(self) -> dict[tuple[str, str], History]:
        """Each (member, purpose)'s messages, from the records."""
        messages: dict[str, Message] = {}
        histories: dict[tuple[str, str], History] = {}
        for record in self.records():
            key = record.message_id
            if isinstance(record, Sending):
                if key in messages:
                    messages[key].attempts += 1
                    messages[key].failed = False
                    continue
                message = Message(key, record.member, record.purpose, record.package, record.address,
                                  record.attachments, record.time)
                messages[key] = message
                histories.setdefault((message.member, message.purpose), History()).messages.append(message)
            elif key in messages and isinstance(record, Sent):
                messages[key].sent, messages[key].reply = record.time, record.reply
            elif key in messages:
                messages[key].failed, messages[key].reply = messages[key].sent is None, record.reply
        return histories

    def history(self, member: str, purpose: str) -> History:
        return self.histories().get((member, purpose), History())

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


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone()
