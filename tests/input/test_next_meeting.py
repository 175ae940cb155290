"""docgen new: the next meeting started from the previous one, every date and text left to the secretary."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

from docgen.input.load import load_yaml
from support import ROOT, SEED_MEETING

DOCGEN = [sys.executable, "-m", "docgen.cli"]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DOCGEN, *args], cwd=cwd, capture_output=True, text=True, check=False,
                          env={"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(ROOT)})


def test_the_next_meeting_continues_the_numbers_and_carries_attendance_over(tmp_path: Path):
    shutil.copytree(SEED_MEETING.parent, tmp_path / "decisions")
    result = _run("new", f"decisions/{SEED_MEETING.name}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Skrev decisions/nasta-direktionen.yaml: första paragraf § 21." in result.stdout
    new = tmp_path / "decisions" / "nasta-direktionen.yaml"
    data = YAML(typ="safe").load(new.read_text(encoding="utf-8"))
    previous = load_yaml(SEED_MEETING).data
    assert data["första_paragraf"] == 21 and data["paragrafer"][0]["nummer"] == 21
    assert data["närvaro"] == previous["närvaro"]
    assert (data["organ"], data["plats"]) == (previous["organ"], previous["plats"])
    assert data["datum"] is None and data["justering"]["datum"] is None
    assert new.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")

    checked = _run("check", "decisions/nasta-direktionen.yaml", cwd=tmp_path)
    assert checked.returncode == 1
    lines = checked.stderr.splitlines()
    assert lines[1].startswith("decisions/nasta-direktionen.yaml:") and lines[1].endswith(
        ": datum: är tomt; fyll i ett värde")
    assert any(line.endswith("§ 21 (paragrafer[0]).rubrik: är tomt; fyll i ett värde") for line in lines)


def test_docgen_new_never_overwrites(tmp_path: Path):
    shutil.copytree(SEED_MEETING.parent, tmp_path / "decisions")
    (tmp_path / "decisions" / "nasta-direktionen.yaml").write_text("# mitt utkast\n", encoding="utf-8")
    result = _run("new", f"decisions/{SEED_MEETING.name}", cwd=tmp_path)
    assert result.returncode == 1
    assert "filen finns redan; docgen skriver inte över den" in result.stderr
    assert (tmp_path / "decisions" / "nasta-direktionen.yaml").read_text(encoding="utf-8") == "# mitt utkast\n"
