"""The suite's reference arithmetic against the golden figures, and the strategies' validity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings

from prorata import BillingCycle, ProrationMode, Subscription, TimingKind
from prorata.provider import Capabilities, ProrationSupport, check_change
from prorata_contract import contract_catalog, strategies
from prorata_contract._reference import expected_change_lines, expected_figures, settle

CATALOG = contract_catalog()
PRORATE_NOW = {"mode": ProrationMode.PRORATE_NOW, "cycle": BillingCycle.KEEP}


def test_golden_upgrade_at_mid_period() -> None:
    lines = expected_change_lines(CATALOG, {"basic": 1}, {"pro": 1}, fraction=Fraction(1, 2), **PRORATE_NOW)
    assert lines == [("basic", -500), ("pro", 1000)]


def test_golden_settled_rounding() -> None:
    # $100 -> $200 with 16 of 30 days left: -53.33 and +106.67, settled to +106.66: 53.33 due.
    assert settle([(-5333, Fraction(-10000 * 16, 30)), (10667, Fraction(20000 * 16, 30))]) == [-5333, 10666]


def test_settle_leaves_lone_credits_rounded_on_their_own() -> None:
    credits = [(-358, Fraction(-1000 * 14443, 40320)), (-716, Fraction(-2000 * 14443, 40320))]
    assert settle(credits) == [-358, -716]


@pytest.mark.parametrize(
    ("mode", "cycle", "expected"),
    [
        (ProrationMode.PRICE_DIFFERENCE_NOW, BillingCycle.KEEP, [("basic", -1000), ("premium", 3000)]),
        (ProrationMode.FULL_PRICE_NOW, BillingCycle.RESET, [("premium", 3000)]),
        (ProrationMode.PRORATE_NOW, BillingCycle.RESET, [("basic", -500), ("premium", 3000)]),
        (ProrationMode.NO_BILLING, BillingCycle.KEEP, []),
    ],
)
def test_modes_at_mid_period(
    mode: ProrationMode, cycle: BillingCycle, expected: list[tuple[str, int]]
) -> None:
    lines = expected_change_lines(
        CATALOG, {"basic": 1}, {"premium": 1}, mode=mode, cycle=cycle, fraction=Fraction(1, 2)
    )
    assert lines == expected


def test_discount_then_tax() -> None:
    from prorata_contract import CONTRACT_COUPON, CONTRACT_TAX_RATE

    assert expected_figures(1000, [CONTRACT_COUPON], [CONTRACT_TAX_RATE]) == (200, 80, 880)
    assert expected_figures(-500, [CONTRACT_COUPON], [CONTRACT_TAX_RATE]) == (-100, -40, -440)


CAPABILITY_SETS = [
    Capabilities(proration=[ProrationSupport(**PRORATE_NOW)], timings=[TimingKind.IMMEDIATELY]),
    Capabilities(
        proration=[ProrationSupport(mode=ProrationMode.NO_BILLING, cycle=BillingCycle.KEEP)],
        timings=[TimingKind.IMMEDIATELY],
        max_base_items=1,
        quantities=False,
    ),
    Capabilities(
        proration=[ProrationSupport(**PRORATE_NOW)], timings=[TimingKind.IMMEDIATELY], multi_item=False
    ),
]


@pytest.mark.parametrize("caps", CAPABILITY_SETS, ids=["everything", "one-base-no-quantities", "single-item"])
def test_drawn_scenarios_pass_core_checks(caps: Capabilities) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)

    @settings(max_examples=60, deadline=None)
    @given(scenario=strategies.change_scenarios(CATALOG, caps))
    def check(scenario: strategies.ChangeScenario) -> None:
        subscription = Subscription(
            id="sub_1",
            customer_id="cus_1",
            provider="test",
            status="active",
            items=scenario.items,
            currency="USD",
            current_period_start=start,
            current_period_end=start + timedelta(days=31),
            billing_cycle_anchor=start,
        )
        target = check_change(
            scenario.change, subscription, capabilities=caps, catalog=CATALOG, provider="test"
        )
        assert {item.plan: item.quantity for item in target} != subscription.plan_quantities
        assert caps.multi_item or len(target) == 1

    check()
