"""The send log: a record of what was sent to whom and when, never rewritten.

One JSON object per line, appended and synced to disk before the next step:
a ``skickar`` line before a message goes to the server, then ``skickat``
(with the server's reply) or ``misslyckades`` after. A ``skickar`` with
neither after it is a message in flight when docgen was stopped: it may or
may not have arrived, and stays marked so until a retry settles it.

The log lies beside the meeting's YAML (``<möte>.utskick.jsonl``), never in
``out/``, which a build replaces wholesale. Only one send runs at a time
(an exclusive lock on the log).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.errors import InputError, Problem
from docgen.files import held
from docgen.input.load import display_name

SUFFIX = ".utskick.jsonl"
SENDING, SENT, FAILED = "skickar", "skickat", "misslyckades"


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
    attachments: list[dict[str, Any]]
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

    def records(self) -> list[dict[str, Any]]:
        """Every record; a line cut short by a kill is no record (it was being written before the message left)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        lines = text.split("\n")
        records = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict) or record.get("händelse") not in (SENDING, SENT, FAILED):
                    raise ValueError
            except ValueError:
                if _torn(line):
                    continue  # an append cut short by a kill: its message was never handed to the server
                raise InputError([Problem(display_name(self.path), number, None, "",
                                          "raden i utskicksloggen går inte att läsa; loggen är ett diarium som "
                                          "docgen bara lägger till i – återställ den från säkerhetskopian")]) from None
            records.append(record)
        return records

    def histories(self) -> dict[tuple[str, str], History]:
        """Each (member, purpose)'s messages, from the records."""
        messages: dict[str, Message] = {}
        histories: dict[tuple[str, str], History] = {}
        for record in self.records():
            key = record["message_id"]
            if record["händelse"] == SENDING:
                if key in messages:
                    messages[key].attempts += 1
                    messages[key].failed = False
                    continue
                message = Message(key, record["medlem"], record["syfte"], record["paket"], record["adress"],
                                  record.get("bilagor", []), _time(record["tid"]))
                messages[key] = message
                histories.setdefault((message.member, message.purpose), History()).messages.append(message)
            elif key in messages and record["händelse"] == SENT:
                messages[key].sent, messages[key].reply = _time(record["tid"]), record.get("svar")
            elif key in messages:
                messages[key].failed, messages[key].reply = messages[key].sent is None, record.get("svar")
        return histories

    def history(self, member: str, purpose: str) -> History:
        return self.histories().get((member, purpose), History())

    def append(self, record: dict[str, Any]) -> None:
        """Append one record and sync it (and, for a new log, its folder entry) to disk before returning."""
        new = not self.path.exists()
        with self.path.open("ab") as file:
            if file.tell() and not self._ends_with_newline():
                file.write(b"\n")  # after a torn line, start a fresh one
            file.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
            file.flush()
            os.fsync(file.fileno())
        if new:
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as file:
            file.seek(-1, os.SEEK_END)
            return file.read(1) == b"\n"

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """One send at a time: a second waits rather than reading a log the first is about to extend."""
        with held(self.path.with_name(f".{self.path.name}.lås")):
            yield


def _torn(line: str) -> bool:
    """A record's beginning without its end: every append writes one whole ``{…}`` line."""
    return line.startswith("{") and not line.rstrip().endswith("}")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone()


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
