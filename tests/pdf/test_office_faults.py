"""LibreOffice's whole life under docgen's control: hangs and crashes found in bounded time, the worker's
whole process group killed, the document tried once more on a fresh worker, a clear Swedish error when
that fails too, and no worker or LibreOffice left running (not even when docgen itself is killed).

Most tests put stand-in workers in place of :mod:`docgen.pdf.office_worker` (``DOCGEN_OFFICE_WORKER``):
plain Python scripts that speak the same protocol and fail in one chosen way.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from docgen.errors import ToolError
from docgen.pdf import office
from docgen.pdf.office import Office
from docgen.pipeline import outfolder
from docgen.pipeline.run import build
from support import SEED_MEETING, list_as_built, snapshot, write_swedish_docx

SLUG = "2026-03-26-direktionen"

# Shared by every stand-in: it records each start (its pid in starts.txt) and the pids of any child
# it starts (children.txt), in the folder it lives in.
HEAD = """\
import json, os, subprocess, sys, time
from pathlib import Path

HERE = Path(__file__).parent
with open(HERE / "starts.txt", "a") as log:
    log.write(f"{os.getpid()}\\n")
ATTEMPT = len((HERE / "starts.txt").read_text().split())


def child(*command):
    process = subprocess.Popen(list(command))
    with open(HERE / "children.txt", "a") as log:
        log.write(f"{process.pid}\\n")
    return process


def answer(message):
    print(json.dumps(message), flush=True)


def requests():
    for line in sys.stdin:
        with open(HERE / "requests.txt", "a") as log:
            log.write(line)
        yield json.loads(line)

"""

HANGS = """
child("sleep", "600")
print("låtsas-LibreOffice: väntar på något som aldrig kommer", file=sys.stderr, flush=True)
answer({"ready": True})
for request in requests():
    time.sleep(3600)
"""

CRASHES = """
answer({"ready": True})
for request in requests():
    print("låtsas-LibreOffice: segmenteringsfel", file=sys.stderr, flush=True)
    os._exit(3)
"""

EMPTY_PDF = """
answer({"ready": True})
for request in requests():
    Path(request["pdf"]).write_bytes(b"")
    answer({"ok": True, "pages": None})
"""

GARBAGE_PDF = """
answer({"ready": True})
for request in requests():
    Path(request["pdf"]).write_bytes("inte en PDF, bara skräp ".encode() * 200)
    answer({"ok": True, "pages": None})
"""

DOCUMENT_ERROR = """
answer({"ready": True})
for request in requests():
    answer({"ok": False, "error": "IOException: trasig fil"})
"""

# Hangs the first time; every later start is the real worker under the system Python.
HANGS_ONCE = """
if ATTEMPT > 1:
    os.execv(REAL_PYTHON, [REAL_PYTHON, REAL_WORKER, *sys.argv[1:]])
child("sleep", "600")
answer({"ready": True})
for request in requests():
    time.sleep(3600)
"""


def _stand_in(folder: Path, monkeypatch: pytest.MonkeyPatch, body: str, timeout: float = 1) -> Path:
    """Install a stand-in worker; returns the folder where it logs its starts and children."""
    folder.mkdir(parents=True, exist_ok=True)
    real = f"REAL_PYTHON = {office.uno_python()!r}\nREAL_WORKER = {str(office.WORKER)!r}\n"
    (folder / "worker.py").write_text(HEAD + real + body, encoding="utf-8")
    monkeypatch.setenv("DOCGEN_OFFICE_WORKER", str(folder / "worker.py"))
    monkeypatch.setenv("DOCGEN_UNO_PYTHON", sys.executable)
    monkeypatch.setenv("DOCGEN_DOCUMENT_TIMEOUT", str(timeout))
    monkeypatch.setenv("DOCGEN_START_TIMEOUT", "30")
    return folder


def _pids(folder: Path, name: str) -> list[int]:
    path = folder / name
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


def _state(pid: int) -> str | None:
    """The process's state letter from /proc (Z: dead, waiting to be reaped), None if it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _assert_ended(pids: list[int]) -> None:
    """Every pid has stopped running now, and is gone altogether once init has reaped it."""
    assert pids
    assert [pid for pid in pids if _state(pid) not in (None, "Z", "X")] == []
    deadline = time.monotonic() + 15  # some inits reap orphans only every second or two
    for pid in pids:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            assert time.monotonic() < deadline, f"process {pid} is still there ({_state(pid)})"
            time.sleep(0.05)


