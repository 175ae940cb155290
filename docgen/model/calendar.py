"""The legal calendar of a protocol: justering, anslag and the appeal period.

Sources (see shared/domain/rules.md): kommunallagen (2017:725) 8 kap. 12 §
and 13 kap. 5 §; lag (1930:173) om beräkning av lagstadgad tid 2 §;
lag (1989:253) om allmänna helgdagar.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

ADJUSTMENT_DAYS = 14
"""The protocol is justerat no later than this many days after the meeting."""
POSTING_DAYS = 2
"""The justering is announced no later than the second day after it."""
APPEAL_DAYS = 21
"""Three weeks from the day the anslag is posted (KL 13 kap. 5 §)."""
DAY = dt.timedelta(days=1)


@lru_cache(maxsize=64)
def _closed_days(year: int) -> frozenset[dt.date]:
    # Allmänna helgdagar (Sundays included) plus the three eves lag (1930:173)
    # names: the holidays package files those under "de_facto", and nothing
    # else of its there (trettondagsafton is not among them, rightly).
    public = holidays.Sweden(years=year, language="sv")
    eves = holidays.Sweden(years=year, categories=("de_facto",), language="sv")
    named = {d for d, name in eves.items() if name in {"Midsommarafton", "Julafton", "Nyårsafton"}}
    return frozenset(public) | frozenset(named)


def is_closed(day: dt.date) -> bool:
    """Saturday, Sunday, allmän helgdag, midsommarafton, julafton or nyårsafton."""
    return day.weekday() >= 5 or day in _closed_days(day.year)


def next_open_day(day: dt.date) -> dt.date:
    """``day``, or the first weekday after it that is not a holiday (lag 1930:173 2 §)."""
    while is_closed(day):
        day += DAY
    return day


def latest_adjustment(meeting: dt.date) -> dt.date:
    return meeting + ADJUSTMENT_DAYS * DAY


def latest_posting(adjusted: dt.date) -> dt.date:
    return adjusted + POSTING_DAYS * DAY


def default_posting(adjusted: dt.date) -> dt.date:
    """House style (the seed): the anslag goes up the day after the justering."""
    return adjusted + DAY


def appeal_end(posted: dt.date) -> dt.date:
    """Last day to appeal: three weeks after posting, moved off a closed day."""
    return next_open_day(posted + APPEAL_DAYS * DAY)
