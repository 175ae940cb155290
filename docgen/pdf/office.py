"""DOCX to PDF through long-lived LibreOffice workers: one at first, a second for a long queue.

Starting LibreOffice costs a second or two; converting a document a tenth
of that. So a build starts its first worker early (it comes up while the
templates are filled in), every document goes to whichever worker is free,
and a second worker starts only when :data:`SCALE_AT` documents wait (on two
cores a second LibreOffice also slows the filling-in of templates). Each
worker is :mod:`docgen.pdf.office_worker` under the system Python
(LibreOffice's UNO bridge lives there) with a LibreOffice profile of its
own, so a LibreOffice the secretary has open is never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import IO, Any

from docgen.errors import ToolError

PDF_OPTIONS: dict[str, Any] = {
    # PDF/A-2b for the archive, tagged and marked PDF/UA for the anslagstavla (lag 2018:1937).
    "SelectPdfVersion": 2,
    "UseTaggedPDF": True,
    "PDFUACompliance": True,
    "ExportBookmarks": True,
    "DisplayPDFDocumentTitle": True,
}

WORKER = Path(__file__).resolve().parent / "office_worker.py"


def convert_to_argument() -> str:
    """``PDF_OPTIONS`` as ``soffice --convert-to`` takes them (LibreOffice 7.4+ JSON filter options).

    docgen itself passes the options over UNO; this is for comparing with
    plain soffice runs (``make bench``) and for making test inputs.
    """
    typed = {name: {"type": "boolean" if isinstance(value, bool) else "long",
                    "value": str(value).lower() if isinstance(value, bool) else str(value)}
             for name, value in PDF_OPTIONS.items()}
    return "pdf:writer_pdf_Export:" + json.dumps(typed, separators=(",", ":"))


def converter_identity() -> bytes:
    """A digest of everything here that shapes a PDF: the export options and the worker's code.

    A cache of converted PDFs salts its keys with it, so that changing either never serves an old PDF.
    """
    return hashlib.sha256(json.dumps(PDF_OPTIONS, sort_keys=True).encode() + WORKER.read_bytes()).digest()


REPLY_TIMEOUT = 300.0
SCALE_AT = 12
"""Documents waiting before a further worker starts."""

INSTALL_HINT = ("LibreOffice saknas. Kör `make packages` (installerar det), eller som root: "
                "apt-get update && apt-get install -y libreoffice-writer-nogui python3-uno "
                "fonts-liberation2")


def soffice() -> str:
    """The soffice executable, or a Swedish error saying how to install it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ToolError(INSTALL_HINT)
    return found


def uno_python() -> str:
    """The interpreter that has LibreOffice's ``uno`` module (Debian: the system Python)."""
    for candidate in (os.environ.get("DOCGEN_UNO_PYTHON"), "/usr/bin/python3", "/usr/local/bin/python3"):
        if candidate and Path(candidate).is_file():
            return candidate
    raise ToolError(INSTALL_HINT)


def profile_root() -> Path:
    """Where the workers' LibreOffice profiles live: the user's cache, outside out/.

    Outside out/ so that LibreOffice can start before the YAML is validated
    (a failed check must leave out/ as it was), and kept between builds
    because creating a profile costs seconds.
    """
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "docgen" / "libreoffice"


def worker_count() -> int:
    return int(os.environ.get("DOCGEN_WORKERS", "0")) or max(1, min(2, os.cpu_count() or 1))


