"""Payments: declined charges (keep the old plan, or apply and go past due) and sent invoices.

What docs/proration.md ("Payment failure") promises every provider:

- ``keep_old_plan``: nothing changes; the attempted invoice is voided and kept for the
  record, and ``PaymentDeclinedError`` is raised.
- ``apply_change``: the change is applied, the invoice stays ``open`` and the subscription
  becomes ``past_due`` until it is paid; a past-due subscription takes no item change.
- ``send_invoice``: invoices are never charged at the change; they are ``open`` with a due
  date ``days_until_due`` days later.

A subscription is created while its customer's card succeeds (the first invoice is paid),
then the ``decline_payments`` fixture makes that customer's further charges decline.
"""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from prorata import AtPeriodEnd, BillingCycle, PaymentFailurePolicy, PlanChange, ProrationMode, TimingKind
from prorata.errors import InvalidStateError, PaymentDeclinedError
from prorata.provider import (
    TEST_CARD_DECLINES,
    ChangeResult,
    CollectionMethod,
    InvoiceStatus,
    Subscription,
    SubscriptionStatus,
)
from prorata_contract._checks import new_invoices
from prorata_contract._errors_area import refused_before_any_call
from prorata_contract._fixtures import ContractFixtures
from prorata_contract._guard import standard
from prorata_contract._harness import Contract
from prorata_contract._requirements import requires

__all__ = ["PaymentTests"]

DAYS_UNTIL_DUE = 30


def _upgrade(policy: PaymentFailurePolicy) -> PlanChange:
    """basic -> premium, prorated now: a charge of $20 for the whole period, less time used."""
    return PlanChange.swap("basic", "premium", proration=ProrationMode.PRORATE_NOW, on_payment_failure=policy)


def _declining_subscription(contract: Contract) -> Subscription:
    """A paid, active ``basic`` subscription whose customer's further charges decline.

    The customer comes from the adapter's customer factory (its card succeeds, so the
    first invoice is paid); then the ``decline_payments`` fixture declines it.
    """
    customer = contract.customer()
    subscription = contract.subscribe("basic", customer=customer)
    assert subscription.status is SubscriptionStatus.ACTIVE, (
        f"the first invoice of a succeeding card was not paid: {subscription.status.value}"
    )
    contract.decline(customer.id)
    return contract.into_period(subscription, Fraction(1, 3))


def _past_due(contract: Contract) -> ChangeResult:
    """A declined upgrade applied anyway: the subscription holds ``premium`` and is past due."""
    subscription = _declining_subscription(contract)
    result = contract.billing.apply(subscription, _upgrade(PaymentFailurePolicy.APPLY_CHANGE))
    assert result.subscription.status is SubscriptionStatus.PAST_DUE
    return result


_DECLINED_UPGRADE = requires(
    timing=TimingKind.IMMEDIATELY,
    proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP),
    decline_payments=True,
)


