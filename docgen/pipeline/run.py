"""The library entry point: one meeting in, its whole folder in ``out/`` out.

Everything is first written to a staging folder next to the target; only
when every document has rendered, converted and merged does the staging
folder replace the meeting's folder. A failure leaves ``out/`` as it was.

The stages run overlapped: each document is rendered, handed to a
LibreOffice worker, and each member's package is merged as soon as its
parts are converted. Documents of a kind that each member gets its own of
(the hemställan, the förslag till beslut) are joined, up to :data:`JOIN_AT`
at a time, into one file for one LibreOffice load (:mod:`docgen.documents.joined`)
and split again per member (:mod:`docgen.pdf.split`). A build whose inputs have not changed at all is
answered by :mod:`docgen.pipeline.fingerprint` before this module is imported.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import multiprocessing.context
import shutil
import signal
import time
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.documents import agenda, joined
from docgen.documents.attachments import prepare_attachment
from docgen.documents.contract import check_styles
from docgen.documents.plan import PlannedDocument, outputs, package_path, packages, plan
from docgen.documents.render import fill, render_docx
from docgen.documents.templates import Templates
from docgen.errors import ToolError
from docgen.input.validate import load_case
from docgen.model import formatting as fmt
from docgen.model.case import Case, Member
from docgen.pdf import assemble, normalise, split
from docgen.pdf import office as convert
from docgen.pipeline import fingerprint, outfolder
from docgen.pipeline.cache import PdfCache
from docgen.pipeline.manifest import write_manifest
from docgen.pipeline.produce import source_date
from docgen.records import justering

Progress = Callable[[str, int, int], None]
"""Called with what is being done, how many steps are done and how many there are."""

Addition = Callable[[Case, list[PlannedDocument], Path, Path | None], list[str]]
"""Writes more files into a finished meeting tree before it replaces the old one (the review page).

Called with the case, the plan, the new tree and the meeting's previous folder
(None on a first build); returns the files it wrote, relative to the tree, for
the manifest. The build cannot import later stages, so the CLI hands it in.
An addition may also have a method ``ready(case, document, pdf)``: the build
calls it with each document's final PDF as soon as it is there, so that work
on it can start while LibreOffice still converts the rest; and ``close()``,
which the build calls however it ends, before it removes its work folder.
"""

JOIN_AT = 50
"""Members' documents of one kind joined into one LibreOffice load, at most this many (issue 17)."""

MERGE_PROCESS_ABOVE = 20
"""Above this many member packages, merging and filling in templates run in processes of their own."""


@dataclass
class BuildResult:
    case: Case
    folder: Path
    files: list[Path] = field(default_factory=list)
    conversions: int = 0
    """How many documents LibreOffice converted (the rest came from the cache)."""


def build(meeting_file: Path, out_root: Path, progress: Progress | None = None,
          office: convert.Office | None = None, use_cache: bool = True, overwrite: bool = False,
          addition: Addition | None = None, case: Case | None = None,
          release_office: bool = False) -> BuildResult:
    """Validate ``meeting_file`` and write every document of the meeting under ``out_root``.

    LibreOffice starts only once the input has passed every check (and not at
    all when every PDF comes from the cache); ``office`` is a pool a caller
    keeps warm between builds instead. ``use_cache=False`` converts every
    document anew. ``overwrite`` allows replacing files in the meeting folder
    that docgen did not make (see :mod:`docgen.pipeline.outfolder`). ``addition``
    writes further files into the tree before it is put in place. ``case`` is ``meeting_file`` as
    :func:`~docgen.input.validate.load_case` read it, if the caller has it already.
    ``release_office``: the caller's pool serves this build only, so LibreOffice may shut down
    as soon as the last document is converted, while the files are copied.
    """
    report = progress or (lambda _what, _done, _total: None)
    case = justering.apply(case or load_case(meeting_file), meeting_file)  # before anything is written
    templates = Templates(case.templates_folder)
    documents = plan(case)
    check_styles(documents, templates)
    inputs = [*case.sources, *justering.inputs(case, meeting_file),
              *(d.source for d in documents if d.source is not None)]
    digest = fingerprint.inputs_digest(inputs, templates.folders())
    out_root.mkdir(parents=True, exist_ok=True)
    with outfolder.exclusive(out_root):
        outfolder.prepare(out_root, case.meeting.slug, overwrite)
        target = out_root / case.meeting.slug
        staging = outfolder.new_staging(out_root, case.meeting.slug)
        try:
            tree = staging / "resultat"
            result = _build_into(case, documents, templates, staging, out_root, report, office, use_cache,
                                 addition, release_office)
            added = addition(case, documents, tree, target if target.is_dir() else None) if addition else []
            write_manifest(case, documents, tree, digest, added)
            outfolder.replace(tree, target)
            fingerprint.remember(meeting_file, out_root, target, digest, inputs, templates.folders())
        except BaseException:
            if office is not None:  # the caller's LibreOffice may be writing into the staging folder still
                office.abort()
            raise
        finally:
            _close(addition)  # its work in the staging folder stops before the folder goes
            shutil.rmtree(staging, ignore_errors=True)
    result.folder = target
    result.files = sorted(p for p in target.rglob("*") if p.is_file())
    return result


