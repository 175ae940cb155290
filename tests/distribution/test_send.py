"""Sending the seed meeting through a real SMTP server on localhost, and every way it must not go wrong."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import shutil
import smtplib
from pathlib import Path

import pytest

from docgen.distribution import outgoing, send
from docgen.distribution.isolation import IsolationError
from docgen.distribution.send import ChangedError, SendError, send_meeting
from docgen.distribution.sendlog import SendLog, log_file
from docgen.distribution.smtp import Connection
from docgen.input.validate import load_case
from docgen.model import formatting as fmt
from support import (
    MEMBERS,
    SEED_MEETING,
    Recorder,
    private_copy,
    running_smtp_server,
    sendable_copy,
    smtp_environ,
    squash,
)

pytestmark = pytest.mark.libreoffice

ADDRESSES = {"boxholm": "kommun@boxholm.se", "vimmerby": "vimmerby.kommun@vimmerby.se",
             "ydre": "ydre.kommun@ydre.se", "atvidaberg": "kommun@atvidaberg.se", "odeshog": "kommun@odeshog.se"}



@pytest.fixture
def smtp_server():
    handler = Recorder()
    with running_smtp_server(handler) as controller:
        yield controller, handler


@pytest.fixture
def smtp_env(smtp_server) -> dict[str, str]:
    controller, _handler = smtp_server
    return smtp_environ(controller.port)


@pytest.fixture(scope="module")
def sendable_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An out/ with the sendable seed built once, cache included: each test's build of it needs no LibreOffice."""
    from docgen.pipeline.run import build

    root = tmp_path_factory.mktemp("sendbar")
    out = root / "out"
    build(sendable_copy(root) / SEED_MEETING.name, out)
    return out


@pytest.fixture
def out(sendable_out: Path, tmp_path: Path) -> Path:
    return private_copy(sendable_out, tmp_path)


@pytest.fixture
def decisions(tmp_path: Path) -> Path:
    """A private copy of decisions/ as a real send needs it (the send log and the answers are written beside it)."""
    return sendable_copy(tmp_path) / SEED_MEETING.name


def _reply_by(meeting: Path) -> dt.date:
    return load_case(meeting).request_items[0].request.reply_by


@pytest.fixture
def built(decisions: Path, out: Path) -> tuple[Path, Path]:
    """The copied meeting built into a copy of the session's out/ (every PDF from its cache)."""
    from docgen.pipeline.run import build

    build(decisions, out)
    return decisions, out


def _manifest(out: Path) -> dict[str, dict]:
    data = json.loads((out / "2026-03-26-direktionen" / "manifest.json").read_text(encoding="utf-8"))
    return {item["fil"]: item for item in data["filer"]}


def _member_of(received) -> str:
    (address,) = received.recipients
    return next(m for m, a in ADDRESSES.items() if a == address)


def _check_received(received, out: Path) -> None:
    """Recipient, subject and every attachment's bytes against what the manifest says the build made for it."""
    member = _member_of(received)
    message = received.message
    assert message["To"].addresses[0].addr_spec == ADDRESSES[member]
    assert received.sender == "registrator@itsam.se"
    assert message["Subject"] == ("Kommunalförbundet Itsam: Ny solidarisk borgen för Kommunalförbundet Itsam om "
                                  "130 Mkr (dnr ITSAM 2026/14)")
    assert member in message["Message-ID"] and "2026-03-26-direktionen" in message["Message-ID"]
    manifest = _manifest(out)
    attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert set(attachments) == {f"{member}-samtliga-handlingar.pdf", f"2-forslag-till-beslut-{member}.docx"}
    body = message.get_body(("plain",)).get_content()
    for name, data in attachments.items():
        entry = next(e for f, e in manifest.items() if f.startswith(f"medlemmar/{member}/") and f.endswith(name))
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert entry["mottagare"] == [member]
        assert entry["sha256"] in body  # the body lists each attachment's checksum
    assert f"senast den {fmt.long_date(_reply_by(out.parent / 'decisions' / SEED_MEETING.name))}" in body
    assert "Malin Vikström" in body


def test_dry_run_writes_one_draft_per_member_and_sends_nothing(built, smtp_server, smtp_env):
    meeting, out = built
    run = send_meeting(meeting, out, environ=smtp_env)
    assert sorted(p.name for p in run.drafts) == sorted(f"{m}.eml" for m in MEMBERS)
    assert smtp_server[1].messages == []
    assert not log_file(meeting).exists()
    assert not [p.name for p in meeting.parent.iterdir() if p.name.endswith(".lås")]  # no lock left beside the YAML
    assert all(step.action == send.NEW for step in run.steps)


