"""docgen installed as a package (not editable) builds the seed meeting from a folder holding only decisions/."""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT, SEED_MEETING


def _not_source(folder: str, names: list[str]) -> set[str]:
    """What a source checkout holds that is no part of the package: generated, cached or local."""
    local = {".git", ".venv", "out", "build", "node_modules", ".hypothesis"} if Path(folder) == ROOT else set()
    return {n for n in names if n in local or n in {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}
            or n.endswith(".egg-info")}


@pytest.mark.libreoffice
@pytest.mark.heavy
def test_non_editable_install_builds_the_seed_from_another_folder(tmp_path: Path):
    source = tmp_path / "källkod"
    shutil.copytree(ROOT, source, ignore=_not_source)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    # Dependencies come from the test run's own environment (no network needed); docgen itself
    # is built into a wheel and installed, so only what the package ships is there.
    (next((venv / "lib").glob("python3*/site-packages")) / "beroenden.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", str(source)], check=True, capture_output=True)
    shutil.rmtree(source)  # nothing may be read from the source tree any more

    secretary = tmp_path / "sekreterare"
    shutil.copytree(SEED_MEETING.parent, secretary / "decisions")
    where = subprocess.run([venv / "bin" / "python", "-c", "import docgen; print(docgen.__file__)"],
                           cwd=secretary, check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(venv)), where
    result = subprocess.run([venv / "bin" / "docgen", "build"], cwd=secretary, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    folder = secretary / "out" / "2026-03-26-direktionen"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    documents = [entry for entry in manifest["filer"] if entry["dokumenttyp"] != "granskning"]
    assert len(documents) == 63  # 29 DOCX, their 29 PDFs and 5 member packages
    assert all((folder / entry["fil"]).is_file() for entry in manifest["filer"])
    checked = subprocess.run([venv / "bin" / "docgen", "check"], cwd=secretary, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