def _build_into(case: Case, documents: list[PlannedDocument], templates: Templates, staging: Path,
                out_root: Path, report: Progress, office: convert.Office | None, use_cache: bool,
                addition: Addition | None, release_office: bool = False) -> BuildResult:
    work, tree = staging / "arbete", staging / "resultat"
    work.mkdir()
    cache = PdfCache(outfolder.cache_folder(out_root, case.meeting.slug),
                     convert.converter_identity() + normalise.identity(), use_cache, fingerprint.code_identity())
    stamp = source_date(dt.datetime.combine(case.meeting.date, case.meeting.start))
    ordered = conversion_order(case, documents)
    # A cold build starts LibreOffice at once, so that it comes up while the templates are filled in.
    owned = office is None or release_office  # otherwise the caller's pool stays warm for its next build
    pool = nullcontext(office) if office else convert.Office(convert.profile_root(), eager=cache.empty)
    ready = getattr(addition, "ready", None)
    with pool as office, _Pipeline(case, documents, templates, work, tree, cache, stamp, office, report,
                                   ready) as line:
        for document in ordered:
            line.render(document)
            line.take_rendered(wait=False)
            line.merge_ready_packages(wait=False)  # while LibreOffice converts the next ones
        line.take_rendered(wait=True)
        line.stop_rendering()
        line.flush_joined()
        line.merge_ready_packages(wait=True)
        if owned:  # LibreOffice shuts down while the files are copied
            office.release()
    cache.prune()
    for document in documents:
        for output in outputs(document):
            for suffix in document.suffixes:
                dest = tree / (output.path + suffix)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / f"{document.key}{suffix}", dest)
    report("klart", line.total, line.total)
    return BuildResult(case, tree, conversions=len(line.pending))


def conversion_order(case: Case, documents: list[PlannedDocument]) -> list[PlannedDocument]:
    """The protocol first (the longest conversion: laid out twice), then what several packages share, then
    each member's own documents member by member, so that each package is merged while LibreOffice
    converts the next member's (by kind, the last package could only be merged after the last PDF)."""
    member_order = {member.id: index for index, member in enumerate(case.association.members)}

    def key(document: PlannedDocument) -> tuple[bool, bool, int]:
        shared = len(document.packages) > 1
        owner = member_order.get(document.packages[0], -1) if len(document.packages) == 1 else -1
        return not document.kind.agenda_pages, not shared, owner

    return sorted(documents, key=key)  # stable: within a member, the plan's order


def _close(addition: Addition | None) -> None:
    close = getattr(addition, "close", None)
    if close is not None:
        close()


def package_title(case: Case, member: Member) -> str:
    """The title of a member's package: the request's subject, or the meeting when it asks for several."""
    requests = case.request_items
    if len(requests) == 1 and requests[0].request:
        what = requests[0].request.subject
    else:
        what = f"{case.meeting.body_genitive.lower()} sammanträde {fmt.long_date(case.meeting.date)}"
    return f"{case.association.name}: {what} – handlingar till {member.name}"


class _DeafProcess(multiprocessing.context.SpawnProcess):
    """A spawned process that never sees SIGINT: Ctrl-C reaches the terminal's whole process group, and
    this build decides how its processes end (a process still importing would print a traceback).

    The signal is blocked while it starts; a blocked signal stays blocked across exec, whenever the
    pool starts the process.
    """

    def start(self) -> None:
        before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            super().start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)


