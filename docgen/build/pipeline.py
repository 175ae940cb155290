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
import io
import json
import multiprocessing
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from docgen.build import fingerprint
from docgen.documents.render import Job, member_package_name, plan, render_docx
from docgen.errors import ToolError
from docgen.input.validate import load_case
from docgen.model import formatting as fmt
from docgen.model.case import Case, Member
from docgen.pdf import assemble
from docgen.pdf import office as convert
from docgen.pdf.normalise import normalise_docx, normalise_pdf, source_date

Progress = Callable[[str, int, int], None]
"""Called with what is being done, how many steps are done and how many there are."""

PROTOCOL = "protokoll"
MARKER = "‹{n}›"
MERGE_PROCESS_FROM = 20
"""Member packages from which merging runs in a process of its own."""
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
    # The protocol (the longest conversion) first, then what every member package shares.
    jobs = sorted(plan(case, markers), key=lambda job: (job.key != PROTOCOL, len(job.outputs) == 1))
    # A cold build starts LibreOffice at once, so that it comes up while the templates are filled in.
    pool = nullcontext(office) if office else convert.Office(convert.profile_root(), eager=cache.empty)
    with pool as office, _Pipeline(case, jobs, work, tree, cache, stamp, office, report) as line:
        for job in jobs:
            line.render(job)
            line.merge_ready_packages(wait=False)  # while LibreOffice converts the next ones
        line.merge_ready_packages(wait=True)
        office.release()  # LibreOffice shuts down while the files are copied
    cache.prune()
    for job in jobs:
        for output in job.outputs:
            for suffix in (".docx", ".pdf"):
                dest = tree / (output + suffix)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / f"{job.key}{suffix}", dest)
    report("klart", line.total, line.total)
    return BuildResult(case, tree, conversions=len(line.pending))


class _Pipeline:
    """Render, convert and merge as soon as each step's inputs are there."""

    def __init__(self, case: Case, jobs: list[Job], work: Path, tree: Path, cache: _Cache,
                 stamp: dt.datetime, office: convert.Office, report: Progress) -> None:
        self.case, self.work, self.tree, self.cache = case, work, tree, cache
        self.stamp, self.office, self.report = stamp, office, report
        self.pending: dict[str, tuple[Future, str]] = {}
        self.ready: set[str] = set()
        self.packages = _package_parts(case, jobs)
        self.merged = 0
        self.total = 2 * len(jobs) + len(self.packages)
        self.done = 0
        request = case.request_item
        self.subject = request.request.subject if request and request.request else ""
        # Many packages are merged in a process of their own, alongside the filling-in of
        # templates in this one; for a handful, starting that process costs more than it saves.
        self.merger = (ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
                       if len(self.packages) > MERGE_PROCESS_FROM else None)
        self.merges: list[Future] = []

    def __enter__(self) -> _Pipeline:
        return self

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        if self.merger is not None:
            self.merger.shutdown(wait=exc_type is None, cancel_futures=exc_type is not None)

    def step(self, what: str) -> None:
        self.done += 1
        self.report(what, self.done, self.total)

    def render(self, job: Job) -> None:
        docx, pdf = self.work / f"{job.key}.docx", self.work / f"{job.key}.pdf"
        render_docx(job, docx, timestamp=self.stamp)
        self.step(f"fyller i {job.template}")
        key = self.cache.key(docx)
        if self.cache.fetch(key, pdf):
            self._finish(job.key, self.cache.reply(key))
            return
        pages = _page_spec() if job.key == PROTOCOL else None
        self.pending[job.key] = (self.office.submit(docx, pdf, pages), key)

    def _collect(self, job_key: str, wait: bool) -> bool:
        """Whether the PDF of ``job_key`` is there; takes in a finished conversion once."""
        if job_key in self.ready:
            return True
        if job_key not in self.pending:
            return False
        future, key = self.pending[job_key]
        if not wait and not future.done():
            return False
        try:
            reply = future.result(timeout=convert.REPLY_TIMEOUT)
        except TimeoutError:
            raise ToolError(f"LibreOffice svarade inte inom {convert.REPLY_TIMEOUT:.0f} s "
                            f"för {job_key}.docx") from None
        except ToolError as exc:
            # Report the first document that failed, not a later one that failed in its wake.
            raise next((f.exception() for f, _key in self.pending.values() if f.done() and f.exception()),
                       exc) from None
        normalise_pdf(self.work / f"{job_key}.pdf", self.stamp)
        self.cache.store(key, self.work / f"{job_key}.pdf", reply)
        self._finish(job_key, reply)
        return True

    def _finish(self, job_key: str, reply: dict) -> None:
        if job_key == PROTOCOL:
            _final_protocol_docx(self.case, reply, self.work, self.stamp)
        self.ready.add(job_key)
        self.step("gör PDF med LibreOffice")

    def merge_ready_packages(self, wait: bool) -> None:
        """Merge the packages, in member order, whose documents are converted."""
        if wait:
            for job_key in self.pending:
                self._collect(job_key, wait=True)
        while self.merged < len(self.packages):
            member, parts = self.packages[self.merged]
            if not all(self._collect(job.key, wait) for job in parts):
                return
            dest = self.tree / member_package_name(member)
            dest.parent.mkdir(parents=True, exist_ok=True)
            arguments = ([assemble.Part(job.title, f"{job.label} ", self.work / f"{job.key}.pdf") for job in parts],
                         dest, f"{self.case.association.name}: {self.subject} – handlingar till {member.name}",
                         self.stamp)
            if self.merger is None:
                assemble.merge(*arguments)
            else:
                self.merges.append(self.merger.submit(assemble.merge, *arguments))
            self.merged += 1
            self.step("sätter ihop medlemspaket")
        if wait:
            for merge in self.merges:
                merge.result()


def _package_parts(case: Case, jobs: list[Job]) -> list[tuple[Member, list[Job]]]:
    """Each member's documents in the package's order (the numbered file names)."""
    by_folder: dict[str, list[tuple[str, Job]]] = {}
    for job in jobs:
        for output in job.outputs:
            if output.startswith("medlemmar/"):
                by_folder.setdefault(output.split("/")[1], []).append((output, job))
    return [(member, [job for _output, job in sorted(by_folder[member.id], key=lambda pair: pair[0])])
            for member in case.association.members if member.id in by_folder]


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
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    normalise_docx(path, buffer.getvalue())


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
