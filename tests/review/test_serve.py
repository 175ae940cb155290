"""``docgen serve``: the page follows the YAML as it is saved, shows input errors, and leaves no process behind."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import review_support

from support import ROOT, SEED_MEETING, copy_decisions, descendants, pdf_text, soffice_pids, terminal_signals

pytestmark = pytest.mark.libreoffice


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as reply:
        return reply.read().decode("utf-8")


def _state(base: str) -> dict:
    return json.loads(_get(f"{base}/_docgen/tillstand.json"))


def _wait_for_build(base: str, after: int, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = _state(base)
        if state["bygge"] > after and not state["bygger"]:
            return state
        time.sleep(0.05)
    raise AssertionError(f"no build after {after} within {seconds} s")


def _boxholm_amount(page: str) -> str:
    row = re.search(r'<a href="#medlem-boxholm">Boxholms kommun</a></th>(.*?)</tr>', page).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    return cells[1].replace("\u00a0", " ")  # Andel, Belopp (kr), …


def test_serve_follows_saves_shows_errors_with_their_line_and_leaves_nothing_running(built_out: Path,
                                                                                    tmp_path: Path):
    meeting = copy_decisions(tmp_path, "d")
    out = tmp_path / "out"
    shutil.copytree(built_out / ".cache", out / ".cache")  # the first build needs no conversion
    before = soffice_pids()
    process = subprocess.Popen([sys.executable, "-m", "docgen.cli", "serve", str(meeting), "--out", str(out),
                                "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                               preexec_fn=terminal_signals)
    started: set[int] = set()
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/granskning/", line)
        assert url, line + process.stderr.read()
        base = url.group(0).removesuffix("/granskning/")
        state = _wait_for_build(base, 0)
        page = _get(url.group(0))
        assert state["fel"] is None and 'data-bygge="1"' in page
        assert page.count('class="medlem"') == 5
        old_amount = _boxholm_amount(page)
        # LibreOffice is kept warm for the next build: find it among serve's own processes.
        deadline = time.monotonic() + 60
        while not (started := (soffice_pids() - before) & descendants(process.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert started, "serve keeps no LibreOffice running between builds"

        with review_support.chromium() as browser:
            view = browser.new_page()
            view.goto(url.group(0))
            assert view.locator("section.medlem").count() == 5

            text = meeting.read_text(encoding="utf-8")
            meeting.write_text(text.replace("belopp: 130000000", "belopp: 150000000"), encoding="utf-8")
            state = _wait_for_build(base, state["bygge"])
            page = _get(url.group(0))
            new_amount = _boxholm_amount(page)
            assert new_amount != old_amount
            letter = pdf_text(out / "2026-03-26-direktionen" / "medlemmar" / "boxholm" / "1-hemstallan-boxholm.pdf")
            assert new_amount in letter.replace("\u00a0", " ") and "150 000 000" in letter.replace("\u00a0", " ")
            # The open page reloads itself.
            view.wait_for_function(f"document.documentElement.dataset.bygge === '{state['bygge']}'", timeout=10000)
            assert new_amount in view.inner_text("#skillnader").replace("\u00a0", " ")

            line_number = next(n for n, t in enumerate(text.splitlines(), start=1) if "dnr: 2026/14" in t)
            meeting.write_text(text.replace("dnr: 2026/14", "dnr: 26-8"), encoding="utf-8")
            state = _wait_for_build(base, state["bygge"])
            page = _get(url.group(0))
            assert state["fel"] and f"{meeting.name}:{line_number}:" in state["fel"]
            assert f"{meeting.name}:{line_number}:" in page and "26-8" in page
            assert 'class="medlem"' not in page  # no stale documents under the error
            view.wait_for_function(f"document.documentElement.dataset.bygge === '{state['bygge']}'", timeout=10000)
            assert f"{meeting.name}:{line_number}:" in view.inner_text("pre")

        assert process.poll() is None
        started |= (soffice_pids() - before) & descendants(process.pid)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert "stoppad" in stdout and "Traceback" not in stderr
    deadline = time.monotonic() + 10
    while (left := started & soffice_pids()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == set()
    with pytest.raises(urllib.error.URLError):
        _get(url.group(0))


def test_a_port_in_use_is_a_swedish_usage_error(tmp_path: Path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "docgen.cli", "serve", str(SEED_MEETING), "--out",
                                 str(tmp_path / "out"), "--port", str(port)], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
    assert result.returncode == 2
    assert f"Porten {port}" in result.stderr and "Traceback" not in result.stderr
