"""Same YAML, same bytes; a manifest to prove it; a rebuild with no change does no work."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docgen.pdf.verify import verify_tree
from docgen.pipeline import fingerprint
from docgen.pipeline.run import build
from support import ROOT, SEED_MEETING, copy_decisions

pytestmark = pytest.mark.libreoffice


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(seed_build, tmp_path: Path):
    time.sleep(1.1)  # a second later on the clock: nothing may depend on it
    again = build(SEED_MEETING, tmp_path / "out")
    assert again.conversions == 15  # a fresh out/: no cache, every document converted
    first, second = _files(seed_build.folder), _files(again.folder)
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_every_pdf_of_the_seed_build_passes_verify(seed_build):
    reports = verify_tree(seed_build.folder)
    assert len(reports) == 34
    failed = {str(r.path.name): [c.detail for c in r.checks if not c.ok] for r in reports if not r.ok}
    assert failed == {}


def test_manifest_lists_every_file_with_checksum_type_and_recipient(seed_build):
    manifest = json.loads((seed_build.folder / "manifest.json").read_text(encoding="utf-8"))
    files = {entry["fil"]: entry for entry in manifest["filer"]}
    on_disk = {p.relative_to(seed_build.folder).as_posix() for p in seed_build.files} - {"manifest.json"}
    assert set(files) == on_disk
    for name, entry in files.items():
        assert entry["sha256"] == fingerprint.file_digest(seed_build.folder / name)
        assert entry["byte"] == (seed_build.folder / name).stat().st_size
    ydre = files["medlemmar/ydre/2-forslag-till-beslut-ydre.pdf"]
    assert (ydre["dokumenttyp"], ydre["mottagare"]) == ("forslag-till-beslut", ["ydre"])
    assert files["medlemmar/ydre/ydre-samtliga-handlingar.pdf"]["dokumenttyp"] == "medlemspaket"
    assert files["protokoll/protokoll-2026-03-26-direktionen.pdf"]["mottagare"] == ["Akt"]
    index = json.loads((seed_build.folder.parent / fingerprint.INDEX).read_text(encoding="utf-8"))
    assert manifest["indata"] == index[str(SEED_MEETING.resolve())]["indata"]


def test_rebuild_without_changes_starts_no_libreoffice(tmp_path: Path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "docgen.cli", "build", str(SEED_MEETING), "--out", str(out)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    before = _files(out)
    # With no soffice on PATH a LibreOffice start would fail: the rebuild must not need one.
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "Inget har ändrats" in result.stdout
    assert _files(out) == before


def test_small_edit_converts_only_what_changed(tmp_path: Path):

    meeting = copy_decisions(tmp_path, "d")
    out = tmp_path / "out"
    assert build(meeting, out).conversions == 15
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("Utredningsfasen bedöms pågå i cirka sex månader.",
                                    "Utredningsfasen bedöms pågå i cirka sju månader."), encoding="utf-8")
    assert build(meeting, out).conversions == 1  # § 17 goes to Akt only: just the protocol
