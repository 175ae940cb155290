"""The councils' answers: validated with file:line, and whether the all-members condition holds."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.distribution.sendlog import SendLog, log_file
from docgen.distribution.status import FAILED, MET, OPEN, status
from docgen.errors import InputError
from docgen.input.answers import answers_file, load_answers
from docgen.input.validate import load_case
from support import ROOT, copy_decisions

BIFALL = "beslut: bifall"


def _meeting(tmp_path: Path) -> Path:
    return copy_decisions(tmp_path)


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


SEED_WRONG = [
    (_answer("ydre", "kanske"), ":5:13: svar.ydre.beslut:", "ska vara ett av"),
    (_answer("linkoping"), ":2:3: svar.linkoping:", "okänd medlem 'linkoping'"),
    (_answer("ydre", day="2026-02-30"), ":3:12: svar.ydre.datum:", "ogiltigt datum"),
    (_answer("ydre", "avslag"), ":6:32: svar.ydre.regressavtal_undertecknat:", "avslagit"),
    (_answer("ydre", day="2025-12-01"), ":3:12: svar.ydre.datum:", "före sammanträdet"),
    (_answer("ydre") + "    kommentar: x\n", ":7:16: svar.ydre.kommentar:", "okänd nyckel"),
]


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


def test_a_single_request_may_also_be_answered_under_its_paragraph(tmp_path):
    meeting = _meeting(tmp_path)
    flat = _status(meeting, _answer("boxholm", signed=None))
    by_paragraph = _status(meeting, "  boxholm:\n    § 18:\n      datum: 2026-05-12\n"
                                    "      kf_paragraf: KF 2026 § 45\n      beslut: bifall\n")
    assert flat.members[0].answer is not None
    assert by_paragraph.members[0].answer == flat.members[0].answer and by_paragraph.decided == 1


# A meeting with two requests: § 42 a guarantee (svar senast 2027-01-31), § 43 a förbundsordning (2027-02-28).
SYDOST_MEMBERS = ("karlskrona", "ronneby", "emmaboda", "kalmar", "monsteras", "torsas")


def _sydost(tmp_path: Path) -> Path:
    import pikepdf
    from docx import Document

    folder = tmp_path / "sydost"
    shutil.copytree(ROOT / "tests" / "data" / "sydost", folder)
    (folder / "underlag").mkdir()
    Document().save(str(folder / "underlag" / "tjansteskrivelse-borgen.docx"))
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(folder / "underlag" / "forbundsordning-forslag.pdf")
    return folder / "2026-10-15-forbundsstyrelsen.yaml"


def _to(paragraph: int, decision: str = "bifall", signed: str | None = None, day: str = "2026-11-20") -> str:
    lines = (f"    § {paragraph}:\n      datum: {day}\n      kf_paragraf: KF 2026 § 101\n"
             f"      beslut: {decision}\n")
    return lines + (f"      regressavtal_undertecknat: {signed}\n" if signed else "")


def _member(member: str, *answers: str) -> str:
    return f"  {member}:\n" + "".join(answers)


def test_each_request_has_its_own_condition_and_days_left(tmp_path):
    everyone_granted_43 = "".join(_member(m, _to(43)) for m in SYDOST_MEMBERS[2:])
    text = (_member("karlskrona", _to(42, signed="2026-11-25"), _to(43))
            + _member("ronneby", _to(43), _to(42, "återremiss")) + everyone_granted_43)
    report = _status(_sydost(tmp_path), text, today=dt.date(2026, 12, 1))
    guarantee, order = report.requests
    assert (guarantee.item.number, order.item.number) == (42, 43)
    assert guarantee.condition == OPEN and guarantee.decided == 1
    assert "det saknas 5 fullmäktigebeslut om bifall och 5 underskrifter av regressavtalet" in guarantee.summary
    assert order.condition == MET and order.decided == 6
    assert "samtliga 6 medlemmars fullmäktige har bifallit." in order.summary
    assert [row.days_left for row in guarantee.members] == [61] * 6
    assert [row.days_left for row in order.members] == [89] * 6
    assert [row.answer.decision if row.answer else None for row in guarantee.members[:3]] == [
        "bifall", "återremiss", None]
    assert report.condition == OPEN and not report.met and report.decided == 1
    assert report.summary == "1 av 2 hemställanden har villkoret uppfyllt. Uppfyllt: § 43. Öppet: § 42."


def test_docgen_status_prints_a_table_per_request_and_exits_0_only_when_both_are_met(tmp_path):
    meeting = _sydost(tmp_path)
    runner = CliRunner()
    both = "".join(_member(m, _to(42, signed="2026-11-25"), _to(43)) for m in SYDOST_MEMBERS)
    answers_file(meeting).write_text("svar:\n" + both, encoding="utf-8")
    met = runner.invoke(main, ["status", str(meeting)])
    assert met.exit_code == 0, met.output
    assert met.output.count("Villkoret uppfyllt") == 2 and "2 av 2 hemställanden" in met.output

    refused = both.replace(_member("kalmar", _to(42, signed="2026-11-25"), _to(43)),
                           _member("kalmar", _to(42, signed="2026-11-25"), _to(43, "avslag")))
    assert refused != both
    answers_file(meeting).write_text("svar:\n" + refused, encoding="utf-8")
    failed = runner.invoke(main, ["status", str(meeting)])
    assert failed.exit_code == 1, failed.output
    guarantee_part, order_part = failed.output.split("§ 43 Reviderad förbundsordning & reglemente")
    assert "§ 42 Ny solidarisk borgen för Räddningstjänstförbundet Sydost & Kust om 60 Mkr" in guarantee_part
    assert "svar senast 2027-01-31" in guarantee_part and "Villkoret uppfyllt" in guarantee_part
    assert "svar senast 2027-02-28" in order_part
    assert "Villkoret kan inte längre uppfyllas: Kalmar kommun har avslagit hemställan" in order_part
    assert "Kan inte uppfyllas: § 43." in order_part


def test_one_avslag_makes_only_that_request_unmeetable(tmp_path):
    text = _member("kalmar", _to(42, signed="2026-11-25"), _to(43, "avslag"))
    report = _status(_sydost(tmp_path), text, today=dt.date(2026, 12, 1))
    assert [r.condition for r in report.requests] == [OPEN, FAILED]
    assert report.condition == OPEN  # § 42 can still be met


TWO_REQUESTS_WRONG = [
    (_answer("karlskrona"), ":2:3: svar.karlskrona:",
     'sammanträdet har 2 hemställanden (§ 42, § 43); skriv kommunens svar under den paragraf det gäller, '
     't.ex. "§ 42:"'),
    (_member("ronneby", _to(41)), ":3:5: svar.ronneby.§ 41:",
     "§ 41 har ingen hemställan till medlemmarna; svar kan ges på § 42, § 43"),
    (_member("ronneby", _to(99)), ":3:5: svar.ronneby.§ 99:",
     "sammanträdet har ingen § 99; svar kan ges på § 42, § 43"),
    (_member("ronneby", _to(42), _to(43).replace("§ 43", "§ 4x")), ":7:5: svar.ronneby.§ 4x:",
     "'§ 4x' är ingen paragraf"),
    (_member("ronneby", _to(42), _to(42).replace("§ 42", "§42")), ":7:5: svar.ronneby.§42:",
     "§ 42 står redan som '§ 42'; ta bort den ena"),
    (_member("ronneby", _to(43, signed="2026-11-25")), ":7:34: svar.ronneby.§ 43.regressavtal_undertecknat:",
     "hemställan i § 43 gäller ingen borgen och har inget regressavtal; ta bort raden"),
    (_member("ronneby", _to(42, "kanske")), ":6:15: svar.ronneby.§ 42.beslut:", "ska vara ett av"),
    (_member("ronneby", _to(42, day="2026-10-01")), ":4:14: svar.ronneby.§ 42.datum:", "före sammanträdet"),
    (_member("vaxjo", _to(42)), ":2:3: svar.vaxjo:", "okänd medlem 'vaxjo'"),
]


@pytest.mark.parametrize(("meeting", "text", "where", "message"),
                         [("seed", *case) for case in SEED_WRONG] + [("sydost", *case) for case in TWO_REQUESTS_WRONG])
def test_a_wrong_answer_is_reported_with_file_line_and_field(tmp_path, meeting, text, where, message):
    path = _meeting(tmp_path) if meeting == "seed" else _sydost(tmp_path)
    with pytest.raises(InputError) as error:
        _status(path, text)
    assert f"{path.stem}-svar.yaml{where}" in str(error.value)
    assert message in str(error.value)


def test_a_wrong_answer_is_a_swedish_message_from_docgen_status_without_traceback(tmp_path):
    meeting = _sydost(tmp_path)
    answers_file(meeting).write_text("svar:\n" + _answer("karlskrona"), encoding="utf-8")
    result = CliRunner().invoke(main, ["status", str(meeting)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "2026-10-15-forbundsstyrelsen-svar.yaml:2:3: svar.karlskrona: sammanträdet har 2 hemställanden" in (
        result.output)


def _logged(log: SendLog, member: str, purpose: str, name: str, day: dt.datetime, number: int) -> None:
    from docgen.records.sendlog import LoggedAttachment, Sending, Sent

    to = {"member": member, "address": f"kommun@{member}.se", "message_id": f"<{member}.{purpose}.{number}@itsam.se>"}
    log.append(Sending(**to, purpose=purpose, time=day, package="a" * 64,
                       attachments=(LoggedAttachment(file=name, name=name, sha256="b" * 64, size=1),)))
    log.append(Sent(**to, time=day + dt.timedelta(seconds=2), reply="250 2.0.0 Ok"))


def test_status_shows_when_each_member_was_last_reminded(tmp_path):
    from docgen.distribution.outgoing import REMINDER, REQUEST

    meeting = _meeting(tmp_path)
    log = SendLog(log_file(meeting))
    sent = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
    for member in ("boxholm", "vimmerby"):
        _logged(log, member, REQUEST, f"{member}-samtliga-handlingar.pdf", sent, 0)
    for number, day in enumerate((16, 20), start=1):
        _logged(log, "boxholm", REMINDER, f"paminnelse-boxholm-2026-06-{day}.pdf",
                dt.datetime(2026, 6, day, 9, tzinfo=dt.UTC), number)

    report = _status(meeting, _answer("ydre"))
    assert [row.reminded for row in report.members] == [dt.date(2026, 6, 20), None, None, None, None]
    shown = CliRunner().invoke(main, ["status", str(meeting)], env={"COLUMNS": "200"})
    assert "Påmint" in shown.output
    (boxholm,) = [line for line in shown.output.splitlines() if "Boxholms kommun" in line]
    assert "2026-04-01" in boxholm and "2026-06-20" in boxholm
    (vimmerby,) = [line for line in shown.output.splitlines() if "Vimmerby kommun" in line]
    assert "2026-06" not in vimmerby


def test_a_decision_or_signature_after_today_is_refused(tmp_path):
    with pytest.raises(InputError) as error:
        _status(_meeting(tmp_path), _answer("ydre", day="2099-05-12", signed="2099-05-20"))
    assert ":3:12: svar.ydre.datum: 2099-05-12 har inte varit än" in str(error.value)


def test_a_regressavtal_signed_before_the_councils_decision_is_refused(tmp_path):
    with pytest.raises(InputError) as error:
        _status(_meeting(tmp_path), _answer("ydre", day="2026-05-12", signed="2026-04-01"))
    assert "svar.ydre.regressavtal_undertecknat: 2026-04-01 är före fullmäktiges beslut 2026-05-12" in str(error.value)


def test_every_error_of_the_answers_comes_at_once_in_swedish(tmp_path):
    text = _answer("ydre", "kanske") + _answer("linkoping") + _answer("boxholm", day="2025-12-01")
    with pytest.raises(InputError) as error:
        _status(_meeting(tmp_path), text)
    message = str(error.value)
    assert "3 fel i indata" in message
    assert "ska vara ett av: 'bifall', 'avslag' eller 'återremiss'" in message and " or " not in message
    assert "okänd medlem 'linkoping'" in message and "före sammanträdet" in message


def test_docgen_check_checks_the_answers_file(tmp_path):
    meeting = _meeting(tmp_path)
    answers_file(meeting).write_text("svar:\n" + _answer("ydre", "kanske"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(meeting)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{meeting.stem}-svar.yaml:5:13: svar.ydre.beslut: ska vara ett av" in result.output