def _group(pgid: int) -> dict[int, str]:
    """The processes of a process group, by pid, with their command names."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat.rsplit(")", 1)[1].split()
            if int(rest[2]) == pgid and rest[0] not in "ZX":
                found[int(entry.name)] = name
    return found


def _docx(folder: Path, name: str = "kallelse.docx", text: str = "Kallelse till direktionens sammanträde") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_swedish_docx(folder / name, "Kallelse", text)


def _convert(tmp_path: Path, docx: Path, profiles: Path | None = None) -> tuple[dict | Exception, Office, float]:
    """One document through a one-worker pool: the reply or the error, the pool, and the seconds taken."""
    started = time.monotonic()
    with Office(profiles or tmp_path / "profiler", workers=1) as pool:
        try:
            outcome: dict | Exception = pool.submit(docx, docx.with_suffix(".pdf")).result(timeout=60)
        except ToolError as exc:
            outcome = exc
    return outcome, pool, time.monotonic() - started


def _earlier_build(out: Path) -> dict[str, bytes]:
    """A meeting folder as an earlier build left it (its manifest lists it); returns its contents."""
    folder = out / SLUG
    (folder / "protokoll").mkdir(parents=True)
    pdf = folder / "protokoll" / f"protokoll-{SLUG}.pdf"
    pdf.write_bytes(b"%PDF earlier build")
    list_as_built(folder, pdf)
    return snapshot(folder)


def test_a_hanging_worker_is_killed_with_its_group_and_the_document_tried_once_more(tmp_path, monkeypatch):
    logs = _stand_in(tmp_path / "låtsas", monkeypatch, HANGS, timeout=1)

    error, pool, seconds = _convert(tmp_path, _docx(tmp_path / "in"))

    assert isinstance(error, ToolError)
    assert str(error) == ("LibreOffice kunde inte göra PDF av kallelse.docx: svarade inte inom 1 s (två försök i rad; "
                          "slutstatus -15; senaste felutskrift: låtsas-LibreOffice: väntar på något som aldrig kommer)")
    assert len(_pids(logs, "starts.txt")) == 2  # a fresh worker for the second try
    assert len((logs / "requests.txt").read_text().splitlines()) == 2
    assert seconds < 10
    # The worker and the child it started, of both tries: the whole group was killed.
    _assert_ended(_pids(logs, "starts.txt") + _pids(logs, "children.txt"))
    assert [w.process.returncode for w in pool.workers] == [-signal.SIGTERM, -signal.SIGTERM]


def test_a_worker_that_crashes_is_replaced_and_its_last_words_reported(tmp_path, monkeypatch):
    logs = _stand_in(tmp_path / "låtsas", monkeypatch, CRASHES)

    error, _pool, seconds = _convert(tmp_path, _docx(tmp_path / "in"))

    assert isinstance(error, ToolError)
    assert str(error) == ("LibreOffice kunde inte göra PDF av kallelse.docx: avslutades oväntat (två försök i rad; "
                          "slutstatus 3; senaste felutskrift: låtsas-LibreOffice: segmenteringsfel)")
    assert len(_pids(logs, "starts.txt")) == 2
    assert seconds < 10
    _assert_ended(_pids(logs, "starts.txt"))


def test_an_empty_pdf_is_tried_again_then_reported(tmp_path, monkeypatch):
    logs = _stand_in(tmp_path / "låtsas", monkeypatch, EMPTY_PDF)
    docx = _docx(tmp_path / "in")

    error, _pool, _seconds = _convert(tmp_path, docx)

    assert isinstance(error, ToolError)
    assert str(error) == "LibreOffice kunde inte göra PDF av kallelse.docx: gav ingen PDF (två försök i rad)"
    assert len(_pids(logs, "starts.txt")) == 2
    _assert_ended(_pids(logs, "starts.txt"))


def test_a_document_the_worker_cannot_convert_is_not_tried_again(tmp_path, monkeypatch):
    logs = _stand_in(tmp_path / "låtsas", monkeypatch, DOCUMENT_ERROR)

    error, _pool, _seconds = _convert(tmp_path, _docx(tmp_path / "in"))

    assert isinstance(error, ToolError)
    assert str(error) == "LibreOffice kunde inte göra PDF av kallelse.docx: IOException: trasig fil"
    assert len(_pids(logs, "starts.txt")) == 1
    assert len((logs / "requests.txt").read_text().splitlines()) == 1
    _assert_ended(_pids(logs, "starts.txt"))


def test_a_worker_that_never_gets_ready_is_stopped_in_bounded_time(tmp_path, monkeypatch):
    logs = _stand_in(tmp_path / "låtsas", monkeypatch, 'child("sleep", "600")\ntime.sleep(3600)\n')
    monkeypatch.setenv("DOCGEN_START_TIMEOUT", "1")

    error, _pool, seconds = _convert(tmp_path, _docx(tmp_path / "in"))

    assert isinstance(error, ToolError)
    assert str(error) == "LibreOffice startade inte inom 1 s (slutstatus -15)"
    assert seconds < 10
    _assert_ended(_pids(logs, "starts.txt") + _pids(logs, "children.txt"))


# Released: the build releases the pool once its last document is queued; a failure after that (a full disk)
# must not take the stop signs away from the threads along with the queued documents.
@pytest.mark.parametrize("released", [False, True], ids=["under-köandet", "efter-sista-dokumentet"])
def test_the_pool_kills_every_worker_when_the_caller_fails(tmp_path, monkeypatch, released):
    logs = _stand_in(tmp_path / "låtsas", monkeypatch, HANGS, timeout=60)
    docx = _docx(tmp_path / "in")

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), Office(tmp_path / "profiler", workers=1) as pool:
        future = pool.submit(docx, docx.with_suffix(".pdf"))
        queued = pool.submit(docx, tmp_path / "in" / "andra.pdf")
        if released:
            pool.release()
        while not (logs / "requests.txt").exists():  # the worker is busy (hanging) on the first document
            time.sleep(0.02)
        raise KeyboardInterrupt

    assert time.monotonic() - started < 10
    for waiting in (future, queued):
        with pytest.raises(ToolError, match="LibreOffice stoppades innan kallelse.docx blev PDF"):
            waiting.result(timeout=0)
    assert len(_pids(logs, "starts.txt")) == 1  # no fresh worker once the pool is closing
    _assert_ended(_pids(logs, "starts.txt") + _pids(logs, "children.txt"))


def test_a_build_with_a_hanging_worker_names_the_document_and_changes_nothing(tmp_path, monkeypatch):
    logs = _stand_in(tmp_path / "låtsas", monkeypatch, HANGS, timeout=2)
    out = tmp_path / "out"
    before = _earlier_build(out)

    started = time.monotonic()
    with pytest.raises(ToolError) as raised:
        build(SEED_MEETING, out)

    message = str(raised.value)
    assert message.startswith("LibreOffice kunde inte göra PDF av protokoll.docx: svarade inte inom 2 s")
    assert "slutstatus -15" in message
    assert "låtsas-LibreOffice: väntar på något som aldrig kommer" in message
    # Two tries of 2 s on the first document, then the build stops: not two tries for every document.
    assert time.monotonic() - started < 15
    assert snapshot(out / SLUG) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(outfolder.staging_prefix(SLUG))] == []
    assert len(_pids(logs, "starts.txt")) >= 2
    _assert_ended(_pids(logs, "starts.txt") + _pids(logs, "children.txt"))


def test_a_build_given_a_corrupt_pdf_names_the_file_and_changes_nothing(tmp_path, monkeypatch):
    _stand_in(tmp_path / "låtsas", monkeypatch, GARBAGE_PDF)
    out = tmp_path / "out"
    before = _earlier_build(out)

    # Whichever document's PDF the pipeline takes in first (it merges member packages as soon as it can).
    with pytest.raises(ToolError, match=r"^PDF:en [a-z0-9-]+\.pdf från LibreOffice gick inte att normalisera: "
                                        "det är ingen PDF-fil$"):
        build(SEED_MEETING, out)

    assert snapshot(out / SLUG) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(outfolder.staging_prefix(SLUG))] == []


# With the real LibreOffice.


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LibreOffice profiles shared by this module's tests (creating one costs a few seconds)."""
    return tmp_path_factory.mktemp("profiler")