class _DeafContext(multiprocessing.context.SpawnContext):
    Process = _DeafProcess


def _processes(count: int, case: Case | None = None) -> ProcessPoolExecutor:
    """``count`` processes of their own, started afresh (spawn: nothing of this one's threads is copied),
    given ``case`` once if they fill in templates."""
    return ProcessPoolExecutor(count, mp_context=_DeafContext(), initializer=_remember_case, initargs=(case,))


_CASE: Case | None = None
"""The case the rendering process fills templates in for (see :func:`_remember_case`)."""


def _remember_case(case: Case | None) -> None:
    global _CASE
    _CASE = case


def _render_job(document: PlannedDocument, docx: Path, templates: Templates, stamp: dt.datetime,
                pages: dict[int, str] | None, filling: Any) -> None:
    """:func:`render_docx` in the rendering process, for the case it was given at its start."""
    assert _CASE is not None
    render_docx(document, _CASE, docx, templates, timestamp=stamp, pages=pages, filling=filling)


def _joinable_kinds(documents: list[PlannedDocument]) -> set[str]:
    """Kinds filled in once per member, each copy in that member's package only: joined to convert."""
    counts: dict[str, int] = {}
    for document in documents:
        if document.kind.template is not None and not document.kind.agenda_pages and len(document.packages) == 1:
            counts[document.kind.id] = counts.get(document.kind.id, 0) + 1
    return {kind for kind, count in counts.items() if count >= 2}


@dataclass(frozen=True)
class _Join:
    """One LibreOffice conversion of several members' documents joined: its PDF, its parts and their cache keys."""

    pdf: Path
    documents: list[PlannedDocument]
    keys: list[str]


