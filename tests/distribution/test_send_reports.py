"""What a send says and leaves behind: drafts of this run only, the table and count after a real send, the wait
for another send, the ids on one header line, a server error with one full stop."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import test_send
from click.testing import CliRunner
from test_send import _member_of

from docgen.cli import main
from docgen.distribution.send import ChangedError, SendError, drafts_folder, send_meeting
from docgen.distribution.sendlog import SendLog, log_file
from docgen.input.validate import load_case
from support import MEMBERS, SEED_MEETING, sendable_copy

pytestmark = pytest.mark.libreoffice

ID_HEADERS = (b"Message-ID", b"References", b"Supersedes")
smtp_server, smtp_env = test_send.smtp_server, test_send.smtp_env  # the real SMTP server and its settings


@pytest.fixture
def sendable(tmp_path: Path, out: Path) -> tuple[Path, Path]:
    """The seed as a real send needs it, built into a copy of the session's out/."""
    from docgen.pipeline.run import build

    meeting = sendable_copy(tmp_path) / SEED_MEETING.name
    build(meeting, out)
    return meeting, out


def _change_ydre(meeting: Path, out: Path) -> None:
    from docgen.pipeline.run import build

    association = meeting.with_name("forbund.yaml")
    text = association.read_text(encoding="utf-8")
    changed = text.replace("gatuadress: Box 1\n      postnummer: 573 74", "gatuadress: Box 2\n      postnummer: 573 74")
    assert changed != text
    association.write_text(changed, encoding="utf-8")
    build(meeting, out)


def _drafts(meeting: Path, out: Path) -> Path:
    return drafts_folder(load_case(meeting), out)


def test_a_refused_run_leaves_no_stale_draft_and_keeps_the_secretarys_files(sendable, smtp_server, smtp_env):
    meeting, out = sendable
    send_meeting(meeting, out, send=True, environ=smtp_env)
    folder = _drafts(meeting, out)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{m}.eml" for m in MEMBERS)
    (folder / "vimmerby.eml").write_text("Subject: mitt eget utkast\n\nhej\n", encoding="utf-8")
    (folder / "anteckningar.eml").write_text("Subject: egna\n\nhej\n", encoding="utf-8")
    _change_ydre(meeting, out)

    with pytest.raises(ChangedError):
        send_meeting(meeting, out, send=True, environ=smtp_env)
    # Nothing goes out now, so no draft of docgen's is left to be taken for what would; the secretary's stay.
    assert sorted(p.name for p in folder.iterdir()) == ["anteckningar.eml", "vimmerby.eml"]
    assert (folder / "vimmerby.eml").read_text(encoding="utf-8").startswith("Subject: mitt eget utkast")


def test_a_real_send_of_one_says_what_happened_in_the_singular_with_ids_on_one_line(sendable, smtp_server,
                                                                                   smtp_env):
    meeting, out = sendable
    _controller, server = smtp_server
    send_meeting(meeting, out, send=True, environ=smtp_env)
    _change_ydre(meeting, out)

    result = CliRunner().invoke(main, ["send", str(meeting), "--out", str(out), "--skicka", "--igen", "ydre"],
                                env={**smtp_env, "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Skickade 1 e-postmeddelande;" in result.stdout
    (row,) = [line for line in result.stdout.splitlines() if "Ydre kommun" in line]
    assert "skickat på nytt (--igen)" in row and "skickas" not in row
    assert [_member_of(r) for r in server.messages[5:]] == ["ydre"]

    draft = (_drafts(meeting, out) / "ydre.eml").read_bytes()
    for raw in (draft, server.messages[5].raw):
        headers = raw.split(b"\n\n", 1)[0].replace(b"\r\n", b"\n").split(b"\n")
        for name in ID_HEADERS:
            (line,) = [h for h in headers if h.startswith(name + b":")]
            index = headers.index(line)
            assert line.endswith(b">") and b"=?" not in line, line
            assert not headers[index + 1][:1].isspace()  # no continuation line


def test_a_send_waiting_for_another_says_so_at_once_and_names_the_log(sendable, smtp_server, smtp_env):
    meeting, out = sendable
    log = SendLog(log_file(meeting))
    holding = threading.Event()

    def other_send() -> None:
        with log.exclusive():
            holding.set()
            time.sleep(1.5)

    other = threading.Thread(target=other_send)
    other.start()
    holding.wait()
    started = time.monotonic()
    result = CliRunner().invoke(main, ["send", str(meeting), "--out", str(out), "--skicka"], env=smtp_env)
    other.join()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 1.0  # it did wait
    assert f"Väntar på ett annat utskick med docgen, som skriver i {log.path}" in result.stderr
    assert "Skickade 5 e-postmeddelanden;" in result.stdout


def test_a_server_without_starttls_is_said_with_one_full_stop(sendable, smtp_server, smtp_env):
    meeting, out = sendable
    with pytest.raises(SendError) as refusal:
        send_meeting(meeting, out, send=True, environ={**smtp_env, "DOCGEN_SMTP_SAKERHET": "starttls"})
    message = str(refusal.value)
    assert "not supported by server. Inget har skickats." in message
    assert ".." not in message
