"""Reminders per request: who is due for which paragraph, what the log says was reminded, what the e-mail names.

All but the last run without LibreOffice; sending a reminder over SMTP is tested in test_send.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_status import SYDOST_MEMBERS, _meeting, _member, _sydost, _to

from docgen.distribution import mail
from docgen.distribution.outgoing import REMINDER, REQUEST, Delivery
from docgen.distribution.remind import asking_only, due_reminders, remind_meeting
from docgen.distribution.send import NEW
from docgen.distribution.sendlog import SendLog, log_file
from docgen.documents.kinds import REMINDER as LETTER
from docgen.documents.kinds.reminder import Dates
from docgen.input.answers import answers_file, load_answers
from docgen.input.validate import load_case
from docgen.records.sendlog import LoggedAttachment, Sending, Sent


def _log(meeting: Path, member: str, purpose: str, *letters: str, when: str = "2026-10-20T10:00:00+02:00") -> None:
    log = SendLog(log_file(meeting))
    message_id = f"<{member}.{len(log.records())}@test.invalid>"
    to = {"member": member, "address": f"registrator@{member}.example.se", "message_id": message_id,
          "time": dt.datetime.fromisoformat(when)}
    log.append(Sending(**to, purpose=purpose, package="0" * 64,
                       attachments=tuple(LoggedAttachment(file=name, name=name, sha256="0" * 64, size=1)
                                         for name in letters)))
    log.append(Sent(**to, reply="250 OK"))


def _due(meeting: Path, today: dt.date, answers: str = "", again: tuple[str, ...] = ()) -> dict[str, tuple[int, ...]]:
    answers_file(meeting).write_text("svar:\n" + answers if answers else "", encoding="utf-8")
    case = load_case(meeting)
    due = due_reminders(case, load_answers(answers_file(meeting), case), SendLog(log_file(meeting)), today, 14, again)
    return {entry.member.id: entry.numbers for entry in due}


def _sent_everyone(meeting: Path, members: tuple[str, ...]) -> None:
    for member in members:
        _log(meeting, member, REQUEST, f"{member}-samtliga-handlingar.pdf")


def test_each_request_is_reminded_of_as_its_own_reply_date_nears(tmp_path):
    meeting = _sydost(tmp_path)
    _sent_everyone(meeting, SYDOST_MEMBERS[:-1])  # Torsås has not been sent the requests: nothing to remind it of
    answers = _member("karlskrona", _to(42), _to(43)) + _member("ronneby", _to(43))
    assert _due(meeting, dt.date(2027, 1, 10), answers) == {}  # 21 days to § 42: too early
    january = _due(meeting, dt.date(2027, 1, 20), answers)  # 11 days to § 42, 39 to § 43
    assert january == {"ronneby": (42,), "emmaboda": (42,), "kalmar": (42,), "monsteras": (42,)}
    february = _due(meeting, dt.date(2027, 2, 20), answers)  # § 42 late, 8 days to § 43
    assert february == {"ronneby": (42,), "emmaboda": (42, 43), "kalmar": (42, 43), "monsteras": (42, 43)}


def test_a_reminder_covers_the_requests_its_letters_name_and_no_other(tmp_path):
    meeting = _sydost(tmp_path)
    _sent_everyone(meeting, SYDOST_MEMBERS)
    _log(meeting, "emmaboda", REMINDER, "paminnelse-emmaboda-paragraf-42-2027-01-20.pdf")
    february = _due(meeting, dt.date(2027, 2, 20))
    assert february["emmaboda"] == (43,) and february["kalmar"] == (42, 43)
    assert _due(meeting, dt.date(2027, 2, 20), again=("emmaboda",))["emmaboda"] == (42, 43)
    _log(meeting, "emmaboda", REMINDER, "paminnelse-emmaboda-paragraf-43-2027-02-20.pdf")
    assert "emmaboda" not in _due(meeting, dt.date(2027, 2, 21))


def test_with_one_request_a_member_is_reminded_once(tmp_path):
    meeting = _meeting(tmp_path)
    _sent_everyone(meeting, ("boxholm", "ydre"))
    assert _due(meeting, dt.date(2026, 6, 20)) == {"boxholm": (18,), "ydre": (18,)}
    _log(meeting, "ydre", REMINDER, "paminnelse-ydre-2026-06-20.pdf")
    assert _due(meeting, dt.date(2026, 6, 21)) == {"boxholm": (18,)}
    case = load_case(meeting)
    letter = LETTER.planned(case, case.association.member("ydre"), case.request_items[0], Dates(dt.date(2026, 6, 20)))
    assert letter.name == "paminnelse-ydre-2026-06-20"


def test_the_letter_and_the_e_mail_name_only_the_requests_reminded_of(tmp_path):
    case = load_case(_sydost(tmp_path))
    guarantee, order = case.request_items
    kalmar = case.association.member("kalmar")
    today = dt.date(2027, 2, 20)
    letter = LETTER.planned(case, kalmar, order, Dates(today))
    context = LETTER.context(case, letter, {})
    assert context["hemställan"] == {"ämne": order.request.subject, "svar_senast": "28 februari 2027",
                                     "nytt_svar_senast": None}
    assert context["p"]["paragraf"] == "§\N{NO-BREAK SPACE}43" and context["försenad"] is False
    late = LETTER.planned(case, kalmar, guarantee, Dates(today))
    assert LETTER.context(case, late, {})["försenad"] is True
    assert letter.name == "paminnelse-kalmar-paragraf-43-2027-02-20"
    assert letter.title == f"Påminnelse till Kommunfullmäktige i Kalmar kommun: {order.request.subject}"

    reminder = Delivery(kalmar, REMINDER, ())
    only_order = asking_only(case, (order,))
    subject, body = mail.subject(only_order, reminder), mail.body(only_order, reminder)
    assert subject.startswith("Påminnelse – ") and order.request.subject in subject
    assert guarantee.request.subject not in subject + body and "28 februari 2027" in body
    assert "31 januari 2027" not in body
    both = mail.body(asking_only(case, (guarantee, order)), reminder)
    assert "31 januari 2027" in both and "28 februari 2027" in both


@pytest.mark.libreoffice
def test_docgen_remind_drafts_one_e_mail_per_member_with_a_letter_per_open_request(tmp_path):
    meeting = _sydost(tmp_path)
    _sent_everyone(meeting, ("karlskrona", "ronneby", "emmaboda"))
    _log(meeting, "emmaboda", REMINDER, "paminnelse-emmaboda-paragraf-42-2027-01-20.pdf")
    answers_file(meeting).write_text("svar:\n" + _member("karlskrona", _to(42), _to(43)) + _member("ronneby", _to(43)),
                                     encoding="utf-8")
    run = remind_meeting(meeting, tmp_path / "out", today=dt.date(2027, 2, 20), new_reply_by=dt.date(2027, 3, 31),
                         environ={})
    ronneby, emmaboda = run.steps
    assert [a.name for a in ronneby.delivery.attachments] == ["paminnelse-ronneby-paragraf-42-2027-02-20.pdf"]
    assert [a.name for a in emmaboda.delivery.attachments] == ["paminnelse-emmaboda-paragraf-43-2027-02-20.pdf"]
    assert (emmaboda.action, emmaboda.note) == (NEW, "påminnelse om § 43")  # a new reminder, not a resend
    assert "Ny solidarisk borgen" in ronneby.message["Subject"] and "förbundsordning" not in ronneby.message["Subject"]
    assert "förbundsordning" in emmaboda.message["Subject"] and "borgen" not in emmaboda.message["Subject"]
    assert [p.name for p in run.drafts] == ["paminnelse-ronneby.eml", "paminnelse-emmaboda.eml"] and run.sent == []
    letters = tmp_path / "out" / "2026-10-15-forbundsstyrelsen-paminnelser"
    assert (letters / "paminnelse-emmaboda-paragraf-43-2027-02-20.docx").is_file()
    # Made like every document: the kind's title in the PDF, addressed to the member's council.
    case = load_case(meeting)
    order = case.request_items[1].request
    title = PdfReader(letters / "paminnelse-emmaboda-paragraf-43-2027-02-20.pdf").metadata.title
    assert title == f"Påminnelse till {case.association.member('emmaboda').council_in}: {order.subject}"
