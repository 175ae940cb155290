"""Tests for docgen.allocation (largest-remainder method and guarantee shares)."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from docgen.model.allocation import Share, allocate_guarantee, largest_remainder

POPULATION = {
    "boxholm": 5400,
    "vimmerby": 15500,
    "ydre": 3600,
    "atvidaberg": 11500,
    "odeshog": 5300,
}


# ---------------------------------------------------------------------------
# largest_remainder
# ---------------------------------------------------------------------------


def test_three_equal_weights_hand_checked() -> None:
    result = largest_remainder(100, [("a", 1), ("b", 1), ("c", 1)])
    assert result == {"a": 34, "b": 33, "c": 33}
    assert list(result) == ["a", "b", "c"]


def test_tie_broken_by_order_given() -> None:
    result = largest_remainder(100, [("c", 1), ("a", 1), ("b", 1)])
    assert list(result.items()) == [("c", 34), ("a", 33), ("b", 33)]
    result = largest_remainder(2, [("x", 1), ("y", 1), ("z", 1)])
    assert result == {"x": 1, "y": 1, "z": 0}


def test_tie_broken_by_larger_weight() -> None:
    # Quotas: a = 1.5, b = 4.5 -> equal remainders 0.5, one unit left;
    # the larger weight (b) gets it even though a comes first.
    result = largest_remainder(6, [("a", 1), ("b", 3)])
    assert result == {"a": 1, "b": 5}


def test_largest_remainder_wins() -> None:
    # Quotas: 10 * 2/7 = 2.857, 10 * 5/7 = 7.142 -> a gets the extra unit.
    assert largest_remainder(10, [("a", 2), ("b", 5)]) == {"a": 3, "b": 7}


def test_exact_quotas_are_kept() -> None:
    assert largest_remainder(10, [("a", 3), ("b", 7)]) == {"a": 3, "b": 7}


def test_zero_weight_gets_nothing() -> None:
    result = largest_remainder(10, [("a", 1), ("zero", 0), ("b", 2)])
    assert result == {"a": 3, "zero": 0, "b": 7}


def test_zero_total() -> None:
    assert largest_remainder(0, [("a", 1), ("b", 2)]) == {"a": 0, "b": 0}


def test_single_key_gets_everything() -> None:
    assert largest_remainder(130_000_000, [("only", 7)]) == {"only": 130_000_000}


def test_decimal_weights_are_exact() -> None:
    # 0.1 + 0.2 would not be exact as floats; as Decimal it is.
    result = largest_remainder(3, [("a", Decimal("0.1")), ("b", Decimal("0.2"))])
    assert result == {"a": 1, "b": 2}


def test_mapping_keeps_insertion_order() -> None:
    result = largest_remainder(130_000_000, POPULATION)
    assert list(result) == list(POPULATION)
    assert sum(result.values()) == 130_000_000


@pytest.mark.parametrize("seed", range(5))
def test_random_sums_are_exact_and_within_one_of_quota(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(100):  # 5 seeds x 100 = 500 cases
        n = rng.randint(1, 12)
        weights: list[tuple[str, int | Decimal]] = []
        for i in range(n):
            if rng.random() < 0.5:
                weight: int | Decimal = rng.randint(0, 100_000)
            else:
                weight = Decimal(rng.randint(0, 10**6)).scaleb(-rng.randint(0, 4))
            weights.append((f"k{i}", weight))
        if all(w == 0 for _, w in weights):
            weights[0] = ("k0", 1)
        total = rng.choice([0, 1, 7, 100, 10_000, rng.randint(0, 10**10)])

        result = largest_remainder(total, weights)

        assert list(result) == [k for k, _ in weights]
        assert sum(result.values()) == total
        weight_sum = sum(Fraction(w) for _, w in weights)
        for key, weight in weights:
            quota = total * Fraction(weight) / weight_sum
            assert quota - 1 < result[key] < quota + 1
            if weight == 0:
                assert result[key] == 0


def test_errors() -> None:
    with pytest.raises(ValueError):
        largest_remainder(10, [])
    with pytest.raises(ValueError):
        largest_remainder(10, {})
    with pytest.raises(ValueError):
        largest_remainder(10, [("a", 1), ("b", -1)])
    with pytest.raises(ValueError):
        largest_remainder(10, [("a", 0), ("b", 0)])
    with pytest.raises(ValueError):
        largest_remainder(10, [("a", 1), ("a", 2)])
    with pytest.raises(ValueError):
        largest_remainder(-10, [("a", 1)])
    with pytest.raises(ValueError):
        largest_remainder(10, [("a", Decimal("NaN"))])
    with pytest.raises(ValueError):
        largest_remainder(10, [("a", Decimal("Infinity"))])


def test_type_errors() -> None:
    with pytest.raises(TypeError):
        largest_remainder(10, [("a", 1.5)])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        largest_remainder(10.0, [("a", 1)])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Share and allocate_guarantee
# ---------------------------------------------------------------------------


def test_share_percent() -> None:
    share = Share(key="ydre", hundredths_of_percent=453, kronor=1)
    assert share.percent == Decimal("4.53")
    assert str(share.percent) == "4.53"
    assert str(Share("x", 10_000, 0).percent) == "100.00"
    assert str(Share("x", 5, 0).percent) == "0.05"


def test_share_is_frozen() -> None:
    share = Share(key="ydre", hundredths_of_percent=453, kronor=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        share.kronor = 2  # type: ignore[misc]


def test_population_example() -> None:
    shares = allocate_guarantee(130_000_000, POPULATION)
    assert [s.key for s in shares] == list(POPULATION)
    assert sum(s.kronor for s in shares) == 130_000_000
    assert sum(s.hundredths_of_percent for s in shares) == 10_000
    assert sum(s.percent for s in shares) == Decimal(100)
    assert shares == [
        Share("boxholm", 1308, 16_997_579),
        Share("vimmerby", 3753, 48_789_346),
        Share("ydre", 872, 11_331_719),
        Share("atvidaberg", 2784, 36_198_547),
        Share("odeshog", 1283, 16_682_809),
    ]


def test_population_example_as_pairs_and_iterator() -> None:
    expected = allocate_guarantee(130_000_000, POPULATION)
    assert allocate_guarantee(130_000_000, list(POPULATION.items())) == expected
    # An iterator must not be consumed by the first of the two allocations.
    assert allocate_guarantee(130_000_000, iter(POPULATION.items())) == expected  # type: ignore[arg-type]


def test_kronor_not_derived_from_rounded_percent() -> None:
    shares = allocate_guarantee(130_000_000, POPULATION)
    boxholm = shares[0]
    assert boxholm.percent * 1_300_000 == 17_004_000
    assert boxholm.kronor == 16_997_579


@pytest.mark.parametrize("seed", range(3))
def test_allocate_guarantee_random_sums(seed: int) -> None:
    rng = random.Random(1000 + seed)
    for _ in range(100):
        weights = [(f"m{i}", rng.randint(1, 200_000)) for i in range(rng.randint(1, 15))]
        total = rng.randint(0, 10**9)
        shares = allocate_guarantee(total, weights)
        assert sum(s.kronor for s in shares) == total
        assert sum(s.hundredths_of_percent for s in shares) == 10_000
        assert [s.key for s in shares] == [k for k, _ in weights]


def test_allocate_guarantee_errors() -> None:
    with pytest.raises(ValueError):
        allocate_guarantee(100, [])
    with pytest.raises(ValueError):
        allocate_guarantee(100, [("a", 1), ("a", 1)])
    with pytest.raises(ValueError):
        allocate_guarantee(100, [("a", -1), ("b", 2)])
    with pytest.raises(ValueError):
        allocate_guarantee(100, [("a", 0)])
