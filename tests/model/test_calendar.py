"""The legal calendar: justering, anslag and appeal period with Swedish holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from docgen.model import calendar

D = dt.date


def test_seed_dates():
    # Meeting and justering Thursday 2026-03-26; Good Friday and Easter Monday lie inside.
    assert calendar.default_posting(D(2026, 3, 26)) == D(2026, 3, 27)
    assert calendar.latest_posting(D(2026, 3, 26)) == D(2026, 3, 28)
    assert calendar.appeal_end(D(2026, 3, 27)) == D(2026, 4, 17)
    assert calendar.latest_adjustment(D(2026, 3, 26)) == D(2026, 4, 9)


@pytest.mark.parametrize(("posted", "end", "why"), [
    (D(2026, 5, 29), D(2026, 6, 22), "midsommarafton, then the weekend"),
    (D(2026, 12, 3), D(2026, 12, 28), "julafton, juldagen, annandag jul, Sunday"),
    (D(2026, 12, 10), D(2027, 1, 4), "nyårsafton, nyårsdagen, weekend"),
    (D(2026, 4, 23), D(2026, 5, 14 + 1), "Kristi himmelsfärdsdag"),
    (D(2026, 5, 16), D(2026, 6, 8), "Saturday to Monday"),
    (D(2025, 12, 15), D(2026, 1, 5), "trettondagsafton is a weekday like any other"),
])
def test_appeal_end_moves_off_closed_days(posted, end, why):
    assert calendar.appeal_end(posted) == end, why


def test_closed_days():
    assert calendar.is_closed(D(2026, 6, 19))  # midsommarafton
    assert calendar.is_closed(D(2026, 12, 24))  # julafton
    assert calendar.is_closed(D(2026, 12, 31))  # nyårsafton
    assert calendar.is_closed(D(2026, 6, 6))  # nationaldagen, a Saturday anyway
    assert not calendar.is_closed(D(2026, 1, 5))  # trettondagsafton
    assert not calendar.is_closed(D(2026, 4, 30))  # valborgsmässoafton