class _Worker:
    """One LibreOffice process behind :mod:`docgen.pdf.office_worker`."""

    def __init__(self, profile: Path) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        # A process group of its own: the worker, oosplash and soffice.bin are killed together,
        # so that a failed or interrupted build leaves no LibreOffice behind.
        self.process = subprocess.Popen(
            [uno_python(), str(WORKER), soffice(), profile.resolve().as_uri()],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", bufsize=1, start_new_session=True)
        self.ready = False
        self.error: ToolError | None = None

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            detail = self.process.stderr.read().strip().splitlines()[-1:] if self.process.stderr else []
            if any("No module named 'uno'" in d for d in detail):
                raise ToolError(INSTALL_HINT)
            raise ToolError("LibreOffice avslutades oväntat" + (f": {detail[0]}" if detail else ""))
        return json.loads(line)

    def wait_ready(self) -> None:
        if not self.ready:
            try:
                self._read()
            except ToolError as exc:
                self.error = exc
                raise
            self.ready = True

    def convert(self, docx: Path, pdf: Path, pages: dict[str, str] | None) -> dict[str, Any]:
        self.wait_ready()
        assert self.process.stdin is not None
        request = {"docx": str(docx.resolve()), "pdf": str(pdf.resolve()), "options": PDF_OPTIONS,
                   "pages": pages}
        try:
            self.process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            self.process.stdin.flush()
        except OSError:  # the worker is gone; _read says why
            pass
        reply = self._read()
        if not reply.get("ok"):
            raise ToolError(f"LibreOffice kunde inte göra PDF av {docx.name}: {reply.get('error')}")
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise ToolError(f"LibreOffice gav ingen PDF för {docx.name}")
        return reply

    def stop(self) -> None:
        """End of input: the worker closes LibreOffice and exits."""
        if self.process.stdin and not self.process.stdin.closed:
            with contextlib.suppress(OSError):  # already gone is as good as stopped
                self.process.stdin.close()

    def kill(self) -> None:
        """Kill the worker and every LibreOffice process it started."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def wait(self) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        self.kill()  # whatever of LibreOffice is still in the group


class Office:
    """A pool of LibreOffice workers; :meth:`submit` returns a future of the worker's reply.

    Use as a context manager: the workers start with the first document and stop on exit.
    """

    def __init__(self, profile_root: Path, workers: int | None = None, eager: bool = False) -> None:
        self.profile_root = profile_root
        self.eager = eager
        self.size = workers or worker_count()
        self.jobs: queue.Queue[tuple[Path, Path, dict[str, str] | None, Future] | None] = queue.Queue()
        self.workers: list[_Worker] = []
        self.threads: list[threading.Thread] = []
        self.released = False
        self.start_error: ToolError | None = None
        self.lock: IO[str] | None = None
        self.temporary = False

    def __enter__(self) -> Office:
        if self.eager:
            try:
                self._start()
            except ToolError as exc:
                # No LibreOffice here: say so when a document needs it, after the YAML check.
                self.start_error = exc
        return self

    def _start(self) -> None:
        # Started at the first document that needs converting: a build whose
        # PDFs all come from the cache starts no LibreOffice at all.
        self._lock_profiles()
        self._add_worker()

    def _add_worker(self) -> None:
        worker = _Worker(self.profile_root / f"profil-{len(self.workers) + 1}")
        self.workers.append(worker)
        thread = threading.Thread(target=self._serve, args=(worker,), daemon=True)
        thread.start()
        self.threads.append(thread)

    def submit(self, docx: Path, pdf: Path, pages: dict[str, str] | None = None) -> Future:
        if self.start_error is not None:
            raise self.start_error
        if not self.workers:
            self._start()
        elif len(self.workers) < self.size and self.jobs.qsize() >= SCALE_AT:
            # Another LibreOffice only pays for its start when the queue is long:
            # on two cores a second one also slows the filling-in of templates.
            self._add_worker()
        future: Future = Future()
        if not any(thread.is_alive() for thread in self.threads):
            # Every worker has died: fail now rather than wait for a reply that never comes.
            errors = [w.error for w in self.workers if getattr(w, "error", None)]
            future.set_exception(errors[0] if errors else ToolError("LibreOffice avslutades oväntat"))
            return future
        self.jobs.put((docx, pdf, pages, future))
        return future

    def _serve(self, worker: _Worker) -> None:
        # Take work only once LibreOffice is up, so no document waits on a starting worker.
        try:
            worker.wait_ready()
        except ToolError:
            if all(w.process.poll() is not None for w in self.workers):
                self._fail_remaining_with_startup_error(worker)
            return
        while (job := self.jobs.get()) is not None:
            docx, pdf, pages, future = job
            try:
                future.set_result(worker.convert(docx, pdf, pages))
            except BaseException as exc:  # handed to whoever waits on the future
                future.set_exception(exc)
                if isinstance(exc, ToolError) and worker.process.poll() is not None:
                    self._fail_remaining(exc)
                    return

    def _fail_remaining_with_startup_error(self, worker: _Worker) -> None:
        self._fail_remaining(worker.error or ToolError("LibreOffice startade inte"))

    def _fail_remaining(self, exc: BaseException) -> None:
        # A dead worker must not leave futures waiting forever when it was the only one.
        if all(w.process.poll() is not None for w in self.workers):
            while True:
                try:
                    job = self.jobs.get_nowait()
                except queue.Empty:
                    return
                if job is not None:
                    job[3].set_exception(exc)

    def _lock_profiles(self) -> None:
        # Two LibreOffices on one profile would hand each other their work:
        # a second docgen running at the same time gets profiles of its own.
        self.profile_root.mkdir(parents=True, exist_ok=True)
        self.lock = (self.profile_root / ".lås").open("w")
        try:
            fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.lock.close()
            self.lock = None
            self.profile_root = Path(tempfile.mkdtemp(prefix="docgen-libreoffice-"))
            self.temporary = True

    def release(self) -> None:
        """Tell the workers to stop once the queue is done, without waiting for LibreOffice to exit."""
        if self.released:
            return
        self.released = True
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join(timeout=REPLY_TIMEOUT)
        for worker in self.workers:
            worker.stop()

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        if exc_type is not None:  # the build failed: no point in letting LibreOffice finish
            for worker in self.workers:
                worker.kill()
        self.release()
        for worker in self.workers:
            worker.wait()
        if self.lock is not None:
            self.lock.close()
        if self.temporary:
            shutil.rmtree(self.profile_root, ignore_errors=True)
