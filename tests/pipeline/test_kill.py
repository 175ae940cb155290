"""A build interrupted or killed at any moment loses nothing and leaves no LibreOffice behind.

make test runs one SIGKILL round; ``make test-long`` runs at least 50 (DOCGEN_KILL_ROUNDS).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docgen.pipeline.outfolder import foreign_files
from docgen.pipeline.run import build
from support import ROOT, SEED_MEETING, descendants, snapshot, soffice_pids, terminal_signals

SLUG = "2026-03-26-direktionen"
ROUNDS = int(os.environ.get("DOCGEN_KILL_ROUNDS", "1"))

pytestmark = pytest.mark.libreoffice


def _start_build(out: Path) -> subprocess.Popen[str]:
    # --tvinga: every document goes through LibreOffice, so there is something to interrupt.
    # Signals as at a terminal: a test runner started in the background (timeout, make &) may hand its
    # children SIGINT ignored, and a CI supervisor may hand them SIGINT and SIGTERM blocked; either way
    # the signal would never reach the build.
    return subprocess.Popen([sys.executable, "-m", "docgen.cli", "build", str(SEED_MEETING), "--out", str(out),
                             "--tvinga"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=terminal_signals)


def _gone_within(pids: set[int], seconds: float) -> set[int]:
    """Which of ``pids`` still run after waiting up to ``seconds`` for them to end."""
    deadline = time.monotonic() + seconds
    while (left := pids & soffice_pids()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _wait_for_libreoffice(before: set[int], process: subprocess.Popen[str]) -> set[int]:
    """The LibreOffice processes the build itself started, once there are any (a stray one elsewhere
    on the machine must not set off the signal before the build has even installed its handlers)."""
    deadline = time.monotonic() + 20
    while process.poll() is None and time.monotonic() < deadline:
        if started := (soffice_pids() - before) & descendants(process.pid):
            return started
        time.sleep(0.05)
    return set()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_build_stops_its_libreoffice_and_changes_nothing(out: Path, signum: int):
    before_files = snapshot(out / SLUG)
    before = soffice_pids()
    process = _start_build(out)
    started = _wait_for_libreoffice(before, process)
    assert started, "the build started no LibreOffice"
    process.send_signal(signum)
    _stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Avbrutet; inget i out/ har ändrats." in stderr
    assert "Traceback" not in stderr
    assert _gone_within(started, 10) == set()
    assert snapshot(out / SLUG) == before_files
    assert not [p.name for p in out.iterdir() if ".bygge-" in p.name]


def _added(name: str) -> bool:
    return name == "manifest.json" or name.startswith("granskning/")


def _documents(folder: Path) -> dict[str, bytes]:
    return {name: data for name, data in snapshot(folder).items() if not _added(name)}


def _whole(folder: Path) -> bool:
    """Exactly the files its manifest lists, each as written."""
    listed = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["filer"]
    return foreign_files(folder) == [] and all((folder / entry["fil"]).is_file() for entry in listed)


@pytest.mark.long
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_build_killed_at_a_random_moment_loses_nothing(out: Path, round_: int):
    before_files = snapshot(out / SLUG)
    before = soffice_pids()
    delay = random.Random(round_).uniform(0.0, 4.0)
    process = _start_build(out)
    time.sleep(delay)
    process.kill()
    process.communicate(timeout=30)

    # The meeting folder is whole: the old one (killed mid-swap it waits as .gammal), or, killed after
    # the swap, the new one, whose documents are the same (the CLI adds its review page).
    folder = out / SLUG if (out / SLUG).exists() else out / f".{SLUG}.gammal"
    documents = {name: data for name, data in before_files.items() if not _added(name)}
    assert _documents(folder) == documents, f"killed after {delay:.2f} s"
    assert _whole(folder), f"killed after {delay:.2f} s"
    # Its worker and LibreOffice notice that docgen is gone and end (also one that was still starting).
    deadline = time.monotonic() + 15
    while (left := soffice_pids() - before) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == set(), f"killed after {delay:.2f} s"
    # The next build cleans up after the killed one and succeeds.
    result = build(SEED_MEETING, out)
    assert snapshot(result.folder) == before_files
    assert foreign_files(result.folder) == []
    assert sorted(p.name for p in out.iterdir()) == [".cache", ".docgen-index.json", ".docgen-lås", SLUG]
