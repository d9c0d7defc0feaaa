"""Lifecycle: create, retrieve, cancel at period end, resume, recover, renew, cancel now."""

from __future__ import annotations

from prorata import BillingCycle, PlanChange, ProrationMode, TimingKind
from prorata.provider import Interval, InvoiceStatus, SubscriptionStatus, add_intervals
from prorata_contract._checks import new_invoices, recurring_lines, recurring_of
from prorata_contract._fixtures import ContractFixtures
from prorata_contract._guard import standard
from prorata_contract._harness import Contract
from prorata_contract._requirements import requires

__all__ = ["LifecycleTests"]


@standard("lifecycle")
class LifecycleTests(ContractFixtures):
    """A subscription's life from creation to cancellation, on the contract catalog."""

    def test_create_subscription(self, contract: Contract) -> None:
        subscription = contract.subscribe("pro")
        assert subscription.provider == contract.provider
        assert subscription.status is SubscriptionStatus.ACTIVE
        assert subscription.plan_quantities == {"pro": 1}
        assert subscription.currency == "USD"
        assert not subscription.cancel_at_period_end
        assert subscription.current_period_end == add_intervals(
            subscription.current_period_start, Interval.monthly(), 1
        )

    def test_first_invoice_bills_one_period(self, contract: Contract) -> None:
        subscription = contract.subscribe("pro")
        invoices = contract.invoices(subscription)
        assert len(invoices) == 1
        assert invoices[0].status is InvoiceStatus.PAID
        assert recurring_of(invoices[0]) == recurring_lines(contract, subscription.items)
        assert invoices[0].totals.total.amount == contract.catalog.get("pro").price.amount

    def test_retrieve_subscription(self, contract: Contract) -> None:
        created = contract.subscribe("basic")
        fetched = contract.get(created.id)
        assert fetched.id == created.id
        assert fetched.customer_id == created.customer_id
        assert fetched.plan_quantities == created.plan_quantities
        assert (fetched.current_period_start, fetched.current_period_end) == (
            created.current_period_start,
            created.current_period_end,
        )
        listed = contract.billing.subscriptions(customer_id=created.customer_id)
        assert [s.id for s in listed] == [created.id]

    @requires(cancel_at_period_end=True, timing=TimingKind.IMMEDIATELY)
    def test_cancel_at_period_end_keeps_service(self, contract: Contract) -> None:
        subscription = contract.subscribe("pro")
        before = contract.invoices(subscription)
        result = contract.billing.apply(subscription, PlanChange.cancel_at_period_end())
        fetched = contract.get(subscription)
        for current in (result.subscription, fetched):
            assert current.cancel_at_period_end
            assert current.status is SubscriptionStatus.ACTIVE
            assert current.plan_quantities == {"pro": 1}
        assert not [i for i in new_invoices(before, contract.invoices(subscription)) if i.totals.total.amount]

    @requires(cancel_at_period_end=True, time_control=True, timing=TimingKind.IMMEDIATELY)
    def test_cancel_at_period_end_ends_at_boundary(self, contract: Contract) -> None:
        subscription = contract.subscribe("pro")
        contract.billing.apply(subscription, PlanChange.cancel_at_period_end())
        before = contract.invoices(subscription)
        contract.pass_boundary(subscription.current_period_end)
        ended = contract.get(subscription)
        assert ended.status is SubscriptionStatus.CANCELED
        assert not [i for i in new_invoices(before, contract.invoices(subscription)) if i.totals.total.amount]

    @requires(cancel_at_period_end=True, resume=True, timing=TimingKind.IMMEDIATELY)
    def test_resume_clears_pending_cancellation(self, contract: Contract) -> None:
        subscription = contract.subscribe("pro")
        contract.billing.apply(subscription, PlanChange.cancel_at_period_end())
        result = contract.billing.apply(contract.get(subscription), PlanChange.resume())
        assert not result.subscription.cancel_at_period_end
        fetched = contract.get(subscription)
        assert not fetched.cancel_at_period_end
        assert fetched.plan_quantities == {"pro": 1}

    @requires(cancel_at_period_end=True, resume=True, time_control=True, timing=TimingKind.IMMEDIATELY)
    def test_resumed_subscription_renews(self, contract: Contract) -> None:
        subscription = contract.subscribe("pro")
        contract.billing.apply(subscription, PlanChange.cancel_at_period_end())
        contract.billing.apply(contract.get(subscription), PlanChange.resume())
        contract.pass_boundary(subscription.current_period_end)
        renewed = contract.get(subscription)
        assert renewed.status is SubscriptionStatus.ACTIVE
        assert renewed.current_period_start == subscription.current_period_end

    @requires(
        cancel_at_period_end=True,
        resume=True,
        timing=TimingKind.IMMEDIATELY,
        proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP),
    )
    def test_recover_onto_another_plan(self, contract: Contract) -> None:
        subscription = contract.subscribe("pro")
        contract.billing.apply(subscription, PlanChange.cancel_at_period_end())
        recover = PlanChange.resume(switch_to=("pro", "basic"), proration=ProrationMode.PRORATE_NOW)
        result = contract.billing.apply(contract.get(subscription), recover)
        fetched = contract.get(subscription)
        assert not fetched.cancel_at_period_end
        assert fetched.plan_quantities == {"basic": 1}
        assert result.subscription.plan_quantities == {"basic": 1}

    @requires(time_control=True)
    def test_renewal_after_time_moves(self, contract: Contract) -> None:
        subscription = contract.subscribe("premium")
        before = contract.invoices(subscription)
        contract.pass_boundary(subscription.current_period_end)
        renewed = contract.get(subscription)
        assert renewed.status is SubscriptionStatus.ACTIVE
        assert renewed.current_period_start == subscription.current_period_end
        assert renewed.current_period_end == add_intervals(
            subscription.current_period_start, Interval.monthly(), 2
        )
        created = new_invoices(before, contract.invoices(subscription))
        assert len(created) == 1
        assert recurring_of(created[0]) == recurring_lines(contract, subscription.items)
        assert created[0].status is InvoiceStatus.PAID

    def test_subscribe_twice_with_one_key_creates_one(self, contract: Contract) -> None:
        customer = contract.customer_factory()
        first = contract.billing.subscribe(
            customer.id, "pro", trial_days=0, idempotency_key="contract-subscribe-once"
        )
        second = contract.billing.subscribe(
            customer.id, "pro", trial_days=0, idempotency_key="contract-subscribe-once"
        )
        assert second.id == first.id
        assert [s.id for s in contract.billing.subscriptions(customer_id=customer.id)] == [first.id]
        assert len(contract.invoices(first)) == 1

    @requires(trials=True, time_control=True)
    def test_trial_bills_nothing_until_it_ends(self, contract: Contract) -> None:
        subscription = contract.subscribe("pro", trial_days=14)
        assert subscription.status is SubscriptionStatus.TRIALING
        assert subscription.trial_end is not None
        assert sum(i.totals.total.amount for i in contract.invoices(subscription)) == 0
        contract.pass_boundary(subscription.trial_end)
        started = contract.get(subscription)
        assert started.status is SubscriptionStatus.ACTIVE
        assert started.current_period_start == subscription.trial_end
        paid = [i for i in contract.invoices(subscription) if i.totals.total.amount]
        assert [recurring_of(i) for i in paid] == [recurring_lines(contract, subscription.items)]

    def test_cancel_now(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        canceled = contract.billing.cancel_now(subscription.id)
        assert canceled.status is SubscriptionStatus.CANCELED
        assert contract.get(subscription).status is SubscriptionStatus.CANCELED
