"""Money in integer minor units, with per-currency exponents and one rounding rule."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import attrs

from prorata._errors import ValidationError

__all__ = ["Money", "currency_exponent", "round_half_away_from_zero"]

# ISO 4217 currencies whose minor unit is not 2 digits. Everything else has 2.
_ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
_THREE_DECIMAL = frozenset(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"])
_FOUR_DECIMAL = frozenset(["CLF", "UYW"])


def currency_exponent(currency: str) -> int:
    """Number of minor-unit digits of an ISO 4217 currency (JPY 0, USD 2, KWD 3)."""
    code = currency.upper()
    if code in _ZERO_DECIMAL:
        return 0
    if code in _THREE_DECIMAL:
        return 3
    if code in _FOUR_DECIMAL:
        return 4
    return 2


def round_half_away_from_zero(value: Fraction) -> int:
    """The one rounding rule of prorata: to the nearest integer, halves away from zero."""
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    floor = magnitude.numerator // magnitude.denominator
    remainder = magnitude - floor
    return sign * (floor + 1 if remainder >= Fraction(1, 2) else floor)


MAX_MINOR_UNITS = 2**63 - 1
"""The largest amount, in minor units, that a signed 64-bit column (SQLite, PostgreSQL) holds."""


def _check_currency(instance: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if not (
        isinstance(value, str)  # pyright: ignore[reportUnnecessaryIsInstance]
        and len(value) == 3
        and value.isascii()
        and value.isalpha()
        and value.isupper()
    ):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "an ISO 4217 code in upper case"
        )


def _check_amount(instance: Any, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "an integer number of minor units"
        )
    if not -MAX_MINOR_UNITS <= value <= MAX_MINOR_UNITS:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}",
            value,
            "at most 2**63 - 1 minor units either way (what databases and providers store)",
        )


def _upper(value: str) -> str:
    return value.upper() if isinstance(value, str) else value  # pyright: ignore[reportUnnecessaryIsInstance]


@attrs.frozen(kw_only=True, slots=True, order=False)
class Money:
    """An amount in integer minor units of one currency (cents for USD, yen for JPY)."""

    amount: int = attrs.field(validator=_check_amount)
    """Integer minor units (cents for USD, yen for JPY); negative for a credit."""
    currency: str = attrs.field(converter=_upper, validator=_check_currency)
    """ISO 4217 code, upper case."""

    @classmethod
    def of(cls, amount: int, currency: str) -> Money:
        """Money from minor units: ``Money.of(1000, "USD")`` is $10.00."""
        return cls(amount=amount, currency=currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(amount=0, currency=currency)

    @classmethod
    def parse(cls, major: str, currency: str) -> Money:
        """Money from a decimal string in major units: ``Money.parse("10.50", "USD")``.

        Refuses more digits than the currency has, rather than rounding silently.
        """
        try:
            value = Decimal(major)
        except InvalidOperation as exc:
            raise ValidationError("Money.amount", major, "a decimal number") from exc
        if not value.is_finite():
            raise ValidationError("Money.amount", major, "a finite decimal number")
        if value.adjusted() > 19:
            raise ValidationError("Money.amount", major, "at most 2**63 - 1 minor units either way")
        scaled = value.scaleb(currency_exponent(currency))
        if scaled != scaled.to_integral_value():
            raise ValidationError(
                "Money.amount", major, f"at most {currency_exponent(currency)} decimals for {currency}"
            )
        return cls(amount=int(scaled), currency=currency)

    @property
    def exponent(self) -> int:
        return currency_exponent(self.currency)

    def _same(self, other: Money, op: str) -> None:
        if other.currency != self.currency:
            raise ValidationError(f"Money.{op}", other.currency, f"the same currency as {self.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other, "add")
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other, "sub")
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def __neg__(self) -> Money:
        return Money(amount=-self.amount, currency=self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValidationError("Money.mul", factor, "an integer factor (use scale() for ratios)")
        return Money(amount=self.amount * factor, currency=self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other, "compare")
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other, "compare")
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other, "compare")
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other, "compare")
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def scale(self, ratio: Fraction) -> Money:
        """This amount times an exact ratio, rounded half away from zero."""
        return Money(amount=round_half_away_from_zero(self.amount * ratio), currency=self.currency)

    def percent(self, percentage: Decimal) -> Money:
        """``percentage`` percent of this amount (``Decimal("12.5")`` is 12.5 %), rounded once."""
        return self.scale(Fraction(percentage) / 100)

    def to_decimal(self) -> Decimal:
        """The amount in major units, exact (for display; never for arithmetic)."""
        return Decimal(self.amount).scaleb(-self.exponent)

    def format(self) -> str:
        """Human form: ``USD 10.50``, ``JPY 5000``, ``-USD 5.00``."""
        sign = "-" if self.amount < 0 else ""
        magnitude = Decimal(abs(self.amount)).scaleb(-self.exponent)
        return f"{sign}{self.currency} {magnitude:.{self.exponent}f}"

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        return f"Money({self.amount}, {self.currency!r})"


def sum_money(amounts: list[Money] | tuple[Money, ...], currency: str) -> Money:
    """Sum of amounts in ``currency`` (zero when empty); mixing currencies raises."""
    total = Money.zero(currency)
    for amount in amounts:
        total = total + amount
    return total
