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
from docgen.distribution.remind import asking_only, due_reminders, remind_meeting, with_new_dates
from docgen.distribution.remind import postponed as postponed_of
from docgen.distribution.send import NEW
from docgen.distribution.sendlog import SendLog, log_file
from docgen.documents.kinds import REMINDER as LETTER
from docgen.documents.kinds.reminder import Dates
from docgen.errors import DocgenError, InputError
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
    due = due_reminders(case, load_answers(answers_file(meeting), case, today), SendLog(log_file(meeting)), today, 14,
                        again)
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


def _remind_without_office(meeting: Path, today: dt.date, **options) -> None:
    """``remind_meeting`` as far as its refusals; LibreOffice is never reached when it refuses."""
    remind_meeting(meeting, meeting.parent / "out", today=today, environ={}, **options)


def test_after_svar_senast_a_reminder_refuses_to_go_without_a_new_date(tmp_path):
    meeting = _sydost(tmp_path)
    _sent_everyone(meeting, SYDOST_MEMBERS)
    late = dt.date(2027, 2, 20)  # § 42 asked for 31 January 2027
    with pytest.raises(InputError, match=(
            r"2026-10-15-forbundsstyrelsen\.yaml:57:20: paragrafer\[1\]\.hemställan\.svar_senast: §\s42: svar_senast "
            r"31 januari 2027 har passerat; en påminnelse ber om ett nytt datum: ange det med --nytt-svar-senast")):
        _remind_without_office(meeting, late)
    with pytest.raises(DocgenError, match=r"^--nytt-svar-senast 2027-02-20 har redan passerat"):
        _remind_without_office(meeting, late, new_reply_by=late)
    asked = "      svar_senast: 2027-01-31\n"
    text = meeting.read_text(encoding="utf-8").replace(asked, asked + "      nytt_svar_senast: 2027-02-01\n")
    meeting.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"yaml:58:\d+: paragrafer\[1\]\.hemställan\.nytt_svar_senast: §\s42: "
                                         r"nytt_svar_senast 1 februari 2027 har också passerat"):
        _remind_without_office(meeting, late)
    assert not (meeting.parent / "out").exists()


def _reminder_case(meeting: Path, today: dt.date, new_reply_by: dt.date | None = None):
    case = load_case(meeting)
    answers = load_answers(answers_file(meeting), case, today)
    due = due_reminders(case, answers, SendLog(log_file(meeting)), today, 14)
    return with_new_dates(meeting, case, due, answers, today, new_reply_by), answers, due


def test_after_svar_senast_the_letter_and_the_e_mail_ask_for_the_new_date_and_say_where_the_request_went(tmp_path):
    meeting = _sydost(tmp_path)
    _sent_everyone(meeting, SYDOST_MEMBERS)
    today = dt.date(2027, 2, 20)
    case, _answers, _due = _reminder_case(meeting, today, dt.date(2027, 3, 31))
    guarantee, order = case.request_items
    kalmar = case.association.member("kalmar")
    context = LETTER.context(case, LETTER.planned(case, kalmar, guarantee, Dates(today)), {})
    assert context["försenad"] and context["hemställan"]["nytt_svar_senast"] == "31 mars 2027"
    assert LETTER.context(case, LETTER.planned(case, kalmar, order, Dates(today)), {})["hemställan"][
        "nytt_svar_senast"] is None  # § 43's date (28 February) has not passed: it is asked as it was

    request = mail.Reminded("<kalmar.0@test.invalid>", dt.datetime(2026, 10, 20, 10, tzinfo=dt.UTC),
                            "registrator@kalmar.example.se")
    body = mail.body(case, Delivery(kalmar, REMINDER, ()), reminded=request)
    assert (f"Vi skickade den 20 oktober 2026 till registrator@kalmar.example.se {case.association.name}s hemställan "
            "till Kommunfullmäktige i Kalmar kommun (Message-ID <kalmar.0@test.invalid>).") in body
    assert "Den dagen har passerat utan att vi fått beslutet. Vi ber nu att få ett protokollsutdrag med " \
           "fullmäktiges beslut senast den 31 mars 2027" in body
    assert "att få ett protokollsutdrag med fullmäktiges beslut senast den 31 januari 2027" not in body
    assert "protokollsutdrag senast den 28 februari 2027" in body


def test_a_council_that_sent_the_request_back_is_reminded_of_its_new_decision(tmp_path):
    meeting = _sydost(tmp_path)
    _sent_everyone(meeting, SYDOST_MEMBERS)
    # Ronneby was reminded of § 42 in January, then sent it back (återremiss) on 1 February.
    _log(meeting, "ronneby", REMINDER, "paminnelse-ronneby-paragraf-42-2027-01-20.pdf",
         when="2027-01-20T10:00:00+01:00")
    postponed = _member("ronneby", _to(42, "återremiss", day="2027-02-01"), _to(43))
    assert _due(meeting, dt.date(2027, 2, 10), postponed)["ronneby"] == (42,)
    case, answers, due = _reminder_case(meeting, dt.date(2027, 2, 10), dt.date(2027, 4, 30))
    ronneby = case.association.member("ronneby")
    entry = next(d for d in due if d.member.id == "ronneby")
    back = postponed_of(answers, entry)
    assert list(back) == [42] and back[42].council_paragraph == "KF 2026 § 101"
    guarantee = case.request_items[0]
    context = LETTER.context(case, LETTER.planned(case, ronneby, guarantee, Dates(dt.date(2027, 2, 10),
                                                                                   postponed=back[42])), {})
    assert context["återremiss"] == {"datum_lång": "1 februari 2027", "kf_paragraf": "KF 2026 § 101"}
    request = mail.Reminded("<ronneby.0@test.invalid>", dt.datetime(2026, 10, 20, 10, tzinfo=dt.UTC),
                            "registrator@ronneby.example.se", back)
    body = mail.body(asking_only(case, (guarantee,)), Delivery(ronneby, REMINDER, ()), reminded=request)
    assert ("Kommunfullmäktige i Ronneby kommun beslutade den 1 februari 2027 (KF 2026 § 101) att återremittera "
            "ärendet") in body
    assert "Vi väntar på fullmäktiges nya beslut. Vet ni när ärendet tas upp igen vill vi gärna få veta mötesdagen." \
           in body
    assert "Vi ber att få det nya beslutet senast den 30 april 2027" in body
    assert "31 januari 2027" not in body  # the old request is not repeated

    _log(meeting, "ronneby", REMINDER, "paminnelse-ronneby-paragraf-42-2027-02-10.pdf",
         when="2027-02-10T10:00:00+01:00")
    assert "ronneby" not in _due(meeting, dt.date(2027, 2, 11), postponed)  # reminded once after the återremiss
    assert _due(meeting, dt.date(2027, 2, 11), postponed, again=("ronneby",))["ronneby"] == (42,)
    decided = _member("ronneby", _to(42, "avslag", day="2027-02-05"), _to(43))
    assert "ronneby" not in _due(meeting, dt.date(2027, 2, 11), decided, again=("ronneby",))
