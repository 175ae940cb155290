"""Proof, before anything leaves, that no member gets another member's documents.

Sending one member's package to another is a personal-data incident, so
the send stops (every e-mail, not just the wrong one) unless each member's
e-mail passes three checks:

* it goes to that member's registrator only, an address no other member has;
* each attachment was made for that member (the manifest's ``mottagare``
  names it), or is a file that every member it names gets byte for byte
  (the § 18 extract, the regressavtal);
* each attachment made for that member alone names it and no other in the
  member-specific form (``Kommunfullmäktige i Ydre kommun``). The
  att-clauses list every member by name, so a bare name proves nothing;
  the council phrase appears only where a document is addressed. Letters,
  proposals, packages and reminders must carry their own member's phrase.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from docgen.distribution.outgoing import Attachment, Delivery, addressed_members
from docgen.documents.kinds import kinds
from docgen.errors import DocgenError
from docgen.model.case import Case, Member
from docgen.pdf.text import UnreadablePdf, read_text
from docgen.records.manifest import PACKAGE_KIND


def addressed_kinds() -> frozenset[str]:
    """Document types (the manifest's ``dokumenttyp``) addressed to the member, which must name it:
    the kinds that say so (letter, proposal, reminder, …) and the member's package."""
    return frozenset({kind.id for kind in kinds() if kind.addressed} | {PACKAGE_KIND})


class IsolationError(DocgenError):
    """A member's e-mail would carry something that is not its own: nothing is sent."""

    exit_code = 1

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  – {p}" for p in problems)
        super().__init__(f"inget har skickats: utskicket stoppades eftersom en kommun annars kunde få en annan "
                         f"kommuns handlingar:\n{lines}\nRätta planen eller bygget och kör docgen build igen.")


def check_isolation(case: Case, deliveries: list[Delivery]) -> None:
    """Raise :class:`IsolationError` listing every violation; return quietly if there is none."""
    problems = _address_problems(case)
    checksums = {d.member.id: {a.sha256 for a in d.attachments} for d in deliveries}
    every_member = {m.id for m in case.association.members}
    for delivery in deliveries:
        for attachment in delivery.attachments:
            problems += _attachment_problems(case, delivery.member, attachment, checksums, every_member)
    if problems:
        raise IsolationError(problems)


def _address_problems(case: Case) -> list[str]:
    problems = []
    owners: dict[str, list[str]] = {}
    for member in case.association.members:
        owners.setdefault(member.registry_email.casefold(), []).append(member.name)
    for address, names in owners.items():
        if len(names) > 1:
            problems.append(f"{' och '.join(names)} har samma registratoradress {address}")
    return problems


def _attachment_problems(case: Case, member: Member, attachment: Attachment,
                         checksums: dict[str, set[str]], every_member: set[str]) -> list[str]:
    named = addressed_members(case, attachment.recipients)
    if member.id not in named:
        owners = ", ".join(case.association.member(m).name for m in sorted(named)) or ", ".join(attachment.recipients)
        # Read it too: the message then says whose text it is, not only whose the manifest says it is.
        return [f"{member.name} skulle få {attachment.file}, som är gjord för {owners}",
                *_content_problems(case, member, attachment)]
    shared_by = {m for m, sums in checksums.items() if attachment.sha256 in sums}
    if every_member <= shared_by:
        return []  # byte for byte the same for every member: nothing in it is one member's
    if named != {member.id}:
        if named <= shared_by:
            return []  # the same bytes for each member it names
        return [f"{attachment.file} ska gå till {len(named)} medlemmar men skiljer sig mellan deras utskick"]
    return _content_problems(case, member, attachment)


def _content_problems(case: Case, member: Member, attachment: Attachment) -> list[str]:
    try:
        text = squash(document_text(attachment))
    except _Unreadable as exc:
        return [f"{attachment.file} till {member.name} går inte att läsa för kontrollen: {exc}"]
    problems = [f"{attachment.file} till {member.name} nämner ”{other.council_in}”"
                for other in case.association.members
                if other.id != member.id and squash(other.council_in) in text]
    if attachment.kind in addressed_kinds() and squash(member.council_in) not in text:
        problems.append(f"{attachment.file} till {member.name} nämner inte ”{member.council_in}”")
    return problems


def squash(text: str) -> str:
    """Without whitespace, folded: a PDF's text breaks lines (and so phrases) wherever the layout did."""
    return re.sub(r"\s+", "", text.replace("\u00a0", " ")).casefold()


class _Unreadable(Exception):
    pass


def document_text(attachment: Attachment) -> str:
    """All text of a PDF (pages and title) or a Word file (body, headers, footers, properties)."""
    suffix = attachment.path.suffix.lower()
    try:
        if suffix == ".pdf":
            return _pdf_text(attachment.path)
        if suffix == ".docx":
            return _docx_text(attachment.path)
    except (OSError, UnreadablePdf, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise _Unreadable(str(exc) or type(exc).__name__) from None
    raise _Unreadable(f"filtypen {suffix or '(ingen)'} kan inte kontrolleras")


def _pdf_text(path: Path) -> str:
    text = read_text(path)
    return "\n".join([text.title, *text.pages])


# Word's text runs (body, headers, footers, notes) and the title and subject of the document properties.
_TEXT_ELEMENTS = ("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t",
                  "{http://purl.org/dc/elements/1.1/}title", "{http://purl.org/dc/elements/1.1/}subject")
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as docx:
        parts = [name for name in docx.namelist()
                 if (name.startswith("word/") and name.endswith(".xml")) or name == "docProps/core.xml"]
        return "\n".join(_runs(docx.read(name)) for name in parts)


def _runs(xml: bytes) -> str:
    # Runs are joined without a space; squash() drops whitespace anyway, so a phrase split over runs is found.
    root = etree.fromstring(xml, _XML_PARSER)
    return "".join(element.text or "" for element in root.iter(*_TEXT_ELEMENTS))
