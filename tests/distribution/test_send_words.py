"""A message that may have arrived goes nowhere without the secretary's word: real SMTP, a real SIGKILL."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as DEFAULT_POLICY
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from docgen.cli import main
from docgen.distribution import sendlog
from docgen.distribution.sendlog import log_file
from docgen.records.sendlog import Sent
from support import MEMBERS, SEED_MEETING, sendable_copy

pytestmark = pytest.mark.libreoffice

DOCGEN = Path(sys.executable).with_name("docgen")


@dataclass
class Server:
    """An aiosmtpd handler that keeps every message; with ``victim`` set, SIGKILLs ``process`` once the
    server has stored the victim's message, before docgen hears the reply."""

    victim: str | None = None
    process: subprocess.Popen | None = None
    messages: list[tuple[str, EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, _server, _session, envelope) -> str:
        (recipient,) = envelope.rcpt_tos
        self.messages.append((recipient, message_from_bytes(envelope.content, policy=DEFAULT_POLICY)))
        if self.process is not None and recipient == self.victim:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process = None
        return "250 2.0.0 Ok: mottaget"

    def members(self) -> list[str]:
        return [_member(recipient) for recipient, _message in self.messages]


def _member(address: str) -> str:
    """The seed's registrator addresses are all at the member's own domain, e.g. kommun@ydre.se."""
    return address.rpartition("@")[2].split(".")[0]


@pytest.fixture
def server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Server()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, {"DOCGEN_SMTP_SERVER": "127.0.0.1", "DOCGEN_SMTP_PORT": str(port),
                        "DOCGEN_SMTP_SAKERHET": "okrypterad", "DOCGEN_SMTP_AVSANDARE": "registrator@itsam.se"}
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def sendable_built(tmp_path_factory: pytest.TempPathFactory, built_out: Path) -> Path:
    """A sendable copy of decisions/ built once (into a copy of the seed's out/, so only what changed is made)."""
    from docgen.pipeline.run import build

    root = tmp_path_factory.mktemp("sendbar")
    sendable_copy(root)
    shutil.copytree(built_out, root / "out", symlinks=True)
    build(root / "decisions" / SEED_MEETING.name, root / "out")
    return root


@pytest.fixture
def meeting(sendable_built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of :func:`sendable_built`, built where it lies (from the cache); the tests run docgen in
    it, as a secretary does."""
    from docgen.pipeline.run import build

    for name in ("decisions", "out"):
        shutil.copytree(sendable_built / name, tmp_path / name, symlinks=True)
    monkeypatch.chdir(tmp_path)
    build(Path("decisions") / SEED_MEETING.name, Path("out"))
    return Path("decisions") / SEED_MEETING.name


def docgen(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(DOCGEN), "send", "--skicka", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env, "COLUMNS": "200"}, check=False)


def _events(meeting: Path) -> list[tuple[str, str]]:
    return [(line["händelse"], line["medlem"])
            for line in map(json.loads, log_file(meeting).read_text(encoding="utf-8").splitlines())]


def _killed_after_vimmerby_was_stored(server, meeting: Path) -> None:
    handler, env = server
    handler.victim = "vimmerby.kommun@vimmerby.se"
    handler.process = subprocess.Popen([str(DOCGEN), "send", "--skicka"], env={**os.environ, **env},
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert handler.process.wait(timeout=300) == -signal.SIGKILL
    assert handler.members() == ["boxholm", "vimmerby"]
    assert _events(meeting)[-1] == ("skickar", "vimmerby")


def test_after_a_sigkill_the_member_whose_message_was_stored_gets_nothing_until_the_secretary_confirms(server,
                                                                                                      meeting):
    handler, env = server
    _killed_after_vimmerby_was_stored(server, meeting)

    rerun = docgen(env)
    assert rerun.returncode == 1, rerun.stderr
    assert handler.members() == ["boxholm", "vimmerby", "ydre", "atvidaberg", "odeshog"]
    assert "Osäkert om meddelandet kom fram till Vimmerby kommun (vimmerby)" in rerun.stdout
    assert "--kom-fram MEDLEM" in rerun.stdout and "--skicka-kopia MEDLEM" in rerun.stdout
    assert docgen(env).returncode == 1 and len(handler.messages) == 5  # still waiting for the word

    confirmed = docgen(env, "--kom-fram", "vimmerby")
    assert confirmed.returncode == 0, confirmed.stderr
    assert _events(meeting)[-1] == ("kom fram", "vimmerby")
    again = docgen(env)
    assert again.returncode == 0 and "Skickade 0 " in again.stdout
    assert len(handler.messages) == 5
    refused = docgen(env, "--kom-fram", "vimmerby")
    assert refused.returncode == 2 and "Vimmerby kommun har inget osäkert utskick" in refused.stderr


@pytest.mark.heavy
def test_after_a_sigkill_the_other_word_sends_exactly_one_copy_marked_as_a_copy(server, meeting):
    handler, env = server
    _killed_after_vimmerby_was_stored(server, meeting)
    assert docgen(env).returncode == 1 and len(handler.messages) == 5

    copied = docgen(env, "--skicka-kopia", "vimmerby")
    assert copied.returncode == 0, copied.stderr
    assert handler.members()[5:] == ["vimmerby"]
    original, copy = handler.messages[1][1], handler.messages[5][1]
    assert copy["Message-ID"] == original["Message-ID"]  # the registrator's system sees the same message
    assert copy["Subject"] == f"Kopia – {original['Subject']}"
    body = copy.get_body(("plain",)).get_content()
    assert body.startswith(f"KOPIA: Detta är en kopia av ett e-postmeddelande med samma Message-ID "
                           f"({original['Message-ID']})")
    assert "diarieför inte kopian" in body
    assert [a.get_content() for a in copy.iter_attachments()] == [a.get_content()
                                                                  for a in original.iter_attachments()]
    assert _events(meeting)[-3:] == [("skicka kopia", "vimmerby"), ("skickar", "vimmerby"),
                                     ("skickat", "vimmerby")]
    assert docgen(env).returncode == 0 and len(handler.messages) == 6
    assert docgen(env, "--skicka-kopia", "vimmerby").returncode == 2 and len(handler.messages) == 6


def test_a_log_that_cannot_be_written_after_the_server_took_a_message_says_it_arrived_and_stops(
        server, meeting, monkeypatch):
    handler, env = server
    real_append = sendlog.SendLog.append

    def lost(log, record):
        if isinstance(record, Sent):  # a fault injected after the server accepted
            raise PermissionError(13, "Permission denied", str(log.path))
        real_append(log, record)

    monkeypatch.setattr(sendlog.SendLog, "append", lost)
    result = CliRunner(env=env).invoke(main, ["send", "--skicka"])
    assert result.exit_code == 3
    assert handler.members() == ["boxholm"]  # nothing more went out
    message = " ".join(result.output.split())
    assert "meddelandet till Boxholms kommun (kommun@boxholm.se) HAR KOMMIT FRAM" in message
    assert "behörighet saknas" in message and "Skicka det inte igen" in message
    assert "docgen send --skicka --kom-fram boxholm" in message
    assert "Inget i out/ har ändrats" not in message

    monkeypatch.setattr(sendlog.SendLog, "append", real_append)
    rerun = CliRunner(env=env).invoke(main, ["send", "--skicka"])
    assert rerun.exit_code == 1 and handler.members() == list(MEMBERS)  # boxholm not again
    assert CliRunner(env=env).invoke(main, ["send", "--skicka", "--kom-fram", "boxholm"]).exit_code == 0
    assert len(handler.messages) == 5


@pytest.mark.parametrize("damage", ["torn", pytest.param("utf8", marks=pytest.mark.heavy),
                                    pytest.param("no-keys", marks=pytest.mark.heavy)])
def test_a_damaged_log_stops_a_real_send_with_the_line_until_the_word(server, meeting, damage):
    handler, env = server
    _killed_after_vimmerby_was_stored(server, meeting)
    log = log_file(meeting)
    lines = log.read_bytes().splitlines(keepends=True)
    if damage == "torn":  # boxholm's skickat cut in the middle, a later line after it
        lines[1] = lines[1][:len(lines[1]) // 2] + b"\n"
    elif damage == "utf8":
        lines[1] = lines[1].replace(b"kommun", b"kommu\xe4", 1)
    else:
        lines.insert(1, '{"händelse": "skickar"}\n'.encode())
    log.write_bytes(b"".join(lines))

    refused = docgen(env)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert len(handler.messages) == 2
    stderr = " ".join(refused.stderr.split())
    assert "2026-03-26-direktionen.utskick.jsonl:2: raden i utskicksloggen går inte att läsa" in stderr
    concerned = {"torn": "boxholm", "utf8": "boxholm", "no-keys": "atvidaberg, boxholm, odeshog, vimmerby, ydre"}
    assert f"inget har skickats; raden kan gälla {concerned[damage]}" in stderr

    words = {"torn": ["--kom-fram", "boxholm"], "utf8": ["--kom-fram", "boxholm"],
             "no-keys": [arg for m in MEMBERS for arg in ("--kom-fram" if m in ("boxholm", "vimmerby")
                                                          else "--skicka-kopia", m)]}[damage]
    settled = docgen(env, *words, *([] if damage == "no-keys" else ["--kom-fram", "vimmerby"]))
    assert settled.returncode == 0, settled.stderr
    assert handler.members()[:2] == ["boxholm", "vimmerby"] and sorted(handler.members()[2:]) == sorted(
        ["ydre", "atvidaberg", "odeshog"])
    assert docgen(env).returncode == 0 and len(handler.messages) == 5


@pytest.mark.heavy
def test_a_log_cut_at_a_line_end_stops_a_real_send_until_every_member_has_its_word(server, meeting):
    """Ödeshög's lines cut away (a restore from an older copy): the log alone would call it never sent."""
    handler, env = server
    sent = docgen(env)
    assert sent.returncode == 0, sent.stderr
    assert len(handler.messages) == 5
    log = log_file(meeting)
    lines = log.read_bytes().splitlines(keepends=True)
    assert json.loads(lines[-1])["medlem"] == "odeshog"
    log.write_bytes(b"".join(lines[:-2]))

    refused = docgen(env)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert len(handler.messages) == 5
    stderr = " ".join(refused.stderr.split())
    assert (f"2026-03-26-direktionen.utskick.jsonl:{len(lines) - 2}: raden i utskicksloggen går inte att läsa "
            f"(loggen slutar efter rad {len(lines) - 2}, men docgen skrev {len(lines)} rader, enligt kontrollfilen "
            "2026-03-26-direktionen.utskick.kontroll.json)") in stderr
    assert "raden kan gälla atvidaberg, boxholm, odeshog, vimmerby, ydre" in stderr

    four = [arg for m in MEMBERS if m != "odeshog" for arg in ("--kom-fram", m)]
    waiting = docgen(env, *four)
    assert waiting.returncode == 1 and "raden kan gälla odeshog." in " ".join(waiting.stderr.split())
    assert len(handler.messages) == 5
    settled = docgen(env, *four, "--kom-fram", "odeshog")
    assert settled.returncode == 0, settled.stderr
    assert docgen(env).returncode == 0 and len(handler.messages) == 5
    assert _events(meeting)[-5:] == [("kom fram", m) for m in MEMBERS]
