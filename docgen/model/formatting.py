"""Swedish text formats for docgen, collected in one place.

Every date, number, amount, paragraph reference and page reference that ends up
in a generated decision document (protocol, letter, agreement) is formatted by a
function in this module, so the house style is defined exactly once.

Babel with the ``sv_SE`` locale (CLDR data) does the locale-specific work
(month names, digit grouping, decimal comma).  The output of this module is,
however, a fixed contract that does not follow CLDR updates blindly: after
calling babel the result is normalised explicitly, so that

* digit groups are always separated by NO-BREAK SPACE (U+00A0), never by
  NARROW NO-BREAK SPACE (U+202F) or an ordinary space, whatever CLDR version
  babel ships;
* negative numbers always use HYPHEN-MINUS ("-", U+002D).  CLDR specifies
  MINUS SIGN (U+2212) for Swedish, but the seed protocol uses "-" and PDF text
  search (Ctrl+F for "-1 560") only finds the hyphen-minus, so we keep it.

Constants used in the output:

* ``NBSP``     = U+00A0 NO-BREAK SPACE (keeps "130 Mkr", "§ 18", "kl. 10:00"
  together on one line);
* ``EN_DASH``  = U+2013 EN DASH (ranges: "§§ 16–20", "3–5").

Rounding: where a value must be rounded to a fixed number of decimals
(:func:`decimal_number`, :func:`percent`) half-up rounding ("avrundning uppåt
vid 5", the usual Swedish convention) is used, not babel's default
banker's rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

__all__ = [
    "EN_DASH",
    "LOCALE",
    "NBSP",
    "amount",
    "clock",
    "integer",
    "join_list",
    "long_date",
    "number_words",
    "paragraph",
    "paragraph_range",
    "percent",
    "short_date",
]

#: Babel locale used for all formatting.
LOCALE = "sv_SE"

#: NO-BREAK SPACE, used for digit grouping and between a number and its unit.
NBSP = "\u00a0"

#: EN DASH, used in ranges of paragraphs and pages.
EN_DASH = "\u2013"

# Characters babel/CLDR may emit that we map to our house style.
_SPACE_VARIANTS = ("\u202f", "\u2009", "\u2007", " ")  # NNBSP, thin, figure, plain
_MINUS_VARIANTS = ("\u2212", "\u2012", "\u2013")  # MINUS SIGN, figure dash, en dash

# Divisors for the units accepted by :func:`amount`.  "tkr" and "mnkr" are the
# spellings recommended by Språkrådet; "Tkr" and "Mkr" are common in
# municipal finance and used in the seed protocol.
_AMOUNT_UNITS: dict[str, int] = {
    "kr": 1,
    "Tkr": 1_000,
    "tkr": 1_000,
    "Mkr": 1_000_000,
    "mnkr": 1_000_000,
}

# Maximum number of decimals :func:`amount` will show.
_AMOUNT_MAX_PLACES = 2


# ---------------------------------------------------------------------------
# Internal helpers
# ---------------------------------------------------------------------------


def _normalise_number(text: str) -> str:
    """Map babel's number output to house style (NBSP grouping, hyphen-minus)."""
    for space in _SPACE_VARIANTS:
        text = text.replace(space, NBSP)
    for minus in _MINUS_VARIANTS:
        text = text.replace(minus, "-")
    return text


def _require_int(value: object, name: str) -> int:
    """Return ``value`` if it is a real ``int`` (not ``bool``), else raise TypeError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return value


def _require_decimal(value: object, name: str) -> Decimal:
    """Return ``value`` as a finite Decimal; ints are accepted, floats are not.

    Floats are rejected on purpose: a binary float such as 0.1 cannot represent
    the decimal value the caller had in mind, and amounts in a decision
    document must be exact.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a Decimal or int, got bool")
    if isinstance(value, int):
        return Decimal(value)
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal or int, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _number_pattern(places: int) -> str:
    """CLDR number pattern with grouping and exactly ``places`` decimals."""
    return "#,##0" + ("." + "0" * places if places > 0 else "")


