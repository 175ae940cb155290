"""The Word templates: one source of truth, the contract docgen check enforces, the association's own copies."""

from __future__ import annotations

import filecmp
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pytest

from docgen.documents.templates import SHIPPED
from docgen.pdf.verify import _fonts
from docgen.pipeline.run import build
from support import ROOT, SEED_MEETING

DOCGEN = [sys.executable, "-m", "docgen.cli"]


def _decisions_with_own_templates(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of decisions/ whose forbund.yaml names a template folder of its own (``mallar: mallar``)."""
    decisions = tmp_path / "decisions"
    shutil.copytree(SEED_MEETING.parent, decisions)
    association = decisions / "forbund.yaml"
    association.write_text(association.read_text(encoding="utf-8") + "mallar: mallar\n", encoding="utf-8")
    own = decisions / "mallar"
    own.mkdir()
    return decisions / SEED_MEETING.name, own


def _edit_part(docx: Path, part: str, edit) -> None:
    with zipfile.ZipFile(docx) as source:
        entries = {info.filename: source.read(info.filename) for info in source.infolist()}
    before = entries[part].decode("utf-8")
    after = edit(before)
    assert after != before, f"the edit changed nothing in {part}"
    entries[part] = after.encode("utf-8")
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries.items():
            target.writestr(name, data)


def _check(meeting: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DOCGEN, "check", str(meeting)], cwd=ROOT, capture_output=True, text=True, check=False)


def test_generator_output_equals_the_committed_templates(tmp_path: Path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_templates.py"), str(tmp_path)],
                   check=True, capture_output=True)
    generated = sorted(p.name for p in tmp_path.glob("*.docx"))
    assert generated == sorted(p.name for p in SHIPPED.glob("*.docx"))
    match, mismatch, errors = filecmp.cmpfiles(tmp_path, SHIPPED, generated, shallow=False)
    assert (mismatch, errors) == ([], []), "run .venv/bin/python scripts/make_templates.py and commit"


def _check_refuses(tmp_path: Path, template: str, placeholder: str, unknown: str) -> None:
    """docgen check of an association copy of ``template`` with ``placeholder`` changed to ``unknown``."""
    meeting, own = _decisions_with_own_templates(tmp_path)
    shutil.copy(SHIPPED / template, own)
    _edit_part(own / template, "word/document.xml", lambda xml: xml.replace(placeholder, unknown))
    result = _check(meeting)
    assert result.returncode == 1, result.stdout
    assert f"{own / template}: platshållaren {unknown} är okänd för docgen" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_names_the_template_with_a_renamed_placeholder(tmp_path: Path):
    _check_refuses(tmp_path, "hemstallan.docx", "{{ hemställan.svar_senast }}", "{{ hemställan.svara_senast }}")


def test_check_names_the_reminder_template_with_an_unknown_placeholder(tmp_path: Path):
    # docgen remind fills paminnelse.docx long after the build: docgen check must catch it beforehand.
    _check_refuses(tmp_path, "paminnelse.docx", "{{ utskick.datum_lång }}", "{{ okänd.sak }}")


def test_check_names_the_template_that_lost_its_heading_1_style(tmp_path: Path):
    meeting, own = _decisions_with_own_templates(tmp_path)
    shutil.copy(SHIPPED / "protokoll.docx", own)
    _edit_part(own / "protokoll.docx", "word/styles.xml",
               lambda xml: re.sub(r'<w:style [^>]*w:styleId="Heading1".*?</w:style>', "", xml, flags=re.DOTALL))
    result = _check(meeting)
    assert result.returncode == 1, result.stdout
    assert f"{own / 'protokoll.docx'}: formatmallen 'Heading 1' saknas" in result.stderr
    # build refuses it too, before LibreOffice, with the same words
    built = subprocess.run([*DOCGEN, "build", str(meeting), "--out", str(tmp_path / "out")], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    assert built.returncode == 1
    assert "formatmallen 'Heading 1' saknas" in built.stderr
    assert not (tmp_path / "out" / "2026-03-26-direktionen").exists()


def test_check_refuses_a_template_folder_that_does_not_exist(tmp_path: Path):
    meeting, own = _decisions_with_own_templates(tmp_path)
    own.rmdir()
    result = _check(meeting)
    assert result.returncode == 1
    assert re.search(r"forbund\.yaml:\d+:\d+: mallar: mappen .*mallar' finns inte", result.stderr), result.stderr


@pytest.mark.libreoffice
def test_a_restyled_template_in_the_associations_folder_wins(tmp_path: Path):
    meeting, own = _decisions_with_own_templates(tmp_path)
    shutil.copy(SHIPPED / "anslag.docx", own)
    _edit_part(own / "anslag.docx", "word/styles.xml",
               lambda xml: xml.replace('"Times New Roman"', '"DejaVu Sans"'))
    assert _check(meeting).returncode == 0
    result = build(meeting, tmp_path / "out")

    def fonts(path: Path) -> set[str]:
        with pikepdf.open(path) as pdf:
            return {name.split("+")[-1] for name, _embedded in _fonts(pdf)}

    notice = fonts(result.folder / "anslag" / "anslag-2026-03-26-direktionen.pdf")
    protocol = fonts(result.folder / "protokoll" / "protokoll-2026-03-26-direktionen.pdf")
    assert "DejaVuSans" in notice
    assert "LiberationSerif" in protocol and "DejaVuSans" not in protocol

