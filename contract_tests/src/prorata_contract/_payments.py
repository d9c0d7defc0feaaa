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

from prorata import (
    AtPeriodEnd,
    Billing,
    BillingCycle,
    Money,
    NegativeDuePolicy,
    PaymentFailurePolicy,
    PaymentSetupStatus,
    PlanChange,
    ProrationMode,
    RefundReason,
    TimingKind,
)
from prorata.errors import (
    InvalidStateError,
    PaymentDeclinedError,
    UnsupportedCapabilityError,
    ValidationError,
)
from prorata.provider import (
    TEST_CARD_DECLINES,
    TEST_CARD_REQUIRES_ACTION,
    TEST_CARD_SUCCEEDS,
    ChangeResult,
    CollectionMethod,
    InvoiceStatus,
    Subscription,
    SubscriptionStatus,
)
from prorata_contract._checks import new_invoices
from prorata_contract._counting import CountingProvider
from prorata_contract._errors_area import refused_before_any_call
from prorata_contract._fixtures import ContractFixtures
from prorata_contract._guard import standard
from prorata_contract._harness import Contract
from prorata_contract._requirements import requires

__all__ = ["PaymentCollectionTests", "PaymentTests"]

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


def _downgrade(contract: Contract, policy: NegativeDuePolicy) -> tuple[Subscription, ChangeResult, Money]:
    """premium -> basic a third into the period, prorated now: a negative amount due.
    Also returns the customer's balance just before the change."""
    subscription = contract.into_period(contract.subscribe("premium"), Fraction(1, 3))
    change = PlanChange.swap("premium", "basic", proration=ProrationMode.PRORATE_NOW)
    preview = contract.billing.preview(subscription, change)
    assert preview.totals.total.amount < 0, "the downgrade must leave a negative amount due"
    before = contract.billing.customer_balance(subscription.customer_id, subscription.currency)
    result = contract.billing.apply(subscription, change, preview=preview, negative_due=policy)
    return subscription, result, before


def _guarded(contract: Contract) -> tuple[Billing, CountingProvider]:
    """The contract's provider behind a call counter, for "refused before any call" checks."""
    counting = CountingProvider(contract.billing.provider)
    return Billing(provider=counting, catalog=contract.billing.catalog), counting


def _bad_amount(kind: str, paid: Money) -> Money:
    """A refund amount the core must refuse: more than paid, negative, zero, other currency."""
    other = "EUR" if paid.currency != "EUR" else "USD"
    return {
        "more-than-paid": Money.of(paid.amount + 1, paid.currency),
        "negative": Money.of(-1, paid.currency),
        "zero": Money.zero(paid.currency),
        "other-currency": Money.of(1, other),
    }[kind]


_NEGATIVE_DUE = requires(
    timing=TimingKind.IMMEDIATELY,
    proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP),
    time_control=True,
    payments=["refunds"],
)


