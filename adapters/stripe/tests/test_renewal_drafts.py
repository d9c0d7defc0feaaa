"""Renewal invoices stay drafts for about an hour, then are finalized and collected.

https://docs.stripe.com/billing/invoices/subscription#subscription-renewal: "When subscriptions
renew, Stripe: creates an invoice; leaves the invoice in a draft state for about an hour;
attempts to finalize and pay the invoice; changes the invoice status to paid if payment
succeeds." A paid invoice sends both ``invoice.paid`` and ``invoice.payment_succeeded``
(https://docs.stripe.com/api/events/types). Stripe gives no exact delay: the emulator uses one
hour, shown in the invoice's ``automatically_finalizes_at``
(https://docs.stripe.com/api/invoices/object#invoice_object-automatically_finalizes_at).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import stripe

from prorata import Billing, Customer, InvoiceStatus, SubscriptionStatus
from prorata.provider import TEST_CARD_DECLINES, TimeControl
from prorata_emulators.stripe import StripeEmulator


def _event_types(client: stripe.StripeClient, since: int) -> list[str]:
    """The invoice and subscription events since ``since``, sorted by type."""
    events = client.v1.events.list({"limit": 100}).data
    return sorted(e.type for e in events if e.created >= since and not e.type.startswith("test_helpers."))


def test_a_renewal_is_a_draft_for_an_hour_then_paid(
    billing: Billing,
    time_control: TimeControl,
    stripe_client: stripe.StripeClient,
    customer_factory: Callable[..., Customer],
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    renewal_at = sub.current_period_end
    time_control.advance(renewal_at)
    draft = stripe_client.v1.invoices.retrieve(
        str(stripe_client.v1.subscriptions.retrieve(sub.id).latest_invoice)
    )
    assert draft.status == "draft"
    assert draft.billing_reason == "subscription_cycle"
    assert draft.number is None
    assert draft.automatically_finalizes_at == int(renewal_at.timestamp()) + 3600
    snapshot = billing.sync(sub.id)
    assert snapshot.subscription.status is SubscriptionStatus.ACTIVE
    assert snapshot.latest_invoice is not None
    assert snapshot.latest_invoice.status is InvoiceStatus.DRAFT, "not paid yet"
    assert _event_types(stripe_client, int(renewal_at.timestamp())) == [
        "customer.subscription.updated",
        "invoice.created",
    ]

    time_control.advance(renewal_at + timedelta(hours=1))
    paid = stripe_client.v1.invoices.retrieve(draft.id)
    assert (paid.status, paid.amount_paid, paid.automatically_finalizes_at) == (
        "paid",
        draft.amount_due,
        None,
    )
    assert paid.number is not None
    assert _event_types(stripe_client, int(renewal_at.timestamp()) + 3600) == [
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
    ]
    assert billing.sync(sub.id).latest_invoice.status is InvoiceStatus.PAID  # pyright: ignore[reportOptionalMemberAccess]


def test_a_declined_renewal_fails_when_the_hour_is_up(
    billing: Billing,
    time_control: TimeControl,
    stripe_client: stripe.StripeClient,
    customer_factory: Callable[..., Customer],
) -> None:
    customer = customer_factory()
    sub = billing.subscribe(customer.id, "basic")
    billing.set_payment_method(customer.id, TEST_CARD_DECLINES)
    time_control.advance(sub.current_period_end + timedelta(minutes=59))
    assert billing.get(sub.id).status is SubscriptionStatus.ACTIVE, "nothing was charged yet"
    time_control.advance(sub.current_period_end + timedelta(hours=1))
    assert billing.get(sub.id).status is SubscriptionStatus.PAST_DUE
    latest = billing.sync(sub.id).latest_invoice
    assert latest is not None
    assert latest.status is InvoiceStatus.OPEN


def test_finalizing_a_draft_early_keeps_its_collection_time(
    billing: Billing,
    time_control: TimeControl,
    stripe_client: stripe.StripeClient,
    customer_factory: Callable[..., Customer],
) -> None:
    """https://docs.stripe.com/api/invoices/finalize: a draft can be finalized by hand; with
    ``auto_advance`` Stripe still collects it automatically (the emulator: when its hour is up)."""
    sub = billing.subscribe(customer_factory().id, "basic")
    time_control.advance(sub.current_period_end)
    draft_id = str(stripe_client.v1.subscriptions.retrieve(sub.id).latest_invoice)
    finalized = stripe_client.v1.invoices.finalize_invoice(draft_id)
    assert (finalized.status, finalized.amount_paid) == ("open", 0)
    assert finalized.number is not None
    with pytest.raises(stripe.InvalidRequestError):  # only a draft can be finalized
        stripe_client.v1.invoices.finalize_invoice(draft_id)
    time_control.advance(sub.current_period_end + timedelta(hours=1))
    assert stripe_client.v1.invoices.retrieve(draft_id).status == "paid"


def test_months_in_one_advance_finalize_each_draft_in_turn(
    billing: Billing,
    time_control: TimeControl,
    emulator: StripeEmulator,
    customer_factory: Callable[..., Customer],
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    time_control.advance(sub.current_period_start + timedelta(days=95))
    statuses = [invoice.status for invoice in billing.invoices(sub.id)]
    assert statuses == [InvoiceStatus.PAID] * 4


def test_ending_a_trial_through_the_api_charges_at_once(
    billing: Billing, stripe_client: stripe.StripeClient, customer_factory: Callable[..., Customer]
) -> None:
    """``trial_end=now`` ends the trial in the request itself: the first invoice is finalized and
    paid in it, not left a draft (https://docs.stripe.com/billing/subscriptions/trials#end-trial-early)."""
    sub = billing.subscribe(customer_factory().id, "basic", trial_days=14)
    updated = stripe_client.v1.subscriptions.update(sub.id, {"trial_end": "now"})
    assert updated.status == "active"
    invoice = stripe_client.v1.invoices.retrieve(str(updated.latest_invoice))
    assert (invoice.status, invoice.billing_reason) == ("paid", "subscription_cycle")
    assert invoice.amount_paid > 0


def test_moving_a_trial_end_moves_the_first_charge(
    billing: Billing,
    time_control: TimeControl,
    stripe_client: stripe.StripeClient,
    customer_factory: Callable[..., Customer],
) -> None:
    """https://docs.stripe.com/api/subscriptions/update#update_subscription-trial_end: a new
    ``trial_end`` overrides the trial; the subscription stays trialing until then."""
    sub = billing.subscribe(customer_factory().id, "basic", trial_days=7)
    later = sub.current_period_start + timedelta(days=20)
    updated = stripe_client.v1.subscriptions.update(sub.id, {"trial_end": int(later.timestamp())})
    assert updated.trial_end == int(later.timestamp())
    assert updated.items.data[0].current_period_end == int(later.timestamp())
    time_control.advance(sub.current_period_start + timedelta(days=10))
    assert billing.get(sub.id).status is SubscriptionStatus.TRIALING
    time_control.advance(later + timedelta(hours=1))
    after = billing.get(sub.id)
    assert after.status is SubscriptionStatus.ACTIVE
    assert after.current_period_start == later
    other = billing.subscribe(customer_factory().id, "basic", trial_days=7)
    with pytest.raises(stripe.InvalidRequestError) as refused:  # a trial end in the past
        stripe_client.v1.subscriptions.update(
            other.id, {"trial_end": int(sub.current_period_start.timestamp())}
        )
    assert refused.value.param == "trial_end"
