"""The send log's lines (``<möte>.utskick.jsonl``): one typed record per event, appended and read back.

One JSON object per line, appended and synced to disk before the next step:
a ``skickar`` line before a message goes to the server, then ``skickat``
(with the server's reply) or ``misslyckades`` after; the secretary's word on
a message whose fate is unknown is a line too: ``kom fram`` (the registrator
has it) or ``skicka kopia`` (before the copy's own ``skickar``). Each kind of
line is a model of its own, told apart by ``händelse``; send writes the models
and the log is read back through them, so every field written is also checked
when read. Reading never fails on a line: each one that does not read,
a torn one included, is a :class:`Damage` with its number and the members it
names, for the caller to decide what it means (docgen.distribution.sendlog).

What no line can show is a line that is gone: a log cut at a line's end, or
one restored from an older copy, reads like a log written so far and no
further, and a member whose lines went would look never sent. So every append
also rewrites the log's control file (``<möte>.utskick.kontroll.json``, an
:class:`Anchor`): the SHA-256 of each line docgen has written. A line missing,
changed or added in the middle, or the control file itself gone, is damage
about every member; once docgen writes to the log again (the secretary's word),
the control file keeps where that was (``avbrott``), so the damage still needs
its word for each member after the file has been renewed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final, Literal

from pydantic import AwareDatetime, Discriminator, Field, PlainSerializer, Tag, TypeAdapter, ValidationError

from docgen.errors import InputError, Problem
from docgen.files import write_atomically
from docgen.input.load import display_name
from docgen.records.base import OWN_ERROR, Record, reason

SENDING: Final = "skickar"
SENT: Final = "skickat"
FAILED: Final = "misslyckades"
ARRIVED: Final = "kom fram"
COPY: Final = "skicka kopia"

# Written with isoformat(), as the log always was (pydantic would write UTC as Z); read back with the offset.
Time = Annotated[AwareDatetime, PlainSerializer(dt.datetime.isoformat, return_type=str)]
Digest = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class LoggedAttachment(Record):
    """One file of a message as it left: where it lay, the name the registrator saw, its checksum and size."""

    file: str = Field(alias="fil", min_length=1)
    name: str = Field(alias="namn", min_length=1)
    sha256: Digest
    size: int = Field(alias="byte", ge=0)


Purpose = Literal["hemställan", "påminnelse"]
"""What a message is for (docgen.distribution.outgoing); a damaged one must not read as another purpose."""


class _Event(Record):
    """What every line says: which event, to which member at which address, of which message."""

    event: str = Field(alias="händelse")
    member: str = Field(alias="medlem", min_length=1)
    address: str = Field(alias="adress", min_length=1)
    message_id: str = Field(min_length=1)


class Sending(_Event):
    """Written before the message goes to the server: everything that makes it this message."""

    event: Literal["skickar"] = Field(SENDING, alias="händelse")
    purpose: Purpose = Field(alias="syfte")
    time: Time = Field(alias="tid")
    package: Digest = Field(alias="paket")
    """The digest over the attachments' names and checksums (``Delivery.digest``)."""
    replaces: str | None = Field(None, alias="ersätter")
    """The Message-ID of the delivered message this one replaces (``--igen``)."""
    attachments: tuple[LoggedAttachment, ...] = Field(alias="bilagor")


class _Outcome(_Event):
    time: Time = Field(alias="tid")
    reply: str = Field(alias="svar")
    """The server's reply, e.g. ``250 2.0.0 Ok``."""


class Sent(_Outcome):
    """The server took the message."""

    event: Literal["skickat"] = Field(SENT, alias="händelse")


class Failed(_Outcome):
    """The server refused the message: it was certainly not delivered."""

    event: Literal["misslyckades"] = Field(FAILED, alias="händelse")


class _Word(_Event):
    """The secretary's word on a message the log cannot prove, after asking the member's registrator."""

    purpose: Purpose = Field(alias="syfte")
    time: Time = Field(alias="tid")
    package: Digest = Field(alias="paket")
    """The package the word is about (the one built now)."""


class Arrived(_Word):
    """The registrator has the message: it counts as delivered."""

    event: Literal["kom fram"] = Field(ARRIVED, alias="händelse")


class CopyOrdered(_Word):
    """The message goes once more, marked as a copy; its ``skickar`` follows."""

    event: Literal["skicka kopia"] = Field(COPY, alias="händelse")


