"""Apply: the charge equals the preview, the items are exactly the target, retries are safe."""

from __future__ import annotations

from fractions import Fraction

import pytest

from prorata import Billing, BillingCycle, PlanChange, ProrationMode, TimingKind
from prorata.errors import ConflictError
from prorata.provider import Interval, Item, add_intervals
from prorata_contract._checks import expected_for, new_invoices
from prorata_contract._combinations import combinations, pairs, timing_for
from prorata_contract._fixtures import ContractFixtures
from prorata_contract._guard import standard
from prorata_contract._harness import Contract
from prorata_contract._reference import billed_lines
from prorata_contract._requirements import requires

__all__ = ["ApplyTests"]


def _without_journal(contract: Contract) -> Billing:
    """The same provider behind an empty change journal (a retry the journal cannot answer)."""
    return Billing(provider=contract.billing.provider, catalog=contract.billing.catalog)


def _items(**quantities: int) -> list[Item]:
    return [Item(plan=plan, quantity=quantity) for plan, quantity in quantities.items()]


@standard("apply")
class ApplyTests(ContractFixtures):
    """Applying an immediate change: what is charged, what the subscription holds afterwards."""

    @pytest.mark.parametrize(("mode", "cycle"), pairs())
    @requires(timing="immediately")
    def test_charge_equals_preview(
        self, contract: Contract, mode: ProrationMode, cycle: BillingCycle
    ) -> None:
        subscription = contract.into_period(contract.subscribe("basic"), Fraction(2, 5))
        change = PlanChange.swap("basic", "premium", proration=mode, billing_cycle=cycle)
        preview = contract.billing.preview(subscription, change)
        before = contract.invoices(subscription)
        result = contract.billing.apply(subscription, change, preview=preview)
        assert result.matches_preview is True
        charged = new_invoices(before, contract.invoices(subscription))
        if preview.lines:
            assert result.invoice is not None
            assert [i.id for i in charged] == [result.invoice.id]
            assert result.invoice.totals == preview.totals
            assert billed_lines(result.invoice.lines) == billed_lines(preview.lines)
        else:
            assert sum(i.totals.total.amount for i in charged) == 0
        target = contract.billing.check(subscription, change)
        assert billed_lines(preview.lines + preview.pending_lines) == expected_for(
            contract, subscription, change, target, preview.proration_time
        )

    @pytest.mark.parametrize(("mode", "cycle"), pairs())
    @requires(timing="immediately")
    def test_subscription_holds_exactly_the_target(
        self, contract: Contract, mode: ProrationMode, cycle: BillingCycle
    ) -> None:
        subscription = contract.into_period(contract.subscribe("premium"), Fraction(1, 2))
        change = PlanChange.swap("premium", "pro", proration=mode, billing_cycle=cycle)
        preview = contract.billing.preview(subscription, change)
        result = contract.billing.apply(subscription, change, preview=preview)
        fetched = contract.get(subscription)
        assert result.subscription.plan_quantities == {"pro": 1}
        assert fetched.plan_quantities == {"pro": 1}
        if cycle is BillingCycle.RESET:
            assert fetched.current_period_start == preview.proration_time
            assert fetched.current_period_end == add_intervals(preview.proration_time, Interval.monthly(), 1)
        else:
            assert (fetched.current_period_start, fetched.current_period_end) == (
                subscription.current_period_start,
                subscription.current_period_end,
            )

    @requires(timing="immediately", proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP))
    def test_same_key_twice_changes_nothing(self, contract: Contract) -> None:
        subscription = contract.into_period(contract.subscribe("basic"), Fraction(1, 2))
        change = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)
        first = contract.billing.apply(subscription, change, idempotency_key="contract-same-key")
        invoices = contract.invoices(subscription)
        # Through a Billing with an empty change journal, so the provider's own idempotency
        # (what the journal relies on to reconcile) is what is tested.
        second = _without_journal(contract).apply(subscription, change, idempotency_key="contract-same-key")
        assert [i.id for i in contract.invoices(subscription)] == [i.id for i in invoices]
        assert contract.get(subscription).plan_quantities == {"pro": 1}
        assert (second.invoice.id if second.invoice else None) == (
            first.invoice.id if first.invoice else None
        )
        assert second.subscription.plan_quantities == {"pro": 1}

    @requires(timing="immediately", proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP))
    def test_replay_is_reported(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        change = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)
        first = contract.billing.apply(subscription, change, idempotency_key="contract-replay-key")
        second = contract.billing.apply(subscription, change, idempotency_key="contract-replay-key")
        assert first.replayed is False
        assert second.replayed is True

    @requires(timing="immediately", proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP))
    def test_retried_apply_of_a_preview_charges_once(self, contract: Contract) -> None:
        subscription = contract.into_period(contract.subscribe("basic"), Fraction(1, 3))
        change = PlanChange.swap("basic", "premium", proration=ProrationMode.PRORATE_NOW)
        preview = contract.billing.preview(subscription, change)
        before = contract.invoices(subscription)
        contract.billing.apply(subscription, change, preview=preview)
        _without_journal(contract).apply(subscription, change, preview=preview)
        charged = new_invoices(before, contract.invoices(subscription))
        assert sum(i.totals.total.amount for i in charged) == preview.totals.total.amount
        assert preview.totals.total.amount > 0

    @requires(timing="immediately", proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP))
    def test_credit_pays_the_next_charge(self, contract: Contract) -> None:
        subscription = contract.into_period(contract.subscribe("premium"), Fraction(1, 2))
        down = contract.billing.apply(
            subscription, PlanChange.swap("premium", "basic", proration=ProrationMode.PRORATE_NOW)
        )
        assert down.invoice is not None
        credit = down.invoice.totals.credited.amount
        assert credit > 0
        assert down.invoice.totals.amount_due.amount == 0
        current = contract.get(subscription)
        change = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)
        preview = contract.billing.preview(current, change)
        total = preview.totals.total.amount
        assert total > 0
        assert preview.totals.balance_applied.amount == min(credit, total)
        assert preview.totals.amount_due.amount == total - min(credit, total)
        up = contract.billing.apply(current, change, preview=preview)
        assert up.matches_preview is True

    @requires(
        timing="immediately",
        proration=(ProrationMode.PRORATE_NEXT_INVOICE, BillingCycle.KEEP),
        time_control=True,
    )
    def test_pending_prorations_land_on_next_invoice(self, contract: Contract) -> None:
        subscription = contract.into_period(contract.subscribe("basic"), Fraction(1, 4))
        change = PlanChange.swap("basic", "premium", proration=ProrationMode.PRORATE_NEXT_INVOICE)
        preview = contract.billing.preview(subscription, change)
        result = contract.billing.apply(subscription, change, preview=preview)
        assert result.invoice is None or result.invoice.totals.total.amount == 0
        before = contract.invoices(subscription)
        contract.pass_boundary(subscription.current_period_end)
        (renewal,) = new_invoices(before, contract.invoices(subscription))
        assert preview.next_invoice is not None
        assert billed_lines(renewal.lines) == billed_lines(preview.next_invoice.lines)
        assert renewal.totals.total == preview.next_invoice.totals.total

    @requires(timing="immediately", proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP))
    def test_one_key_for_another_change_is_refused(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        contract.billing.apply(
            subscription,
            PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW),
            idempotency_key="contract-reused-key",
        )
        current = contract.get(subscription)
        invoices = contract.invoices(subscription)
        with pytest.raises(ConflictError):
            contract.billing.apply(
                current,
                PlanChange.swap("pro", "premium", proration=ProrationMode.PRORATE_NOW),
                idempotency_key="contract-reused-key",
            )
        assert contract.get(subscription).plan_quantities == {"pro": 1}
        assert [i.id for i in contract.invoices(subscription)] == [i.id for i in invoices]

    @pytest.mark.parametrize(("mode", "cycle", "timing"), combinations())
    @requires(time_control=True, multi_item=True)
    def test_next_invoice_is_what_renewal_charges(
        self, contract: Contract, mode: ProrationMode, cycle: BillingCycle, timing: TimingKind
    ) -> None:
        subscription = contract.into_period(contract.subscribe(_items(basic=1, addon=1)), Fraction(1, 3))
        change = PlanChange.swap(
            "basic", "pro", timing=timing_for(timing, subscription), proration=mode, billing_cycle=cycle
        )
        preview = contract.billing.preview(subscription, change)
        upcoming = preview.next_invoice
        assert upcoming is not None
        contract.billing.apply(subscription, change, preview=preview)
        before = contract.invoices(subscription)
        contract.pass_boundary(upcoming.at)
        renewals = [
            i for i in new_invoices(before, contract.invoices(subscription)) if i.created == upcoming.at
        ]
        assert [billed_lines(i.lines) for i in renewals] == [billed_lines(upcoming.lines)]
        assert renewals[0].totals.total == upcoming.totals.total
        assert contract.get(subscription).current_period_start == upcoming.at
