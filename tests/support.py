"""What tests share besides fixtures: the seed's paths, readers of PDF and DOCX text, builders of test
documents, a real SMTP server on localhost, and the processes a test started.

Imported as ``from support import …`` (pytest puts tests/ on sys.path for tests/conftest.py);
tests/conftest.py keeps only fixtures and hooks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as DEFAULT_POLICY
from pathlib import Path

from aiosmtpd.controller import Controller
from docx import Document
from hypothesis import settings
from pypdf import PdfReader

from docgen.records.manifest import ORIGIN_OWN, Manifest, ManifestFile, save

ROOT = Path(__file__).resolve().parent.parent
SEED_MEETING = ROOT / "decisions" / "2026-03-26-direktionen.yaml"
# A copy of shared/seed/000_d5a3116724947838.txt, so that a clone tests on its own.
SEED_PROTOCOL = ROOT / "tests" / "data" / "seed-protokoll-2026-03-26.txt"
MEMBERS = ("boxholm", "vimmerby", "ydre", "atvidaberg", "odeshog")

# Page furniture lies outside these heights (PDF points from the bottom of an A4 page):
# the header above, the justering/utdragsbestyrkande boxes below (templates: 2 cm margins).
BODY_TOP, BODY_BOTTOM = 770, 45


# --- the seed ------------------------------------------------------------------------------------


def copy_decisions(parent: Path, name: str = "decisions") -> Path:
    """A private copy of decisions/ in ``parent``; returns the seed meeting's YAML in it."""
    folder = parent / name
    shutil.copytree(SEED_MEETING.parent, folder)
    return folder / SEED_MEETING.name


def edited_copy(parent: Path, old: str, new: str) -> Path:
    """:func:`copy_decisions` into ``parent / "d"`` with ``old`` (which must stand there) replaced by ``new`` in the
    meeting's YAML; returns the meeting's YAML."""
    meeting = copy_decisions(parent, "d")
    text = meeting.read_text(encoding="utf-8")
    assert old in text
    meeting.write_text(text.replace(old, new), encoding="utf-8")
    return meeting


def private_copy(folder: Path, parent: Path) -> Path:
    """A copy of the built out/ ``folder`` as ``parent / "out"``, for a test to change."""
    copy = parent / "out"
    shutil.copytree(folder, copy, symlinks=True)
    return copy


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def examples_through_libreoffice() -> int:
    """Examples for a property test whose every example goes through LibreOffice (a second or more, where
    the others take milliseconds): a fiftieth of the hypothesis profile's, at least 4."""
    return max(4, settings().max_examples // 50)


# --- reading documents back ----------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def pdf_body_pages(path: Path) -> list[str]:
    """The text of each page without header and footer, chunks joined without spaces."""
    pages = []
    for page in PdfReader(path).pages:
        chunks: list[str] = []

        def keep(text: str, _cm, tm, _font, _size, chunks=chunks) -> None:
            if BODY_BOTTOM < tm[5] < BODY_TOP:
                chunks.append(text)

        page.extract_text(visitor_text=keep)
        pages.append("".join(chunks))
    return pages


def pdf_body_text(path: Path) -> str:
    return "".join(pdf_body_pages(path))


def xmp_element(packet: bytes) -> ET.Element:
    """A PDF's XMP packet as XML (writers pad it with NULs and whitespace)."""
    return ET.fromstring(packet.strip(b"\x00 \t\r\n"))


def docx_text(path: Path) -> str:
    """All text of a DOCX: body, tables, headers and footers."""
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    for section in doc.sections:
        for part in (section.header, section.footer):
            parts += [p.text for p in part.paragraphs]
            for table in part.tables:
                for row in table.rows:
                    parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def squash(text: str) -> str:
    """Remove all whitespace (NBSP too): PDF text chunks carry no reliable spaces."""
    return re.sub(r"\s+", "", text.replace("\u00a0", " "))


# --- building test documents ---------------------------------------------------------------------


def swedish_document(title: str, author: str = "Kommunalförbundet Itsam") -> Document:
    """A python-docx document in Swedish (LibreOffice takes /Lang from the styles' default language)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.author = author
    doc.core_properties.language = "sv-SE"
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), "sv-SE")
    return doc


def write_swedish_docx(path: Path, title: str, *paragraphs: str, heading: str | None = None,
                       author: str = "Kommunalförbundet Itsam") -> Path:
    """A :func:`swedish_document` with an optional heading and the paragraphs, saved at ``path``."""
    doc = swedish_document(title, author)
    if heading is not None:
        doc.add_heading(heading, level=1)
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


def soffice_export(source: Path, outdir: Path, profile: Path, target: str | None = None) -> Path:
    """``source`` exported by a plain ``soffice --convert-to`` run (docgen's PDF options unless ``target``)."""
    from docgen.pdf.office import convert_to_argument

    command = [shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile.as_uri()}",
               "--headless", "--norestore", "--nolockcheck",
               "--convert-to", target or convert_to_argument(), "--outdir", str(outdir), str(source)]
    env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, check=False)
    pdf = outdir / f"{source.stem}.pdf"
    assert result.returncode == 0 and pdf.is_file(), result.stderr or result.stdout
    return pdf


