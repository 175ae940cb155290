"""Shared fixtures: the seed meeting built once per test session, and PDF/DOCX readers."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from docx import Document
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A clear skip reason beats a wall of ToolErrors on a machine without LibreOffice.
    if shutil.which("soffice") is None:
        skip = pytest.mark.skip(reason="LibreOffice (soffice) saknas: kör make test")
        for item in items:
            if "libreoffice" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory):
    """The seed meeting built with the real pipeline (LibreOffice included)."""
    from docgen.pipeline.run import build

    out = tmp_path_factory.mktemp("out")
    return build(SEED_MEETING, out)


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


@pytest.fixture(scope="module")
def built_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An out/ folder with the seed built once, cache included: copies of it rebuild without LibreOffice."""
    from docgen.pipeline.run import build

    out = tmp_path_factory.mktemp("byggd") / "out"
    build(SEED_MEETING, out)
    return out


@pytest.fixture
def out(built_out: Path, tmp_path: Path) -> Path:
    """A private copy of :func:`built_out`."""
    copy = tmp_path / "out"
    shutil.copytree(built_out, copy, symlinks=True)
    return copy


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def soffice_pids() -> set[int]:
    """Every LibreOffice process and docgen worker on the machine (zombies included)."""
    found = subprocess.run(["pgrep", "-f", r"soffice\.bin|oosplash|office_worker\.py"], capture_output=True,
                           text=True).stdout
    return {int(pid) for pid in found.split()}


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
