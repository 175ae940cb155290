"""The consoles print the secretary's text as it stands: no rich markup, no emoji codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from docgen.terminal import err, out
from support import ROOT, copy_decisions


def test_brackets_and_colons_are_printed_as_written():
    text = "att [kommunens namn] beslutar :100: [/] [bold]klart[/bold]"
    for console in (out, err):
        with console.capture() as captured:
            console.print(text)
        assert captured.get() == text + "\n"


def test_check_shows_a_member_named_with_brackets_and_an_emoji_code_as_named(tmp_path: Path):
    meeting = copy_decisions(tmp_path)
    association = meeting.parent / "forbund.yaml"
    text = association.read_text(encoding="utf-8")
    assert text.count("namn: Ydre kommun") == 1
    association.write_text(text.replace("namn: Ydre kommun", "namn: \"Ydre kommun [/] :100:\""), encoding="utf-8")
    shown = subprocess.run([sys.executable, "-m", "docgen.cli", "check", str(meeting)], cwd=ROOT,
                           capture_output=True, text=True, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert "Traceback" not in shown.stderr
    assert "  Ydre kommun [/] :100:: alla" in shown.stdout, shown.stdout + shown.stderr
