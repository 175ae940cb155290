"""What goes to each member: taken from the plan and the build's manifest, never from a folder listing.

For each member one e-mail: its package (one PDF of everything the protocol
sends it), then what each document's kind e-mails besides (its ``mailed``):
the proposal also as a Word file, so that the council's secretary can copy
the att-clauses, and the extracts sent to it for information that its
package does not already hold. Every file must be
listed in ``manifest.json`` with the checksum it has on disk now: a file
that was changed after the build, or that the build never made, is not sent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from docgen.documents.plan import PlannedDocument, outputs, package_path, plan, reading_order
from docgen.errors import DocgenError
from docgen.model.case import ALL_MEMBERS, Case, Member
from docgen.pipeline.fingerprint import changed_outputs, file_digest, up_to_date
from docgen.records.manifest import MANIFEST, PACKAGE_KIND, ManifestError, ManifestFile, load

REQUEST = "hemställan"
"""The purpose of the first e-mail to each member: the protocol's documents."""
REMINDER = "påminnelse"


class NotBuiltError(DocgenError):
    """The meeting's documents are missing, stale, or were changed after the build."""

    exit_code = 1


@dataclass(frozen=True)
class Attachment:
    """One file attached to a member's e-mail."""

    path: Path
    name: str
    """The file name the registrator sees."""
    sha256: str
    size: int
    kind: str
    """The document type (the manifest's ``dokumenttyp``)."""
    recipients: tuple[str, ...]
    """Whom the build made it for (the manifest's ``mottagare``)."""
    file: str
    """Where it lies, relative to the meeting folder (or the reminder folder; a certified copy: the meeting file's)."""
    certified_by: str | None = None
    """Who signed this copy (docgen bestyrk): the sekreterare, or the association's seal."""


@dataclass(frozen=True)
class Delivery:
    """One e-mail's worth: a member and the files it gets."""

    member: Member
    purpose: str
    attachments: tuple[Attachment, ...]

    @property
    def digest(self) -> str:
        """SHA-256 over the attachments' names and checksums: what makes this e-mail this one."""
        lines = "".join(f"{a.name}\0{a.sha256}\n" for a in self.attachments)
        return hashlib.sha256(f"{self.purpose}\n{lines}".encode()).hexdigest()

    @property
    def size(self) -> int:
        return sum(a.size for a in self.attachments)


SHOWN = 5
"""How many changed files a refusal names before it says how many more there are."""


def meeting_folder(case: Case, out_root: Path) -> Path:
    return out_root / case.meeting.slug


def built_folder(meeting_file: Path, case: Case, out_root: Path) -> Path:
    """The meeting folder if it is built from the YAML as it is now and unchanged since; else a Swedish error."""
    folder = meeting_folder(case, out_root)
    if not (folder / MANIFEST).is_file():
        raise NotBuiltError(f"{folder} har inga byggda handlingar (manifest.json saknas); kör först "
                            f"docgen build {meeting_file} --out {out_root}")
    if up_to_date(meeting_file, out_root) is None:
        rebuild = f"kör docgen build {meeting_file} --out {out_root} och granska dem innan något skickas"
        changed = changed_outputs(folder)
        if changed:
            shown = ", ".join(str(folder / file) for file in changed[:SHOWN])
            more = f" och {len(changed) - SHOWN} filer till" if len(changed) > SHOWN else ""
            raise NotBuiltError(f"{shown}{more} har ändrats eller tagits bort efter bygget; {rebuild}")
        raise NotBuiltError(f"handlingarna i {folder} är inte byggda från YAML-filerna som de ser ut nu; {rebuild}")
    return folder


def read_manifest(folder: Path) -> dict[str, ManifestFile]:
    """The build's manifest, by file (relative to ``folder``)."""
    try:
        return load(folder).by_file()
    except ManifestError as exc:
        raise NotBuiltError(str(exc)) from None


def deliveries(case: Case, folder: Path) -> list[Delivery]:
    """Each member's e-mail of the protocol's documents, in member order; members it sends nothing are left out."""
    documents = plan(case)
    manifest = read_manifest(folder)
    result = []
    for member in case.association.members:
        files = member_files(case, documents, manifest, member)
        if files:
            attachments = tuple(_attachment(folder, manifest[file]) for file in files)
            result.append(Delivery(member, REQUEST, attachments))
    _refuse_clashing_names(result)
    return result


def member_files(case: Case, documents: list[PlannedDocument], manifest: dict[str, ManifestFile],
                 member: Member) -> list[str]:
    """The files the protocol sends ``member``, as the plan names them; each must be in the manifest."""
    files: list[str] = []

    def take(file: str) -> None:
        if file not in manifest:
            raise NotBuiltError(f"{file} ska skickas till {member.name} men finns inte i manifest.json; "
                                "kör docgen build igen")
        if file not in files:
            files.append(file)

    if any(member.id in d.packages for d in documents):
        take(package_path(member))
    # Further packages (one per request, should the build make several) are the member's own by the manifest.
    for entry in manifest.values():
        if entry.kind == PACKAGE_KIND and entry.recipients == (member.id,):
            take(entry.file)
    # Then what its kind e-mails besides the package (the proposal's Word file, an extract for information
    # that the package does not hold), in the order the member reads them.
    mailed = [d for d in documents if d.kind.mailed and _for(case, d, member)]
    for document in reading_order(case, mailed):
        for suffix in document.kind.mailed:
            if suffix != ".pdf" or member.id not in document.packages:
                take(_copy(document, member) + suffix)
    return files


def _for(case: Case, document: PlannedDocument, member: Member) -> bool:
    """Whether ``document`` is meant for ``member``: written for it, or sent to it by the protocol."""
    if document.member is not None:
        return document.member == member.id
    return addresses(case, document.recipients, member)


def addresses(case: Case, recipients: tuple[str, ...], member: Member) -> bool:
    return member.id in addressed_members(case, recipients)


def addressed_members(case: Case, recipients: tuple[str, ...]) -> set[str]:
    """The member ids a recipient list names: every member for Medlemskommunerna, else by id or name."""
    members = case.association.members
    if ALL_MEMBERS in recipients:
        return {m.id for m in members}
    return {m.id for m in members if m.id in recipients or m.name in recipients}


def _copy(document: PlannedDocument, member: Member) -> str:
    """The copy of ``document`` in the member's folder, else the first copy the plan has.

    Taking whatever copy the plan names (rather than skipping one that is not
    the member's) leaves a wrong plan for the isolation check to catch.
    """
    copies = outputs(document)
    own = [c for c in copies if c.member == member.id]
    return (own or copies)[0].path


def _attachment(folder: Path, entry: ManifestFile) -> Attachment:
    path = folder / entry.file
    return Attachment(path, Path(entry.file).name, entry.sha256, entry.size, entry.kind, entry.recipients,
                      entry.file)


def check_unchanged(delivery: Delivery) -> None:
    """Each attachment still has the checksum the manifest gave it (read just before it leaves)."""
    for attachment in delivery.attachments:
        try:
            actual = file_digest(attachment.path)
        except OSError:
            actual = None
        if actual != attachment.sha256:
            raise NotBuiltError(f"{attachment.path} har ändrats eller tagits bort efter bygget; kör docgen build "
                                "igen och granska handlingarna innan något skickas")


def _refuse_clashing_names(result: list[Delivery]) -> None:
    for delivery in result:
        names = [a.name for a in delivery.attachments]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise NotBuiltError(f"två bilagor till {delivery.member.name} heter {', '.join(twice)}; "
                                "registratorn kan inte skilja dem åt")