Line = Sending | Sent | Failed | Arrived | CopyOrdered
_TAGS = (SENDING, SENT, FAILED, ARRIVED, COPY)


def _event(line: object) -> object:
    """Which kind of line this is: by its Swedish key, as the log is read (a model, as code builds one)."""
    return line.get("händelse") if isinstance(line, dict) else getattr(line, "event", None)


# A callable discriminator, for the Swedish error when händelse is missing or unknown.
_LINE: TypeAdapter[Line] = TypeAdapter(Annotated[
    Annotated[Sending, Tag(SENDING)] | Annotated[Sent, Tag(SENT)] | Annotated[Failed, Tag(FAILED)]
    | Annotated[Arrived, Tag(ARRIVED)] | Annotated[CopyOrdered, Tag(COPY)],
    Discriminator(_event, custom_error_type=OWN_ERROR,
                  custom_error_message=f"händelse ska vara {SENDING}, {SENT}, {FAILED}, {ARRIVED} eller {COPY}")])

# A member's id as every line writes it; found in a damaged line, it says whom the line may be about.
_MEMBER = re.compile(r'"medlem"\s*:\s*"([^"\\]*)"')


@dataclass(frozen=True)
class Damage:
    """A line that does not read (or is not the one docgen wrote): its number, what is wrong (Swedish), and the
    member ids written in it (none: it may be about anyone)."""

    line: int
    reason: str
    members: frozenset[str]
    words_from: int | None = None
    """The first line whose word (``kom fram``, ``skicka kopia``) settles it; by default the next one."""

    def settled_by(self, line: int) -> bool:
        return line >= (self.line + 1 if self.words_from is None else self.words_from)


@dataclass(frozen=True)
class Reading:
    """The log as read: each line that reads with its number, oldest first, and each one that does not."""

    lines: tuple[tuple[int, Line], ...] = ()
    damaged: tuple[Damage, ...] = ()

    def records(self) -> list[Line]:
        return [line for _number, line in self.lines]


def read(path: Path) -> Reading:
    """Every line of the log at ``path`` (nothing if there is no log yet), checked against its control file;
    never fails on a line."""
    data = _bytes(path)
    pieces = _pieces(data or b"")
    lines, damaged = [], []
    for number, raw in enumerate(pieces, start=1):
        if not raw.strip():
            continue
        line = _parse(raw)
        if isinstance(line, str):
            members = frozenset(_MEMBER.findall(raw.decode("utf-8", errors="replace")))
            damaged.append(Damage(number, "raden är avbruten mitt i" if _torn(raw) else line, members))
        else:
            lines.append((number, line))
    read_back = {number for number, _line in lines}
    damaged += _not_as_written(path, data is not None, pieces, read_back)
    return Reading(tuple(lines), tuple(sorted(damaged, key=lambda d: d.line)))


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _pieces(data: bytes) -> list[bytes]:
    """The log's lines as numbered from 1, without their line ends (a torn last line included)."""
    pieces = data.split(b"\n")
    return pieces[:-1] if pieces[-1] == b"" else pieces


def damage_error(path: Path, damaged: list[Damage], advice: str) -> InputError:
    """Every damaged line as a Swedish error with the log's name and the line's number."""
    return InputError([Problem(display_name(path), d.line, None, "",
                               f"raden i utskicksloggen går inte att läsa ({d.reason}); {advice}")
                       for d in damaged])


class Break(Record):
    """Where the log was once found not to be what docgen wrote, kept after the control file was renewed."""

    line: int = Field(alias="rad", ge=1)
    words_from: int = Field(alias="ord_från", ge=1)
    reason: str = Field(alias="orsak", min_length=1)


class Anchor(Record):
    """The log's control file: each line's SHA-256 as docgen last wrote the log, and every break found in it."""

    lines: tuple[Digest, ...] = Field(alias="rader")
    breaks: tuple[Break, ...] = Field((), alias="avbrott")


def anchor_file(path: Path) -> Path:
    """``<möte>.utskick.kontroll.json`` beside ``<möte>.utskick.jsonl``."""
    return path.with_name(f"{path.stem}.kontroll.json")


def _digests(pieces: list[bytes]) -> tuple[str, ...]:
    return tuple(hashlib.sha256(piece).hexdigest() for piece in pieces)


