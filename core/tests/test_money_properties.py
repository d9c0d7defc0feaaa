"""Property tests for Money: exact arithmetic in one currency, one rounding rule."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prorata import Money
from prorata.errors import ValidationError
from prorata.provider import currency_exponent, round_half_away_from_zero

CURRENCIES = ["USD", "EUR", "JPY", "KRW", "KWD", "BHD", "GBP"]
currencies = st.sampled_from(CURRENCIES)
amounts = st.integers(min_value=-(10**15), max_value=10**15)


def money(currency: str) -> st.SearchStrategy[Money]:
    return amounts.map(lambda amount: Money.of(amount, currency))


@given(currencies.flatmap(lambda c: st.tuples(money(c), money(c), money(c))))
def test_addition_is_associative_and_commutative(triple: tuple[Money, Money, Money]) -> None:
    a, b, c = triple
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert (a + b).amount == a.amount + b.amount
    assert a - b == -(b - a)
    assert a + Money.zero(a.currency) == a


@given(currencies.flatmap(lambda c: st.tuples(money(c), money(c))), st.integers(-1000, 1000))
def test_integer_multiplication_distributes(pair: tuple[Money, Money], factor: int) -> None:
    a, b = pair
    assert (a + b) * factor == a * factor + b * factor
    assert factor * a == a * factor


@given(st.data())
def test_mixed_currencies_are_refused(data: st.DataObject) -> None:
    first, second = data.draw(st.lists(currencies, min_size=2, max_size=2, unique=True))
    a, b = data.draw(money(first)), data.draw(money(second))
    for operation in (lambda: a + b, lambda: a - b, lambda: a < b, lambda: a >= b):
        with pytest.raises(ValidationError) as excinfo:
            operation()
        assert excinfo.value.value == second


@pytest.mark.parametrize(
    ("currency", "exponent"), [("JPY", 0), ("KRW", 0), ("USD", 2), ("EUR", 2), ("KWD", 3), ("BHD", 3)]
)
def test_exponents(currency: str, exponent: int) -> None:
    assert currency_exponent(currency) == exponent


@given(currencies.flatmap(money))
def test_format_then_parse_round_trips(value: Money) -> None:
    text = value.format()
    sign = -1 if text.startswith("-") else 1
    code, number = text.lstrip("-").split(" ")
    assert code == value.currency
    decimals = number.partition(".")[2]
    assert len(decimals) == value.exponent
    parsed = Money.parse(number, code)
    assert (parsed if sign > 0 else -parsed) == value
    assert Money.parse(str(value.to_decimal()), value.currency) == value


@given(currencies, st.integers(0, 10**9))
def test_parse_refuses_more_digits_than_the_currency_has(currency: str, amount: int) -> None:
    exponent = currency_exponent(currency)
    text = f"{amount}.{'0' * exponent}1"
    with pytest.raises(ValidationError) as excinfo:
        Money.parse(text, currency)
    assert excinfo.value.value == text


fractions = st.fractions(min_value=-100, max_value=100, max_denominator=10**6)


@given(amounts, fractions)
def test_scale_rounds_half_away_from_zero(amount: int, ratio: Fraction) -> None:
    exact = amount * ratio
    scaled = Money.of(amount, "USD").scale(ratio).amount
    with localcontext() as context:
        context.prec = 80
        oracle = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
    assert scaled == int(oracle)
    assert abs(exact - scaled) <= Fraction(1, 2)
    assert Money.of(-amount, "USD").scale(ratio).amount == -scaled


@given(st.integers(-(10**12), 10**12))
def test_exact_halves_go_away_from_zero(whole: int) -> None:
    half = Fraction(2 * whole + 1, 2)
    rounded = round_half_away_from_zero(half)
    assert abs(rounded) == abs(whole) + (1 if whole >= 0 else 0)
    assert (rounded > 0) == (half > 0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(5, 2), 3),
        (Fraction(-5, 2), -3),
        (Fraction(1, 2), 1),
        (Fraction(-1, 2), -1),
        (Fraction(7, 3), 2),
        (Fraction(-7, 3), -2),
    ],
)
def test_rounding_examples(value: Fraction, expected: int) -> None:
    assert round_half_away_from_zero(value) == expected


def test_floats_and_bools_are_not_money() -> None:
    with pytest.raises(ValidationError):
        Money(amount=10.5, currency="USD")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Money(amount=True, currency="USD")
    with pytest.raises(ValidationError):
        Money.of(100, "US")
    with pytest.raises(ValidationError):
        Money.of(100, "USD") * Fraction(1, 2)  # type: ignore[operator]


@pytest.mark.parametrize("text", ["Infinity", "-inf", "NaN", "ten", ""])
def test_parse_refuses_non_finite_and_non_numbers(text: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Money.parse(text, "USD")
    assert (excinfo.value.field, excinfo.value.value) == ("Money.amount", text)
