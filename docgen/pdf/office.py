"""DOCX to PDF through long-lived LibreOffice workers: one at first, a second for a long queue.

Starting LibreOffice costs a second or two; converting a document a tenth
of that. So a cold build starts its workers early (``eager``: they come up
while the YAML is checked and the templates are filled in), every document
goes to whichever worker is free, and otherwise a second worker starts only
when :data:`SCALE_AT` documents wait (on two cores a second LibreOffice also
slows the filling-in of templates). Each
worker is :mod:`docgen.pdf.office_worker` under the system Python
(LibreOffice's UNO bridge lives there) with a LibreOffice profile of its
own, so a LibreOffice the secretary has open is never touched.

LibreOffice's whole life is under docgen's control. Every reply is awaited
for a bounded time (:func:`start_timeout` for start-up,
:func:`document_timeout` per document). A worker that hangs or dies under a
document is killed with everything it started (its process group) and the
document is tried once more on a fresh worker; a second failure fails the
document with a Swedish message naming it, what happened, the worker's exit
status and the last thing LibreOffice wrote on stderr. Every worker is
started, and ended, by the thread serving its place in the pool, so no
worker outlives the :class:`Office` (and, see :mod:`docgen.pdf.office_worker`,
none outlives docgen).
"""

from __future__ import annotations

import collections
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
import time
from concurrent.futures import Future
from dataclasses import dataclass
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


def worker_script() -> Path:
    """The worker to run: :data:`WORKER`, or the script in ``DOCGEN_OFFICE_WORKER`` (tests inject faults so)."""
    override = os.environ.get("DOCGEN_OFFICE_WORKER")
    if not override:
        return WORKER
    path = Path(override).resolve()
    if not path.is_file():
        raise ToolError(f"DOCGEN_OFFICE_WORKER pekar på {override}, som inte finns.")
    return path


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
    return hashlib.sha256(json.dumps(PDF_OPTIONS, sort_keys=True).encode() + worker_script().read_bytes()).digest()


DOCUMENT_TIMEOUT = 120.0
"""Seconds a worker may take over one document before it counts as hung (env ``DOCGEN_DOCUMENT_TIMEOUT``)."""
START_TIMEOUT = 90.0
"""Seconds a worker may take to start LibreOffice (env ``DOCGEN_START_TIMEOUT``)."""
KILL_GRACE = 3.0
"""Seconds a worker gets after SIGTERM to kill and reap its LibreOffice before its group gets SIGKILL."""
STOP_GRACE = 20.0
"""Seconds a worker gets to close LibreOffice after its input ends."""


def _seconds(variable: str, default: float) -> float:
    try:
        seconds = float(os.environ.get(variable, ""))
    except ValueError:
        return default
    return seconds if seconds > 0 else default


def document_timeout() -> float:
    return _seconds("DOCGEN_DOCUMENT_TIMEOUT", DOCUMENT_TIMEOUT)


def start_timeout() -> float:
    return _seconds("DOCGEN_START_TIMEOUT", START_TIMEOUT)


REPLY_TIMEOUT = 2 * (start_timeout() + document_timeout() + KILL_GRACE) + 60.0
"""How long a caller waits on a future: only a safety net, as the pool answers every future sooner
(at worst a start, a hang, a restart and a second hang)."""

SCALE_AT = 12
"""Documents waiting before a further worker starts."""

INSTALL_HINT = ("LibreOffice saknas. Kör `make packages` (installerar det), eller som root: "
                "apt-get update && apt-get install -y libreoffice-writer-nogui python3-uno "
                "fonts-liberation2")

NOISE = ("javaldx",)
"""stderr lines that say nothing about a failure (LibreOffice missing Java it does not need)."""


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


@dataclass(frozen=True)
class _Extras:
    """What a worker does besides converting: the protocol's page cells, or a joined file's parts."""

    pages: dict[str, str] | None = None
    parts: dict[str, Any] | None = None


class _Failure(ToolError):
    """A worker hung, died or gave no PDF: a fresh worker may do better, so the document is tried again."""

    def __init__(self, what: str, status: int | None, last_words: str | None) -> None:
        self.what, self.status, self.last_words = what, status, last_words
        super().__init__(f"LibreOffice {what} ({self.details()})" if self.details() else f"LibreOffice {what}")

    def details(self, *first: str) -> str:
        parts = list(first)
        if self.status is not None:
            parts.append(f"slutstatus {self.status}")
        if self.last_words:
            parts.append(f"senaste felutskrift: {self.last_words}")
        return "; ".join(parts)