@standard("payments")
class PaymentCollectionTests(ContractFixtures):
    """Collecting payments: setups, payment actions, paying open invoices, refunds."""

    @requires(trials=True, time_control=True, payments=["payment_setup", "set_payment_method"])
    def test_setup_then_trial_end_charges_the_saved_method(self, contract: Contract) -> None:
        assert contract.confirm_payment_setup is not None
        customer = contract.customer(payment_method=TEST_CARD_DECLINES)
        setup = contract.billing.start_payment_setup(customer.id)
        assert setup.status is PaymentSetupStatus.REQUIRES_PAYMENT_METHOD
        assert setup.client_secret or setup.url
        contract.confirm_payment_setup(setup.id, TEST_CARD_SUCCEEDS)
        assert contract.billing.payment_setup(setup.id).status is PaymentSetupStatus.SUCCEEDED
        subscription = contract.billing.subscribe(customer.id, "basic", trial_days=7, payment_setup=setup.id)
        assert subscription.status is SubscriptionStatus.TRIALING
        assert subscription.trial_end is not None
        contract.pass_boundary(subscription.trial_end)
        after = contract.get(subscription)
        assert after.status is SubscriptionStatus.ACTIVE, after.status.value
        charged = [i for i in contract.invoices(subscription) if i.totals.amount_due.amount > 0]
        assert charged, "the trial end issued no charge"
        assert charged[-1].status is InvoiceStatus.PAID

    @requires(payments=["payment_actions"])
    def test_three_d_secure_returns_a_payment_action_then_activates(self, contract: Contract) -> None:
        assert contract.complete_payment_action is not None
        customer = contract.customer(payment_method=TEST_CARD_REQUIRES_ACTION)
        subscription = contract.subscribe("basic", customer=customer)
        assert subscription.status is SubscriptionStatus.INCOMPLETE
        action = subscription.payment_action
        assert action is not None
        assert action.client_secret or action.url
        (invoice,) = contract.invoices(subscription)
        assert (action.invoice_id, invoice.status) == (invoice.id, InvoiceStatus.OPEN)
        assert action.amount == invoice.totals.amount_due
        contract.complete_payment_action(action)
        after = contract.get(subscription)
        assert after.status is SubscriptionStatus.ACTIVE
        assert after.payment_action is None
        assert contract.invoices(subscription)[0].status is InvoiceStatus.PAID

    @requires(
        timing=TimingKind.IMMEDIATELY,
        proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP),
        payments=["payment_actions"],
    )
    def test_once_authenticated_the_card_pays_an_upgrade_without_the_customer(
        self, contract: Contract
    ) -> None:
        assert contract.complete_payment_action is not None
        customer = contract.customer(payment_method=TEST_CARD_REQUIRES_ACTION)
        subscription = contract.subscribe("basic", customer=customer)
        assert subscription.payment_action is not None
        contract.complete_payment_action(subscription.payment_action)
        active = contract.into_period(contract.get(subscription), Fraction(1, 3))
        assert active.status is SubscriptionStatus.ACTIVE
        change = PlanChange.swap("basic", "premium", proration=ProrationMode.PRORATE_NOW)
        result = contract.billing.apply(active, change)
        assert result.invoice is not None
        assert result.invoice.status is InvoiceStatus.PAID, result.invoice.status.value
        assert result.subscription.status is SubscriptionStatus.ACTIVE
        assert result.subscription.payment_action is None

    @_DECLINED_UPGRADE
    @requires(
        payment_failure_policy=PaymentFailurePolicy.APPLY_CHANGE,
        payments=["pay_invoice", "set_payment_method"],
    )
    def test_pay_invoice_after_replacing_the_card_allows_changes_again(self, contract: Contract) -> None:
        result = _past_due(contract)
        assert result.invoice is not None
        with pytest.raises(PaymentDeclinedError):
            contract.billing.pay_invoice(result.invoice.id)
        contract.billing.set_payment_method(result.subscription.customer_id, TEST_CARD_SUCCEEDS)
        paid = contract.billing.pay_invoice(result.invoice.id)
        assert paid.status is InvoiceStatus.PAID
        active = contract.get(result.subscription)
        assert active.status is SubscriptionStatus.ACTIVE
        contract.billing.apply(active, PlanChange.swap("premium", "pro", proration=ProrationMode.PRORATE_NOW))
        assert contract.get(active).plan_quantities == {"pro": 1}

    @_NEGATIVE_DUE
    def test_refund_policy_refunds_the_difference_and_keeps_the_balance(self, contract: Contract) -> None:
        subscription, result, before = _downgrade(contract, NegativeDuePolicy.REFUND)
        assert result.invoice is not None
        credited = result.invoice.totals.credited
        assert credited.amount > 0
        first = contract.invoices(subscription)[0]
        assert [(r.invoice_id, r.amount, r.reason) for r in result.refunds] == [
            (first.id, credited, RefundReason.PLAN_CHANGE)
        ], "the difference is refunded on the original payment"
        assert [r.id for r in contract.billing.refunds(first.id)] == [r.id for r in result.refunds]
        after = contract.billing.customer_balance(subscription.customer_id, credited.currency)
        assert after == before, f"the balance moved from {before} to {after}"

    @_NEGATIVE_DUE
    def test_credit_policy_keeps_the_difference_on_the_balance(self, contract: Contract) -> None:
        subscription, result, before = _downgrade(contract, NegativeDuePolicy.CREDIT)
        assert result.invoice is not None
        assert result.refunds == ()
        balance = contract.billing.customer_balance(subscription.customer_id, subscription.currency)
        assert balance == before + result.invoice.totals.credited

    @requires(payments=["refunds", "partial_refunds"])
    def test_partial_refunds_add_up_to_what_was_paid(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        (invoice,) = contract.invoices(subscription)
        paid = invoice.totals.amount_due
        part = Money.of(paid.amount // 4, paid.currency)
        first = contract.billing.refund(invoice, part)
        assert (first.amount, first.invoice_id) == (part, invoice.id)
        rest = contract.billing.refund(invoice.id)
        assert rest.amount == paid - part
        assert [r.id for r in contract.billing.refunds(invoice.id)] == [first.id, rest.id]

    @requires(payments=["refunds"])
    @pytest.mark.parametrize("bad", ["more-than-paid", "negative", "zero", "other-currency"])
    def test_bad_refund_amounts_are_refused_before_any_refund(self, contract: Contract, bad: str) -> None:
        subscription = contract.subscribe("basic")
        (invoice,) = contract.invoices(subscription)
        guarded, counting = _guarded(contract)
        with pytest.raises(ValidationError) as caught:
            guarded.refund(invoice.id, _bad_amount(bad, invoice.totals.amount_due))
        assert not isinstance(caught.value, UnsupportedCapabilityError), caught.value
        assert caught.value.field == "refund.amount"
        assert counting.calls["refund"] == 0, f"the provider was asked to refund: {dict(counting.calls)}"
        assert contract.billing.refunds(invoice.id) == []

    @requires(payments=["refunds", "partial_refunds"])
    def test_a_refund_retried_with_its_key_is_made_once(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        (invoice,) = contract.invoices(subscription)
        part = Money.of(invoice.totals.amount_due.amount // 2, invoice.currency)
        first = contract.billing.refund(invoice, part, idempotency_key="contract-refund-1")
        again = contract.billing.refund(invoice, part, idempotency_key="contract-refund-1")
        assert again.id == first.id
        rest = contract.billing.refund(invoice)
        assert [r.id for r in contract.billing.refunds(invoice.id)] == [first.id, rest.id]
        assert first.amount + rest.amount == invoice.totals.amount_due
        with pytest.raises(ValidationError):
            contract.billing.refund(invoice)  # nothing is left to refund

    @requires(payments=["pay_invoice", "void_invoice"])
    def test_paying_or_voiding_a_paid_invoice_is_refused_before_any_call(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        (invoice,) = contract.invoices(subscription)
        assert invoice.status is InvoiceStatus.PAID
        guarded, counting = _guarded(contract)
        for attempt in (guarded.pay_invoice, guarded.void_invoice):
            with pytest.raises(InvalidStateError):
                attempt(invoice.id)
        assert (counting.calls["pay_invoice"], counting.calls["void_invoice"]) == (0, 0)
        assert contract.billing.invoice(invoice.id).status is InvoiceStatus.PAID

    @_DECLINED_UPGRADE
    @requires(payment_failure_policy=PaymentFailurePolicy.APPLY_CHANGE, payments=["void_invoice"])
    def test_voiding_the_open_invoice_of_a_declined_upgrade(self, contract: Contract) -> None:
        result = _past_due(contract)
        assert result.invoice is not None
        voided = contract.billing.void_invoice(result.invoice.id)
        assert voided.status is InvoiceStatus.VOID
        assert contract.billing.invoice(result.invoice.id).status is InvoiceStatus.VOID