def _format_fixed(value: Decimal, places: int) -> str:
    """Round ``value`` half-up to ``places`` decimals and format it in Swedish."""
    places = _require_int(places, "places")
    if places < 0:
        raise ValueError(f"places must be >= 0, got {places}")
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        # Avoid "-0,00" when a tiny negative value rounds to zero.
        rounded = abs(rounded)
    text = format_decimal(rounded, format=_number_pattern(places), locale=LOCALE)
    return _normalise_number(text)


# ---------------------------------------------------------------------------
# Dates and times
# ---------------------------------------------------------------------------


def long_date(d: date) -> str:
    """Date for running text: day without leading zero, month name, 4-digit year.

    >>> long_date(date(2026, 3, 26))
    '26 mars 2026'
    >>> long_date(date(2026, 4, 1))
    '1 april 2026'
    """
    return format_date(d, "d MMMM yyyy", locale=LOCALE)


def short_date(d: date) -> str:
    """Numeric ISO 8601 date, the Swedish standard short form.

    >>> short_date(date(2026, 3, 26))
    '2026-03-26'
    """
    return format_date(d, "yyyy-MM-dd", locale=LOCALE)


def clock(t: time) -> str:
    """Time of day in the house style of the protocols: "kl." + NBSP + HH:MM.

    Seconds and smaller units are not shown (they are dropped, not rounded).

    >>> clock(time(10, 0))
    'kl.\\xa010:00'
    """
    return f"kl.{NBSP}" + format_time(t, "HH:mm", locale=LOCALE)


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------


def integer(n: int) -> str:
    """Integer with thousands grouped by NBSP.

    Negative numbers get a HYPHEN-MINUS directly before the digits.  CLDR would
    use U+2212 MINUS SIGN for Swedish; we do not, because the seed protocol uses
    "-" and PDF text search only finds what readers type, i.e. "-".

    Years are not formatted with this function (``integer(2026)`` gives
    "2 026"); callers use ``str(year)``.

    >>> integer(130_000_000)
    '130\\xa0000\\xa0000'
    >>> integer(-1560)
    '-1\\xa0560'
    """
    n = _require_int(n, "n")
    return _normalise_number(format_decimal(n, format=_number_pattern(0), locale=LOCALE))


def message_integer(n: int) -> str:
    """``100000`` → ``100 000``: thousands grouped by plain spaces, for messages on a terminal.

    >>> message_integer(5000)
    '5 000'
    """
    return f"{n:,}".replace(",", " ")


def amount(kronor: int | Decimal, unit: str) -> str:
    """Amount of money given in kronor, shown in ``unit``, followed by NBSP and the unit.

    ``unit`` is one of "kr", "Tkr", "Mkr" or the Språkrådet spellings "tkr"
    (thousands, like "Tkr") and "mnkr" (millions, like "Mkr").  The unit is
    printed as given.

    If the value is a whole number in the unit no decimals are shown;
    otherwise as many decimals as needed (1 or 2), with a decimal comma.  If
    more than two decimals would be needed the amount cannot be shown exactly
    in that unit and ValueError is raised rather than silently rounding.

    >>> amount(130_000_000, "Mkr")
    '130\\xa0Mkr'
    >>> amount(130_000_000, "Tkr")
    '130\\xa0000\\xa0Tkr'
    >>> amount(1_500_000, "Mkr")
    '1,5\\xa0Mkr'

    Raises:
        ValueError: unknown unit, or the value needs more than two decimals.
        TypeError: ``kronor`` is not an int or Decimal (floats are not exact).
    """
    if unit not in _AMOUNT_UNITS:
        allowed = ", ".join(_AMOUNT_UNITS)
        raise ValueError(f"unknown unit {unit!r}; expected one of {allowed}")
    value = Fraction(_require_decimal(kronor, "kronor")) / _AMOUNT_UNITS[unit]

    # Find the smallest number of decimals that represents the value exactly.
    for places in range(_AMOUNT_MAX_PLACES + 1):
        scaled = value * 10**places
        if scaled.denominator == 1:
            break
    else:
        raise ValueError(
            f"{kronor} kr cannot be shown in {unit} with at most "
            f"{_AMOUNT_MAX_PLACES} decimals without losing precision"
        )
    exact = Decimal(scaled.numerator).scaleb(-places)
    return f"{_format_fixed(exact, places)}{NBSP}{unit}"


