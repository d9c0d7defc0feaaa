"""The one module of mode semantics: Dodo's worked example and its invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from prorata_dodo import semantics

S = datetime(2026, 4, 1, tzinfo=UTC)
E = S + timedelta(days=30)
MID = S + timedelta(days=15)


def item(price: int, quantity: int = 1, ref: str = "p") -> semantics.PricedItem:
    return semantics.PricedItem(kind="subscription", ref=ref, name=ref, unit_price=price, quantity=quantity)


@pytest.mark.parametrize(
    ("mode", "charged"),
    [
        ("difference_immediately", 5000),
        ("prorated_immediately_keep_cycle", 2500),
        ("full_immediately", 8000),
        ("do_not_bill", 0),
        ("prorated_immediately", 6500),
    ],
)
def test_worked_example_30_to_80_at_mid_cycle(mode: str, charged: int) -> None:
    billed = semantics.change_charge(
        mode, [item(3000, ref="old")], [item(8000, ref="new")], period_start=S, period_end=E, at=MID
    )
    assert billed.subtotal == charged
    assert billed.remaining == Fraction(1, 2)


def test_every_sdk_mode_has_a_rule() -> None:
    from typing import get_args

    from dodopayments.types.subscription_change_plan_params import SubscriptionChangePlanParams

    literal = SubscriptionChangePlanParams.__annotations__["proration_billing_mode"]
    assert "prorated_immediately_keep_cycle" in str(literal)
    assert set(get_args(semantics.DodoMode)) == set(semantics.MODES)


def test_downgrade_with_difference_is_a_credit() -> None:
    billed = semantics.change_charge(
        "difference_immediately",
        [item(8000, ref="old")],
        [item(3000, ref="new")],
        period_start=S,
        period_end=E,
        at=MID,
    )
    assert billed.subtotal == -5000
    settled = semantics.settle(billed.subtotal, wallet=0, proration_credit=billed.credit)
    assert (settled.total_amount, settled.customer_credits) == (0, 5000)


def test_keep_cycle_nets_unchanged_addons_to_zero() -> None:
    addon = semantics.PricedItem(kind="addon", ref="a", name="a", unit_price=333, quantity=3)
    at = S + timedelta(days=7, hours=5)
    with_addon = semantics.change_charge(
        "prorated_immediately_keep_cycle",
        [item(3000), addon],
        [item(8000), addon],
        period_start=S,
        period_end=E,
        at=at,
    )
    without = semantics.change_charge(
        "prorated_immediately_keep_cycle", [item(3000)], [item(8000)], period_start=S, period_end=E, at=at
    )
    assert with_addon.subtotal == without.subtotal


S3 = S + timedelta(days=7, hours=5)


@pytest.mark.parametrize(
    ("mode", "charged", "credited"),
    [
        # keep cycle: only the changed product gets lines, the unchanged add-on none
        ("prorated_immediately_keep_cycle", {"new"}, {"old"}),
        ("do_not_bill", set[str](), set[str]()),
        # restart: a whole new period for every new item, every old one credited
        ("prorated_immediately", {"new", "a"}, {"old", "a"}),
        ("full_immediately", {"new", "a"}, set[str]()),
        # difference: one line per changed item
        ("difference_immediately", {"new"}, {"old"}),
    ],
)
def test_which_items_get_lines(mode: str, charged: set[str], credited: set[str]) -> None:
    addon = semantics.PricedItem(kind="addon", ref="a", name="a", unit_price=500, quantity=2)
    billed = semantics.change_charge(
        mode,
        [item(3000, ref="old"), addon],
        [item(8000, ref="new"), addon],
        period_start=S,
        period_end=E,
        at=S3,
    )
    assert {line.item.ref for line in billed.charges} == charged
    assert {line.item.ref for line in billed.credits} == credited


def test_difference_of_a_quantity_is_one_line() -> None:
    billed = semantics.change_charge(
        "difference_immediately", [item(1000, 3)], [item(1000, 5)], period_start=S, period_end=E, at=MID
    )
    assert [(line.item.quantity, line.amount) for line in billed.charges] == [(2, 2000)]
    assert billed.credits == ()


def test_proration_lines_settle_to_their_exact_net() -> None:
    # 43/67 of the period used: -1000*24/67 = -358.21 and +3000*24/67 = +1074.63 round to
    # -358 and +1075 (717), but the exact net 716.42 rounds to 716: the charge absorbs it.
    start = S
    end = S + timedelta(seconds=67)
    at = S + timedelta(seconds=43)
    billed = semantics.change_charge(
        "prorated_immediately_keep_cycle",
        [item(1000, ref="old")],
        [item(3000, ref="new")],
        period_start=start,
        period_end=end,
        at=at,
    )
    assert [line.amount for line in billed.charges] == [1074]
    assert [line.amount for line in billed.credits] == [358]
    reverse = semantics.change_charge(
        "prorated_immediately_keep_cycle",
        [item(3000, ref="new")],
        [item(1000, ref="old")],
        period_start=start,
        period_end=end,
        at=at,
    )
    assert billed.subtotal + reverse.subtotal == 0


def test_lines_round_half_away_from_zero() -> None:
    # 1 cent for half a period is 0.5 cent: rounds to 1, the credit to -1.
    billed = semantics.change_charge(
        "prorated_immediately_keep_cycle",
        [item(1, ref="old")],
        [item(3, ref="new")],
        period_start=S,
        period_end=E,
        at=MID,
    )
    assert [line.amount for line in billed.charges] == [2]
    assert [line.amount for line in billed.credits] == [1]


def test_wallet_pays_first() -> None:
    settled = semantics.settle(1000, wallet=300, proration_credit=0)
    assert (settled.total_amount, settled.wallet_used, settled.customer_credits) == (700, 300, -300)


def test_discounts_stack_and_flat_never_exceeds() -> None:
    rules = [
        semantics.DiscountRule(type="percentage", amount=1000),
        semantics.DiscountRule(type="flat", amount=10_000),
    ]
    assert semantics.discount_amount(5000, rules) == 5000
    assert semantics.discount_amount(-5000, rules[:1]) == -500