def test_a_refusal_half_way_loses_nothing_and_a_rerun_sends_only_the_rest(built, smtp_server, smtp_env):
    meeting, out = built
    _controller, server = smtp_server
    server.accept = 2
    with pytest.raises(SendError, match="554"):
        send_meeting(meeting, out, send=True, environ=smtp_env)
    first = [_member_of(r) for r in server.messages]
    assert first == ["boxholm", "vimmerby"]

    server.accept = None
    run = send_meeting(meeting, out, send=True, environ=smtp_env)
    second = [_member_of(r) for r in server.messages[2:]]
    assert second == ["ydre", "atvidaberg", "odeshog"]
    assert len(run.sent) == 3
    for received in server.messages:
        _check_received(received, out)

    again = send_meeting(meeting, out, send=True, environ=smtp_env)
    assert again.sent == [] and len(server.messages) == 5
    assert {step.action for step in again.steps} == {send.DONE}

    records = SendLog(log_file(meeting)).records()
    assert [r.event for r in records].count("skickat") == 5
    assert [r.member for r in records if r.event == "misslyckades"] == ["ydre"]


def test_a_changed_package_is_refused_until_igen_and_then_replaces_the_earlier(built, smtp_server, smtp_env):
    from docgen.pipeline.run import build

    meeting, out = built
    _controller, server = smtp_server
    send_meeting(meeting, out, send=True, environ=smtp_env)
    earlier = {_member_of(r): r.message["Message-ID"] for r in server.messages}
    association = meeting.with_name("forbund.yaml")
    text = association.read_text(encoding="utf-8")
    assert "gatuadress: Box 1\n      postnummer: 573 74" in text
    association.write_text(text.replace("gatuadress: Box 1\n      postnummer: 573 74",
                                        "gatuadress: Box 2\n      postnummer: 573 74"), encoding="utf-8")
    build(meeting, out)

    with pytest.raises(ChangedError, match="Ydre kommun") as refusal:
        send_meeting(meeting, out, send=True, environ=smtp_env)
    assert "--igen ydre" in str(refusal.value)
    assert len(server.messages) == 5

    run = send_meeting(meeting, out, send=True, again=["ydre"], environ=smtp_env)
    assert [_member_of(r) for r in server.messages[5:]] == ["ydre"] and len(run.sent) == 1
    replacement = server.messages[5].message
    assert replacement["Supersedes"] == earlier["ydre"]
    assert replacement["Message-ID"] != earlier["ydre"]
    assert replacement["Subject"].startswith("Ersätter tidigare utskick")
    assert earlier["ydre"] in replacement.get_body(("plain",)).get_content()
    assert send_meeting(meeting, out, send=True, environ=smtp_env).sent == []


def test_a_plan_that_gives_vimmerbys_proposal_to_ydre_stops_before_anything_leaves(built, smtp_server, smtp_env,
                                                                                  monkeypatch):
    meeting, out = built
    real_plan = outgoing.plan

    def tampered(case):
        return [dataclasses.replace(d, member="ydre") if d.key == "forslag-vimmerby" else d for d in real_plan(case)]

    monkeypatch.setattr(outgoing, "plan", tampered)
    with pytest.raises(IsolationError) as stop:
        send_meeting(meeting, out, send=True, environ=smtp_env)
    message = str(stop.value)
    assert "inget har skickats" in message
    assert "Ydre kommun skulle få medlemmar/vimmerby/2-forslag-till-beslut-vimmerby.docx" in message
    assert "nämner ”Kommunfullmäktige i Vimmerby kommun”" in message
    assert smtp_server[1].messages == []
    assert SendLog(log_file(meeting)).records() == []


