"""``docgen bestyrk``: every extract certified and every member package sealed, once the protocol is justerat.

Each is signed (PAdES, as the justering) by the one who certifies: the meeting's sekreterare, or the
association's own seal certificate (its holder named as the association). The signed copies are records:
they lie beside the meeting file under ``<möte>-bestyrkt/<build>/`` (one folder per build, so that no signed
copy is ever overwritten) and the certification record names each with the build's file it was made from.
``docgen send`` sends the signed copy of each file the build made, and nothing unsigned where signing applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docgen.documents.kinds.extract import EXTRACT
from docgen.errors import DocgenError
from docgen.files import file_digest, write_atomically
from docgen.input.load import display_name
from docgen.model.case import Case
from docgen.pdf import signatures
from docgen.records import justering as records
from docgen.records.justering import Certification, Certified
from docgen.records.manifest import PACKAGE_KIND, ManifestFile, load
from docgen.signing import justering
from docgen.signing.justering import JusteringError

CERTIFIED_KINDS = (EXTRACT.id, PACKAGE_KIND)
"""What is certified: the extracts (utdragsbestyrkande) and the member packages (sealed as a whole)."""


class NotCertifiedError(DocgenError):
    exit_code = 1


@dataclass
class Outcome:
    certified: list[Certified]
    kept: int
    """Files certified before, for this very build, and left as they were."""
    holder: str


def refuse_until_justerat(case: Case, meeting_file: Path, out_root: Path, roots=None) -> None:
    """With electronic signing, nothing is certified or sent before every required signature is there."""
    if not case.meeting.adjustment.electronic:
        return
    state = justering.state(case, meeting_file, out_root, roots)
    signed = display_name(records.signed_protocol_file(meeting_file))
    if state.protocol_changed:
        raise JusteringError(f"protokollet har ändrats sedan det justerades ({signed} gäller det förra); "
                             f"justera det nya: docgen justera {display_name(meeting_file)}")
    if state.file_problem:
        raise JusteringError(f"justeringen håller inte: {state.file_problem}")
    missing = state.missing()
    if missing:
        who = ", ".join(f"{r.name} ({r.role})" for r in missing)
        raise JusteringError(f"protokollet är inte justerat: {who} har inte skrivit under; "
                             f"docgen justera {display_name(meeting_file)} --certifikat FIL.p12 (eller --signerad "
                             "FIL.pdf)")


def certify(meeting_file: Path, out_root: Path, p12: Path, extra_roots: Sequence[Path] = ()) -> Outcome:
    case = justering.current_case(meeting_file)
    justering.built_protocol(meeting_file, case, out_root)  # the build is current, or a Swedish error
    roots = justering.trust_roots(case, extra_roots)
    refuse_until_justerat(case, meeting_file, out_root, roots)
    signer = signatures.load_signer(p12, justering.password())
    holder = signatures.holder_of(signer.signing_cert)
    _refuse_other_certifier(case, holder.name, p12)
    folder = out_root / case.meeting.slug
    manifest = load(folder)
    record = records.load_certification(meeting_file) or Certification(meeting=case.meeting.slug, files=())
    done = record.by_built()
    target = records.certified_folder(meeting_file) / manifest.inputs[:12]
    made, kept = [], 0
    for entry in (e for e in manifest.files if e.kind in CERTIFIED_KINDS and e.file.endswith(".pdf")):
        earlier = done.get(entry.sha256)
        if earlier is not None and _holds(meeting_file, earlier, roots) is None:
            kept += 1
            continue
        made.append(_certify_one(case, folder, entry, target, meeting_file, signer, holder.name, roots))
        # Each file is recorded as soon as it is written: an interrupted run loses no certified file.
        record = Certification(meeting=record.meeting, files=(*record.files, made[-1]))
        records.save_certification(record, meeting_file)
    return Outcome(made, kept, holder.name)


def _refuse_other_certifier(case: Case, holder: str, p12: Path) -> None:
    secretary = case.meeting.person_with_role("sekreterare")
    allowed = [n for n in (secretary.name if secretary else None, case.association.name) if n]
    if not any(" ".join(holder.casefold().split()) == " ".join(n.casefold().split()) for n in allowed):
        raise NotCertifiedError(f"{holder} (innehavare av {display_name(p12)}) kan inte bestyrka utdragen: det gör "
                                f"sekreteraren ({allowed[0]}) eller förbundets sigill ({case.association.name})")


def _certify_one(case: Case, folder: Path, entry: ManifestFile, target: Path, meeting_file: Path, signer,
                 holder: str, roots) -> Certified:
    source = folder / entry.file
    data = source.read_bytes()
    if file_digest(source) != entry.sha256:
        raise NotCertifiedError(f"{display_name(source)} har ändrats efter bygget; kör docgen build igen")
    if entry.kind == EXTRACT.id:
        field, reason = "Utdragsbestyrkande", "Utdraget överensstämmer med det justerade protokollet"
    else:
        field, reason = "Sigill", f"Medlemspaket från {case.association.name}, oförändrat sedan det förseglades"
    signed = signatures.sign(data, signer, field, reason, justering.timestamp_url(case))
    reading = signatures.read(signed, roots)
    if not reading.ok:
        raise NotCertifiedError(f"bestyrkandet av {display_name(source)} håller inte: "
                                + "; ".join(signatures.described(s) for s in reading.signatures))
    path = target / entry.file
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, signed)
    when = reading.signatures[-1].signed_at or dt.datetime.now(dt.UTC)
    return Certified(file=entry.file, built_sha256=entry.sha256, kind=entry.kind,
                     certified=path.relative_to(meeting_file.parent).as_posix(), sha256=file_digest(path),
                     size=len(signed), name=holder, time=when)


def certified_path(meeting_file: Path, entry: Certified) -> Path:
    return meeting_file.parent / entry.certified


def _holds(meeting_file: Path, entry: Certified, roots) -> str | None:
    """Why the certified copy does not hold (gone, changed, its signature broken), or None."""
    path = certified_path(meeting_file, entry)
    try:
        if file_digest(path) != entry.sha256:
            return f"{display_name(path)} har ändrats efter bestyrkandet"
    except OSError:
        return f"{display_name(path)} saknas"
    reading = signatures.read(path.read_bytes(), roots)
    if not reading.ok or not reading.signatures:
        return f"{display_name(path)}: underskriften håller inte (" + "; ".join(
            [signatures.described(s) for s in reading.signatures] + [reading.problem or ""]).strip("; ") + ")"
    return None


def certified_copy(case: Case, meeting_file: Path, file: str, sha256: str, kind: str, roots,
                   record: Certification | None) -> Certified | None:
    """The certified copy of the build's ``file`` for sending; None where none is made and none is required.

    With electronic signing each extract and package must have one; a copy that does not hold is refused, named.
    """
    if kind not in CERTIFIED_KINDS or not file.endswith(".pdf"):
        return None
    entry = record.by_built().get(sha256) if record is not None else None
    if entry is None:
        if case.meeting.adjustment.electronic:
            raise NotCertifiedError(f"{file} är inte bestyrkt; kör docgen bestyrk {display_name(meeting_file)} "
                                    "--certifikat FIL.p12 innan något skickas")
        return None
    problem = _holds(meeting_file, entry, roots)
    if problem is not None:
        raise NotCertifiedError(f"inget har skickats: {problem}; kör docgen bestyrk igen")
    return entry
