"""The docgen command as the secretary runs it: exit codes, messages, schema."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from docgen.input.schema import SCHEMA_DIR, SCHEMAS, schema_text
from docgen.input.validate import load_case
from support import ROOT, SEED_MEETING, copy_decisions

DOCGEN = [sys.executable, "-m", "docgen.cli"]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DOCGEN, *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_check_on_the_seed_exits_0_with_a_summary_and_the_open_fill_ins():
    result = run("check")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ("decisions/2026-03-26-direktionen.yaml: inga fel – Direktionen 2026-03-26, "
                        "§§ 16–20, 5 medlemmar.")
    assert lines[1] == ("Justering 2026-03-26; anslaget sätts upp 2026-03-27 och tas ned 2026-04-17; "
                        "sista dag för överklagande 2026-04-17.")
    assert lines[2] == "Att-satser i varje kommuns förslag till beslut (§ 18, 7 i protokollet):"
    assert lines[3] == "  Boxholms kommun: alla"
    assert "Uppgifter som kommunerna själva fyller i (§ 18):" in lines
    assert ("  Ydre kommun: datum för kommunens gällande regressavtal; kommunfullmäktiges tidigare "
            "beslut om borgen, KF år § nr") in lines


def test_check_on_the_seed_warns_of_the_passed_answer_date_and_the_example_values():
    result = run("check")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith("  varning: ")]
    assert ("  varning: decisions/2026-03-26-direktionen.yaml:168:20: § 18 (paragrafer[2]).hemställan.svar_senast: "
            "svar_senast 2026-06-30 har redan passerat") in "\n".join(warnings)
    assert any(w.startswith("  varning: decisions/forbund.yaml:33:24: Boxholms kommun (medlemmar[0])."
                            "registrator_epost: värdet 'kommun@boxholm.se' är märkt EXEMPEL") for w in warnings)
    # The block comment marks what follows it; the header that only speaks of the marks marks nothing.
    assert any("decisions/forbund.yaml:20:1: fördelningsgrund:" in w for w in warnings)
    assert not any("forbund.yaml:4:" in w for w in warnings)


def test_usage_error_exits_2():
    assert run("check", "--finns-inte").returncode == 2
    assert run("bygg").returncode == 2


def test_input_error_exits_1_without_traceback(tmp_path: Path):
    result = run("check", str(tmp_path / "saknas.yaml"))
    assert result.returncode == 1
    assert "saknas.yaml: filen finns inte" in result.stderr
    assert "Traceback" not in result.stderr


def test_seed_dates_pass_and_are_derived_when_left_out(tmp_path: Path):
    case = load_case(SEED_MEETING)
    assert (case.meeting.adjustment.date.isoformat(), case.meeting.posted.isoformat(),
            case.meeting.removed.isoformat()) == ("2026-03-26", "2026-03-27", "2026-04-17")
    meeting = copy_decisions(tmp_path, "d")
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("anslag:\n  uppsatt: 2026-03-27\n  nedtaget: 2026-04-17\n", ""),
                       encoding="utf-8")
    derived = load_case(meeting).meeting
    assert derived.notice.posted is None
    assert (derived.posted.isoformat(), derived.removed.isoformat()) == ("2026-03-27", "2026-04-17")


def test_committed_schemas_equal_the_model():
    for name in SCHEMAS:
        assert (SCHEMA_DIR / name).read_text(encoding="utf-8") == schema_text(name), (
            f"{name} is stale: run .venv/bin/docgen schema")


def test_every_yaml_in_decisions_points_at_its_schema():
    for path in sorted((ROOT / "decisions").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=../docgen/input/schema/"), path
        schema = (path.parent / first.split("=", 1)[1]).resolve()
        assert schema.is_file()
        assert "properties" in json.loads(schema.read_text(encoding="utf-8"))


def test_schema_command_writes_the_schemas(tmp_path: Path):
    result = run("schema", "--out", str(tmp_path))
    assert result.returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(SCHEMAS)


def test_build_without_libreoffice_says_how_to_install_it(tmp_path: Path):
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)}
    command = [*DOCGEN, "build", str(SEED_MEETING), "--out", str(tmp_path / "out")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 3
    assert "LibreOffice saknas" in result.stderr and "apt-get install" in result.stderr
    assert "Traceback" not in result.stderr


def test_input_errors_come_before_a_missing_libreoffice(tmp_path: Path):
    meeting = copy_decisions(tmp_path, "d")
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("- nummer: 17", "- nummer: 16"),
                       encoding="utf-8")
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)}
    result = subprocess.run([*DOCGEN, "build", str(meeting), "--out", str(tmp_path / "out")],
                            cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 1
    assert "§ 16 finns redan" in result.stderr
    assert not (tmp_path / "out").exists()


def test_errors_name_the_member_and_the_paragraph_not_only_their_index(tmp_path: Path):
    decisions = tmp_path / "d"
    shutil.copytree(SEED_MEETING.parent, decisions)
    association, meeting = decisions / "forbund.yaml", decisions / SEED_MEETING.name
    text = association.read_text(encoding="utf-8")
    assert "registrator_epost: vimmerby.kommun@vimmerby.se" in text
    association.write_text(text.replace("registrator_epost: vimmerby.kommun@vimmerby.se",
                                        "registrator_epost: vimmerby-kommun"), encoding="utf-8")
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("dnr: 2026/8\n", "dnr: 26-8\n"), encoding="utf-8")
    result = run("check", str(meeting))
    assert result.returncode == 1
    assert "Vimmerby kommun (medlemmar[1]).registrator_epost: ogiltig e-postadress 'vimmerby-kommun'" in result.stderr
    assert "§ 16 (paragrafer[0]).dnr: har fel form \"26-8\"" in result.stderr


def test_verify_of_a_folder_that_does_not_exist_is_a_swedish_usage_error(tmp_path: Path):
    result = run("verify", str(tmp_path / "finns-inte"))
    assert result.returncode == 2
    expected = f"docgen: {tmp_path / 'finns-inte'} är ingen mapp eller PDF-fil; ange mötets mapp under out/."
    assert expected in result.stderr
