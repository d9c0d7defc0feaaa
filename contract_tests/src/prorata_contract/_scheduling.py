"""Scheduling: at period end, at a date, multi-phase; conflicts, cancellation, discounts kept."""

from __future__ import annotations

from fractions import Fraction

import pytest

from prorata import AtPeriodEnd, BillingCycle, PlanChange, ProrationMode, TimingKind
from prorata.errors import ConflictError, InvalidChangeError
from prorata.provider import EndBehavior, Interval, Item, Phase, add_intervals
from prorata_contract._checks import expected_for, new_invoices, recurring_lines, recurring_of
from prorata_contract._combinations import pairs, timing_for
from prorata_contract._fixtures import ContractFixtures
from prorata_contract._guard import standard
from prorata_contract._harness import Contract
from prorata_contract._preview import CONTRACT_COUPON
from prorata_contract._reference import billed_lines, expected_figures
from prorata_contract._requirements import requires

__all__ = ["SchedulingTests"]


def _downgrade_at_period_end() -> PlanChange:
    return PlanChange.swap("premium", "basic", timing=AtPeriodEnd(), proration=ProrationMode.NO_BILLING)


_PHASED = requires(timing=TimingKind.SCHEDULE, proration=(ProrationMode.NO_BILLING, BillingCycle.KEEP))
_AT_PERIOD_END = requires(
    timing=TimingKind.AT_PERIOD_END, proration=(ProrationMode.NO_BILLING, BillingCycle.KEEP)
)