def _not_as_written(path: Path, exists: bool, pieces: list[bytes], read_back: set[int]) -> list[Damage]:
    """What the control file shows: lines gone, changed or added in the middle, and breaks found before.

    Lines added at the end are docgen's own, written before a kill let it renew the control file. A line
    that does not read is damage already, with the members it names; every other finding is about anyone.
    A log that exists (even empty: docgen makes it with its first line) needs its control file; with both
    gone nothing is left to tell a send from none.
    """
    control = anchor_file(path)
    words_from = len(pieces) + 1
    last = max(len(pieces), 1)
    try:
        anchor = Anchor.model_validate_json(control.read_bytes(), by_alias=True, by_name=False)
    except FileNotFoundError:
        return [Damage(last, f"kontrollfilen {control.name} saknas, så docgen kan inte visa att loggen är hel",
                       frozenset(), words_from)] if exists else []
    except ValidationError as exc:
        return [Damage(last, f"kontrollfilen {control.name} går inte att läsa: {reason(exc)}", frozenset(),
                       words_from)]
    found = [Damage(b.line, b.reason, frozenset(), b.words_from) for b in anchor.breaks]
    matcher = difflib.SequenceMatcher(None, anchor.lines, _digests(pieces), autojunk=False)
    for kind, i1, i2, j1, j2 in matcher.get_opcodes():
        if kind == "equal" or (kind == "insert" and i1 == len(anchor.lines)):
            continue
        found += [Damage(j + 1, f"raden är inte den som docgen skrev, enligt kontrollfilen {control.name}",
                         frozenset(), words_from) for j in range(j1, j2) if j + 1 in read_back]
        missing = (i2 - i1) - (j2 - j1)
        if missing > 0 and j2 == len(pieces):
            found.append(Damage(last, f"loggen slutar efter rad {len(pieces)}, men docgen skrev "
                                      f"{len(anchor.lines)} rader, enligt kontrollfilen {control.name}",
                                frozenset(), words_from))
        elif missing > 0:
            found.append(Damage(j2 + 1, f"före raden saknas {_lines(missing)} som docgen skrev, enligt "
                                        f"kontrollfilen {control.name}", frozenset(), words_from))
    return found


def _lines(count: int) -> str:
    return "en rad" if count == 1 else f"{count} rader"


def _renewed_anchor(path: Path, before: bytes | None, after: bytes) -> Anchor:
    """The control file for the log as it is now, keeping every break found in it before this append."""
    pieces = _pieces(before or b"")
    readable = {n for n, raw in enumerate(pieces, 1) if not isinstance(_parse(raw), str)}
    found = _not_as_written(path, before is not None, pieces, readable)
    breaks = {(d.line, d.words_from or d.line + 1, d.reason) for d in found}
    return Anchor(lines=_digests(_pieces(after)),
                  breaks=tuple(Break(line=line, words_from=words_from, reason=why)
                               for line, words_from, why in sorted(breaks)))


def _parse(raw: bytes) -> Line | str:
    """The line's record, or what is wrong with it (Swedish)."""
    try:
        return _LINE.validate_json(raw.decode("utf-8"), by_alias=True, by_name=False)
    except UnicodeDecodeError:
        return "inte sparad som UTF-8"
    except ValidationError as exc:
        return reason(exc, _TAGS)


def _torn(raw: bytes) -> bool:
    """A record's beginning without its end (a kill, a full disk): every append writes one whole ``{…}`` line."""
    return raw.startswith(b"{") and not raw.rstrip().endswith(b"}")


def append(path: Path, line: Line) -> None:
    """Append one line and sync it (and, for a new log, its folder entry) to disk, then renew the control file,
    before returning: what docgen does next (send a message) is covered by both."""
    before = _bytes(path)
    _append_line(path, line)
    renewed = _renewed_anchor(path, before, path.read_bytes())
    write_atomically(anchor_file(path), renewed.model_dump_json(by_alias=True).encode())


def _append_line(path: Path, line: Line) -> None:
    new = not path.exists()
    with path.open("ab") as file:
        if file.tell() and not _ends_with_newline(path):
            file.write(b"\n")  # after a torn line, start a fresh one
        file.write(json.dumps(line.model_dump(mode="json"), ensure_ascii=False).encode("utf-8") + b"\n")
        file.flush()
        os.fsync(file.fileno())
    if new:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as file:
        file.seek(-1, os.SEEK_END)
        return file.read(1) == b"\n"