def percent(x: Decimal, places: int = 2) -> str:
    """Percentage (``x`` is already in percent) with decimal comma, NBSP and "%".

    The value is rounded half-up to ``places`` decimals.

    >>> percent(Decimal("4.53"))
    '4,53\\xa0%'
    >>> percent(Decimal("100"))
    '100,00\\xa0%'
    """
    return f"{_format_fixed(_require_decimal(x, 'x'), places)}{NBSP}%"


# ---------------------------------------------------------------------------
# Paragraphs, pages and lists
# ---------------------------------------------------------------------------


def _check_range(first: int, last: int, what: str) -> None:
    """Validate an inclusive range of positive numbers."""
    _require_int(first, "first")
    _require_int(last, "last")
    if first < 1:
        raise ValueError(f"{what} numbers start at 1, got {first}")
    if last < first:
        raise ValueError(f"{what} range {first}-{last} ends before it starts")


def paragraph(n: int) -> str:
    """Reference to one paragraph of a protocol.

    >>> paragraph(18)
    '§\\xa018'
    """
    _check_range(n, n, "paragraph")
    return f"§{NBSP}{n}"


def paragraph_range(first: int, last: int) -> str:
    """Reference to an inclusive range of paragraphs; "§§" + NBSP + first–last.

    A range of one paragraph is written like :func:`paragraph`.

    >>> paragraph_range(16, 20)
    '§§\\xa016–20'
    >>> paragraph_range(16, 16)
    '§\\xa016'
    """
    _check_range(first, last, "paragraph")
    if first == last:
        return paragraph(first)
    return f"§§{NBSP}{first}{EN_DASH}{last}"