class _Pipeline:
    """Render, convert and merge as soon as each step's inputs are there."""

    def __init__(self, case: Case, documents: list[PlannedDocument], templates: Templates, work: Path,
                 tree: Path, cache: PdfCache, stamp: dt.datetime, office: convert.Office,
                 report: Progress, ready: Callable[[Case, PlannedDocument, Path], None] | None = None) -> None:
        self.case, self.templates, self.work, self.tree, self.cache = case, templates, work, tree, cache
        self.stamp, self.office, self.report, self.ready_hook = stamp, office, report, ready
        self.pending: dict[str, tuple[Future, str, PlannedDocument]] = {}
        self.ready: set[str] = set()
        self.packages = packages(case, documents)
        self.merged = 0
        self.total = 2 * len(documents) + len(self.packages)
        self.done = 0
        # Many packages are merged in processes of their own, alongside the filling-in of
        # templates; for a handful, starting those processes costs more than it saves.
        many = len(self.packages) > MERGE_PROCESS_ABOVE
        self.merger = _processes(2) if many else None
        self.merges: list[Future] = []
        # Many members' documents are filled in in a process of their own too, while this one
        # schedules, splits and normalises (the case goes to it once).
        self.renderer = _processes(1, case) if many else None
        self.rendering: list[tuple[PlannedDocument, str, Future]] = []
        self.joinable = _joinable_kinds(documents)
        self.joining: dict[str, list[PlannedDocument]] = {}
        """Members' documents of a kind waiting to be joined, by kind."""
        self.joins: dict[str, _Join] = {}
        """The joined conversion each document is part of, by document key."""
        self.joined = 0

    def __enter__(self) -> _Pipeline:
        return self

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        for pool in (self.renderer, self.merger):
            if pool is not None:
                # Waited for even when the build failed: a merge or a template still being written would
                # otherwise land in the staging folder after it is removed, and leave it behind.
                pool.shutdown(wait=True, cancel_futures=exc_type is not None)

    def step(self, what: str) -> None:
        self.done += 1
        self.report(what, self.done, self.total)

    def render(self, document: PlannedDocument) -> None:
        docx = self.work / f"{document.key}.docx"
        is_protocol = document.kind.agenda_pages
        if document.kind.template is None:  # the secretary's own file
            prepare_attachment(document, self.work, self.stamp)
            self.step(f"tar med {document.source.name}")
            if document.external:  # kept as it is: nothing to convert
                self._finish(document, {})
                return
        else:
            pages = agenda.markers(self.case) if is_protocol else None
            source = self.templates.path(document.kind.template)
            filling = fill(document, self.case, pages)
            filled = self.cache.docx_key(filling.material() + source.read_bytes() + str(self.stamp).encode())
            if not self.cache.fetch_docx(filled, docx):
                if self.renderer is not None:  # filled in beside this process; taken up in take_rendered
                    self.rendering.append((document, filled, self.renderer.submit(
                        _render_job, document, docx, self.templates, self.stamp, pages, filling)))
                    return
                render_docx(document, self.case, docx, self.templates, timestamp=self.stamp, pages=pages,
                            filling=filling)
                self.cache.store_docx(filled, docx)
            self.step(f"fyller i {document.kind.template}")
        self._rendered(document)

    def take_rendered(self, wait: bool) -> None:
        """Take up the documents the rendering process has filled in, in the order they were handed to it."""
        while self.rendering and (wait or self.rendering[0][2].done()):
            document, filled, future = self.rendering.pop(0)
            future.result()  # a template's error is raised here, as it would have been in this process
            self.cache.store_docx(filled, self.work / f"{document.key}.docx")
            self.step(f"fyller i {document.kind.template}")
            self._rendered(document)

    def stop_rendering(self) -> None:
        """Everything is filled in: the rendering process ends, its memory free for the merging ones."""
        if self.renderer is not None:
            self.renderer.shutdown(wait=True)
            self.renderer = None

    def _rendered(self, document: PlannedDocument) -> None:
        """``document``'s DOCX is there: convert it, alone or joined with its kind's others."""
        if document.kind.id in self.joinable:
            batch = self.joining.setdefault(document.kind.id, [])
            batch.append(document)
            if len(batch) >= JOIN_AT:
                self._submit_joined(self.joining.pop(document.kind.id))
            return
        self._submit(document)

    def _submit(self, document: PlannedDocument) -> None:
        docx, pdf = self.work / f"{document.key}.docx", self.work / f"{document.key}.pdf"
        is_protocol = document.kind.agenda_pages
        key = self.cache.key(docx)
        reply = self.cache.fetch(key, pdf)
        if reply is not None:
            self._finish(document, reply)
            return
        spec = agenda.page_spec() if is_protocol else None
        self.pending[document.key] = (self.office.submit(docx, pdf, spec), key, document)

    def flush_joined(self) -> None:
        """Every document rendered: join and convert what waits to be joined."""
        for kind in list(self.joining):
            self._submit_joined(self.joining.pop(kind))

    def _submit_joined(self, batch: list[PlannedDocument]) -> None:
        """Convert ``batch`` (members' documents of one kind) as one file, or each alone if they cannot be joined.

        The parts' PDFs are cached under keys of the joined file: a part is served from the cache only
        with the others it was converted with, so its bytes never depend on what an earlier build converted.
        """
        if len(batch) < 2:
            for document in batch:
                self._submit(document)
            return
        self.joined += 1
        name = f"samlade-{batch[0].kind.id}-{self.joined}"
        docx, pdf = self.work / f"{name}.docx", self.work / f"{name}.pdf"
        if not joined.join([self.work / f"{d.key}.docx" for d in batch], docx):
            for document in batch:
                self._submit(document)
            return
        key = self.cache.key(docx)
        keys = [self.cache.part_key(key, index) for index in range(len(batch))]
        cached = [self.cache.fetch(part, self.work / f"{d.key}.pdf") for part, d in zip(keys, batch)]
        if all(reply is not None for reply in cached):
            for document, reply in zip(batch, cached):
                self._finish(document, reply or {})
            return
        future = self.office.submit(docx, pdf, parts=joined.spec(len(batch)))
        conversion = _Join(pdf, batch, keys)
        for document, part in zip(batch, keys):
            self.pending[document.key] = (future, part, document)
            self.joins[document.key] = conversion

    def _collect(self, document: PlannedDocument, wait: bool) -> bool:
        """Whether the PDF of ``document`` is there; takes in a finished conversion once."""
        if document.key in self.ready:
            return True
        if document.key not in self.pending:
            return False
        future, key, _document = self.pending[document.key]
        if not wait and not future.done():
            return False
        self._await(future, document)
        try:
            reply = future.result(timeout=0)
        except ToolError as exc:
            raise self._first_failure() or exc from None
        conversion = self.joins.get(document.key)
        if conversion is not None:
            self._split(conversion, reply)
            return True
        normalise.normalise_pdf(self.work / f"{document.key}.pdf", self.stamp)
        self.cache.store(key, self.work / f"{document.key}.pdf", reply)
        self._finish(document, reply)
        return True

    def _await(self, future: Future, document: PlannedDocument) -> None:
        """Wait for ``future``, but fail as soon as any conversion has failed: a build whose LibreOffice hangs
        says so after the first document, not after every document before this one has timed out too."""
        deadline = time.monotonic() + convert.REPLY_TIMEOUT
        while not future.done():
            if (failure := self._first_failure()) is not None:
                raise failure
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ToolError(f"LibreOffice svarade inte inom {convert.REPLY_TIMEOUT:.0f} s "
                                f"för {document.key}.docx")
            running = {f for f, _key, _doc in self.pending.values() if not f.done()} | {future}
            futures.wait(running, timeout=remaining, return_when=futures.FIRST_COMPLETED)

    def _first_failure(self) -> BaseException | None:
        """The first document's conversion that failed, not a later one that failed in its wake."""
        return next((f.exception() for f, _key, _doc in self.pending.values()
                     if f.done() and not f.cancelled() and f.exception()), None)

    def _split(self, conversion: _Join, reply: dict[str, Any]) -> None:
        """Each part of a joined conversion as its member's own PDF, normalised, cached and finished."""
        # Normalised whole first: a broken PDF is named as any other, and the parts share the ICC profile.
        normalise.normalise_pdf(conversion.pdf, self.stamp)
        ranges = reply.get("parts") or []
        if not isinstance(ranges, list) or len(ranges) != len(conversion.documents) or not all(
                isinstance(pages, list) and len(pages) == 2 and all(type(n) is int for n in pages) for pages in ranges):
            raise ToolError(f"LibreOffice angav sidor för {len(ranges)} av {len(conversion.documents)} delar "
                            f"i {conversion.pdf.name}")
        parts = [split.Part(first, last, self.work / f"{d.key}.pdf",
                            *joined.properties(self.work / f"{d.key}.docx"))
                 for (first, last), d in zip(ranges, conversion.documents)]
        split.split(conversion.pdf, parts, self.stamp)
        for document, key in zip(conversion.documents, conversion.keys):
            self.cache.store(key, self.work / f"{document.key}.pdf", {})
            self._finish(document, {})

    def _finish(self, document: PlannedDocument, reply: dict[str, Any]) -> None:
        if document.kind.agenda_pages:
            pages = {int(n): text for n, text in (reply.get("pages") or {}).items()}
            agenda.finish_protocol_docx(self.case, pages, self.work / f"{document.key}.docx")
        self.ready.add(document.key)
        if self.ready_hook is not None:
            self.ready_hook(self.case, document, self.work / f"{document.key}.pdf")
        self.step("gör PDF med LibreOffice")

    def merge_ready_packages(self, wait: bool) -> None:
        """Merge the packages, in member order, whose documents are converted.

        Waiting, each package waits only for its own parts: a rebuild merges while LibreOffice
        still converts the protocol, which no package holds. Then the rest is taken in.
        """
        while self.merged < len(self.packages):
            member, parts = self.packages[self.merged]
            if not all(self._collect(document, wait) for document in parts):
                return
            self._merge(member, parts)
            self.merged += 1
            self.step("sätter ihop medlemspaket")
        if wait:
            for _future, _key, document in list(self.pending.values()):
                self._collect(document, wait=True)
            for merge in self.merges:
                merge.result()

    def _merge(self, member: Member, parts: list[PlannedDocument]) -> None:
        dest = self.tree / package_path(member)
        dest.parent.mkdir(parents=True, exist_ok=True)
        arguments = ([assemble.Part(d.title, f"{d.kind.label} ", self.work / f"{d.key}.pdf", d.external)
                      for d in parts], dest, package_title(self.case, member), self.stamp)
        if self.merger is None:
            assemble.merge(*arguments)
        else:
            self.merges.append(self.merger.submit(assemble.merge, *arguments))
