"""``docgen justera``: the protocol signed, by certificate here or by a provider elsewhere, and kept as a record.

Two ways, one record (:mod:`docgen.records.justering`). With a certificate, docgen adds the holder's signature
to ``<möte>-protokoll-justerat.pdf`` (the built protocol the first time), one signer after the other. With a
file signed elsewhere, docgen checks that every signature holds and that what was signed is the protocol it
built: the file begins with the built protocol's bytes (an incremental signature), or, where the provider made
the file anew, its pages read as the built protocol's. The signatures in the file are the truth: the record is
written from what the file proves, so a record left behind by an interrupted run is mended, never guessed.

A protocol rebuilt differently after signing is a new document: its old justering is kept, renamed, and the
new one starts from nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from docgen.documents.kinds.protocol import PROTOCOL
from docgen.errors import DocgenError
from docgen.files import file_digest, write_atomically
from docgen.input.load import display_name
from docgen.input.validate import load_case
from docgen.model.case import Case
from docgen.pdf import signatures
from docgen.pdf.signatures import CERTIFICATE_PASSWORD, Reading, Signature
from docgen.pdf.text import squeezed_pages
from docgen.pipeline.fingerprint import up_to_date
from docgen.records import justering as records
from docgen.records.justering import Justering, Replaced, Required, Role, SignedBy, Way
from docgen.records.manifest import ManifestError, ManifestFile, load

TIMESTAMP_VARIABLE = "DOCGEN_TIDSSTAMPELSERVER"
"""A time-stamp server's address for this run, over the association's ``tidsstämpelserver``."""


class JusteringError(DocgenError):
    exit_code = 1


@dataclass
class Outcome:
    record: Justering
    added: list[SignedBy] = field(default_factory=list)
    replaced: Path | None = None
    """The earlier justering's file, renamed, when the protocol had changed since it was signed."""


def password() -> str | None:
    return os.environ.get(CERTIFICATE_PASSWORD)


def trust_roots(case: Case, extra: Sequence[Path] = ()) -> list | None:
    """The roots signatures are judged against: the association's ``betrodda_rotcertifikat`` and ``extra``;
    None when there are none (trust is then not judged)."""
    folder = case.sources[1].parent if len(case.sources) > 1 else Path()
    paths = [folder / p for p in case.association.signing.trust_roots] + list(extra)
    return signatures.trust_roots(paths) if paths else None


def timestamp_url(case: Case) -> str | None:
    return os.environ.get(TIMESTAMP_VARIABLE) or case.association.signing.timestamp_url


def required_signers(case: Case) -> list[Required]:
    meeting = case.meeting
    found = [Required(name=n, role=r) for n, r in meeting.signers(case.association.signing.signers)]
    missing = [r for r in case.association.signing.signers if r not in {x.role for x in found}]
    if missing:
        raise JusteringError(f"ingen i mötesfilens närvaro har rollen {', '.join(missing)}, som ska skriva under "
                             "protokollet (roll: under närvaro, eller elektronisk_justering.undertecknar i "
                             "förbundets YAML)")
    return found


def current_case(meeting_file: Path) -> Case:
    return records.apply(load_case(meeting_file), meeting_file)


def built_protocol(meeting_file: Path, case: Case, out_root: Path) -> tuple[ManifestFile, bytes]:
    """The protocol as the current build made it; a Swedish error when there is none, or the build is stale."""
    folder = out_root / case.meeting.slug
    rebuild = f"kör docgen build {display_name(meeting_file)} --out {out_root} först"
    try:
        manifest = load(folder)
    except ManifestError:
        raise JusteringError(f"{folder} har inga byggda handlingar; {rebuild}") from None
    if up_to_date(meeting_file, out_root) is None:
        raise JusteringError(f"handlingarna i {folder} är inte byggda från YAML-filerna som de ser ut nu; {rebuild}")
    entry = _protocol_entry(manifest)
    if entry is None:
        raise JusteringError(f"bygget i {folder} har inget protokoll; {rebuild}")
    data = (folder / entry.file).read_bytes()
    return entry, data


def _protocol_entry(manifest) -> ManifestFile | None:
    """The protocol's PDF (the build lists its Word file under the same kind)."""
    return next((e for e in manifest.files if e.kind == PROTOCOL.id and e.file.endswith(".pdf")), None)


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(ZoneInfo(signatures.SWEDISH_TIME)).date()


def _role(name: str, required: list[Required]) -> Role:
    wanted = _comparable(name)
    return next((r.role for r in required if _comparable(r.name) == wanted), "annan")


def _comparable(name: str) -> str:
    return " ".join(name.casefold().split())