# --- a real SMTP server on localhost -------------------------------------------------------------


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    raw: bytes = b""
    """The message's bytes as the server received them."""


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message, and refuses once it has taken ``accept`` of them."""

    accept: int | None = None
    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, _server, _session, envelope) -> str:
        if self.accept is not None and len(self.messages) >= self.accept:
            return "554 5.3.4 Testservern tar inte emot fler meddelanden"
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      message_from_bytes(envelope.content, policy=DEFAULT_POLICY),
                                      envelope.content))
        return "250 2.0.0 Ok: mottaget"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_smtp_server(handler: Recorder) -> Iterator[Controller]:
    """aiosmtpd on 127.0.0.1 with ``handler`` while the block runs (its port: ``controller.port``)."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def smtp_environ(port: int) -> dict[str, str]:
    """Settings from the environment only, as a secretary's shell would have them; plain SMTP to localhost."""
    return {"DOCGEN_SMTP_SERVER": "127.0.0.1", "DOCGEN_SMTP_PORT": str(port),
            "DOCGEN_SMTP_SAKERHET": "okrypterad", "DOCGEN_SMTP_AVSANDARE": "registrator@itsam.se"}


# --- processes -----------------------------------------------------------------------------------


TEST_PROCESS = "DOCGEN_TEST_PROCESS"
"""The variable that tests/conftest.py sets to the test process's pid."""


def soffice_pids() -> set[int]:
    """Every LibreOffice process and docgen worker that this test process started, directly or not
    (zombies included): those whose environment carries its :data:`TEST_PROCESS`."""
    found = subprocess.run(["pgrep", "-f", r"soffice\.bin|oosplash|office_worker\.py"], capture_output=True,
                           text=True).stdout
    return {pid for pid in map(int, found.split()) if _started_here(pid)}


def _started_here(pid: int) -> bool:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return False  # already gone
    if environ:
        return f"{TEST_PROCESS}={os.getpid()}".encode() in environ.split(b"\0")
    # A zombie has no environment left: it is ours while its parent, which has not reaped it, is.
    return parent == os.getpid() or parent in descendants(os.getpid())


def terminal_signals() -> None:
    """``preexec_fn``: SIGINT and SIGTERM as at a terminal (a CI supervisor may hand them blocked or ignored)."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``, read from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name in parentheses may hold spaces; the parent's pid follows the state.
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def list_as_built(folder: Path, *files: Path) -> None:
    """Write ``folder``'s manifest as an earlier build would have, listing ``files`` as docgen's own."""
    entries = tuple(ManifestFile(file=path.relative_to(folder).as_posix(),
                                 sha256=hashlib.sha256(path.read_bytes()).hexdigest(), size=path.stat().st_size,
                                 kind="protokoll", recipients=(), origin=ORIGIN_OWN)
                    for path in files)
    save(Manifest(meeting=folder.name, body="Direktionen", date=dt.date(2026, 3, 26), inputs="0" * 64,
                  files=entries), folder)


def sendable_copy(tmp_path: Path, source: Path | None = None) -> Path:
    """``decisions/`` (or ``source``) copied as a real send needs it: every ``svar_senast`` 90 days ahead
    of today and no value marked ``# EXEMPEL``; returns the copied folder."""
    folder = tmp_path / "decisions"
    shutil.copytree(source or SEED_MEETING.parent, folder)
    ahead = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    for path in folder.glob("*.yaml"):
        text = re.sub(r"(svar_senast:\s*)\d{4}-\d{2}-\d{2}", rf"\g<1>{ahead}", path.read_text(encoding="utf-8"))
        path.write_text(re.sub(r"[ \t]*#\s*EXEMPEL.*$", "", text, flags=re.M), encoding="utf-8")
    return folder


def write_send_log(path: Path, data: bytes) -> None:
    """Write a send log as docgen would have written it: the log, and its control file naming every line.

    The control file is made here from the bytes alone (one SHA-256 per line), not by docgen's own code, so a
    test of damage found by the control file has an oracle of its own.
    """
    path.write_bytes(data)
    lines = data.split(b"\n")
    lines = lines[:-1] if lines[-1] == b"" else lines
    control = path.with_name(f"{path.stem}.kontroll.json")
    control.write_text(json.dumps({"rader": [hashlib.sha256(line).hexdigest() for line in lines]}),
                       encoding="utf-8")
