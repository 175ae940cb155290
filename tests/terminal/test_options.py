"""The meeting file a command takes when the secretary names none: the one meeting in decisions/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from support import SEED_MEETING


def _docgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "docgen.cli", *args], cwd=cwd, capture_output=True, text=True,
                          check=False)


def _decisions(tmp_path: Path) -> Path:
    folder = tmp_path / "decisions"
    shutil.copytree(SEED_MEETING.parent, folder)
    return folder


def test_the_one_meeting_is_taken_beside_the_association_settings_answers_and_a_draft(tmp_path: Path):
    folder = _decisions(tmp_path)
    for name in ("e-post.yaml", f"{SEED_MEETING.stem}-svar.yaml", "nasta-direktionen.yaml", "anteckning.txt"):
        (folder / name).write_text("# inte ett sammanträde\n", encoding="utf-8")
    result = _docgen("check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"decisions/{SEED_MEETING.name}: inga fel – Direktionen 2026-03-26")


def test_two_meetings_are_a_usage_error_that_lists_them(tmp_path: Path):
    folder = _decisions(tmp_path)
    shutil.copy(SEED_MEETING, folder / "2026-05-14-direktionen.yaml")
    result = _docgen("build", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "docgen: ingen mötesfil angiven, och decisions/ har 2:",
        f"  decisions/{SEED_MEETING.name}",
        "  decisions/2026-05-14-direktionen.yaml",
        "Ange en av dem, t.ex. python -m docgen.cli build decisions/2026-05-14-direktionen.yaml"]
    assert not (tmp_path / "out").exists()


def test_no_meeting_is_a_usage_error_that_says_to_name_one(tmp_path: Path):
    (tmp_path / "decisions").mkdir()
    shutil.copy(SEED_MEETING.parent / "forbund.yaml", tmp_path / "decisions")
    result = _docgen("status", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("docgen: ingen mötesfil angiven, och decisions/ har ingen; ange mötesfilen: "
                             "python -m docgen.cli status MÖTESFIL\n")


def test_verify_without_a_folder_looks_at_the_meetings_folder_under_out(tmp_path: Path):
    _decisions(tmp_path)
    result = _docgen("verify", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "docgen: out/2026-03-26-direktionen är ingen mapp eller PDF-fil; ange mötets mapp under out/.\n"
    )
