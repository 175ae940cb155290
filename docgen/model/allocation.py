"""Exact proportional allocation of integer totals (largest-remainder method).

Used when a joint commitment, e.g. a guarantee of 130 000 000 kr, is shared
between member municipalities in proportion to their population: the table in
the decision must add up *exactly*, both the percentage column (to 100,00 %)
and the kronor column (to the total), so the parts are computed with exact
arithmetic and distributed with the largest-remainder (Hamilton) method.

No floating point is used anywhere: weights are ``int`` or ``Decimal`` and all
quotas are computed as :class:`fractions.Fraction`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

__all__ = ["Share", "Weights", "allocate_guarantee", "largest_remainder"]

#: Weights as ``(key, weight)`` pairs in display order, or a mapping (whose
#: insertion order is used).
Weights = Sequence[tuple[str, int | Decimal]] | Mapping[str, int | Decimal]

# 100 % expressed in hundredths of a percent (two decimals).
_HUNDREDTHS_OF_PERCENT_TOTAL = 10_000


def _weight_as_fraction(key: str, weight: object) -> Fraction:
    """Convert one weight to an exact Fraction, validating type and sign."""
    if isinstance(weight, bool) or not isinstance(weight, int | Decimal):
        raise TypeError(
            f"weight for {key!r} must be an int or Decimal, got {type(weight).__name__}"
        )
    if isinstance(weight, Decimal) and not weight.is_finite():
        raise ValueError(f"weight for {key!r} must be finite, got {weight}")
    if weight < 0:
        raise ValueError(f"weight for {key!r} must not be negative, got {weight}")
    return Fraction(weight)


def largest_remainder(total: int, weights: Weights) -> dict[str, int]:
    """Split ``total`` into integer parts proportional to ``weights``.

    Largest-remainder (Hamilton) method:

    1. each key's exact quota ``total * weight / sum(weights)`` is computed as
       a Fraction and rounded down;
    2. the units still missing up to ``total`` (fewer than the number of keys)
       are handed out one each to the keys with the largest fractional
       remainders.

    Ties between equal remainders are broken first by the larger weight, then
    by the order in which the keys were given (earlier key wins).  The result
    therefore depends only on the input, never on hashing or float rounding.

    The parts always add up exactly to ``total``; every part is the floor or
    the ceiling of its exact quota, and a key with weight 0 always gets 0.

    Args:
        total: non-negative integer to split (e.g. kronor, or 10 000
            hundredths of a percent).
        weights: ``(key, weight)`` pairs, or a mapping key -> weight; weights
            are non-negative ``int`` or ``Decimal`` (floats are rejected as
            inexact).

    Returns:
        ``{key: part}`` in the order the keys were given.

    Raises:
        ValueError: no keys, duplicate keys, a negative or non-finite weight,
            weights summing to zero, or a negative total.
        TypeError: ``total`` is not an int or a weight is not int/Decimal.

    >>> largest_remainder(100, [("a", 1), ("b", 1), ("c", 1)])
    {'a': 34, 'b': 33, 'c': 33}
    """
    if isinstance(total, bool) or not isinstance(total, int):
        raise TypeError(f"total must be an int, got {type(total).__name__}")
    if total < 0:
        raise ValueError(f"total must not be negative, got {total}")

    pairs = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
    if not pairs:
        raise ValueError("weights must not be empty")

    keys: list[str] = []
    exact_weights: list[Fraction] = []
    seen: set[str] = set()
    for key, weight in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen.add(key)
        keys.append(key)
        exact_weights.append(_weight_as_fraction(key, weight))

    weight_sum = sum(exact_weights, Fraction(0))
    if weight_sum == 0:
        raise ValueError("weights must not sum to zero")

    quotas = [total * w / weight_sum for w in exact_weights]
    parts = [q.numerator // q.denominator for q in quotas]  # floor (quotas are >= 0)
    remainders = [q - p for q, p in zip(quotas, parts, strict=True)]

    leftover = total - sum(parts)
    # Largest remainder first; then larger weight; then earlier position.
    order = sorted(
        range(len(keys)),
        key=lambda i: (-remainders[i], -exact_weights[i], i),
    )
    for i in order[:leftover]:
        parts[i] += 1

    return dict(zip(keys, parts, strict=True))


@dataclass(frozen=True)
class Share:
    """One party's share of a guarantee.

    Attributes:
        key: identifier of the party (e.g. a municipality).
        hundredths_of_percent: share in hundredths of a percent; 453 means
            4,53 %.  All shares of one allocation sum to 10 000 (100,00 %).
        kronor: the party's part of the total in whole kronor.
    """

    key: str
    hundredths_of_percent: int
    kronor: int

    @property
    def percent(self) -> Decimal:
        """Share in percent with two decimals, e.g. ``Decimal("4.53")``."""
        return Decimal(self.hundredths_of_percent).scaleb(-2)


def allocate_guarantee(total_kronor: int, weights: Weights) -> list[Share]:
    """Share a guarantee of ``total_kronor`` in proportion to ``weights``.

    Both columns of the resulting table are computed independently and
    directly from the weights with :func:`largest_remainder`:

    * percentages with two decimals: ``largest_remainder(10 000, weights)``
      hundredths of a percent, summing to exactly 100,00 %;
    * amounts: ``largest_remainder(total_kronor, weights)``, summing to
      exactly ``total_kronor``.

    Consequently a share's ``kronor`` is *not* necessarily its rounded
    percentage times the total: with populations 5 400, 15 500, 3 600,
    11 500 and 5 300 and a total of 130 000 000 kr the first share is
    13,08 %, but 13,08 % of the total (17 004 000 kr) is far from its exact
    quota, which gives 16 997 579 kr.  This is
    deliberate: deriving kronor from the rounded percentages would lose
    precision and the kronor column could no longer sum exactly to the total;
    both columns must sum exactly, and each is as close as possible to the
    exact proportion.

    Returns:
        One :class:`Share` per key, in input order.

    Raises:
        ValueError, TypeError: as :func:`largest_remainder`.
    """
    # Materialise once so that an iterator is not consumed by the first call.
    pairs = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
    percents = largest_remainder(_HUNDREDTHS_OF_PERCENT_TOTAL, pairs)
    kronor = largest_remainder(total_kronor, pairs)
    return [
        Share(key=key, hundredths_of_percent=percents[key], kronor=kronor[key]) for key in percents
    ]
