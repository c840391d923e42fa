from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutua.kernel.money import D, MoneyError, round_shares, split, to_cents

cents = st.integers(min_value=-(10**13), max_value=10**13).map(lambda c: Decimal(c) / 100)
weights = st.dictionaries(
    st.text(min_size=1, max_size=4), st.integers(min_value=0, max_value=10**9), min_size=1, max_size=40
).filter(lambda w: sum(w.values()) > 0)


def test_d_refuses_floats_and_garbage() -> None:
    with pytest.raises(TypeError):
        D(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        D("12,3.4")
    assert D("12.50") == Decimal("12.50")


def test_a_third_of_a_hundred_gives_the_extra_cent_to_the_first_largest_remainder() -> None:
    assert split(D("100.00"), {"a": 1, "b": 1, "c": 1}) == {
        "a": Decimal("33.34"),
        "b": Decimal("33.33"),
        "c": Decimal("33.33"),
    }


def test_split_of_a_negative_amount_mirrors_the_positive_split() -> None:
    positive = split(D("10.00"), {"a": 1, "b": 2})
    negative = split(D("-10.00"), {"a": 1, "b": 2})
    assert {k: -v for k, v in negative.items()} == positive


def test_split_refuses_fractions_of_cents_and_zero_weights() -> None:
    with pytest.raises(MoneyError):
        split(D("1.005"), {"a": 1})
    with pytest.raises(MoneyError):
        split(D("1.00"), {"a": 0})
    assert split(D("0.00"), {"a": 0}) == {"a": Decimal("0.00")}


@given(cents, weights)
def test_split_parts_always_add_up_to_the_total_to_the_cent(total: Decimal, w: dict[str, int]) -> None:
    parts = split(total, w)
    assert sum(parts.values()) == total
    assert set(parts) == set(w)
    for key, part in parts.items():
        exact = Fraction(total) * w[key] / sum(w.values())
        assert abs(Fraction(part) - exact) < Fraction(1, 100)  # never more than a cent off the exact share
        if w[key] == 0:
            assert part == 0


@given(st.lists(st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**4), min_size=1, max_size=30))
def test_rounded_shares_keep_the_exact_total_when_it_is_whole_cents(values: list[Fraction]) -> None:
    # make the total a whole number of cents by adjusting the last value
    total = sum(values, Fraction(0))
    values[-1] += Fraction(round(total * 100), 100) - total
    rounded = round_shares(dict(enumerate(values)))
    assert Fraction(sum(rounded.values())) == sum(values, Fraction(0))
    assert all(abs(Fraction(rounded[i]) - v) < Fraction(1, 100) for i, v in enumerate(values))


def test_to_cents_rounds_half_away_from_zero() -> None:
    assert to_cents(Decimal("0.005")) == Decimal("0.01")
    assert to_cents(Decimal("-0.005")) == Decimal("-0.01")
    assert to_cents(Fraction(1, 200)) == Decimal("0.01")
    assert to_cents(Fraction(-1, 200)) == Decimal("-0.01")
    assert to_cents(Fraction(1, 3)) == Decimal("0.33")
