"""Reminders that fit the day, sent through a real SMTP server on localhost: after ``svar_senast`` a new date,
where and when the request went, and an återremiss reminded of the council's new decision."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default as DEFAULT_POLICY
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_remind import _log
from test_send import ADDRESSES, _member_of, smtp_env, smtp_server  # noqa: F401 (fixtures)
from test_status import _meeting

from docgen.cli import main
from docgen.distribution.outgoing import REQUEST
from docgen.distribution.remind import remind_meeting
from docgen.distribution.send import send_meeting
from docgen.input.answers import answers_file
from docgen.input.validate import load_case
from docgen.model import formatting as fmt
from support import SEED_MEETING, pdf_text, sendable_copy, squash

pytestmark = pytest.mark.libreoffice


def _text(message) -> str:
    """The plain text, with the line ends the draft file has (SMTP delivers CRLF)."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def _letter(out: Path, message) -> str:
    (part,) = message.iter_attachments()
    return squash(pdf_text(out / "2026-03-26-direktionen-paminnelser" / part.get_filename()))


def test_a_late_reminder_asks_the_new_date_says_where_the_request_went_and_awaits_an_aterremiss(
        tmp_path, out, smtp_server, smtp_env):  # noqa: F811
    from docgen.pipeline.run import build

    meeting = sendable_copy(tmp_path) / SEED_MEETING.name
    build(meeting, out)
    _controller, server = smtp_server
    send_meeting(meeting, out, send=True, environ=smtp_env)
    requests = {_member_of(r): r.message for r in server.messages}
    today = dt.date.today()
    answers_file(meeting).write_text(
        f"svar:\n  boxholm: {{datum: {today}, kf_paragraf: KF 2026 § 45, beslut: bifall}}\n"
        f"  ydre: {{datum: {today}, kf_paragraf: '§ 30', beslut: återremiss}}\n", encoding="utf-8")
    asked = load_case(meeting).request_items[0].request.reply_by
    late, new = asked + dt.timedelta(days=5), asked + dt.timedelta(days=60)

    run = remind_meeting(meeting, out, today=late, new_reply_by=new, send=True, environ=smtp_env)
    reminders = {_member_of(r): r.message for r in server.messages[5:]}
    assert list(reminders) == ["vimmerby", "ydre", "atvidaberg", "odeshog"] and len(run.sent) == 4

    vimmerby = _text(reminders["vimmerby"])
    assert (f"Vi skickade den {fmt.long_date(today)} till {ADDRESSES['vimmerby']} Kommunalförbundet Itsams "
            f"hemställan till Kommunfullmäktige i Vimmerby kommun (Message-ID {requests['vimmerby']['Message-ID']})."
            ) in vimmerby
    assert (f"bad vi att få fullmäktiges beslut senast den {fmt.long_date(asked)}. Den dagen har passerat utan att "
            f"vi fått beslutet. Vi ber nu att få ett protokollsutdrag med fullmäktiges beslut senast den "
            f"{fmt.long_date(new)}") in vimmerby
    assert f"protokollsutdrag med fullmäktiges beslut senast den {fmt.long_date(asked)}" not in vimmerby
    draft = next(p for p in run.drafts if p.name.endswith("vimmerby.eml"))
    assert _text(message_from_bytes(draft.read_bytes(), policy=DEFAULT_POLICY)) == vimmerby
    letter = _letter(out, reminders["vimmerby"])
    assert squash(f"Den dagen har passerat utan att vi fått beslutet. Vi ber nu att få ett protokollsutdrag "
                  f"senast den {fmt.long_date(new)}") in letter

    ydre = _text(reminders["ydre"])
    assert (f"Kommunfullmäktige i Ydre kommun beslutade den {fmt.long_date(today)} (§ 30) att återremittera "
            "ärendet") in ydre
    assert "Vi väntar på fullmäktiges nya beslut. Vet ni när ärendet tas upp igen vill vi gärna få veta " \
           f"mötesdagen. Vi ber att få det nya beslutet senast den {fmt.long_date(new)}" in ydre
    assert fmt.long_date(asked) not in ydre  # the old request is not repeated
    letter = _letter(out, reminders["ydre"])
    assert squash(f"beslutade den {fmt.long_date(today)} (§ 30) att återremittera ärendet. Vi väntar på "
                  "fullmäktiges nya beslut.") in letter and squash(fmt.long_date(asked)) not in letter

    again = remind_meeting(meeting, out, today=late, new_reply_by=new, send=True, environ=smtp_env, again=["ydre"])
    assert [_member_of(r) for r in server.messages[9:]] == ["ydre"] and len(again.sent) == 1


def test_docgen_remind_after_the_date_refuses_without_a_new_one_and_drafts_with_it(tmp_path, out):
    meeting = _meeting(tmp_path)  # the seed as it is: svar_senast 30 June 2026
    _log(meeting, "ydre", REQUEST, "ydre-samtliga-handlingar.pdf", when="2026-04-01T10:00:00+02:00")
    runner = CliRunner()
    refused = runner.invoke(main, ["remind", str(meeting), "--out", str(out)])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert (f"{SEED_MEETING.name}:" in refused.output and "svar_senast 30 juni 2026 har passerat; en påminnelse ber "
            "om ett nytt datum: ange det med --nytt-svar-senast ÅÅÅÅ-MM-DD") in refused.output
    assert not (out / "2026-03-26-direktionen-paminnelser").exists()

    new = dt.date.today() + dt.timedelta(days=60)
    drafted = runner.invoke(main, ["remind", str(meeting), "--out", str(out), "--nytt-svar-senast", new.isoformat()])
    assert drafted.exit_code == 0, drafted.output
    draft = out / "2026-03-26-direktionen-e-post" / "paminnelse-ydre.eml"
    body = _text(message_from_bytes(draft.read_bytes(), policy=DEFAULT_POLICY))
    assert f"beslut senast den {fmt.long_date(new)}" in body and "Den dagen har passerat" in body
    assert "till registrator@ydre.example.se" in body and "(Message-ID <ydre.0@test.invalid>)" in body
