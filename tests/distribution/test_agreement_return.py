"""The regressavtal's return: the hemställan and its e-mail say who signs for the municipality, how, where the
signed agreement goes and by when, as the association's YAML (``regressavtal:``) wants it."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.policy import default as DEFAULT_POLICY
from pathlib import Path

import pytest
from test_send import built, decisions  # noqa: F401 (fixtures)
from test_status import _meeting, _sydost

from docgen.distribution import mail
from docgen.distribution.outgoing import REQUEST, Delivery
from docgen.distribution.send import send_meeting
from docgen.documents.kinds import LETTER
from docgen.errors import InputError
from docgen.input.validate import load_case
from support import pdf_text, squash

WHO = "För Ydre kommun undertecknas det av den eller de som kommunfullmäktige utser, ofta kommunstyrelsens ordförande."
PAPER = ("Skicka det undertecknade originalet på papper med post till Kommunalförbundet Itsam, Teknikringen 9, "
         "583 30 Linköping, senast 30 dagar efter att kommunfullmäktige har beslutat.")


def _with_return(meeting: Path, block: str) -> Path:
    """The meeting's association file with its ``regressavtal:`` block replaced by ``block`` (none: left out)."""
    association = meeting.parent / "forbund.yaml"
    text = re.sub(r"^regressavtal:\n(  .*\n)+", block, association.read_text(encoding="utf-8"), flags=re.M)
    association.write_text(text, encoding="utf-8")
    return meeting


def _letter_and_mail(meeting: Path, member: str = "ydre") -> tuple[list[str], str]:
    case = load_case(meeting)
    ydre = case.association.member(member)
    item = case.request_items[0]
    context = LETTER.context(case, LETTER.planned(case, item, ydre), {})
    return context["regressavtal"], mail.body(case, Delivery(ydre, REQUEST, ()))


def test_without_the_key_the_agreement_goes_back_on_paper_within_30_days(tmp_path):
    letter, body = _letter_and_mail(_with_return(_meeting(tmp_path), ""))
    assert letter[0].startswith("Regressavtalet gäller först när samtliga medlemskommuner har undertecknat det.")
    assert letter[1:] == [PAPER] and WHO in letter[0]
    assert WHO in body and PAPER in body


def test_a_scanned_return_names_the_address_and_the_days(tmp_path):
    meeting = _with_return(_meeting(tmp_path), "regressavtal:\n  sätt: skannat\n  epost: avtal@itsam.se\n"
                                               "  dagar_efter_beslut: 45\n")
    letter, body = _letter_and_mail(meeting)
    scanned = ("Skicka det undertecknade avtalet skannat som PDF till avtal@itsam.se, senast 45 dagar efter att "
               "kommunfullmäktige har beslutat.")
    assert letter[1] == scanned and scanned in body and "Teknikringen" not in body


def test_an_electronic_signature_asks_who_signs_and_needs_an_address(tmp_path):
    meeting = _with_return(_meeting(tmp_path), "regressavtal:\n  sätt: elektroniskt\n")
    with pytest.raises(InputError, match=r"forbund\.yaml:\d+:\d+: regressavtal\.sätt: elektroniskt behöver en "
                                         r"e-postadress"):
        load_case(meeting)
    _with_return(meeting, "regressavtal:\n  sätt: elektroniskt\n  epost: avtal@itsam.se\n")
    letter, body = _letter_and_mail(meeting)
    assert letter[1].startswith("Avtalet undertecknas elektroniskt: meddela avtal@itsam.se namn och e-postadress "
                                "för den eller dem som undertecknar, senast 30 dagar")
    assert letter[1] in body


def test_a_request_without_a_guarantee_says_nothing_of_a_regressavtal(tmp_path):
    case = load_case(_sydost(tmp_path))
    kalmar = case.association.member("kalmar")
    guarantee, order = case.request_items
    assert LETTER.context(case, LETTER.planned(case, order, kalmar), {})["regressavtal"] == []
    body = mail.body(case, Delivery(kalmar, REQUEST, ()))
    # The e-mail names both requests; the agreement's return is said once, for the guarantee.
    assert body.count("Regressavtalet gäller först när") == 1


@pytest.mark.libreoffice
def test_the_hemstallan_pdf_and_the_e_mail_draft_say_who_signs_how_where_and_by_when(built):  # noqa: F811
    meeting, out = built
    letter = out / "2026-03-26-direktionen" / "medlemmar" / "ydre" / "1-hemstallan-ydre.pdf"
    text = squash(pdf_text(letter))
    assert squash(WHO) in text and squash(PAPER) in text
    run = send_meeting(meeting, out, environ={"DOCGEN_SMTP_AVSANDARE": "registrator@itsam.se"})
    draft = next(p for p in run.drafts if p.name.endswith("ydre.eml"))
    message = message_from_bytes(draft.read_bytes(), policy=DEFAULT_POLICY)
    body = message.get_body(("plain",)).get_content()
    assert WHO in body and PAPER in body