@standard("scheduling")
class SchedulingTests(ContractFixtures):
    """Changes that wait for their time, and what happens when time passes them."""

    @_AT_PERIOD_END
    def test_change_at_period_end_waits(self, contract: Contract) -> None:
        subscription = contract.subscribe("premium")
        before = contract.invoices(subscription)
        result = contract.billing.apply(subscription, _downgrade_at_period_end())
        fetched = contract.get(subscription)
        assert fetched.plan_quantities == {"premium": 1}
        assert fetched.scheduled_change is not None or fetched.schedule is not None
        if fetched.scheduled_change is not None:
            assert {i.plan: i.quantity for i in fetched.scheduled_change.items} == {"basic": 1}
            assert fetched.scheduled_change.effective_at == subscription.current_period_end
        assert result.subscription.plan_quantities == {"premium": 1}
        assert not [i for i in new_invoices(before, contract.invoices(subscription)) if i.totals.total.amount]

    @_AT_PERIOD_END
    @requires(time_control=True)
    def test_change_at_period_end_happens_at_boundary(self, contract: Contract) -> None:
        subscription = contract.subscribe("premium")
        contract.billing.apply(subscription, _downgrade_at_period_end())
        before = contract.invoices(subscription)
        contract.pass_boundary(subscription.current_period_end)
        fetched = contract.get(subscription)
        assert fetched.plan_quantities == {"basic": 1}
        assert fetched.scheduled_change is None
        created = new_invoices(before, contract.invoices(subscription))
        assert len(created) == 1
        assert billed_lines(created[0].lines) == recurring_lines(contract, [Item(plan="basic")])

    @pytest.mark.parametrize(("mode", "cycle"), pairs(cycle=BillingCycle.KEEP))
    @requires(timing=TimingKind.AT_DATE, time_control=True)
    def test_change_at_date_happens_at_date(
        self, contract: Contract, mode: ProrationMode, cycle: BillingCycle
    ) -> None:
        subscription = contract.subscribe("basic")
        timing = timing_for(TimingKind.AT_DATE, subscription)
        change = PlanChange.swap("basic", "premium", timing=timing, proration=mode, billing_cycle=cycle)
        preview = contract.billing.preview(subscription, change)
        contract.billing.apply(subscription, change, preview=preview)
        assert contract.get(subscription).plan_quantities == {"basic": 1}
        before = contract.invoices(subscription)
        contract.pass_boundary(preview.effective_at)
        assert contract.get(subscription).plan_quantities == {"premium": 1}
        created = new_invoices(before, contract.invoices(subscription))
        expected = expected_for(contract, subscription, change, [Item(plan="premium")], preview.effective_at)
        now_lines = [] if mode is ProrationMode.PRORATE_NEXT_INVOICE else expected
        assert [billed_lines(i.lines) for i in created if i.lines] == ([now_lines] if now_lines else [])
        assert sum(i.totals.total.amount for i in created) == preview.totals.total.amount
        before = contract.invoices(subscription)
        contract.pass_boundary(subscription.current_period_end)
        renewal = new_invoices(before, contract.invoices(subscription))
        pending = expected if mode is ProrationMode.PRORATE_NEXT_INVOICE else []
        assert [billed_lines(i.lines) for i in renewal] == [
            sorted(pending + recurring_lines(contract, [Item(plan="premium")]))
        ]

    @_AT_PERIOD_END
    @requires(cancel_scheduled_change=True)
    def test_scheduled_change_can_be_cancelled(self, contract: Contract) -> None:
        subscription = contract.subscribe("premium")
        contract.billing.apply(subscription, _downgrade_at_period_end())
        cancelled = contract.billing.cancel_scheduled_change(subscription.id)
        fetched = contract.get(subscription)
        for current in (cancelled, fetched):
            assert current.scheduled_change is None
            assert current.schedule is None
            assert current.plan_quantities == {"premium": 1}

    @_AT_PERIOD_END
    @requires(cancel_scheduled_change=True, time_control=True)
    def test_cancelled_change_never_happens(self, contract: Contract) -> None:
        subscription = contract.subscribe("premium")
        contract.billing.apply(subscription, _downgrade_at_period_end())
        contract.billing.cancel_scheduled_change(subscription.id)
        before = contract.invoices(subscription)
        contract.pass_boundary(subscription.current_period_end)
        assert contract.get(subscription).plan_quantities == {"premium": 1}
        assert [recurring_of(i) for i in new_invoices(before, contract.invoices(subscription))] == [
            recurring_lines(contract, [Item(plan="premium")])
        ]

    @_AT_PERIOD_END
    @requires(cancel_scheduled_change=True, time_control=True)
    def test_change_scheduled_again_after_a_cancel_happens(self, contract: Contract) -> None:
        """Scheduling the very same change after cancelling it is a new request, not a replay."""
        subscription = contract.subscribe("premium")
        first = contract.billing.apply(subscription, _downgrade_at_period_end())
        cancelled = contract.billing.cancel_scheduled_change(subscription.id)
        assert cancelled.revision != first.subscription.revision, "a cancel is a write: a new revision"
        again = contract.billing.apply(contract.get(subscription), _downgrade_at_period_end())
        assert not again.replayed
        pending = contract.get(subscription)
        assert pending.scheduled_change is not None or pending.schedule is not None
        contract.pass_boundary(subscription.current_period_end)
        assert contract.get(subscription).plan_quantities == {"basic": 1}

    @_AT_PERIOD_END
    @requires(
        time_control=True,
        cancel_at_period_end=True,
        proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP),
    )
    def test_changes_allowed_once_a_scheduled_change_took_effect(self, contract: Contract) -> None:
        """Nothing is pending after the change happened: an upgrade and a cancellation go through."""
        subscription = contract.subscribe("premium")
        contract.billing.apply(subscription, _downgrade_at_period_end())
        contract.pass_boundary(subscription.current_period_end)
        current = contract.get(subscription)
        assert current.plan_quantities == {"basic": 1}
        assert current.scheduled_change is None
        assert current.schedule is None
        contract.billing.apply(current, PlanChange.swap("basic", "pro"))
        upgraded = contract.get(subscription)
        assert upgraded.plan_quantities == {"pro": 1}
        contract.billing.apply(upgraded, PlanChange.cancel_at_period_end())
        assert contract.get(subscription).cancel_at_period_end

    @_AT_PERIOD_END
    @requires(cancel_scheduled_change=True)
    def test_cancelling_twice_leaves_nothing_pending(self, contract: Contract) -> None:
        subscription = contract.subscribe("premium")
        contract.billing.apply(subscription, _downgrade_at_period_end())
        contract.billing.cancel_scheduled_change(subscription.id)
        with pytest.raises(InvalidChangeError):
            contract.billing.cancel_scheduled_change(subscription.id)
        current = contract.get(subscription)
        assert current.scheduled_change is None
        assert current.schedule is None

    @_AT_PERIOD_END
    def test_second_pending_change_is_refused(self, contract: Contract) -> None:
        subscription = contract.subscribe("premium")
        contract.billing.apply(subscription, _downgrade_at_period_end())
        pending = contract.get(subscription)
        second = PlanChange.swap("premium", "pro", timing=AtPeriodEnd(), proration=ProrationMode.NO_BILLING)
        with pytest.raises(ConflictError):
            contract.billing.apply(pending, second)
        after = contract.get(subscription)
        assert after.scheduled_change == pending.scheduled_change
        assert after.schedule == pending.schedule

    @_AT_PERIOD_END
    @requires(time_control=True)
    def test_pending_change_replaced_explicitly(self, contract: Contract) -> None:
        subscription = contract.subscribe("premium")
        contract.billing.apply(subscription, _downgrade_at_period_end())
        second = PlanChange.swap(
            "premium", "pro", timing=AtPeriodEnd(), proration=ProrationMode.NO_BILLING, replace_pending=True
        )
        contract.billing.apply(contract.get(subscription), second)
        contract.pass_boundary(subscription.current_period_end)
        assert contract.get(subscription).plan_quantities == {"pro": 1}

    @_AT_PERIOD_END
    @requires(discounts=True, time_control=True)
    def test_discount_survives_scheduled_change(self, contract: Contract) -> None:
        subscription = contract.subscribe("premium", discounts=[CONTRACT_COUPON])
        contract.billing.apply(subscription, _downgrade_at_period_end())
        before = contract.invoices(subscription)
        contract.pass_boundary(subscription.current_period_end)
        fetched = contract.get(subscription)
        assert [d.coupon for d in fetched.discounts] == [CONTRACT_COUPON.coupon]
        created = new_invoices(before, contract.invoices(subscription))
        price = contract.catalog.get("basic").price.amount
        discount, _, _ = expected_figures(price, [CONTRACT_COUPON], [])
        assert [(i.totals.subtotal.amount, i.totals.discount.amount) for i in created] == [(price, discount)]

    @_PHASED
    @requires(timing=TimingKind.SCHEDULE, max_phases=3, end_behavior=EndBehavior.RELEASE, time_control=True)
    def test_multi_phase_schedule_runs_each_phase(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        first_end = subscription.current_period_end
        second_end = add_intervals(subscription.billing_cycle_anchor, Interval.monthly(), 2)
        change = PlanChange.phased(
            [
                Phase(items=(Item(plan="basic"),), end=first_end),
                Phase(items=(Item(plan="pro"),), end=second_end),
                Phase(items=(Item(plan="premium"),)),
            ],
            proration=ProrationMode.NO_BILLING,
        )
        result = contract.billing.apply(subscription, change)
        assert result.subscription.plan_quantities == {"basic": 1}
        assert contract.get(subscription).schedule is not None
        contract.pass_boundary(first_end)
        assert contract.get(subscription).plan_quantities == {"pro": 1}
        contract.pass_boundary(second_end)
        fetched = contract.get(subscription)
        assert fetched.plan_quantities == {"premium": 1}
        assert fetched.current_period_start == second_end
        renewals = sorted(recurring_of(i) for i in contract.invoices(subscription) if i.created >= first_end)
        assert renewals == sorted(
            [recurring_lines(contract, [Item(plan="pro")]), recurring_lines(contract, [Item(plan="premium")])]
        )

    @_PHASED
    @requires(timing=TimingKind.SCHEDULE, max_phases=2, end_behavior=EndBehavior.RELEASE, time_control=True)
    def test_phase_of_cycles_ends_after_its_intervals(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        first_end = subscription.current_period_end
        change = PlanChange.phased(
            [
                Phase(items=(Item(plan="basic"),), end=first_end),
                Phase(items=(Item(plan="pro"),), cycles=2),
                Phase(items=(Item(plan="premium"),)),
            ],
            proration=ProrationMode.NO_BILLING,
        )
        contract.billing.apply(subscription, change)
        schedule = contract.get(subscription).schedule
        assert schedule is not None
        assert schedule.phases[1].start == first_end
        phase_end = add_intervals(first_end, Interval.monthly(), 2)
        assert schedule.phases[1].end == phase_end, (
            "a phase of N cycles lasts N intervals of its items from its start"
        )
        contract.pass_boundary(first_end)
        assert contract.get(subscription).plan_quantities == {"pro": 1}
        contract.pass_boundary(phase_end)
        assert contract.get(subscription).plan_quantities == {"premium": 1}

    @_PHASED
    @requires(
        timing=TimingKind.SCHEDULE,
        max_phases=2,
        end_behavior=EndBehavior.RELEASE,
        discounts=True,
        time_control=True,
    )
    def test_schedule_keeps_discounts(self, contract: Contract) -> None:
        subscription = contract.subscribe("premium", discounts=[CONTRACT_COUPON])
        change = PlanChange.phased(
            [
                Phase(items=(Item(plan="premium"),), end=subscription.current_period_end),
                Phase(items=(Item(plan="pro"),)),
            ],
            proration=ProrationMode.NO_BILLING,
        )
        contract.billing.apply(subscription, change)
        before = contract.invoices(subscription)
        contract.pass_boundary(subscription.current_period_end)
        fetched = contract.get(subscription)
        assert fetched.plan_quantities == {"pro": 1}
        assert [d.coupon for d in fetched.discounts] == [CONTRACT_COUPON.coupon]
        created = new_invoices(before, contract.invoices(subscription))
        price = contract.catalog.get("pro").price.amount
        discount, _, _ = expected_figures(price, [CONTRACT_COUPON], [])
        assert [(i.totals.subtotal.amount, i.totals.discount.amount) for i in created] == [(price, discount)]

    @_PHASED
    @requires(timing=TimingKind.SCHEDULE, max_phases=2, end_behavior=EndBehavior.CANCEL, time_control=True)
    def test_schedule_ending_in_cancel(self, contract: Contract) -> None:
        subscription = contract.subscribe("pro")
        change = PlanChange.phased(
            [
                Phase(items=(Item(plan="pro"),), end=subscription.current_period_end),
                Phase(items=(Item(plan="basic"),), cycles=1),
            ],
            end_behavior=EndBehavior.CANCEL,
            proration=ProrationMode.NO_BILLING,
        )
        contract.billing.apply(subscription, change)
        contract.pass_boundary(subscription.current_period_end)
        assert contract.get(subscription).plan_quantities == {"basic": 1}
        contract.pass_boundary(add_intervals(subscription.current_period_end, Interval.monthly(), 1))
        assert contract.get(subscription).status.value == "canceled"

    @_PHASED
    @requires(
        timing=TimingKind.SCHEDULE,
        max_phases=2,
        end_behavior=EndBehavior.RELEASE,
        cancel_scheduled_change=True,
    )
    def test_schedule_can_be_cancelled(self, contract: Contract) -> None:
        subscription = contract.into_period(contract.subscribe("pro"), Fraction(1, 5))
        change = PlanChange.phased(
            [
                Phase(items=(Item(plan="pro"),), end=subscription.current_period_end),
                Phase(items=(Item(plan="premium"),)),
            ],
            proration=ProrationMode.NO_BILLING,
        )
        contract.billing.apply(subscription, change)
        fetched = contract.billing.cancel_scheduled_change(subscription.id)
        assert fetched.schedule is None
        assert contract.get(subscription).schedule is None

    @_PHASED
    @requires(max_phases=2, end_behavior=EndBehavior.RELEASE)
    def test_schedule_preview_changes_nothing(self, contract: Contract) -> None:
        subscription = contract.subscribe("pro")
        change = PlanChange.phased(
            [
                Phase(items=(Item(plan="pro"),), end=subscription.current_period_end),
                Phase(items=(Item(plan="basic"),)),
            ],
            proration=ProrationMode.NO_BILLING,
        )
        preview = contract.billing.preview(subscription, change)
        assert preview.schedule is not None
        assert [{i.plan: i.quantity for i in phase.items} for phase in preview.schedule.phases] == [
            {"pro": 1},
            {"basic": 1},
        ]
        assert preview.schedule.phases[0].end == subscription.current_period_end
        assert billed_lines(preview.lines) == []
        after = contract.get(subscription)
        assert after.schedule is None
        assert after.scheduled_change is None

    @_AT_PERIOD_END
    @_PHASED
    @requires(max_phases=2, end_behavior=EndBehavior.RELEASE)
    def test_schedule_refused_while_a_change_is_pending(self, contract: Contract) -> None:
        subscription = contract.subscribe("premium")
        contract.billing.apply(subscription, _downgrade_at_period_end())
        pending = contract.get(subscription)
        change = PlanChange.phased(
            [
                Phase(items=(Item(plan="premium"),), end=subscription.current_period_end),
                Phase(items=(Item(plan="pro"),)),
            ],
            proration=ProrationMode.NO_BILLING,
        )
        with pytest.raises(ConflictError):
            contract.billing.apply(pending, change)
        assert contract.get(subscription).scheduled_change == pending.scheduled_change