@standard("payments")
class PaymentTests(ContractFixtures):
    """What a declined charge does under each failure policy, and how sent invoices are due."""

    @_DECLINED_UPGRADE
    @requires(payment_failure_policy=PaymentFailurePolicy.KEEP_OLD_PLAN)
    def test_declined_upgrade_keeps_the_old_plan(self, contract: Contract) -> None:
        before = _declining_subscription(contract)
        change = _upgrade(PaymentFailurePolicy.KEEP_OLD_PLAN)
        preview = contract.billing.preview(before, change)
        assert preview.totals.amount_due.amount > 0, "the upgrade must charge something to be declined"
        invoices = contract.invoices(before)
        with pytest.raises(PaymentDeclinedError):
            contract.billing.apply(before, change, preview=preview)
        after = contract.get(before)
        assert after.plan_quantities == before.plan_quantities == {"basic": 1}
        assert (after.current_period_start, after.current_period_end) == (
            before.current_period_start,
            before.current_period_end,
        )
        assert after.status is before.status is SubscriptionStatus.ACTIVE
        assert after.scheduled_change is None
        assert after == before
        attempted = new_invoices(invoices, contract.invoices(before))
        assert [invoice.status for invoice in attempted] == [InvoiceStatus.VOID], (
            "the attempted invoice is voided and kept for the record: "
            f"{[(invoice.id, invoice.status.value) for invoice in attempted]}"
        )

    @_DECLINED_UPGRADE
    @requires(payment_failure_policy=PaymentFailurePolicy.APPLY_CHANGE)
    def test_declined_upgrade_with_apply_change_goes_past_due(self, contract: Contract) -> None:
        before = _declining_subscription(contract)
        change = _upgrade(PaymentFailurePolicy.APPLY_CHANGE)
        preview = contract.billing.preview(before, change)
        assert preview.totals.amount_due.amount > 0, "the upgrade must charge something to be declined"
        invoices = contract.invoices(before)
        result = contract.billing.apply(before, change, preview=preview)
        after = contract.get(before)
        for subscription in (result.subscription, after):
            assert subscription.plan_quantities == {"premium": 1}
            assert subscription.status is SubscriptionStatus.PAST_DUE
            assert (subscription.current_period_start, subscription.current_period_end) == (
                before.current_period_start,
                before.current_period_end,
            )
        assert result.invoice is not None
        assert result.invoice.status is InvoiceStatus.OPEN
        assert result.invoice.totals.amount_due == preview.totals.amount_due
        assert result.invoice.totals.total == preview.totals.total
        assert result.matches_preview is True
        attempted = new_invoices(invoices, contract.invoices(before))
        assert [(invoice.id, invoice.status) for invoice in attempted] == [
            (result.invoice.id, InvoiceStatus.OPEN)
        ]

    @_DECLINED_UPGRADE
    @requires(payment_failure_policy=PaymentFailurePolicy.APPLY_CHANGE)
    @pytest.mark.parametrize(
        "change",
        [
            pytest.param(PlanChange.swap("premium", "pro"), id="swap"),
            pytest.param(PlanChange.add("addon"), id="add", marks=requires(multi_item=True)),
            pytest.param(
                PlanChange.swap("premium", "pro", timing=AtPeriodEnd()),
                id="swap-at-period-end",
                marks=requires(timing=TimingKind.AT_PERIOD_END),
            ),
        ],
    )
    def test_past_due_refuses_item_changes_before_any_call(
        self, contract: Contract, change: PlanChange
    ) -> None:
        past_due = contract.get(_past_due(contract).subscription)
        error = refused_before_any_call(contract, past_due, change, InvalidStateError)
        assert isinstance(error, InvalidStateError)
        assert error.subscription_id == past_due.id
        assert contract.get(past_due).plan_quantities == {"premium": 1}

    @requires(
        collection_method=CollectionMethod.SEND_INVOICE,
        timing=TimingKind.IMMEDIATELY,
        proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP),
    )
    def test_sent_invoice_is_open_and_due_later(self, contract: Contract) -> None:
        subscription = contract.subscribe(
            "basic", collection_method=CollectionMethod.SEND_INVOICE, days_until_due=DAYS_UNTIL_DUE
        )
        assert subscription.collection_method is CollectionMethod.SEND_INVOICE
        assert subscription.days_until_due == DAYS_UNTIL_DUE
        subscription = contract.into_period(subscription, Fraction(1, 3))
        change = PlanChange.swap("basic", "premium", proration=ProrationMode.PRORATE_NOW)
        preview = contract.billing.preview(subscription, change)
        assert preview.totals.amount_due.amount > 0
        invoices = contract.invoices(subscription)
        result = contract.billing.apply(subscription, change, preview=preview)
        invoice = result.invoice
        assert invoice is not None
        assert invoice.status is InvoiceStatus.OPEN, f"a sent invoice was charged: {invoice.status.value}"
        assert invoice.collection_method is CollectionMethod.SEND_INVOICE
        assert invoice.totals.amount_due == preview.totals.amount_due
        assert invoice.created == preview.proration_time
        assert invoice.due_date == preview.proration_time + timedelta(days=DAYS_UNTIL_DUE)
        (listed,) = new_invoices(invoices, contract.invoices(subscription))
        assert (listed.id, listed.status, listed.due_date) == (
            invoice.id,
            InvoiceStatus.OPEN,
            invoice.due_date,
        )
        after = contract.get(subscription)
        assert after.plan_quantities == {"premium": 1}
        assert after.status is SubscriptionStatus.ACTIVE, "an unpaid sent invoice is not a failed payment"

    @requires(trials=True, time_control=True)
    def test_declining_card_goes_past_due_when_the_trial_ends(self, contract: Contract) -> None:
        customer = contract.customer(payment_method=TEST_CARD_DECLINES)
        subscription = contract.subscribe("basic", customer=customer, trial_days=7)
        assert subscription.status is SubscriptionStatus.TRIALING
        assert subscription.trial_end is not None
        invoices = contract.invoices(subscription)
        assert all(invoice.totals.amount_due.amount == 0 for invoice in invoices), (
            "nothing is charged while trialing"
        )
        contract.pass_boundary(subscription.trial_end)
        after = contract.get(subscription)
        assert after.status is SubscriptionStatus.PAST_DUE
        assert after.plan_quantities == {"basic": 1}
        unpaid = [
            invoice
            for invoice in new_invoices(invoices, contract.invoices(subscription))
            if invoice.status is InvoiceStatus.OPEN
        ]
        assert [invoice.totals.amount_due for invoice in unpaid] == [contract.catalog.get("basic").price]
