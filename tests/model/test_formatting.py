"""Golden-value tests for docgen.formatting.

Special characters are written as escapes so they are visible in the source:
"\\u00a0" is NO-BREAK SPACE and "\\u2013" is EN DASH.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from decimal import Decimal

import pytest

from docgen.model import formatting as fmt

# ---------------------------------------------------------------------------
# Dates and times
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("format_", "value", "expected"),
    [
        (fmt.long_date, date(2026, 3, 26), "26 mars 2026"),
        (fmt.long_date, date(2026, 4, 1), "1 april 2026"),
        (fmt.long_date, date(2026, 5, 7), "7 maj 2026"),
        (fmt.long_date, date(2026, 8, 31), "31 augusti 2026"),
        (fmt.long_date, date(2026, 1, 1), "1 januari 2026"),
        (fmt.long_date, date(2025, 12, 24), "24 december 2025"),
        (fmt.short_date, date(2026, 3, 26), "2026-03-26"),
        (fmt.short_date, date(2026, 1, 5), "2026-01-05"),
        (fmt.short_date, date(2026, 12, 31), "2026-12-31"),
        (fmt.clock, time(10, 0), "kl.\u00a010:00"),
        (fmt.clock, time(9, 5), "kl.\u00a009:05"),
        (fmt.clock, time(23, 59, 59), "kl.\u00a023:59"),
    ],
)
def test_dates_and_times(format_: Callable[[date | time], str], value: date | time, expected: str) -> None:
    assert format_(value) == expected


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1000, "1\u00a0000"),
        (2026, "2\u00a0026"),
        (130_000_000, "130\u00a0000\u00a0000"),
        (-1560, "-1\u00a0560"),
        (-5, "-5"),
    ],
)
def test_integer(value: int, expected: str) -> None:
    assert fmt.integer(value) == expected


def test_integer_uses_hyphen_minus_not_minus_sign() -> None:
    result = fmt.integer(-1560)
    assert result.startswith("-")
    assert "\u2212" not in result


def test_integer_rejects_non_int() -> None:
    with pytest.raises(TypeError):
        fmt.integer(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fmt.integer(True)


@pytest.mark.parametrize(
    ("kronor", "unit", "expected"),
    [
        (130_000_000, "Mkr", "130\u00a0Mkr"),
        (130_000_000, "Tkr", "130\u00a0000\u00a0Tkr"),
        (130_000_000, "kr", "130\u00a0000\u00a0000\u00a0kr"),
        (130_000_000, "mnkr", "130\u00a0mnkr"),
        (130_000_000, "tkr", "130\u00a0000\u00a0tkr"),
        (1_500_000, "Mkr", "1,5\u00a0Mkr"),
        (1_230_000, "Mkr", "1,23\u00a0Mkr"),
        (1_234_500, "Tkr", "1\u00a0234,5\u00a0Tkr"),
        (Decimal("1500000.00"), "Mkr", "1,5\u00a0Mkr"),
        (Decimal("12.50"), "kr", "12,5\u00a0kr"),
        (-1_560_000, "Tkr", "-1\u00a0560\u00a0Tkr"),
        (0, "Mkr", "0\u00a0Mkr"),
    ],
)
def test_amount(kronor: int | Decimal, unit: str, expected: str) -> None:
    assert fmt.amount(kronor, unit) == expected


@pytest.mark.parametrize(
    ("kronor", "unit"),
    [
        (1_234_567, "Mkr"),  # would be 1,234567 Mkr
        (1_234_567, "mnkr"),
        (1_234, "Tkr"),  # 1,234 Tkr needs 3 decimals
        (Decimal("0.001"), "kr"),
    ],
)
def test_amount_loses_precision(kronor: int | Decimal, unit: str) -> None:
    with pytest.raises(ValueError):
        fmt.amount(kronor, unit)


@pytest.mark.parametrize("unit", ["MKR", "miljoner", "", "SEK", "Kr"])
def test_amount_unknown_unit(unit: str) -> None:
    with pytest.raises(ValueError):
        fmt.amount(1000, unit)


def test_amount_rejects_float() -> None:
    with pytest.raises(TypeError):
        fmt.amount(1.5, "kr")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("4.53"), 2, "4,53\u00a0%"),
        (Decimal(100), 2, "100,00\u00a0%"),
        (Decimal("37.525"), 2, "37,53\u00a0%"),
        (Decimal("12.5"), 0, "13\u00a0%"),
        (Decimal("0.5"), 1, "0,5\u00a0%"),
    ],
)
def test_percent(value: Decimal, places: int, expected: str) -> None:
    assert fmt.percent(value, places) == expected


def test_percent_default_places() -> None:
    assert fmt.percent(Decimal("4.5")) == "4,50\u00a0%"


# ---------------------------------------------------------------------------
# Paragraphs, pages, lists
# ---------------------------------------------------------------------------


def test_paragraph() -> None:
    assert fmt.paragraph(18) == "§\u00a018"
    assert fmt.paragraph(1) == "§\u00a01"


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (16, 20, "§§\u00a016\u201320"),
        (16, 16, "§\u00a016"),
        (1, 2, "§§\u00a01\u20132"),
    ],
)
def test_paragraph_range(first: int, last: int, expected: str) -> None:
    assert fmt.paragraph_range(first, last) == expected


@pytest.mark.parametrize(("first", "last"), [(20, 16), (0, 3), (-1, 1)])
def test_paragraph_range_errors(first: int, last: int) -> None:
    with pytest.raises(ValueError):
        fmt.paragraph_range(first, last)


def test_paragraph_error() -> None:
    with pytest.raises(ValueError):
        fmt.paragraph(0)


@pytest.mark.parametrize(
    ("items", "last_word", "expected"),
    [
        ([], "och", ""),
        (["A"], "och", "A"),
        (["A", "B"], "och", "A och B"),
        (["A", "B", "C"], "och", "A, B och C"),
        (["A", "B", "C"], "samt", "A, B samt C"),
        (
            ["Boxholm", "Vimmerby", "Ydre", "Åtvidaberg"],
            "och",
            "Boxholm, Vimmerby, Ydre och Åtvidaberg",
        ),
        (("A", "B"), "eller", "A eller B"),
    ],
)
def test_join_list(items: list[str], last_word: str, expected: str) -> None:
    assert fmt.join_list(items, last_word) == expected


def test_join_list_default_word() -> None:
    assert fmt.join_list(["A", "B", "C"]) == "A, B och C"


def test_join_list_rejects_plain_string() -> None:
    with pytest.raises(TypeError):
        fmt.join_list("ABC")


# ---------------------------------------------------------------------------
# Numbers in words
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "noll"),
        (1, "ett"),
        (2, "två"),
        (11, "elva"),
        (12, "tolv"),
        (13, "tretton"),
        (14, "fjorton"),
        (17, "sjutton"),
        (18, "arton"),
        (19, "nitton"),
        (20, "tjugo"),
        (21, "tjugoett"),
        (30, "trettio"),
        (40, "fyrtio"),
        (47, "fyrtiosju"),
        (50, "femtio"),
        (60, "sextio"),
        (70, "sjuttio"),
        (80, "åttio"),
        (90, "nittio"),
        (99, "nittionio"),
        (100, "etthundra"),
        (101, "etthundraett"),
        (200, "tvåhundra"),
        (1000, "ettusen"),
        (1001, "ettusenett"),
        (2000, "tvåtusen"),
        (2026, "tvåtusentjugosex"),
        (21000, "tjugoettusen"),
        (100000, "etthundratusen"),
        (101000, "etthundraettusen"),
        (999999, "niohundranittioniotusenniohundranittionio"),
        (1000000, "en miljon"),
        (1000001, "en miljon ett"),
        (1001000, "en miljon ettusen"),
        (1500000, "en miljon femhundratusen"),
        (2000000, "två miljoner"),
        (21000000, "tjugoen miljoner"),
        (101000000, "etthundraen miljoner"),
        (130000000, "etthundratrettio miljoner"),
        (1000000000, "en miljard"),
        (1000000001, "en miljard ett"),
        (2130000000, "två miljarder etthundratrettio miljoner"),
        (21001000000, "tjugoen miljarder en miljon"),
        (
            999999999999,
            (
                "niohundranittionio miljarder niohundranittionio miljoner "
                "niohundranittioniotusenniohundranittionio"
            ),
        ),
    ],
)
def test_number_words(value: int, expected: str) -> None:
    assert fmt.number_words(value) == expected


def test_number_words_never_triple_consonant_or_double_space() -> None:
    for n in [*range(3000), *range(20_000, 22_000), 1_001_001, 21_021_021_021]:
        words = fmt.number_words(n)
        assert "ttt" not in words, n
        assert "  " not in words, n
        assert words == words.strip(), n


@pytest.mark.parametrize("value", [-1, 10**12, 10**15])
def test_number_words_out_of_range(value: int) -> None:
    with pytest.raises(ValueError):
        fmt.number_words(value)


def test_number_words_rejects_non_int() -> None:
    with pytest.raises(TypeError):
        fmt.number_words(1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "expected"), [
    ("Boxholms kommun", "Boxholms kommuns"),
    ("Direktionen", "Direktionens"),
    ("Förbundsstyrelsen", "Förbundsstyrelsens"),
    ("Kommunalförbundet Itsam", "Kommunalförbundet Itsams"),
    ("Vimmerby kommun", "Vimmerby kommuns"),
    ("Itsams", "Itsams"),
    ("Linux", "Linux"),
    ("Sankt Moritz", "Sankt Moritz"),
])
def test_genitive(name: str, expected: str) -> None:
    assert fmt.genitive(name) == expected