def test_a_file_whose_manifest_says_ydre_but_whose_text_is_vimmerbys_is_caught(built):
    from docgen.distribution.isolation import check_isolation

    meeting, out = built
    case = load_case(meeting)
    deliveries = outgoing.deliveries(case, out / case.meeting.slug)
    ydre = next(d for d in deliveries if d.member.id == "ydre")
    vimmerby = next(d for d in deliveries if d.member.id == "vimmerby")
    wrong = dataclasses.replace(vimmerby.attachments[1], recipients=("ydre",))  # the proposal, mislabelled
    deliveries[deliveries.index(ydre)] = dataclasses.replace(ydre, attachments=(ydre.attachments[0], wrong))
    with pytest.raises(IsolationError) as stop:
        check_isolation(case, deliveries)
    assert "nämner ”Kommunfullmäktige i Vimmerby kommun”" in str(stop.value)
    assert "nämner inte ”Kommunfullmäktige i Ydre kommun”" in str(stop.value)
    check_isolation(case, outgoing.deliveries(case, out / case.meeting.slug))  # the real plan passes


def test_a_message_in_flight_when_the_connection_breaks_is_uncertain_and_goes_again_only_as_a_copy(
        built, smtp_server, smtp_env):
    from docgen.distribution.sendlog import SendLog
    from docgen.distribution.status import status
    from docgen.model.answers import Answers

    meeting, out = built
    _controller, server = smtp_server

    class BreaksAfterFirst(Connection):
        def send(self, message, sender, recipient):
            super().send(message, sender, recipient)
            raise smtplib.SMTPServerDisconnected("förbindelsen bröts")  # the server took it; we never heard

    with pytest.raises(SendError, match="osäkert"):
        send_meeting(meeting, out, send=True, environ=smtp_env, connect=BreaksAfterFirst)
    assert [_member_of(r) for r in server.messages] == ["boxholm"]
    case = load_case(meeting)
    report = status(case, Answers(), SendLog(log_file(meeting)), case.meeting.date)
    assert [row.sent for row in report.members] == ["osäkert", "nej", "nej", "nej", "nej"]

    run = send_meeting(meeting, out, send=True, environ=smtp_env)
    assert [_member_of(r) for r in server.messages] == list(MEMBERS)  # boxholm not again without a word
    assert run.steps[0].action == send.UNCERTAIN

    copy = send_meeting(meeting, out, send=True, environ=smtp_env, words=send.Words.of(copies=["boxholm"]))
    assert [step.action for step in copy.sent] == [send.COPY]
    assert [_member_of(r) for r in server.messages] == [*MEMBERS, "boxholm"]
    assert server.messages[0].message["Message-ID"] == server.messages[5].message["Message-ID"]
    assert server.messages[5].message["Subject"].startswith("Kopia – ")
    assert send_meeting(meeting, out, send=True, environ=smtp_env).sent == []


def test_a_stale_build_is_not_sent(built, smtp_env):
    meeting, out = built
    pdf = out / "2026-03-26-direktionen" / "medlemmar" / "ydre" / "ydre-samtliga-handlingar.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% changed\n")
    with pytest.raises(outgoing.NotBuiltError, match="ydre/ydre-samtliga-handlingar.pdf har ändrats"):
        send_meeting(meeting, out, environ=smtp_env)


def test_remind_writes_a_letter_to_each_member_without_an_answer_and_sends_it_once(built, smtp_server, smtp_env):
    from pypdf import PdfReader

    from docgen.distribution.remind import remind_meeting
    from docgen.input.answers import answers_file

    meeting, out = built
    _controller, server = smtp_server
    send_meeting(meeting, out, send=True, environ=smtp_env)
    answers_file(meeting).write_text(
        "svar:\n  boxholm: {datum: 2026-05-12, kf_paragraf: KF 2026 § 45, beslut: bifall}\n"
        "  ydre: {datum: 2026-05-14, kf_paragraf: '§ 30', beslut: återremiss}\n", encoding="utf-8")
    reply_by = _reply_by(meeting)
    early = remind_meeting(meeting, out, today=reply_by - dt.timedelta(days=29), days=14, send=True, environ=smtp_env)
    assert early.steps == [] and len(server.messages) == 5  # 29 days left: too early

    day = reply_by - dt.timedelta(days=10)
    run = remind_meeting(meeting, out, today=day, days=14, send=True, environ=smtp_env)
    reminded = [_member_of(r) for r in server.messages[5:]]
    # Ydre sent it back (återremiss): its council will decide again, so it too is reminded.
    assert reminded == ["vimmerby", "ydre", "atvidaberg", "odeshog"] and len(run.sent) == 4
    names = {"vimmerby": "Vimmerby kommun", "ydre": "Ydre kommun", "atvidaberg": "Åtvidabergs kommun",
             "odeshog": "Ödeshögs kommun"}
    for received in server.messages[5:]:
        member = _member_of(received)
        message = received.message
        assert message["Subject"].startswith("Påminnelse – Kommunalförbundet Itsam")
        request = next(r for r in server.messages[:5] if _member_of(r) == member)
        assert message["References"] == request.message["Message-ID"]
        (part,) = message.iter_attachments()
        assert part.get_filename() == f"paminnelse-{member}-{day.isoformat()}.pdf"
        letter = out / "2026-03-26-direktionen-paminnelser" / part.get_filename()
        assert hashlib.sha256(part.get_content()).hexdigest() == hashlib.sha256(letter.read_bytes()).hexdigest()
        assert letter.with_suffix(".docx").is_file()
        text = squash("".join(page.extract_text() for page in PdfReader(letter).pages))
        assert squash(f"Kommunfullmäktige i {names[member]}") in text
        assert squash("att återremittera ärendet" if member == "ydre" else fmt.long_date(reply_by)) in text
    again = remind_meeting(meeting, out, today=day + dt.timedelta(days=1), days=14, send=True, environ=smtp_env)
    assert again.sent == [] and len(server.messages) == 9


