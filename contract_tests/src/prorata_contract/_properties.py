"""Property tests on top of the strategies: money identities that hold for every change."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings

from prorata import BillingCycle, PlanChange, ProrationMode, TimingKind
from prorata_contract import strategies as pst
from prorata_contract._fixtures import ContractFixtures
from prorata_contract._guard import standard
from prorata_contract._harness import Contract
from prorata_contract._reference import billed_lines, unused_fraction
from prorata_contract._requirements import requires
from prorata_contract.strategies import ChangeScenario

__all__ = ["PropertyTests"]

_PRORATING = (ProrationMode.PRORATE_NOW, ProrationMode.PRORATE_NEXT_INVOICE)
_REVERSIBLE = (
    ProrationMode.PRORATE_NOW,
    ProrationMode.PRORATE_NEXT_INVOICE,
    ProrationMode.PRICE_DIFFERENCE_NOW,
    ProrationMode.NO_BILLING,
)


def _charged(
    contract: Contract, scenario: ChangeScenario, fraction: Fraction
) -> tuple[int, int, bool | None]:
    subscription = contract.into_period(contract.subscribe(list(scenario.items)), fraction)
    preview = contract.billing.preview(subscription, scenario.change)
    result = contract.billing.apply(subscription, scenario.change, preview=preview)
    charged = result.invoice.totals.total.amount if result.invoice is not None else 0
    return preview.totals.total.amount, charged, result.matches_preview


def _skip_unless_declared(
    contract: Contract, modes: tuple[ProrationMode, ...], *, keep_only: bool = False
) -> None:
    """Skip (capability-driven) when the provider declares none of ``modes`` for immediate changes."""
    if not any(
        pair.mode in modes and (pair.cycle is BillingCycle.KEEP or not keep_only)
        for pair in contract.capabilities.proration
    ):
        cycle = " with billing cycle keep" if keep_only else ""
        pytest.skip(f"provider {contract.provider!r} declares none of {[m.value for m in modes]}{cycle}")


@standard("properties")
class PropertyTests(ContractFixtures):
    """Identities checked on generated changes (bounded by the ``property_settings`` fixture)."""

    @requires(timing=TimingKind.IMMEDIATELY)
    def test_previewed_total_is_charged(self, contract: Contract, property_settings: settings) -> None:
        _skip_unless_declared(contract, tuple(ProrationMode))

        @property_settings
        @given(
            scenario=pst.change_scenarios(contract.catalog, contract.capabilities),
            fraction=pst.fractions_of_period(),
        )
        def check(scenario: ChangeScenario, fraction: Fraction) -> None:
            previewed, charged, matches = _charged(contract, scenario, fraction)
            assert charged == previewed
            assert matches is True

        check()

    @requires(timing=TimingKind.IMMEDIATELY)
    def test_credits_never_exceed_unused_paid_time(
        self, contract: Contract, property_settings: settings
    ) -> None:
        _skip_unless_declared(contract, _PRORATING)

        @property_settings
        @given(
            scenario=pst.change_scenarios(contract.catalog, contract.capabilities, modes=_PRORATING),
            fraction=pst.fractions_of_period(),
        )
        def check(scenario: ChangeScenario, fraction: Fraction) -> None:
            subscription = contract.into_period(contract.subscribe(list(scenario.items)), fraction)
            preview = contract.billing.preview(subscription, scenario.change)
            f = unused_fraction(
                subscription.current_period_start, subscription.current_period_end, preview.proration_time
            )
            for item in subscription.items:  # every credit is bounded by what that item paid for
                paid_unused = contract.catalog.get(item.plan).price.amount * item.quantity * f
                credits = -sum(
                    line.amount.amount
                    for line in (*preview.lines, *preview.pending_lines)
                    if line.plan == item.plan and line.amount.amount < 0
                )
                assert credits <= paid_unused + Fraction(1, 2), (
                    f"{item.plan}: credited {credits} for {float(paid_unused):.2f} unused"
                )

        check()

    @requires(timing=TimingKind.IMMEDIATELY, proration=(ProrationMode.NO_BILLING, BillingCycle.KEEP))
    def test_no_billing_charges_nothing(self, contract: Contract, property_settings: settings) -> None:
        @property_settings
        @given(
            scenario=pst.change_scenarios(
                contract.catalog, contract.capabilities, modes=[ProrationMode.NO_BILLING]
            ),
            fraction=pst.fractions_of_period(),
        )
        def check(scenario: ChangeScenario, fraction: Fraction) -> None:
            subscription = contract.into_period(contract.subscribe(list(scenario.items)), fraction)
            before = len(contract.invoices(subscription))
            preview = contract.billing.preview(subscription, scenario.change)
            assert billed_lines(preview.lines) == []
            assert billed_lines(preview.pending_lines) == []
            assert preview.totals.total.amount == 0
            result = contract.billing.apply(subscription, scenario.change, preview=preview)
            assert result.invoice is None or result.invoice.totals.total.amount == 0
            assert sum(i.totals.total.amount for i in contract.invoices(subscription)[before:]) == 0
            assert contract.get(subscription).plan_quantities == {i.plan: i.quantity for i in preview.items}

        check()

    @requires(timing=TimingKind.IMMEDIATELY)
    def test_change_and_reverse_net_to_zero(self, contract: Contract, property_settings: settings) -> None:
        _skip_unless_declared(contract, _REVERSIBLE, keep_only=True)

        @property_settings
        @given(
            scenario=pst.change_scenarios(
                contract.catalog, contract.capabilities, modes=_REVERSIBLE, cycles=[BillingCycle.KEEP]
            ),
            fraction=pst.fractions_of_period(),
        )
        def check(scenario: ChangeScenario, fraction: Fraction) -> None:
            change = scenario.change
            subscription = contract.into_period(contract.subscribe(list(scenario.items)), fraction)
            there = contract.billing.preview(subscription, change)
            first = contract.billing.apply(subscription, change, preview=there)
            current = contract.get(subscription)
            reverse = PlanChange.set_items(
                list(subscription.items), proration=change.proration, billing_cycle=BillingCycle.KEEP
            )
            back = contract.billing.seal(
                contract.billing.provider.preview_change(
                    current,
                    reverse,
                    target=contract.billing.check(current, reverse),
                    proration_time=there.proration_time,
                )
            )
            second = contract.billing.apply(current, reverse, preview=back)
            charged = [r.invoice.totals.total.amount for r in (first, second) if r.invoice is not None]
            assert sum(charged) == 0, f"charged {charged} for a change and its reverse at one instant"
            assert contract.get(subscription).plan_quantities == subscription.plan_quantities
            upcoming = back.next_invoice
            assert upcoming is not None
            renewal = sum(contract.catalog.get(i.plan).price.amount * i.quantity for i in subscription.items)
            assert sum(line.amount.amount for line in upcoming.lines) == renewal, (
                "pending prorations net to zero"
            )

        check()
