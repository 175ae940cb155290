"""The library entry point: one meeting in, its whole folder in ``out/`` out.

Everything is first written to a staging folder next to the target; only
when every document has rendered, converted and merged does the staging
folder replace the meeting's folder. A failure leaves ``out/`` as it was.

A document whose DOCX comes out byte-identical to one converted before is
not converted again: its PDF comes from ``out/.cache/``. A build whose
inputs have not changed at all is answered by :mod:`docgen.fingerprint`
before this module is even imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from docgen import assemble, convert, fingerprint
from docgen import formatting as fmt
from docgen.errors import ToolError
from docgen.model import Case
from docgen.render import Job, member_package_name, plan, render_docx
from docgen.reproducible import normalise_docx, normalise_pdf, source_date
from docgen.validate import load_case

Progress = Callable[[str, int, int], None]
"""Called with what is being done, how many steps are done and how many there are."""

PROTOCOL = "protokoll"
MARKER = "‹{n}›"
"""Stands in the ärendelista's page cells until LibreOffice has laid the protocol out."""


@dataclass
class BuildResult:
    case: Case
    folder: Path
    files: list[Path] = field(default_factory=list)
    conversions: int = 0
    """How many documents LibreOffice converted (the rest came from the cache)."""


def build(meeting_file: Path, out_root: Path, progress: Progress | None = None,
          office: convert.Office | None = None) -> BuildResult:
    """Validate ``meeting_file`` and write every document of the meeting under ``out_root``.

    ``office`` is a pool of LibreOffice workers the caller started early (the
    CLI does, so that LibreOffice comes up while Python imports and validates);
    without one the build starts its own.
    """
    report = progress or (lambda _what, _done, _total: None)
    case = load_case(meeting_file)  # before anything is written
    digest = fingerprint.inputs_digest(meeting_file)
    out_root.mkdir(parents=True, exist_ok=True)
    target = out_root / case.meeting.slug
    staging = Path(tempfile.mkdtemp(prefix=f".{case.meeting.slug}-", dir=out_root))
    try:
        result = _build_into(case, staging, out_root, report, office)
        _write_manifest(case, result, staging / "resultat", digest)
        _replace(staging / "resultat", target)
        fingerprint.remember(meeting_file, out_root, target, digest)
        result.folder = target
        result.files = sorted(p for p in target.rglob("*") if p.is_file())
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _build_into(case: Case, staging: Path, out_root: Path, report: Progress,
                office: convert.Office | None) -> BuildResult:
    work, tree = staging / "arbete", staging / "resultat"
    work.mkdir()
    cache = _Cache(out_root / ".cache" / case.meeting.slug)
    stamp = source_date(dt.datetime.combine(case.meeting.date, case.meeting.start))
    markers = {item.number: MARKER.format(n=item.number) for item in case.meeting.items}
    jobs = plan(case, markers)
    jobs.sort(key=lambda job: job.key != PROTOCOL)  # the longest conversion goes first
    total = 2 * len(jobs) + 1
    done = 0
    pending: dict[str, tuple[Future, str]] = {}
    replies: dict[str, dict] = {}
    # A cold build starts LibreOffice at once, so that it comes up while the templates are filled in.
    pool = nullcontext(office) if office else convert.Office(convert.profile_root(), eager=cache.empty)
    with pool as office:
        for job in jobs:
            docx, pdf = work / f"{job.key}.docx", work / f"{job.key}.pdf"
            render_docx(job, docx, timestamp=stamp)
            normalise_docx(docx)
            done += 1
            report(f"fyller i {job.template}", done, total)
            key = cache.key(docx)
            if cache.fetch(key, pdf):
                replies[job.key] = cache.reply(key)
                done += 1
                continue
            pages = _page_spec() if job.key == PROTOCOL else None
            pending[job.key] = (office.submit(docx, pdf, pages), key)
        if PROTOCOL not in pending:
            _final_protocol_docx(case, replies[PROTOCOL], work, stamp)
        for job_key, (future, key) in pending.items():
            try:
                replies[job_key] = future.result(timeout=convert.REPLY_TIMEOUT)
            except TimeoutError:
                raise ToolError(f"LibreOffice svarade inte inom {convert.REPLY_TIMEOUT:.0f} s "
                                f"för {job_key}.docx") from None
            normalise_pdf(work / f"{job_key}.pdf", stamp)
            cache.store(key, work / f"{job_key}.pdf", replies[job_key])
            if job_key == PROTOCOL:  # the first to finish; the others convert meanwhile
                _final_protocol_docx(case, replies[PROTOCOL], work, stamp)
            done += 1
            report("gör PDF med LibreOffice", done, total)
        office.release()  # LibreOffice shuts down while the packages are put together
        cache.prune()
        for job in jobs:
            for output in job.outputs:
                for suffix in (".docx", ".pdf"):
                    dest = tree / (output + suffix)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(work / f"{job.key}{suffix}", dest)
        _assemble_packages(case, jobs, work, tree, stamp)
    report("klart", total, total)
    return BuildResult(case, tree, conversions=len(pending))