def number_runs(numbers: Sequence[int]) -> str:
    """``[1, 2, 3, 5]`` → ``1–3, 5`` (en dash); none → ``inga``."""
    if not numbers:
        return "inga"
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{r[0]}\u2013{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def join_list(items: Sequence[str], last_word: str = "och") -> str:
    """Join items Swedish style: commas, and ``last_word`` before the last item.

    No comma is written before ``last_word`` (Swedish does not use the Oxford
    comma).

    >>> join_list(["A", "B", "C"], "samt")
    'A, B samt C'
    >>> join_list(["A", "B"])
    'A och B'
    """
    if isinstance(items, str):
        raise TypeError("items must be a sequence of strings, not a single string")
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {last_word} {items[-1]}"


# ---------------------------------------------------------------------------
# Numbers in words
# ---------------------------------------------------------------------------

# Written by hand: num2words' "sv" language is wrong for official documents
# (it gives "förtio" for 40 and "etttusen" for 1000).
_ONES = (
    "noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio",
    "tio", "elva", "tolv", "tretton", "fjorton", "femton", "sexton", "sjutton",
    "arton", "nitton",
)  # fmt: skip
_TENS = (
    "", "", "tjugo", "trettio", "fyrtio", "femtio", "sextio", "sjuttio", "åttio", "nittio",
)  # fmt: skip

_NUMBER_WORDS_LIMIT = 10**12
_VOWELS = frozenset("aeiouyåäö")


def _compound(left: str, right: str) -> str:
    """Write two number words together as one compound word.

    Applies Språkrådet's rule that three identical consonants in a compound
    are reduced to two: "ett" + "tusen" -> "ettusen",
    "tjugoett" + "tusen" -> "tjugoettusen".
    """
    if (
        left
        and right
        and len(left) >= 2
        and left[-1] == left[-2] == right[0]
        and left[-1] not in _VOWELS
    ):
        return left + right[1:]
    return left + right


def _below_thousand(n: int, *, common: bool = False) -> str:
    """Words for 1 <= n < 1000 as one compound word.

    ``common`` selects common gender ("en" instead of "ett") for a final
    one, used before "miljon"/"miljard".  "hundra" is always preceded by
    "ett" ("etthundra").
    """
    hundreds, rest = divmod(n, 100)
    word = ""
    if hundreds:
        word = _compound(_ONES[hundreds], "hundra")
    if rest:
        if rest < 20:
            rest_word = _ONES[rest]
        else:
            tens, ones = divmod(rest, 10)
            rest_word = _TENS[tens] + (_ONES[ones] if ones else "")
        if common and rest_word.endswith("ett"):
            rest_word = rest_word[: -len("ett")] + "en"
        word = _compound(word, rest_word)
    return word


def _below_million(n: int) -> str:
    """Words for 1 <= n < 1 000 000 as one compound word (neuter "ett")."""
    thousands, rest = divmod(n, 1000)
    word = ""
    if thousands:
        word = _compound(_below_thousand(thousands), "tusen")
    if rest:
        word = _compound(word, _below_thousand(rest))
    return word


def number_words(n: int) -> str:
    """Swedish cardinal number in words, for 0 <= n < 10**12.

    Conventions (as used when amounts of kronor are written out in words):

    * Numbers below one million are written as one word: "etthundratrettio",
      "tvåtusen", "niohundranittioniotusenniohundranittionio".
    * One is written "ett" (the neuter/counting form used when an amount of
      kronor is written out in words): 1 "ett", 21 "tjugoett",
      1001 "ettusenett".  Hundreds and thousands always carry the number:
      100 "etthundra", 1000 "ettusen".
    * Three identical consonants in a compound are reduced to two
      (Språkrådet): 1000 "ettusen", 21000 "tjugoettusen".
    * "miljon" and "miljard" are nouns and written as separate words, with
      plural "-er" for more than one: 1 000 000 "en miljon",
      2 000 000 "två miljoner".  The number before them takes common gender:
      "en miljon", "tjugoen miljoner" (not "ett", "tjugoett").
    * Groups are separated by single ordinary spaces and zero groups are
      omitted: 1 500 000 "en miljon femhundratusen",
      2 130 000 000 "två miljarder etthundratrettio miljoner".
    * 0 is "noll".

    Raises:
        ValueError: n < 0 or n >= 10**12.
        TypeError: n is not an int.
    """
    n = _require_int(n, "n")
    if not 0 <= n < _NUMBER_WORDS_LIMIT:
        raise ValueError(f"number_words supports 0 <= n < 10**12, got {n}")
    if n == 0:
        return _ONES[0]

    milliards, rest = divmod(n, 10**9)
    millions, rest = divmod(rest, 10**6)
    parts: list[str] = []
    for count, singular, plural in (
        (milliards, "miljard", "miljarder"),
        (millions, "miljon", "miljoner"),
    ):
        if count:
            noun = singular if count == 1 else plural
            parts.append(f"{_below_thousand(count, common=True)} {noun}")
    if rest:
        parts.append(_below_million(rest))
    return " ".join(parts)


def genitive(name: str) -> str:
    """The Swedish genitive: ``Boxholms kommun`` → ``Boxholms kommuns``, ``Direktionen`` → ``Direktionens``.

    A name ending in s, x or z takes no further s (``Itsams``, not ``Itsamss``).
    """
    return name if name[-1:] in ("s", "x", "z") else name + "s"
