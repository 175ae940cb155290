"""The justering's records beside the meeting file: who signed the protocol and when, and what was certified.

``<möte>.justering.json`` (:class:`Justering`): the protocol docgen built (its SHA-256), the signed file kept as
``<möte>-protokoll-justerat.pdf``, each signature read from it (name, role, time, certificate), and the
justering's day once every required signer has signed. A protocol signed and later rebuilt differently is
no longer the one signed: its justering moves to ``ersatta`` with the file renamed, never overwritten.

``<möte>.bestyrkande.json`` (:class:`Certification`): each extract and member package certified or sealed by
``docgen bestyrk``, the build's file it was made from (by SHA-256) and the signed copy under
``<möte>-bestyrkt/``. Kept apart from the justering so that certifying does not make the build stale: the
build reads the justering's day, never the certification.

Both are written atomically and read back through these models, so that a damaged record is said, not guessed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, ValidationError

from docgen.errors import DocgenError
from docgen.files import write_atomically
from docgen.input.validate import check_signed_calendar
from docgen.model.case import Case
from docgen.records.base import Record, reason
from docgen.records.sendlog import Digest, Time

_R = TypeVar("_R", bound=Record)
Role = Literal["justerare", "ordförande", "sekreterare", "annan"]
"""``annan``: a signature by someone not asked to sign (a provider's seal): shown, never counted."""
Way = Literal["certifikat", "signerad"]
"""How the signature came: ``docgen justera --certifikat``, or in a file signed elsewhere (``--signerad``)."""


class RecordError(DocgenError):
    """A justering or certification record that does not read: what was signed cannot be told from it."""

    exit_code = 1


class SignedBy(Record):
    name: str = Field(alias="namn", min_length=1)
    role: Role = Field(alias="roll")
    time: Time = Field(alias="tid")
    timestamped: bool = Field(alias="tidsstämplad")
    way: Way = Field(alias="sätt")
    field: str = Field(alias="fält", min_length=1)
    subject: str = Field(alias="certifikat")
    issuer: str = Field(alias="utfärdare")
    serial: str = Field(alias="serienummer")


class Required(Record):
    name: str = Field(alias="namn", min_length=1)
    role: Role = Field(alias="roll")


class Replaced(Record):
    """An earlier justering, of a protocol that has changed since: its signed file kept under another name."""

    file: str = Field(alias="fil", min_length=1)
    protocol_sha256: Digest = Field(alias="protokoll_sha256")
    sha256: Digest = Field(alias="justerad_sha256")
    signatures: tuple[SignedBy, ...] = Field(alias="underskrifter")


class Justering(Record):
    meeting: str = Field(alias="sammanträde")
    protocol: str = Field(alias="protokoll")
    """The built protocol, relative to the meeting's folder under out/."""
    protocol_sha256: Digest = Field(alias="protokoll_sha256")
    protocol_size: int = Field(alias="protokoll_byte", ge=0)
    compared: Literal["byte", "text"] = Field(alias="jämförelse")
    """``byte``: the signed file begins with the built protocol's bytes; ``text``: a provider made the file anew,
    and its pages read as the built protocol's, page for page."""
    signed_file: str = Field(alias="justerad_fil", min_length=1)
    signed_sha256: Digest = Field(alias="justerad_sha256")
    signed_size: int = Field(alias="justerad_byte", ge=0)
    required: tuple[Required, ...] = Field(alias="ska_skriva_under")
    signatures: tuple[SignedBy, ...] = Field(alias="underskrifter")
    day: dt.date | None = Field(alias="justeringsdag")
    """The day (Swedish time) the last required signer signed; None while someone is missing."""
    replaced: tuple[Replaced, ...] = Field((), alias="ersatta")

    def missing(self) -> list[Required]:
        """Who is still to sign."""
        signed = {s.name for s in self.signatures if s.role != "annan"}
        return [r for r in self.required if r.name not in signed]


class Certified(Record):
    file: str = Field(alias="fil", min_length=1)
    """The build's file, relative to the meeting's folder under out/."""
    built_sha256: Digest = Field(alias="byggd_sha256")
    kind: str = Field(alias="dokumenttyp", min_length=1)
    certified: str = Field(alias="bestyrkt_fil", min_length=1)
    """The signed copy, relative to the meeting file's folder."""
    sha256: Digest
    size: int = Field(alias="byte", ge=0)
    name: str = Field(alias="namn", min_length=1)
    time: Time = Field(alias="tid")


class Certification(Record):
    meeting: str = Field(alias="sammanträde")
    files: tuple[Certified, ...] = Field(alias="filer")

    def by_built(self) -> dict[str, Certified]:
        """The latest certification of each built file, by the built file's SHA-256."""
        return {entry.built_sha256: entry for entry in self.files}


JUSTERING_SUFFIX = ".justering.json"


def justering_file(meeting_file: Path) -> Path:
    return meeting_file.with_name(meeting_file.stem + JUSTERING_SUFFIX)


def signed_protocol_file(meeting_file: Path) -> Path:
    return meeting_file.with_name(meeting_file.stem + "-protokoll-justerat.pdf")


def certification_file(meeting_file: Path) -> Path:
    return meeting_file.with_name(meeting_file.stem + ".bestyrkande.json")


def certified_folder(meeting_file: Path) -> Path:
    return meeting_file.with_name(meeting_file.stem + "-bestyrkt")


def _read(model: type[_R], path: Path) -> _R | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RecordError(f"{path} går inte att läsa ({exc.strerror or type(exc).__name__})") from None
    try:
        return model.model_validate_json(data, by_alias=True, by_name=False)
    except ValidationError as exc:
        raise RecordError(f"{path} går inte att läsa ({reason(exc)}); docgen skriver inget nytt förrän "
                          "filen är hel igen (ta fram den ur säkerhetskopian)") from None


def _write(record: Record, path: Path) -> None:
    text = json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    write_atomically(path, text.encode("utf-8"))


def load_justering(meeting_file: Path) -> Justering | None:
    """The meeting's justering, or None before anyone has signed; :class:`RecordError` if it is damaged."""
    return _read(Justering, justering_file(meeting_file))


def save_justering(record: Justering, meeting_file: Path) -> None:
    _write(record, justering_file(meeting_file))


def load_certification(meeting_file: Path) -> Certification | None:
    return _read(Certification, certification_file(meeting_file))


def save_certification(record: Certification, meeting_file: Path) -> None:
    _write(record, certification_file(meeting_file))


def apply(case: Case, meeting_file: Path) -> Case:
    """``case`` with the justering's day from its record, where the protocol is signed electronically."""
    if case.meeting.adjustment.electronic:
        record = load_justering(meeting_file)
        case.meeting.adjustment.signed(record.day if record is not None else None)
        if case.meeting.adjustment.signed_on is not None:
            check_signed_calendar(case, meeting_file)
    return case


def inputs(case: Case, meeting_file: Path) -> list[Path]:
    """The records a build reads besides the YAML: the justering's (its day only), where it applies."""
    return [justering_file(meeting_file)] if case.meeting.adjustment.electronic else []