def _document_failed(name: str, first: _Failure, second: _Failure) -> ToolError:
    tries = "två försök i rad" if first.what == second.what else f"första försöket {first.what}"
    return ToolError(f"LibreOffice kunde inte göra PDF av {name}: {second.what} ({second.details(tries)})")


class _Worker:
    """One LibreOffice behind :mod:`docgen.pdf.office_worker`, in a process group of its own."""

    def __init__(self, command: list[str], profile: Path) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        # A process group of its own: the worker, oosplash and soffice.bin are killed together,
        # so that a failed or interrupted build leaves no LibreOffice behind.
        self.process = subprocess.Popen(
            [*command, profile.resolve().as_uri()],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        self.replies: queue.Queue[bytes | None] = queue.Queue()
        self.stderr: collections.deque[str] = collections.deque(maxlen=50)
        self.readers = [threading.Thread(target=self._pump_replies, daemon=True),
                        threading.Thread(target=self._pump_stderr, daemon=True)]
        for reader in self.readers:
            reader.start()
        self.ready = False
        self.ended = False
        self.error: ToolError | None = None
        self.guard = threading.Lock()

    def _pump_replies(self) -> None:
        # A thread reads, so that waiting for a reply can time out (and nothing else reads stdout).
        assert self.process.stdout is not None
        with self.process.stdout as stdout:
            for line in stdout:
                self.replies.put(line)
        self.replies.put(None)

    def _pump_stderr(self) -> None:
        # Read all along: a worker writing much to a pipe nobody reads would block.
        assert self.process.stderr is not None
        with self.process.stderr as stderr:
            for raw in stderr:
                line = raw.decode("utf-8", "replace").strip()
                if line:
                    self.stderr.append(line)

    def last_words(self) -> str | None:
        """The last non-empty line the worker or its LibreOffice wrote on stderr, leaving out noise."""
        return next((line for line in reversed(self.stderr) if not any(n in line for n in NOISE)), None)

    def running(self) -> bool:
        """Whether the worker still runs; its exit is left unreaped, so its pid keeps naming its group."""
        if self.process.returncode is not None:
            return False
        try:
            return os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        except ChildProcessError:
            return self.process.poll() is None

    def usable(self) -> bool:
        return self.ready and not self.ended and self.running()

    def _wait_exit(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while self.running():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def _failure(self, what: str) -> _Failure:
        self.kill()  # also lets the stderr reader finish, so the last words are the last
        return _Failure(what, self.process.returncode, self.last_words())

    def _read(self, seconds: float, hung: str, died: str) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._failure(hung)
            try:
                line = self.replies.get(timeout=min(left, 0.2))
            except queue.Empty:
                if self.running():
                    continue
                # Gone. Its stdout may stay open in a child it left behind, so do not wait for
                # the end of it; a reply written just before the end is taken still.
                try:
                    line = self.replies.get(timeout=0.5)
                except queue.Empty:
                    line = None
            if line is None:
                raise self._failure(died)
            try:
                return json.loads(line)
            except ValueError:
                raise self._failure(f"svarade obegripligt: {line[:80].decode('utf-8', 'replace')!r}") from None

    def wait_ready(self, seconds: float) -> None:
        if self.ready:
            return
        try:
            self._read(seconds, f"startade inte inom {seconds:g} s", "avslutades oväntat vid start")
        except _Failure as failure:
            missing_uno = any("No module named 'uno'" in line for line in self.stderr)
            self.error = ToolError(INSTALL_HINT) if missing_uno else failure
            raise self.error from None
        self.ready = True

    def convert(self, docx: Path, pdf: Path, extras: _Extras, seconds: float) -> dict[str, Any]:
        assert self.process.stdin is not None
        request = {"docx": str(docx.resolve()), "pdf": str(pdf.resolve()),
                   # A joined file's blank pages (where a part restarts its page numbers) are left out.
                   "options": {**PDF_OPTIONS, "IsSkipEmptyPages": True} if extras.parts else PDF_OPTIONS,
                   "pages": extras.pages, "parts": extras.parts}
        try:
            self.process.stdin.write((json.dumps(request, ensure_ascii=False) + "\n").encode())
            self.process.stdin.flush()
        except (OSError, ValueError):  # the worker is gone (or being killed); _read says why
            pass
        reply = self._read(seconds, f"svarade inte inom {seconds:g} s", "avslutades oväntat")
        if not reply.get("ok"):
            # The document itself is the problem: another worker would fail on it too.
            raise ToolError(f"LibreOffice kunde inte göra PDF av {docx.name}: {reply.get('error')}")
        if not pdf.is_file() or pdf.stat().st_size == 0:
            failure = self._failure("gav ingen PDF")  # it says it did: not to be trusted with the next one
            raise _Failure(failure.what, None, failure.last_words)
        return reply

    def stop(self) -> None:
        """End of input: the worker closes LibreOffice and exits."""
        if self.process.stdin and not self.process.stdin.closed:
            with contextlib.suppress(OSError):  # already gone is as good as stopped
                self.process.stdin.close()

    def kill(self) -> None:
        """Kill the worker and every LibreOffice process it started; reap the worker.

        SIGTERM first: the worker then kills and reaps its LibreOffice itself (on a machine
        whose init reaps no orphans, SIGKILL alone would leave soffice.bin zombies). Then
        SIGKILL to whatever of the group is left, the worker too if it did not end.
        """
        with self.guard:
            if self.ended:
                return
            if self.running():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.process.pid, signal.SIGTERM)
                self._wait_exit(KILL_GRACE)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            _wait_until_group_dead(self.process.pid, KILL_GRACE)
            self.ended = True
        with contextlib.suppress(OSError, ValueError):
            if self.process.stdin:
                self.process.stdin.close()
        for reader in self.readers:
            reader.join(timeout=2)

    def wait(self) -> None:
        """After :meth:`stop`: give LibreOffice a bounded time to close, then kill what is left of it."""
        self._wait_exit(STOP_GRACE)
        self.kill()


class _Slot:
    """One place in the pool: the thread serving it and its worker (a fresh one after a failure)."""

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        self.worker: _Worker | None = None
        self.error: ToolError | None = None
        """Why the slot gave up: its LibreOffice would not start."""
        self.thread: threading.Thread | None = None


class _NoWorker(Exception):
    """A slot's LibreOffice would not start: the error for the document that needed it, and the plain one."""

    def __init__(self, error: ToolError, start_error: ToolError) -> None:
        super().__init__(str(error))
        self.error, self.start_error = error, start_error


class Office:
    """A pool of LibreOffice workers; :meth:`submit` returns a future of the worker's reply.

    Use as a context manager: the workers start with the first document and stop on exit.
    """

    def __init__(self, profile_root: Path, workers: int | None = None, eager: bool | int = False) -> None:
        self.profile_root = profile_root
        self.eager = int(eager)
        """How many workers start at once (``True``: one), before any document is submitted."""
        self.size = workers or worker_count()
        self.jobs: queue.Queue[tuple[Path, Path, _Extras, Future] | None] = queue.Queue()
        self.slots: list[_Slot] = []
        self.workers: list[_Worker] = []
        """Every worker started, replaced ones too."""
        self.command: list[str] | None = None
        self.guard = threading.Lock()
        self.closed = False
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
        command = [uno_python(), str(worker_script()), soffice()]
        if self.lock is None and not self.temporary:
            self._lock_profiles()
        self.command = command
        for _worker in range(max(1, min(self.eager, self.size))):
            self._add_worker()

    def _add_worker(self) -> None:
        slot = _Slot(self.profile_root / f"profil-{len(self.slots) + 1}")
        slot.thread = threading.Thread(target=self._serve, args=(slot,), daemon=True)
        self.slots.append(slot)
        slot.thread.start()

    def submit(self, docx: Path, pdf: Path, pages: dict[str, str] | None = None,
               parts: dict[str, Any] | None = None) -> Future:
        """Convert ``docx`` to ``pdf``; ``pages``: fill in the protocol's page cells, ``parts``: a joined
        file's parts (see :mod:`docgen.pdf.office_worker`)."""
        if self.start_error is not None:
            raise self.start_error
        if not self.slots:
            self._start()
        elif len(self.slots) < self.size and self.jobs.qsize() >= SCALE_AT:
            # Another LibreOffice only pays for its start when the queue is long:
            # on two cores a second one also slows the filling-in of templates.
            self._add_worker()
        future: Future = Future()
        with self.guard:
            if all(slot.error is not None for slot in self.slots):
                # Every LibreOffice failed to start: fail now rather than wait for a reply that never comes.
                future.set_exception(self.slots[0].error or ToolError("LibreOffice avslutades oväntat"))
                return future
            self.jobs.put((docx, pdf, _Extras(pages, parts), future))
        return future

    def _serve(self, slot: _Slot) -> None:
        # This thread starts and ends every worker of its slot: the worker's parent thread
        # outlives it, so the worker's death signal (PR_SET_PDEATHSIG) means docgen died.
        try:
            try:
                # Take work only once LibreOffice is up, so no document waits on a starting worker.
                self._worker_for(slot)
            except ToolError as exc:
                self._give_up(slot, exc)
                return
            while (job := self.jobs.get()) is not None:
                docx, pdf, extras, future = job
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(self._convert(slot, docx, pdf, extras))
                except _NoWorker as exc:
                    future.set_exception(exc.error)
                    self._give_up(slot, exc.start_error)  # what documents still queued are told
                    return
                except BaseException as exc:  # handed to whoever waits on the future
                    future.set_exception(exc)
        finally:
            self._retire(slot)

    def _worker_for(self, slot: _Slot) -> _Worker:
        """The slot's worker, a fresh one if it has none that works; raises ToolError if it cannot start."""
        worker = slot.worker
        if worker is not None:
            if worker.usable():
                return worker
            worker.kill()  # died between documents: clear away what is left of it
        with self.guard:
            if self.closed:
                raise ToolError("LibreOffice stoppades")
            assert self.command is not None
            worker = _Worker(self.command, slot.profile)
            slot.worker = worker
            self.workers.append(worker)
        worker.wait_ready(start_timeout())
        return worker

    def _convert(self, slot: _Slot, docx: Path, pdf: Path, extras: _Extras) -> dict[str, Any]:
        first: _Failure | None = None
        while True:
            try:
                worker = self._worker_for(slot)
            except ToolError as exc:
                if first is None:
                    raise _NoWorker(exc, exc) from None
                raise _NoWorker(ToolError(f"LibreOffice kunde inte göra PDF av {docx.name}: {first.what}, "
                                          f"och en ny LibreOffice startade inte: {exc}"), exc) from None
            pdf.unlink(missing_ok=True)  # a PDF left by the failed try must not pass for this one's
            try:
                return worker.convert(docx, pdf, extras, document_timeout())
            except _Failure as failure:
                if self.closed:
                    raise ToolError(f"LibreOffice stoppades innan {docx.name} blev PDF") from None
                if first is not None:
                    raise _document_failed(docx.name, first, failure) from None
                first = failure  # once more, on a fresh worker

    def _give_up(self, slot: _Slot, error: ToolError) -> None:
        # A slot without LibreOffice must not leave futures waiting forever when it was the last one.
        with self.guard:
            slot.error = error
            if all(s.error is not None for s in self.slots):
                self._fail_queued(error)

    def _fail_queued(self, error: ToolError | None) -> None:
        """Answer every document still queued (``error`` None: the pool stopped before it got to them).

        The stop signs :meth:`release` queued stay queued: without them a thread waits for work forever.
        """
        stops = 0
        while True:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                stops += 1
            elif job[3].set_running_or_notify_cancel():
                job[3].set_exception(error or ToolError(f"LibreOffice stoppades innan {job[0].name} blev PDF"))
        for _stop in range(stops):
            self.jobs.put(None)

    def _retire(self, slot: _Slot) -> None:
        worker = slot.worker
        if worker is None:
            return
        if self.closed:
            worker.kill()
        else:
            worker.stop()
            worker.wait()

    def abort(self) -> None:
        """The build using this pool failed: every worker is killed now, every queued document failed.

        The pool takes no more work; so nothing of LibreOffice writes into a build's folder after it is gone.
        """
        self._close()

    def _close(self) -> None:
        """No worker starts from now on; every worker is killed, every queued document failed."""
        with self.guard:
            self.closed = True
            workers = list(self.workers)
            self._fail_queued(None)
        for worker in workers:
            worker.kill()

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
        for _ in self.slots:
            self.jobs.put(None)

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        if exc_type is not None:  # the build failed: no point in letting LibreOffice finish
            self._close()
        self.release()
        for slot in self.slots:
            if slot.thread is not None:
                # Each thread finishes its queue and then ends its worker, all in bounded time.
                slot.thread.join(timeout=REPLY_TIMEOUT)
        self._close()  # whatever is still running now is killed: none outlives the pool
        if self.lock is not None:
            self.lock.close()
        if self.temporary:
            shutil.rmtree(self.profile_root, ignore_errors=True)


def _wait_until_group_dead(pgid: int, timeout: float) -> None:
    """Return once no process of group ``pgid`` runs any more (zombies count as dead), or after ``timeout``.

    SIGKILL is delivered asynchronously: on a busy machine an orphaned LibreOffice child can
    still be running for a moment after killpg returns, and a caller that exits then would
    leave it behind for that moment.
    """
    deadline = time.monotonic() + timeout
    while _group_running(pgid) and time.monotonic() < deadline:
        time.sleep(0.01)


def _group_running(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] not in ("Z", "X") and int(fields[2]) == pgid:
            return True
    return False