def _record(case: Case, entry: ManifestFile, meeting_file: Path, data: bytes, reading: Reading,
            compared: str, earlier: Justering | None, ways: dict[str, Way]) -> Justering:
    """The record of ``data`` (the signed file): every signature in it, the day once all required have signed."""
    required = required_signers(case)
    before = {s.field: s for s in earlier.signatures} if earlier is not None else {}
    signed = []
    for s in reading.signatures:
        known = before.get(s.field)
        signed.append(_signed_by(s, _role(s.holder.name, required), ways.get(s.field, known.way if known else
                                                                                   "signerad")))
    names = {_comparable(x.name) for x in signed if x.role != "annan"}
    complete = all(_comparable(r.name) in names for r in required)
    counted = [x for x in signed if x.role != "annan"]
    day = max(_day(x.time) for x in counted) if complete and counted else None
    return Justering(meeting=case.meeting.slug, protocol=entry.file, protocol_sha256=entry.sha256,
                     protocol_size=entry.size, compared=compared,
                     signed_file=records.signed_protocol_file(meeting_file).name,
                     signed_sha256=_sha(data), signed_size=len(data), required=tuple(required),
                     signatures=tuple(signed), day=day, replaced=earlier.replaced if earlier else ())


def _signed_by(s: Signature, role: Role, way: Way) -> SignedBy:
    if s.signed_at is None:
        raise JusteringError(f"underskriften {s.field} av {s.holder.name} saknar tid")
    return SignedBy(name=s.holder.name, role=role, time=s.signed_at, timestamped=s.timestamped, way=way,
                    field=s.field, subject=s.holder.subject, issuer=s.holder.issuer, serial=s.holder.serial)


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _refuse_broken(reading: Reading, shown: str) -> None:
    if reading.problem:
        raise JusteringError(f"{shown}: {reading.problem}")
    bad = [s for s in reading.signatures if not s.ok]
    if bad:
        raise JusteringError(f"{shown}: " + "; ".join(signatures.described(s) for s in bad))


def _retire(record: Justering, meeting_file: Path) -> tuple[Justering | None, Path | None]:
    """The justering of an earlier protocol moved aside: its file renamed (never overwritten), kept in ``ersatta``."""
    signed = records.signed_protocol_file(meeting_file)
    number = len(record.replaced) + 1
    while (target := signed.with_name(f"{signed.stem}-ersatt-{number}.pdf")).exists():
        number += 1
    if signed.exists():
        os.link(signed, target)  # fails rather than overwrites; the old name goes only once the new one holds
        signed.unlink()
    kept = Replaced(file=target.name, protocol_sha256=record.protocol_sha256, sha256=record.signed_sha256,
                    signatures=record.signatures)
    stub = record.model_copy(update={"replaced": (*record.replaced, kept), "signatures": ()})
    return stub, target


def _existing(meeting_file: Path, entry: ManifestFile) -> tuple[Justering | None, Path | None, bytes | None]:
    """The justering so far of the protocol as built now (an earlier protocol's moved aside), and its file's bytes."""
    record = records.load_justering(meeting_file)
    replaced = None
    if record is not None and record.protocol_sha256 != entry.sha256 and record.signatures:
        record, replaced = _retire(record, meeting_file)
        records.save_justering(record, meeting_file)
    signed = records.signed_protocol_file(meeting_file)
    if record is None or not record.signatures:
        return record, replaced, None
    try:
        data = signed.read_bytes()
    except FileNotFoundError:
        raise JusteringError(f"{display_name(signed)} saknas men {display_name(records.justering_file(meeting_file))} "
                             "säger att protokollet har underskrifter; ta fram filen ur säkerhetskopian") from None
    return record, replaced, data


def with_certificate(meeting_file: Path, out_root: Path, p12: Path, extra_roots: Sequence[Path] = ()) -> Outcome:
    """Add the certificate holder's signature; the holder must be one who is to sign and has not yet."""
    case = current_case(meeting_file)
    entry, built = built_protocol(meeting_file, case, out_root)
    roots = trust_roots(case, extra_roots)
    signer = signatures.load_signer(p12, password())
    holder = signatures.holder_of(signer.signing_cert)
    required = required_signers(case)
    role = _role(holder.name, required)
    if role == "annan":
        asked = ", ".join(f"{r.name} ({r.role})" for r in required)
        raise JusteringError(f"{holder.name} (innehavare av {display_name(p12)}) är varken justerare, ordförande "
                             f"eller sekreterare vid sammanträdet och kan inte justera protokollet; "
                             f"de som ska skriva under är {asked}")
    record, replaced, source = _existing(meeting_file, entry)
    if source is not None and record is not None:
        _check_kept(source, built, record, meeting_file, roots)
        if any(_comparable(s.name) == _comparable(holder.name) for s in record.signatures):
            signed = display_name(records.signed_protocol_file(meeting_file))
            raise JusteringError(f"{holder.name} har redan skrivit under {signed}")
    number = len(record.signatures) + 1 if record and source is not None else 1
    reason = f"Justering av protokollet {case.meeting.body} {case.meeting.date.isoformat()}, som {role}"
    signed = signatures.sign(source if source is not None else built, signer, f"Justering {number}", reason,
                             timestamp_url(case))
    reading = signatures.read(signed, roots)
    _refuse_broken(reading, "den nya underskriften håller inte")
    ways = {reading.signatures[-1].field: "certifikat"}
    new = _record(case, entry, meeting_file, signed, reading, record.compared if record and source else "byte",
                  record, ways)
    _store(meeting_file, signed, new)
    return Outcome(new, [new.signatures[-1]], replaced)


