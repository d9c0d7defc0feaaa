"""The figures module: docs/proration.md's invoice figures, one reading for every provider."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from prorata import (
    Catalog,
    ChargeLine,
    Discount,
    DiscountDuration,
    Item,
    LineKind,
    Money,
    Plan,
    TaxRate,
)
from prorata.provider import (
    balance_after,
    discount_total,
    invoice_totals,
    next_invoice,
    settle_balance,
    tax_total,
)


def usd(amount: int) -> Money:
    return Money.of(amount, "USD")


def line(amount: int) -> ChargeLine:
    return ChargeLine(description="x", amount=usd(amount), kind=LineKind.RECURRING)


def off(amount: int) -> Discount:
    return Discount(coupon=f"off{amount}", amount_off=usd(amount))


def pct(percent: str) -> Discount:
    return Discount(coupon=f"p{percent}", percent_off=Decimal(percent))


def test_two_amount_off_coupons_never_take_more_than_the_subtotal() -> None:
    taken = discount_total(usd(10000), [off(6000), off(6000)])
    assert taken == usd(10000), f"two 60-off on 100 took {taken}, expected USD 100.00"


def test_amount_off_takes_what_is_left_after_earlier_discounts() -> None:
    taken = discount_total(usd(10000), [pct("50"), off(6000)])
    assert taken == usd(10000), f"50 % then 60-off on 100 took {taken}, expected USD 100.00"
    taken = discount_total(usd(10000), [off(3000), pct("50")])
    assert taken == usd(8000), f"30-off then 50 % of the subtotal took {taken}, expected USD 80.00"


def test_amount_off_never_applies_to_a_credit_and_percent_off_scales_it() -> None:
    assert discount_total(usd(-1000), [off(500)]) == usd(0)
    taken = discount_total(usd(-1000), [pct("20")])
    assert taken == usd(-200), f"20 % of a 10.00 credit is {taken}, expected -USD 2.00"


def test_expired_discounts_take_nothing() -> None:
    spent = Discount(
        coupon="once",
        percent_off=Decimal(50),
        duration=DiscountDuration.REPEATING,
        duration_in_cycles=1,
        cycles_remaining=0,
    )
    assert discount_total(usd(10000), [spent]) == usd(0)


def test_inclusive_tax_is_reported_not_added() -> None:
    reported, added = tax_total(usd(10000), [TaxRate(display_name="VAT", percentage=20, inclusive=True)])
    assert (reported, added) == (usd(1667), usd(0)), f"got {reported}, {added}; expected USD 16.67, 0"


def test_exclusive_tax_is_added_and_refunded_with_a_credit() -> None:
    rate = TaxRate(display_name="Sales tax", percentage=Decimal("8.25"))
    assert tax_total(usd(10000), [rate]) == (usd(825), usd(825))
    assert tax_total(usd(-10000), [rate]) == (usd(-825), usd(-825))


@pytest.mark.parametrize(
    ("total", "balance", "expected"),
    [
        (3000, 1000, (2000, 1000, 0)),
        (1000, 3000, (0, 1000, 0)),
        (-1000, 500, (0, 0, 1000)),
        (1000, -500, (1000, 0, 0)),  # a debt is not taken as credit
    ],
)
def test_balance_pays_first(total: int, balance: int, expected: tuple[int, int, int]) -> None:
    got = tuple(m.amount for m in settle_balance(usd(total), usd(balance)))
    assert got == expected, f"total {total} with balance {balance}: got {got}, expected {expected}"


def test_invoice_totals_and_the_balance_after() -> None:
    totals = invoice_totals(
        [line(10000), line(-2000)],
        currency="USD",
        discounts=[pct("10")],
        tax_rates=[TaxRate(display_name="T", percentage=10)],
        balance=usd(5000),
    )
    # 80.00 - 8.00 discount + 7.20 tax = 79.20, 50.00 paid from the balance.
    assert (totals.subtotal, totals.discount, totals.tax, totals.total) == (
        usd(8000),
        usd(800),
        usd(720),
        usd(7920),
    )
    assert (totals.balance_applied, totals.amount_due) == (usd(5000), usd(2920))
    assert balance_after(usd(5000), totals) == usd(0)


def test_next_invoice_after_a_credit_is_paid_from_it() -> None:
    catalog = Catalog(plans=[Plan(key="basic", name="Basic", price=usd(1000))])
    upcoming = next_invoice(
        catalog,
        [Item(plan="basic")],
        at=datetime(2026, 2, 1, tzinfo=UTC),
        currency="USD",
        discounts=(),
        tax_rates=(),
        balance=usd(1000),
    )
    assert upcoming.totals.total == usd(1000)
    assert upcoming.totals.amount_due == usd(0), (
        f"renewal after a 10.00 credit due {upcoming.totals.amount_due}"
    )
