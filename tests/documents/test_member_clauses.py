"""Clauses that apply to some members: a member that joined later gets neither the clause nor a fill-in."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from docgen.documents.plan import plan
from docgen.documents.render import render_docx
from docgen.documents.templates import Templates
from docgen.input.validate import load_case
from support import ROOT, SEED_MEETING, docx_text

REPLACE = "regressavtal beslutat {{ regressavtal_datum }} upphör"
FORMER = "ersätter tidigare fattade beslut {{ tidigare_kf_beslut }} samt"


def _later_member_ydre(tmp_path: Path, ydre_facts: str = "    uppgifter: {}\n") -> Path:
    decisions = tmp_path / "d"
    shutil.copytree(SEED_MEETING.parent, decisions)
    meeting = decisions / SEED_MEETING.name
    text = meeting.read_text(encoding="utf-8")
    for clause, fact in ((REPLACE, "regressavtal_datum"), (FORMER, "tidigare_kf_beslut")):
        line = next(line for line in text.splitlines() if clause in line)
        text = text.replace(line, f"{line}\n          förutsätter: {fact}")
    meeting.write_text(text, encoding="utf-8")
    association = decisions / "forbund.yaml"
    text = association.read_text(encoding="utf-8")
    old = "    uppgifter:\n      regressavtal_datum: ~\n      tidigare_kf_beslut: ~\n\n  - id: atvidaberg"
    assert old in text
    association.write_text(text.replace(old, ydre_facts + "\n  - id: atvidaberg"), encoding="utf-8")
    return meeting


def test_a_member_without_the_facts_gets_neither_clause_nor_fill_in(tmp_path: Path):
    meeting = _later_member_ydre(tmp_path)
    case = load_case(meeting)
    documents = {d.key: d for d in plan(case)}
    texts = {}
    for key in ("forslag-ydre", "forslag-boxholm", "protokoll", "hemstallan-ydre"):
        render_docx(documents[key], case, tmp_path / f"{key}.docx", Templates())
        texts[key] = docx_text(tmp_path / f"{key}.docx")
    ydre = texts["forslag-ydre"]
    assert "regressavtal beslutat" not in ydre and "ersätter tidigare fattade beslut" not in ydre
    assert "*" not in ydre and "[" not in ydre
    assert "upprätta nytt regressavtal mellan" in ydre  # the clauses every member gets
    assert "att\tregressavtal beslutat [datum för kommunens gällande regressavtal] upphör" in texts["forslag-boxholm"]
    # The protocol shows the decision as taken, every clause once.
    assert texts["protokoll"].count("regressavtal beslutat") == 1
    assert "kommunspecifik" not in texts["hemstallan-ydre"]


def test_check_lists_the_clauses_each_member_gets(tmp_path: Path):
    meeting = _later_member_ydre(tmp_path)
    result = subprocess.run([sys.executable, "-m", "docgen.cli", "check", str(meeting)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "  Ydre kommun: 1–4, 7" in result.stdout.splitlines()
    assert "  Boxholms kommun: alla" in result.stdout.splitlines()


def test_a_fact_a_clause_needs_is_still_required_of_the_members_it_applies_to(tmp_path: Path):
    decisions = tmp_path / "d"
    shutil.copytree(SEED_MEETING.parent, decisions)
    association = decisions / "forbund.yaml"
    text = association.read_text(encoding="utf-8")
    old = "    uppgifter:\n      regressavtal_datum: ~\n      tidigare_kf_beslut: ~\n\n  - id: atvidaberg"
    association.write_text(text.replace(old, "    uppgifter: {}\n\n  - id: atvidaberg"), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "docgen.cli", "check", str(decisions / SEED_MEETING.name)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Ydre kommun (medlemmar[2]).uppgifter: uppgiften 'regressavtal_datum'" in result.stderr
    assert "förutsätter: regressavtal_datum" in result.stderr