def _final_protocol_docx(case: Case, reply: dict, work: Path, stamp: dt.datetime) -> None:
    """The protocol's DOCX with the page ranges LibreOffice wrote into its PDF.

    The rendered DOCX differs from the final one only in the ärendelista's
    page cells, which hold a unique marker each: replacing the markers in
    word/document.xml gives exactly what rendering again would, in a fraction
    of the time.
    """
    pages = {int(n): text for n, text in (reply.get("pages") or {}).items()}
    missing = [item.number for item in case.meeting.items if not pages.get(item.number)]
    if missing:
        raise ToolError(f"LibreOffice hittade inte var § {missing[0]} börjar i protokollet; "
                        "rubriken ska ha formatmallen Rubrik 1 (Heading 1)")
    path = work / f"{PROTOCOL}.docx"
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    xml = parts["word/document.xml"].decode("utf-8")
    for item in case.meeting.items:
        marker = MARKER.format(n=item.number)
        if xml.count(marker) != 1:
            raise ToolError(f"ärendelistan i protokollet saknar platsen för sidorna till § {item.number}")
        xml = xml.replace(marker, escape(pages.get(item.number, "")))
    parts["word/document.xml"] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    normalise_docx(path)


def _page_spec() -> dict[str, str]:
    return {"single": "{first}", "range": f"{{first}}{fmt.EN_DASH}{{last}}",
            "pattern": r"^§\s*(\d+)$", "marker": MARKER}


class _Cache:
    """PDFs by the SHA-256 of the DOCX they were made from (and of the converter)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        folder.mkdir(parents=True, exist_ok=True)
        self.salt = hashlib.sha256(json.dumps(convert.PDF_OPTIONS, sort_keys=True).encode()
                                   + convert.WORKER.read_bytes()).digest()

    @property
    def empty(self) -> bool:
        return not any(self.folder.iterdir())

    def key(self, docx: Path) -> str:
        key = hashlib.sha256(self.salt + docx.read_bytes()).hexdigest()
        self.used.add(key)
        return key

    def fetch(self, key: str, pdf: Path) -> bool:
        cached = self.folder / f"{key}.pdf"
        if not cached.is_file():
            return False
        shutil.copyfile(cached, pdf)
        return True

    def reply(self, key: str) -> dict:
        try:
            return json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def store(self, key: str, pdf: Path, reply: dict) -> None:
        shutil.copyfile(pdf, self.folder / f"{key}.pdf")
        (self.folder / f"{key}.json").write_text(json.dumps(reply, ensure_ascii=False), encoding="utf-8")

    def prune(self) -> None:
        """Keep only what this build used: the cache is for the next edit, not an archive."""
        for path in self.folder.iterdir():
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


def _assemble_packages(case: Case, jobs: list[Job], work: Path, tree: Path, stamp: dt.datetime) -> None:
    request = case.request_item
    subject = request.request.subject if request and request.request else ""
    for member in case.association.members:
        folder = f"medlemmar/{member.id}/"
        parts = sorted(((output, job) for job in jobs for output in job.outputs if output.startswith(folder)),
                       key=lambda pair: pair[0])
        if not parts:
            continue
        assemble.merge([assemble.Part(job.title, f"{job.label} ", work / f"{job.key}.pdf") for _o, job in parts],
                       tree / member_package_name(member),
                       f"{case.association.name}: {subject} – handlingar till {member.name}", stamp)


def _write_manifest(case: Case, result: BuildResult, tree: Path, digest: str) -> None:
    """Every file with its SHA-256, size, document type and recipient: proof of what was sent."""
    kinds = {}
    for job in plan(case):
        for output in job.outputs:
            kinds[output] = job
    files = []
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        relative = path.relative_to(tree).as_posix()
        stem = relative.rsplit(".", 1)[0]
        job = kinds.get(stem)
        parts = relative.split("/")
        files.append({
            "fil": relative,
            "sha256": fingerprint.file_digest(path),
            "byte": path.stat().st_size,
            "dokumenttyp": job.label.lower() if job else "medlemspaket",
            "mottagare": [parts[1]] if parts[0] == "medlemmar" else list(job.recipients if job else ()),
        })
    manifest = {"sammanträde": case.meeting.slug, "organ": case.meeting.body,
                "datum": case.meeting.date.isoformat(), "indata": digest, "filer": files}
    (tree / fingerprint.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")


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