@pytest.mark.libreoffice
@pytest.mark.heavy
def test_a_hang_on_the_first_try_is_retried_on_a_fresh_libreoffice(tmp_path, monkeypatch, profiles):
    # 3 s: enough for the real worker to convert a one-line document on the second try.
    logs = _stand_in(tmp_path / "låtsas", monkeypatch, HANGS_ONCE, timeout=3)
    docx = _docx(tmp_path / "in", text="Andra försöket lyckades")

    reply, pool, _seconds = _convert(tmp_path, docx, profiles)

    assert reply == {"ok": True, "pages": None, "parts": None}
    assert "Andra försöket lyckades" in PdfReader(docx.with_suffix(".pdf")).pages[0].extract_text()
    assert len(_pids(logs, "starts.txt")) == 2
    assert [w.process.returncode for w in pool.workers] == [-signal.SIGTERM, 0]
    _assert_ended(_pids(logs, "starts.txt") + _pids(logs, "children.txt"))


@pytest.mark.libreoffice
@pytest.mark.heavy
def test_a_libreoffice_that_hangs_mid_conversion_is_killed_and_replaced(tmp_path, monkeypatch, profiles):
    # The real worker, its LibreOffice stopped (SIGSTOP) so that the worker hangs inside a UNO call.
    monkeypatch.setenv("DOCGEN_DOCUMENT_TIMEOUT", "2")
    first, second = _docx(tmp_path / "in", "forsta.docx"), _docx(tmp_path / "in", "andra.docx")

    with Office(profiles, workers=1) as pool:
        assert pool.submit(first, first.with_suffix(".pdf")).result(timeout=120)["ok"]
        hung = pool.workers[0]
        group = _group(hung.process.pid)
        soffice_bin = [pid for pid, name in group.items() if name == "soffice.bin"]
        assert soffice_bin, group
        os.kill(soffice_bin[0], signal.SIGSTOP)
        started = time.monotonic()
        reply = pool.submit(second, second.with_suffix(".pdf")).result(timeout=120)
        seconds = time.monotonic() - started

        assert reply["ok"]
        assert PdfReader(second.with_suffix(".pdf")).pages
        assert 2 <= seconds < 60
        # The hung worker killed and reaped its LibreOffice on SIGTERM, though stuck in a UNO call; it
        # ends either from its lifeline (killing its whole group: -9) or, a moment earlier, from the UNO call
        # failing (70).
        assert hung.process.returncode in (-signal.SIGKILL, office_worker_crashed())
        assert _group(hung.process.pid) == {}
        _assert_ended(list(group))
        assert len(pool.workers) == 2


