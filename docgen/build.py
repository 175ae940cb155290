"""The library entry point: one meeting in, its whole folder in ``out/`` out.

Everything is first written to a staging folder next to the target; only
when every document has rendered, converted and merged does the staging
folder replace the meeting's folder. A failure leaves ``out/`` as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from docgen import assemble, convert
from docgen import formatting as fmt
from docgen.model import Case
from docgen.render import Job, member_package_name, plan, render_docx
from docgen.validate import load_case

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    case: Case
    folder: Path
    files: list[Path] = field(default_factory=list)
    conversions: int = 0


def build(meeting_file: Path, out_root: Path, progress: Progress | None = None) -> BuildResult:
    """Validate ``meeting_file`` and write every document of the meeting under ``out_root``."""
    say = progress or (lambda _message: None)
    case = load_case(meeting_file)
    out_root.mkdir(parents=True, exist_ok=True)
    target = out_root / case.meeting.slug
    staging = Path(tempfile.mkdtemp(prefix=f".{case.meeting.slug}-", dir=out_root))
    try:
        result = _build_into(case, staging, out_root / ".libreoffice-profil", say)
        _replace(staging / "resultat", target)
        result.folder = target
        result.files = sorted(p for p in target.rglob("*") if p.is_file())
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _build_into(case: Case, staging: Path, profile: Path, say: Progress) -> BuildResult:
    work, tree = staging / "arbete", staging / "resultat"
    work.mkdir()
    stamp = dt.datetime.combine(case.meeting.date, case.meeting.start)
    jobs = plan(case)
    say(f"fyller i {len(jobs)} mallar")
    for job in jobs:
        render_docx(job, work / f"{job.key}.docx", timestamp=stamp)
    say(f"gör PDF av {len(jobs)} dokument med LibreOffice")
    convert.to_pdf([work / f"{job.key}.docx" for job in jobs], work, profile)
    conversions = len(jobs)

    # The ärendelista gives each §'s pages, known only once the protocol is laid
    # out: render, read where each § starts, render again until it is stable.
    pages: dict[int, str] = {}
    for _attempt in range(3):
        found = paragraph_pages(work / "protokoll.pdf")
        if found == pages:
            break
        pages = found
        say("för in sidnummer i ärendelistan")
        protocol = next(job for job in plan(case, pages) if job.key == "protokoll")
        render_docx(protocol, work / "protokoll.docx", timestamp=stamp)
        convert.to_pdf([work / "protokoll.docx"], work, profile)
        conversions += 1

    for job in jobs:
        for output in job.outputs:
            for suffix in (".docx", ".pdf"):
                dest = tree / (output + suffix)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / f"{job.key}{suffix}", dest)
    say("sätter ihop medlemmarnas paket")
    _assemble_packages(case, jobs, work, tree)
    return BuildResult(case, tree, conversions=conversions)


def _assemble_packages(case: Case, jobs: list[Job], work: Path, tree: Path) -> None:
    for member in case.association.members:
        folder = f"medlemmar/{member.id}/"
        parts = sorted(((output, job) for job in jobs for output in job.outputs
                        if output.startswith(folder)), key=lambda pair: pair[0])
        if not parts:
            continue
        request = case.request_item
        subject = request.request.subject if request and request.request else ""
        assemble.merge([(job.title, work / f"{job.key}.pdf") for _output, job in parts],
                       tree / member_package_name(member),
                       f"{case.association.name}: {subject} – handlingar till {member.name}")


_PARAGRAPH_BOOKMARK = re.compile(r"^§\s*(\d+)$")


def paragraph_pages(pdf: Path) -> dict[int, str]:
    """Page range of each § in the protocol, read from the PDF's bookmarks."""
    reader = PdfReader(pdf)
    starts: list[tuple[int, int]] = []

    def walk(items: list) -> None:
        for entry in items:
            if isinstance(entry, list):
                walk(entry)
                continue
            match = _PARAGRAPH_BOOKMARK.match(entry.title.replace("\u00a0", " ").strip())
            if match:
                starts.append((int(match.group(1)), reader.get_destination_page_number(entry) + 1))

    walk(reader.outline)
    starts.sort(key=lambda pair: pair[1])
    total = len(reader.pages)
    ranges: dict[int, str] = {}
    for index, (number, first) in enumerate(starts):
        last = starts[index + 1][1] - 1 if index + 1 < len(starts) else total
        ranges[number] = fmt.page_range(first, max(first, last))
    return ranges


def _replace(new: Path, target: Path) -> None:
    """Put ``new`` where ``target`` is, keeping the old folder until the new one is in place."""
    old = target.with_name(f".{target.name}.gammal")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    if old.exists():
        shutil.rmtree(old)