def test_send_skicka_refuses_the_seed_as_it_is_naming_file_and_line(tmp_path, smtp_server, smtp_env):
    from click.testing import CliRunner

    from docgen.cli import main

    folder = tmp_path / "decisions"
    shutil.copytree(SEED_MEETING.parent, folder)
    _controller, server = smtp_server
    result = CliRunner(env=smtp_env).invoke(main, ["send", str(folder / SEED_MEETING.name), "--skicka",
                                                   "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Inget har skickats" in result.output
    assert f"{SEED_MEETING.name}:168:20: § 18 (paragrafer[2]).hemställan.svar_senast: svar_senast 2026-06-30 har " \
           "redan passerat" in result.output
    assert "forbund.yaml:33:24: Boxholms kommun (medlemmar[0]).registrator_epost: värdet 'kommun@boxholm.se' är " \
           "märkt EXEMPEL" in result.output
    assert server.messages == []


def test_a_dry_run_of_the_seed_shows_the_same_as_warnings(tmp_path, built_out, smtp_env):
    out = tmp_path / "out"
    shutil.copytree(built_out, out, symlinks=True)
    run = send_meeting(SEED_MEETING, out, environ=smtp_env)  # a dry run reads the log beside it, writes none
    assert len(run.drafts) == 5
    messages = [str(p) for p in run.warnings]
    assert any("svar_senast 2026-06-30 har redan passerat" in m for m in messages)
    assert any(":33:24:" in m and "EXEMPEL" in m for m in messages)


def test_a_reminder_is_refused_for_example_values_but_not_for_a_passed_date(tmp_path, smtp_env):
    from docgen.distribution.remind import remind_meeting
    from docgen.input.readiness import NotReady, unready

    folder = tmp_path / "decisions"
    shutil.copytree(SEED_MEETING.parent, folder)
    with pytest.raises(NotReady) as refused:
        remind_meeting(folder / SEED_MEETING.name, tmp_path / "out", send=True, environ=smtp_env)
    assert "EXEMPEL" in str(refused.value) and "passerat" not in str(refused.value)
    sendable = sendable_copy(tmp_path / "ok") / SEED_MEETING.name
    case = load_case(sendable)
    late = _reply_by(sendable) + dt.timedelta(days=5)
    assert unready(case, late, reply_dates=False) == []
    assert "passerat" in str(unready(case, late)[0])


def test_an_internationalised_domain_is_sent_idna_encoded(built, smtp_server, smtp_env):
    from docgen.pipeline.run import build

    meeting, out = built
    association = meeting.with_name("forbund.yaml")
    association.write_text(association.read_text(encoding="utf-8").replace(
        "kommun@atvidaberg.se", "kommun@åtvidaberg-test.se"), encoding="utf-8")
    build(meeting, out)
    send_meeting(meeting, out, environ=smtp_env)  # the dry run writes the drafts without a traceback
    run = send_meeting(meeting, out, send=True, environ=smtp_env)
    _controller, server = smtp_server
    assert len(run.sent) == 5
    (received,) = [r for r in server.messages if "tvidaberg" in r.recipients[0]]
    assert received.recipients == ["kommun@xn--tvidaberg-test-kib.se"]
    assert received.message["To"].addresses[0].addr_spec == "kommun@xn--tvidaberg-test-kib.se"