@pytest.mark.libreoffice
@pytest.mark.heavy
def test_a_libreoffice_that_died_is_noticed_and_the_document_converted_by_a_fresh_one(tmp_path, profiles):
    first, second = _docx(tmp_path / "in", "forsta.docx"), _docx(tmp_path / "in", "andra.docx")

    with Office(profiles, workers=1) as pool:
        assert pool.submit(first, first.with_suffix(".pdf")).result(timeout=120)["ok"]
        crashed = pool.workers[0]
        group = _group(crashed.process.pid)
        os.kill(next(pid for pid, name in group.items() if name == "soffice.bin"), signal.SIGKILL)
        reply = pool.submit(second, second.with_suffix(".pdf")).result(timeout=120)

        assert reply["ok"]
        assert PdfReader(second.with_suffix(".pdf")).pages
        # The worker did not answer for a LibreOffice that was gone: it exited, saying why.
        assert crashed.process.returncode == 70
        assert crashed.last_words().startswith(
            "LibreOffice avslutades under arbetet: com.sun.star.lang.DisposedException")
        assert len(pool.workers) == 2
    _assert_ended(list(group))


_DOCGEN_STAND_IN = """\
import json, subprocess, sys, time
worker = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
print(worker.pid, flush=True)
assert json.loads(worker.stdout.readline()) == {"ready": True}
print("redo", flush=True)
sys.stdin.readline()
worker.stdin.write((json.dumps(json.loads(sys.stdin.readline())) + "\\n").encode())
worker.stdin.flush()
print("skickat", flush=True)
time.sleep(600)
"""


@pytest.mark.libreoffice
@pytest.mark.parametrize("moment", [pytest.param("start", marks=pytest.mark.heavy), "conversion"])
def test_the_worker_and_its_libreoffice_end_when_docgen_is_killed(tmp_path, profiles, moment):
    """docgen killed with SIGKILL (nothing of it runs to clean up) while its worker starts or converts."""
    docx = _docx(tmp_path / "in")
    profile = profiles / f"döda-{moment}"
    profile.mkdir()
    command = [office.uno_python(), str(office.WORKER), office.soffice(), profile.as_uri()]
    docgen = subprocess.Popen([sys.executable, "-c", _DOCGEN_STAND_IN, *command],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        worker = int(docgen.stdout.readline())
        deadline = time.monotonic() + 60
        while "soffice.bin" not in _group(worker).values():  # LibreOffice is starting
            assert time.monotonic() < deadline
            time.sleep(0.01)
        if moment == "conversion":
            assert docgen.stdout.readline() == "redo\n"
            soffice_bin = next(pid for pid, name in _group(worker).items() if name == "soffice.bin")
            os.kill(soffice_bin, signal.SIGSTOP)  # the conversion will never return
            request = {"docx": str(docx), "pdf": str(docx.with_suffix(".pdf")), "options": office.PDF_OPTIONS,
                       "pages": None}
            docgen.stdin.write("kör\n" + json.dumps(request) + "\n")
            docgen.stdin.flush()
            assert docgen.stdout.readline() == "skickat\n"
            time.sleep(0.5)
        group = _group(worker)
        assert "soffice.bin" in group.values()
    finally:
        docgen.kill()
        docgen.wait()

    deadline = time.monotonic() + 15
    while _group(worker):
        assert time.monotonic() < deadline, _group(worker)
        time.sleep(0.05)
    _assert_ended(list(group))


def office_worker_crashed() -> int:
    """The worker's exit status when LibreOffice dies under it (office_worker.CRASHED; that module needs uno)."""
    source = Path(office.WORKER).read_text(encoding="utf-8")
    return int(re.search(r"^CRASHED = (\d+)", source, re.M).group(1))