def _check_kept(data: bytes, built: bytes, record: Justering, meeting_file: Path, roots) -> None:
    """The signed file so far holds: its signatures, and (signed here) its first bytes are the built protocol.

    Its digest may differ from the record's after a run stopped between writing the file and the record:
    the signatures in the file prove what happened, and the record is written anew from them.
    """
    shown = display_name(records.signed_protocol_file(meeting_file))
    _refuse_broken(signatures.read(data, roots), f"{shown} håller inte")
    if record.compared == "byte" and not data.startswith(built):
        raise JusteringError(f"{shown} börjar inte med det byggda protokollet; ta fram filen ur säkerhetskopian")


def with_signed_file(meeting_file: Path, out_root: Path, signed_file: Path,
                     extra_roots: Sequence[Path] = ()) -> Outcome:
    """Take a protocol signed elsewhere: every signature must hold and it must be the protocol docgen built."""
    case = current_case(meeting_file)
    entry, built = built_protocol(meeting_file, case, out_root)
    roots = trust_roots(case, extra_roots)
    shown = display_name(signed_file)
    try:
        data = signed_file.read_bytes()
    except OSError as exc:
        raise JusteringError(f"{shown} går inte att läsa ({exc.strerror or type(exc).__name__})") from None
    reading = signatures.read(data, roots)
    if not reading.signatures and not reading.problem:
        raise JusteringError(f"{shown} har ingen underskrift")
    _refuse_broken(reading, shown)
    compared = _compared(data, built, reading, shown, display_name(out_root / case.meeting.slug / entry.file))
    record, replaced, before = _existing(meeting_file, entry)
    if before is not None and record is not None and not data.startswith(before):
        record, replaced = _retire(record, meeting_file)
        records.save_justering(record, meeting_file)
    new = _record(case, entry, meeting_file, data, reading, compared, record, {})
    _store(meeting_file, data, new)
    known = {s.field for s in record.signatures} if record else set()
    return Outcome(new, [s for s in new.signatures if s.field not in known], replaced)


def _compared(data: bytes, built: bytes, reading: Reading, shown: str, built_shown: str) -> str:
    """``byte`` when the first signature signed the built protocol plus itself; ``text`` when the pages read alike."""
    first = reading.signatures[0]
    if data.startswith(built) and first.revision_end > len(built):
        return "byte"
    theirs, ours = squeezed_pages(data), squeezed_pages(built)
    if theirs[:len(ours)] == ours:
        return "text"
    raise JusteringError(f"{shown} är inte protokollet som docgen byggde ({built_shown}): varken dess byte eller "
                         "dess sidors text stämmer; låt skriva under det byggda protokollet")


def _store(meeting_file: Path, data: bytes, record: Justering) -> None:
    """The signed file first, then the record: a record never names a signature its file lacks."""
    write_atomically(records.signed_protocol_file(meeting_file), data)
    records.save_justering(record, meeting_file)


@dataclass(frozen=True)
class State:
    """Where the justering stands for the protocol as built now."""

    required: list[Required]
    record: Justering | None
    protocol_changed: bool
    """A justering exists, of a protocol other than the one built now."""
    file_problem: str | None = None

    @property
    def complete(self) -> bool:
        return (self.record is not None and not self.protocol_changed and self.file_problem is None
                and self.record.day is not None)

    def missing(self) -> list[Required]:
        if self.record is None or self.protocol_changed:
            return self.required
        return self.record.missing()


def state(case: Case, meeting_file: Path, out_root: Path | None, roots=None) -> State:
    """The justering of the current build's protocol: who signed, who not, and whether the file still holds."""
    required = required_signers(case)
    record = records.load_justering(meeting_file)
    if record is None or not record.signatures:
        return State(required, None, False)
    changed = False
    if out_root is not None:
        try:
            manifest = load(out_root / case.meeting.slug)
            entry = _protocol_entry(manifest)
            changed = entry is not None and entry.sha256 != record.protocol_sha256
        except ManifestError:
            pass
    problem = _file_problem(meeting_file, record, roots)
    return State(required, record, changed, problem)


def _file_problem(meeting_file: Path, record: Justering, roots) -> str | None:
    path = records.signed_protocol_file(meeting_file)
    try:
        digest = file_digest(path)
    except OSError:
        return f"{display_name(path)} saknas"
    if digest != record.signed_sha256:
        return f"{display_name(path)} har ändrats efter justeringen"
    reading = signatures.read(path.read_bytes(), roots)
    if not reading.ok:
        bad = [signatures.described(s) for s in reading.signatures if not s.ok]
        return f"{display_name(path)}: " + "; ".join(bad or [reading.problem or "underskrifterna håller inte"])
    return None
