"""Before anything leaves: svar_senast against the association's minimum, and values still marked EXEMPEL."""

from __future__ import annotations

import datetime as dt

from docgen.input.readiness import unready
from docgen.input.validate import load_case
from support import SEED_MEETING, sendable_copy


def _case(tmp_path, minimum: str | None = None, quoted_mark: bool = False):
    folder = sendable_copy(tmp_path)
    association = folder / "forbund.yaml"
    text = association.read_text(encoding="utf-8")
    if minimum is not None:
        text = text.replace("beloppsenhet: Tkr\n", f"beloppsenhet: Tkr\nminsta_svarstid_dagar: {minimum}\n")
    if quoted_mark:  # a # in a quoted text is text, no comment
        text = text.replace("ort: Linköping", 'ort: "Linköping # EXEMPEL"')
    association.write_text(text, encoding="utf-8")
    return load_case(folder / SEED_MEETING.name)


def test_a_sendable_copy_is_ready(tmp_path):
    assert unready(_case(tmp_path, quoted_mark=True), dt.date.today()) == []


def test_less_than_the_default_six_weeks_left_is_not_ready(tmp_path):
    case = _case(tmp_path)
    reply_by = case.request_items[0].request.reply_by
    [problem] = unready(case, reply_by - dt.timedelta(days=20))
    assert "ger kommunerna bara 20 dagar att svara; förbundet ger dem minst 42" in problem.message
    assert (problem.line, problem.field) == (168, "§ 18 (paragrafer[2]).hemställan.svar_senast")


def test_the_association_sets_its_own_minimum(tmp_path):
    case = _case(tmp_path, minimum="14")
    reply_by = case.request_items[0].request.reply_by
    assert unready(case, reply_by - dt.timedelta(days=20)) == []
    assert "minst 14" in unready(case, reply_by - dt.timedelta(days=10))[0].message
