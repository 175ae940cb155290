"""The review page after a real send: who got what when, what the councils answered, what changed since."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from docgen.distribution.send import send_meeting
from docgen.input.answers import answers_file
from docgen.pipeline.run import build
from docgen.review.page import write_review
from support import SEED_MEETING, Recorder, running_smtp_server, sendable_copy, smtp_environ

pytestmark = pytest.mark.libreoffice


def _section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}"')
    return page[start:page.index("</section>", start)]


def test_the_page_shows_the_send_the_answers_and_what_changed_since_the_send(out: Path, tmp_path: Path):
    meeting = sendable_copy(tmp_path) / SEED_MEETING.name
    build(meeting, out)
    with running_smtp_server(Recorder()) as controller:
        send_meeting(meeting, out, send=True, environ=smtp_environ(controller.port))
    answers_file(meeting).write_text(
        "svar:\n  ydre:\n    datum: 2026-05-12\n    kf_paragraf: KF 2026 § 45\n    beslut: bifall\n", encoding="utf-8")
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("föredrar ärendet.", "föredrar ärendet kort.", 1), encoding="utf-8")

    result = build(meeting, out, addition=write_review)

    page = (result.folder / "granskning" / "index.html").read_text(encoding="utf-8")
    round_ = _section(page, "utskick")
    today = dt.date.today().isoformat()
    assert round_.count(f"<td>{today}</td>") == 5
    assert "bifall 2026-05-12 (KF 2026 § 45)" in round_
    assert round_.count("inget svar") == 4
    since_send = page[page.index("Sedan förra utskicket"):]
    assert "Hela paketet (samtliga handlingar i en PDF) för 5 medlemmar" in since_send[:since_send.index("</ul>")]
