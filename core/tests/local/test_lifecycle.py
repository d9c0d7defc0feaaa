"""Lifecycle of the local engine: trials, cancel, resume, recover, failures, schedules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from prorata import (
    AtPeriodEnd,
    Billing,
    BillingCycle,
    CollectionMethod,
    EndBehavior,
    InvoiceStatus,
    Item,
    Money,
    PaymentFailurePolicy,
    Phase,
    PlanChange,
    ProrationMode,
    SubscriptionStatus,
    TaxRate,
)
from prorata.errors import (
    ConflictError,
    InvalidChangeError,
    InvalidStateError,
    PaymentDeclinedError,
    ProviderUnavailableError,
)
from prorata.local import LocalProvider
from prorata.provider import TEST_CARD_DECLINES

from .conftest import START, make_catalog


def _subscriber(billing: Billing, plan: str = "basic", **kw: object) -> str:
    customer = billing.create_customer(f"{plan}@example.com")
    return billing.subscribe(customer.id, plan, **kw).id  # type: ignore[arg-type]


def test_trial_bills_nothing_until_it_ends(billing: Billing) -> None:
    sub_id = _subscriber(billing, "trial-pro")
    sub = billing.get(sub_id)
    assert sub.status is SubscriptionStatus.TRIALING
    assert sub.trial_end == START + timedelta(days=14) == sub.current_period_end
    assert billing.invoices(sub_id) == []
    billing.time_control().advance(START + timedelta(days=14))
    sub = billing.get(sub_id)
    assert sub.status is SubscriptionStatus.ACTIVE
    assert sub.current_period_start == START + timedelta(days=14)
    [invoice] = billing.invoices(sub_id)
    assert invoice.totals.amount_due == Money.of(2000, "USD")
    assert invoice.status is InvoiceStatus.PAID


def test_cancel_at_period_end_then_resume_then_cancel_for_real(billing: Billing) -> None:
    sub_id = _subscriber(billing)
    sub = billing.apply(sub_id, PlanChange.cancel_at_period_end()).subscription
    assert sub.cancel_at_period_end
    assert sub.status is SubscriptionStatus.ACTIVE
    with pytest.raises(InvalidStateError):
        billing.apply(sub_id, PlanChange.cancel_at_period_end())
    sub = billing.apply(sub_id, PlanChange.resume()).subscription
    assert not sub.cancel_at_period_end
    billing.apply(sub_id, PlanChange.cancel_at_period_end())
    billing.time_control().advance(datetime(2024, 2, 1, tzinfo=UTC))
    ended = billing.get(sub_id)
    assert ended.status is SubscriptionStatus.CANCELED
    assert ended.canceled_at == datetime(2024, 2, 1, tzinfo=UTC)
    assert len(billing.invoices(sub_id)) == 1  # no renewal after the cancellation
    with pytest.raises(InvalidStateError):
        billing.preview(sub_id, PlanChange.swap("basic", "pro"))


def test_recover_undoes_the_cancellation_and_switches_plan_in_one_change(billing: Billing) -> None:
    sub_id = _subscriber(billing)
    billing.apply(sub_id, PlanChange.cancel_at_period_end())
    billing.time_control().advance(datetime(2024, 1, 16, 12, tzinfo=UTC))
    result = billing.apply(sub_id, PlanChange.resume(switch_to=("basic", "pro")))
    assert not result.subscription.cancel_at_period_end
    assert result.subscription.plan_quantities == {"pro": 1}
    assert result.invoice is not None
    assert result.invoice.totals.total == Money.of(500, "USD")


def test_upgrade_resetting_the_cycle_credits_unused_time_and_starts_a_new_period(billing: Billing) -> None:
    sub_id = _subscriber(billing)
    now = datetime(2024, 1, 16, 12, tzinfo=UTC)
    billing.time_control().advance(now)
    result = billing.apply(sub_id, PlanChange.swap("basic", "pro", billing_cycle=BillingCycle.RESET))
    assert result.subscription.current_period_start == now
    assert result.subscription.current_period_end == datetime(2024, 2, 16, 12, tzinfo=UTC)
    assert result.invoice is not None
    assert [line.amount.amount for line in result.invoice.lines] == [-500, 2000]


def test_downgrade_with_price_difference_credits_the_balance_used_by_the_next_invoice(
    billing: Billing, provider: LocalProvider
) -> None:
    customer = billing.create_customer("d@example.com")
    sub = billing.subscribe(customer.id, "premium")
    result = billing.apply(
        sub.id, PlanChange.swap("premium", "basic", proration=ProrationMode.PRICE_DIFFERENCE_NOW)
    )
    assert result.invoice is not None
    assert result.invoice.totals.credited == Money.of(2000, "USD")
    assert provider.balance(customer.id) == 2000
    billing.time_control().advance(datetime(2024, 2, 1, tzinfo=UTC))
    renewal = billing.invoices(sub.id)[-1]
    assert renewal.totals.balance_applied == Money.of(1000, "USD")
    assert renewal.totals.amount_due.amount == 0
    assert provider.balance(customer.id) == 1000


def test_declined_upgrade_keeping_the_old_plan_changes_nothing(
    billing: Billing, provider: LocalProvider
) -> None:
    customer = billing.create_customer("x@example.com")
    sub = billing.subscribe(customer.id, "basic")
    provider.set_payment_method(customer.id, TEST_CARD_DECLINES)
    billing.time_control().advance(datetime(2024, 1, 10, tzinfo=UTC))
    with pytest.raises(PaymentDeclinedError):
        billing.apply(sub.id, PlanChange.swap("basic", "pro"))
    assert billing.get(sub.id) == sub
    assert billing.invoices(sub.id)[-1].status is InvoiceStatus.VOID
    assert provider.balance(customer.id) == 0


def test_declined_upgrade_applying_the_change_leaves_an_open_invoice_and_past_due(
    billing: Billing, provider: LocalProvider
) -> None:
    customer = billing.create_customer("y@example.com")
    sub = billing.subscribe(customer.id, "basic")
    provider.set_payment_method(customer.id, TEST_CARD_DECLINES)
    billing.time_control().advance(datetime(2024, 1, 10, tzinfo=UTC))
    result = billing.apply(
        sub.id, PlanChange.swap("basic", "pro", on_payment_failure=PaymentFailurePolicy.APPLY_CHANGE)
    )
    assert result.subscription.status is SubscriptionStatus.PAST_DUE
    assert result.subscription.plan_quantities == {"pro": 1}
    assert result.invoice is not None
    assert result.invoice.status is InvoiceStatus.OPEN
    with pytest.raises(InvalidStateError):
        billing.preview(sub.id, PlanChange.swap("pro", "premium"))
    provider.set_payment_method(customer.id, "test_card_succeeds")
    provider.pay_invoice(result.invoice.id)
    assert billing.get(sub.id).status is SubscriptionStatus.ACTIVE


def test_seed_000_add_a_second_product_with_proration_and_sent_invoices(billing: Billing) -> None:
    customer = billing.create_customer("thomas@example.com")
    sub = billing.subscribe(
        customer.id, "basic", collection_method=CollectionMethod.SEND_INVOICE, days_until_due=30
    )
    billing.time_control().advance(datetime(2024, 1, 16, 12, tzinfo=UTC))
    result = billing.apply(sub.id, PlanChange.add("formula"))
    assert result.subscription.plan_quantities == {"basic": 1, "formula": 1}
    invoice = result.invoice
    assert invoice is not None
    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.due_date == datetime(2024, 2, 15, 12, tzinfo=UTC)
    assert [line.amount.amount for line in invoice.lines] == [250]


def test_exclusive_and_inclusive_tax_on_a_proration(billing: Billing) -> None:
    excl = TaxRate(display_name="VAT", percentage=Decimal("10"))
    incl = TaxRate(display_name="GST", percentage=Decimal("25"), inclusive=True)
    a = billing.subscribe(billing.create_customer("t1@example.com").id, "basic", tax_rates=[excl])
    b = billing.subscribe(billing.create_customer("t2@example.com").id, "basic", tax_rates=[incl])
    billing.time_control().advance(datetime(2024, 1, 16, 12, tzinfo=UTC))
    pa = billing.preview(a.id, PlanChange.swap("basic", "pro"))
    assert (pa.totals.subtotal.amount, pa.totals.tax.amount, pa.totals.total.amount) == (500, 50, 550)
    pb = billing.preview(b.id, PlanChange.swap("basic", "pro"))
    assert (pb.totals.subtotal.amount, pb.totals.tax.amount, pb.totals.total.amount) == (500, 100, 500)


def test_second_pending_change_is_refused_unless_replaced_explicitly(billing: Billing) -> None:
    sub_id = _subscriber(billing, "pro")
    billing.apply(
        sub_id, PlanChange.swap("pro", "basic", timing=AtPeriodEnd(), proration=ProrationMode.NO_BILLING)
    )
    with pytest.raises(ConflictError):
        billing.apply(
            sub_id,
            PlanChange.swap("pro", "premium", timing=AtPeriodEnd(), proration=ProrationMode.NO_BILLING),
        )
    replaced = billing.apply(
        sub_id,
        PlanChange.swap(
            "pro", "premium", timing=AtPeriodEnd(), proration=ProrationMode.NO_BILLING, replace_pending=True
        ),
    )
    assert replaced.subscription.scheduled_change is not None
    assert [i.plan for i in replaced.subscription.scheduled_change.items] == ["premium"]
    cleared = billing.cancel_scheduled_change(sub_id)
    assert cleared.scheduled_change is None
    billing.time_control().advance(datetime(2024, 2, 1, tzinfo=UTC))
    assert billing.get(sub_id).plan_quantities == {"pro": 1}


def test_downgrade_at_period_end_happens_at_the_boundary_and_renews_on_the_new_plan(billing: Billing) -> None:
    sub_id = _subscriber(billing, "pro")
    preview = billing.preview(
        sub_id, PlanChange.swap("pro", "basic", timing=AtPeriodEnd(), proration=ProrationMode.NO_BILLING)
    )
    assert preview.effective_at == datetime(2024, 2, 1, tzinfo=UTC)
    assert preview.next_invoice is not None
    assert preview.next_invoice.totals.total == Money.of(1000, "USD")
    billing.apply(sub_id, preview.change, preview=preview)
    billing.time_control().advance(datetime(2024, 2, 1, tzinfo=UTC))
    assert billing.get(sub_id).plan_quantities == {"basic": 1}
    assert billing.invoices(sub_id)[-1].totals.total == Money.of(1000, "USD")


def test_seed_003_three_phases_then_cancel_at_the_end(billing: Billing) -> None:
    customer = billing.create_customer("phases@example.com")
    sub = billing.subscribe(customer.id, [Item(plan="gold-jpy"), Item(plan="silver-jpy", quantity=4)])
    phases = [
        Phase(items=[Item(plan="gold-jpy"), Item(plan="silver-jpy", quantity=4)], cycles=3),
        Phase(items=[Item(plan="silver-jpy")], cycles=5),
        Phase(items=[Item(plan="gold-jpy", quantity=2)], cycles=7),
    ]
    result = billing.apply(
        sub.id, PlanChange.phased(phases, end_behavior=EndBehavior.CANCEL, proration=ProrationMode.NO_BILLING)
    )
    schedule = result.subscription.schedule
    assert schedule is not None
    assert [p.end for p in schedule.phases] == [
        datetime(2024, 4, 1, tzinfo=UTC),
        datetime(2024, 9, 1, tzinfo=UTC),
        datetime(2025, 4, 1, tzinfo=UTC),
    ]
    billing.time_control().advance(datetime(2024, 4, 1, tzinfo=UTC))
    assert billing.get(sub.id).plan_quantities == {"silver-jpy": 1}
    billing.time_control().advance(datetime(2024, 9, 1, tzinfo=UTC))
    assert billing.get(sub.id).plan_quantities == {"gold-jpy": 2}
    billing.time_control().advance(datetime(2025, 4, 1, tzinfo=UTC))
    assert billing.get(sub.id).status is SubscriptionStatus.CANCELED


def test_same_idempotency_key_applies_once(billing: Billing) -> None:
    sub = billing.get(_subscriber(billing))
    first = billing.apply(sub, PlanChange.swap("basic", "pro"), idempotency_key="order-1")
    again = billing.apply(sub, PlanChange.swap("basic", "pro"), idempotency_key="order-1")
    assert again.replayed
    assert not first.replayed
    assert again.invoice == first.invoice
    assert len(billing.invoices(sub.id)) == 2
    with pytest.raises((ConflictError, InvalidChangeError)):
        billing.apply(billing.get(sub.id), PlanChange.swap("pro", "premium"), idempotency_key="order-1")


@pytest.mark.parametrize("checkpoint", ["after_invoice", "after_subscription"])
def test_a_failure_mid_change_leaves_nothing_half_applied(
    billing: Billing, provider: LocalProvider, checkpoint: str
) -> None:
    customer = billing.create_customer("f@example.com")
    sub = billing.subscribe(customer.id, "basic")
    billing.time_control().advance(datetime(2024, 1, 16, 12, tzinfo=UTC))
    before = (billing.get(sub.id), billing.invoices(sub.id), provider.balance(customer.id))

    def explode(name: str) -> None:
        if name == checkpoint:
            raise RuntimeError(f"injected failure at {name}")

    provider.engine.fault_hook = explode
    with pytest.raises(ProviderUnavailableError, match="may have been applied") as caught:
        billing.apply(
            sub.id, PlanChange.swap("basic", "premium", proration=ProrationMode.PRICE_DIFFERENCE_NOW)
        )
    assert isinstance(caught.value.__cause__, RuntimeError)
    provider.engine.fault_hook = None
    assert (billing.get(sub.id), billing.invoices(sub.id), provider.balance(customer.id)) == before
    result = billing.apply(
        sub.id, PlanChange.swap("basic", "premium", proration=ProrationMode.PRICE_DIFFERENCE_NOW)
    )
    assert result.invoice is not None
    assert result.invoice.totals.total == Money.of(2000, "USD")


def test_state_survives_reopening_the_database(tmp_path: Path) -> None:
    path = tmp_path / "billing.sqlite3"
    first = LocalProvider(make_catalog(), database=path, start=START)
    billing = Billing(provider=first, catalog=first.catalog)
    sub_id = _subscriber(billing)
    billing.time_control().advance(datetime(2024, 3, 5, tzinfo=UTC))
    first.close()
    second = LocalProvider(make_catalog(), database=path)
    assert second.time_control().now() == datetime(2024, 3, 5, tzinfo=UTC)
    assert second.get_subscription(sub_id).current_period_start == datetime(2024, 3, 1, tzinfo=UTC)
    assert len(second.list_invoices(sub_id)) == 3
    second.close()
