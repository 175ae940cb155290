"""The councils' answers: validated with file:line, and whether the all-members condition holds."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SEED_MEETING
from docgen.cli import main
from docgen.distribution.sendlog import SendLog, log_file
from docgen.distribution.status import FAILED, MET, OPEN, status
from docgen.errors import InputError
from docgen.input.answers import answers_file, load_answers
from docgen.input.validate import load_case

BIFALL = "beslut: bifall"


def _meeting(tmp_path: Path) -> Path:
    folder = tmp_path / "decisions"
    shutil.copytree(SEED_MEETING.parent, folder)
    return folder / SEED_MEETING.name


def _answer(member: str, decision: str = "bifall", signed: str | None = "2026-05-20", day: str = "2026-05-12") -> str:
    lines = f"  {member}:\n    datum: {day}\n    kf_paragraf: KF 2026 § 45\n    beslut: {decision}\n"
    return lines + (f"    regressavtal_undertecknat: {signed}\n" if signed else "")


def _status(meeting: Path, text: str, today: dt.date = dt.date(2026, 6, 1)):
    answers_file(meeting).write_text("svar:\n" + text, encoding="utf-8")
    case = load_case(meeting)
    return status(case, load_answers(answers_file(meeting), case), SendLog(log_file(meeting)), today)


def test_three_answers_of_five_are_three_decided_and_the_condition_still_open(tmp_path):
    report = _status(_meeting(tmp_path), _answer("boxholm") + _answer("ydre") + _answer("odeshog", signed=None))
    assert report.decided == 3 and report.condition == OPEN
    assert report.summary.startswith("3 av 5 medlemmar har beslutat.")
    assert "Villkoret är ännu inte uppfyllt" in report.summary
    assert [row.days_left for row in report.members] == [29] * 5


def test_five_bifall_and_five_signatures_meet_the_condition(tmp_path):
    members = ("boxholm", "vimmerby", "ydre", "atvidaberg", "odeshog")
    report = _status(_meeting(tmp_path), "".join(_answer(m) for m in members))
    assert report.condition == MET and "Villkoret uppfyllt" in report.summary


def test_five_bifall_without_every_signature_is_not_enough(tmp_path):
    members = ("boxholm", "vimmerby", "ydre", "atvidaberg")
    report = _status(_meeting(tmp_path), "".join(_answer(m) for m in members) + _answer("odeshog", signed=None))
    assert report.condition == OPEN and "1 underskrifter av regressavtalet" in report.summary


def test_one_avslag_means_the_condition_can_no_longer_be_met(tmp_path):
    report = _status(_meeting(tmp_path), _answer("boxholm") + _answer("vimmerby", "avslag", signed=None))
    assert report.condition == FAILED
    assert "kan inte längre uppfyllas: Vimmerby kommun har avslagit" in report.summary


def test_an_aterremiss_is_an_answer_but_no_decision(tmp_path):
    report = _status(_meeting(tmp_path), _answer("ydre", "återremiss", signed=None))
    assert report.decided == 0 and report.condition == OPEN


@pytest.mark.parametrize(("text", "where", "message"), [
    (_answer("ydre", "kanske"), ":5:13: svar.ydre.beslut:", "ska vara ett av"),
    (_answer("linkoping"), ":2:3: svar.linkoping:", "okänd medlem 'linkoping'"),
    (_answer("ydre", day="2026-02-30"), ":3:12: svar.ydre.datum:", "ogiltigt datum"),
    (_answer("ydre", "avslag"), ":6:32: svar.ydre.regressavtal_undertecknat:", "avslagit"),
    (_answer("ydre", day="2025-12-01"), ":3:12: svar.ydre.datum:", "före sammanträdet"),
    (_answer("ydre") + "    kommentar: x\n", ":7:16: svar.ydre.kommentar:", "okänd nyckel"),
])
def test_a_wrong_answer_is_reported_with_file_line_and_field(tmp_path, text, where, message):
    meeting = _meeting(tmp_path)
    with pytest.raises(InputError) as error:
        _status(meeting, text)
    assert f"2026-03-26-direktionen-svar.yaml{where}" in str(error.value)
    assert message in str(error.value)


def test_docgen_status_exits_0_only_when_the_condition_is_met(tmp_path):
    meeting = _meeting(tmp_path)
    members = ("boxholm", "vimmerby", "ydre", "atvidaberg", "odeshog")
    runner = CliRunner()
    answers_file(meeting).write_text("svar:\n" + "".join(_answer(m) for m in members), encoding="utf-8")
    met = runner.invoke(main, ["status", str(meeting)])
    assert met.exit_code == 0, met.output
    assert "Villkoret uppfyllt" in met.output and "Ödeshögs" in met.output
    answers_file(meeting).write_text("svar:\n" + _answer("boxholm"), encoding="utf-8")
    still_open = runner.invoke(main, ["status", str(meeting)])
    assert still_open.exit_code == 1 and "1 av 5 medlemmar har beslutat" in still_open.output
    answers_file(meeting).write_text("svar:\n  ydre:\n    beslut: ja\n", encoding="utf-8")
    wrong = runner.invoke(main, ["status", str(meeting)])
    assert wrong.exit_code == 1 and "Traceback" not in wrong.output
