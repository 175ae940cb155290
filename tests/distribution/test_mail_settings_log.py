"""Attachment names Outlook shows, settings that never hold a password, and a log that survives a torn line."""

from __future__ import annotations

import datetime as dt
import json
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import default as DEFAULT_POLICY

import pytest

from docgen.distribution.mail import add_attachment
from docgen.distribution.sendlog import SendLog
from docgen.distribution.settings import SettingsError, load_settings
from docgen.errors import InputError
from docgen.records.sendlog import SENDING, Line, Sending, Sent


def test_a_swedish_attachment_name_has_rfc2231_and_an_rfc2047_name_too():
    message = EmailMessage()
    message.set_content("hej")
    add_attachment(message, b"%PDF-1.7 test", "Tjänsteskrivelse å ä ö.pdf")
    raw = message.as_bytes()
    assert b"filename*=utf-8''Tj%C3%A4nsteskrivelse%20%C3%A5%20%C3%A4%20%C3%B6.pdf" in raw
    assert b'name="=?utf-8?b?' in raw  # RFC 2047, for Outlook versions that ignore RFC 2231
    (part,) = message_from_bytes(raw, policy=DEFAULT_POLICY).iter_attachments()
    assert part.get_filename() == "Tjänsteskrivelse å ä ö.pdf"
    assert part.get_content_type() == "application/pdf" and part.get_content() == b"%PDF-1.7 test"


def test_a_long_swedish_name_is_folded_into_encoded_words_that_read_back_whole():
    name = "Beslutsunderlag från Kommunfullmäktige i Ödeshögs kommun om borgen – bilaga 3.pdf"
    message = EmailMessage()
    add_attachment(message, b"x", name)
    raw = message.as_bytes()
    (part,) = message_from_bytes(raw, policy=DEFAULT_POLICY).iter_attachments()
    content_type = raw.split(b"Content-Type: application/pdf;")[1].split(b"Content-Transfer-Encoding")[0]
    assert b' name="=?utf-8?' in content_type and b"name*0" not in content_type
    lines = content_type.decode("ascii").split("\n")
    assert len(lines) > 2 and all(len(line) <= 78 for line in lines), lines  # not refolded as RFC 2231
    quoted = part["Content-Type"].params["name"]
    assert str(make_header(decode_header(quoted))) == name
    assert part.get_filename() == name


def test_an_ascii_name_stays_plain():
    message = EmailMessage()
    add_attachment(message, b"x", "2-forslag-till-beslut-ydre.docx")
    raw = message.as_bytes()
    assert b'filename="2-forslag-till-beslut-ydre.docx"' in raw and b"=?utf-8?" not in raw


def test_a_settings_file_with_a_password_is_refused_at_its_line(tmp_path):
    settings = tmp_path / "e-post.yaml"
    settings.write_text("server: smtp.itsam.se\nlösenord: hemligt\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"e-post.yaml:2:\d+: lösenord: lösenordet får inte stå i en fil"):
        load_settings(settings, {})


def test_the_environment_wins_and_the_password_comes_only_from_it(tmp_path):
    settings = tmp_path / "e-post.yaml"
    settings.write_text("server: smtp.itsam.se\nport: 465\navsändare: registrator@itsam.se\nanvändare: reg\n",
                        encoding="utf-8")
    loaded = load_settings(settings, {"DOCGEN_SMTP_LOSENORD": "s3cret", "DOCGEN_SMTP_SERVER": "mail.itsam.se"})
    assert (loaded.server, loaded.port, loaded.security, loaded.password) == ("mail.itsam.se", 465, "tls", "s3cret")
    loaded.ready_to_send()
    assert load_settings(None, {"DOCGEN_SMTP_SERVER": "x.se"}).port == 587  # STARTTLS by default
    with pytest.raises(SettingsError, match="lösenordet saknas"):
        load_settings(settings, {}).ready_to_send()


def test_plain_smtp_is_allowed_to_localhost_only():
    environ = {"DOCGEN_SMTP_SAKERHET": "okrypterad", "DOCGEN_SMTP_AVSANDARE": "a@itsam.se", "DOCGEN_SMTP_PORT": "25"}
    load_settings(None, {**environ, "DOCGEN_SMTP_SERVER": "localhost"}).ready_to_send()
    with pytest.raises(SettingsError, match="bara mot localhost"):
        load_settings(None, {**environ, "DOCGEN_SMTP_SERVER": "smtp.itsam.se"}).ready_to_send()


def _record(event: str, message_id: str = "<a@itsam.se>") -> Line:
    to = {"member": "ydre", "address": "ydre.kommun@ydre.se", "message_id": message_id}
    when = dt.datetime.fromisoformat("2026-04-01T10:00:00+02:00")
    if event == SENDING:
        return Sending(**to, purpose="hemställan", time=when, package="d" * 64, attachments=())
    return Sent(**to, time=when, reply="250 2.0.0 Ok")


def test_a_torn_last_line_is_damage_and_the_next_append_starts_a_fresh_line(tmp_path):
    log = SendLog(tmp_path / "möte.utskick.jsonl")
    log.append(_record("skickar"))
    with log.path.open("ab") as file:
        file.write(b'{"h\xc3\xa4ndelse": "skick')  # a kill in the middle of an append
    assert [r.event for r in log.records()] == ["skickar"]
    log.append(_record("skickat"))
    lines = log.path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["händelse"] == "skickar" and json.loads(lines[-1])["händelse"] == "skickat"
    state = log.state(["ydre", "boxholm"])
    assert [(d.line, d.reason) for d in state.damaged] == [(2, "raden är avbruten mitt i")]
    assert set(state.unsettled()) == {"ydre", "boxholm"}  # it names no member: it may be about any
    assert state.histories[("ydre", "hemställan")].last_delivered.message_id == "<a@itsam.se>"


def test_a_damaged_line_inside_the_log_stops_with_its_line(tmp_path):
    log = SendLog(tmp_path / "möte.utskick.jsonl")
    log.append(_record("skickar"))
    with log.path.open("ab") as file:
        file.write(b"inte json\n")
    log.append(_record("skickat"))
    with pytest.raises(InputError, match=r"möte.utskick.jsonl:2: raden i utskicksloggen går inte att läsa"):
        log.histories(["ydre"])


@pytest.mark.parametrize("server", ["smtp.itsam.se\nBcc: evil@x.se", "smtp itsam se", "-smtp.itsam.se"])
def test_a_server_that_is_no_host_name_is_refused_at_its_line_and_in_the_environment(tmp_path, server):
    settings = tmp_path / "e-post.yaml"
    settings.write_text(f"port: 587\nserver: {json.dumps(server)}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"e-post.yaml:2:\d+: server: .*är inget värdnamn för en e-postserver") as bad:
        load_settings(settings, {})
    assert not [line for line in str(bad.value).splitlines() if line.startswith("Bcc")]  # shown as \n
    with pytest.raises(SettingsError, match=r"DOCGEN_SMTP_SERVER.*är inget värdnamn") as bad:
        load_settings(None, {"DOCGEN_SMTP_SERVER": server})
    assert "\n" not in str(bad.value)  # the line break is shown as \n, not written into the message


@pytest.mark.parametrize("server", ["smtp.itsam.se", "127.0.0.1", "::1", "localhost", "smtp.åtvidaberg.se"])
def test_host_names_and_addresses_are_taken(tmp_path, server):
    assert load_settings(None, {"DOCGEN_SMTP_SERVER": server}).server == server
