"""Webhooks: the same story yields the same normalized events on every provider.

What docs/events.md promises:

- A story (subscribe with a trial, the trial ends, a renewal, an upgrade, cancel at the
  period end, the period ends; and a failed renewal then its recovery) delivers, step by
  step, the same set of *portable* normalized event types on every provider. Portable:
  the subscription events and ``invoice.paid`` / ``invoice.payment_failed`` of invoices
  that charge something (Stripe also reports ``invoice.created``/``finalized`` and
  ``trial_will_end``, a zero-amount trial invoice, which not every provider has).
- After each step, ``Billing.sync`` equals ``get`` and the figures of the next invoice.
- A refund is one ``refund.created`` event.
- Deliveries are verified: a tampered body, a signature of another delivery, no headers,
  an expired timestamp or another secret raise ``WebhookVerificationError``; a replay is
  reported as a duplicate and never reaches the handler twice. (A timestamp from the future
  is refused by Standard Webhooks, not by Stripe's library: not part of the contract.)
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from fractions import Fraction

import pytest

from prorata import (
    BillingCycle,
    BillingEvent,
    EventType,
    PlanChange,
    ProrationMode,
    SubscriptionSnapshot,
    TimingKind,
)
from prorata.errors import WebhookVerificationError
from prorata.provider import (
    TEST_CARD_SUCCEEDS,
    InvoiceStatus,
    Subscription,
    upcoming_renewal,
)
from prorata_contract._fixtures import ContractFixtures
from prorata_contract._guard import standard
from prorata_contract._harness import Contract, WebhookDelivery
from prorata_contract._requirements import requires

__all__ = ["PORTABLE_EVENT_TYPES", "WebhookTests"]

E = EventType

PORTABLE_EVENT_TYPES = frozenset(
    {
        E.SUBSCRIPTION_CREATED,
        E.SUBSCRIPTION_UPDATED,
        E.SUBSCRIPTION_RENEWED,
        E.SUBSCRIPTION_PAST_DUE,
        E.SUBSCRIPTION_CANCELED,
        E.INVOICE_PAID,
        E.INVOICE_PAYMENT_FAILED,
    }
)
"""Normalized types every provider reports for the story (docs/events.md)."""

TOLERANCE = 300
"""Seconds a signature stays valid on every provider (Stripe's default, Standard Webhooks)."""


def _portable(events: list[BillingEvent], subscription_id: str) -> set[EventType]:
    """The portable types of one subscription's events (invoices that charge nothing left out)."""
    found: set[EventType] = set()
    for event in events:
        if event.subscription_id != subscription_id or event.type not in PORTABLE_EVENT_TYPES:
            continue
        if event.type.is_invoice and event.invoice is not None and event.invoice.totals.total.amount == 0:
            continue
        found.add(event.type)
    return found


def _step(contract: Contract, subscription_id: str) -> set[EventType]:
    events = [contract.billing.parse_event(headers, body) for headers, body in contract.deliveries()]
    return _portable(events, subscription_id)


def _check_sync(contract: Contract, subscription: Subscription | str) -> SubscriptionSnapshot:
    """``sync`` equals ``get``, the newest charge and the figures of the next invoice."""
    subscription_id = subscription if isinstance(subscription, str) else subscription.id
    snapshot = contract.billing.sync(subscription_id)
    current = contract.get(subscription_id)
    assert snapshot.subscription == current
    charges = [i for i in contract.invoices(subscription_id) if i.totals.total.amount >= 0]
    if charges:
        assert snapshot.latest_invoice is not None
        assert (snapshot.latest_invoice.id, snapshot.latest_invoice.status) == (
            charges[-1].id,
            charges[-1].status,
        )
    balance = contract.billing.balance(current.customer_id, currency=current.currency)
    expected = upcoming_renewal(contract.catalog, current, balance)
    if expected is None:
        assert snapshot.next_payment is None
    else:
        assert snapshot.next_payment is not None
        assert snapshot.next_payment.at == expected.at
        assert snapshot.next_payment.amount == expected.totals.amount_due
    return snapshot


def _tampered(body: bytes) -> bytes:
    """The body with one JSON value changed (a different event for the same signature)."""
    for old, new in ((b"false", b"true "), (b"true", b"false"[:4])):
        if old in body:
            return body.replace(old, new, 1)
    return body[:-1] + b" " + body[-1:]


_STORY = requires(
    events=True,
    time_control=True,
    trials=True,
    cancel_at_period_end=True,
    timing=TimingKind.IMMEDIATELY,
    proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP),
)


@standard("webhooks")
class WebhookTests(ContractFixtures):
    """Normalized events of a subscription's life, signature checks, replays, sync."""

    @_STORY
    def test_the_story_delivers_the_same_events(self, contract: Contract) -> None:
        contract.deliveries()  # whatever came before the story
        customer = contract.customer()
        subscription = contract.billing.subscribe(customer.id, "basic", trial_days=7)
        assert _step(contract, subscription.id) == {E.SUBSCRIPTION_CREATED}
        _check_sync(contract, subscription)

        contract.pass_boundary(subscription.current_period_end)  # the trial ends
        assert _step(contract, subscription.id) == {E.SUBSCRIPTION_RENEWED, E.INVOICE_PAID}
        renewed = _check_sync(contract, subscription)

        contract.pass_boundary(renewed.current_period_end)
        assert _step(contract, subscription.id) == {E.SUBSCRIPTION_RENEWED, E.INVOICE_PAID}
        current = contract.into_period(contract.get(subscription), Fraction(1, 2))

        change = PlanChange.swap("basic", "premium", proration=ProrationMode.PRORATE_NOW)
        contract.billing.apply(current, change)
        assert _step(contract, subscription.id) == {E.SUBSCRIPTION_UPDATED, E.INVOICE_PAID}
        _check_sync(contract, subscription)

        contract.billing.apply(subscription.id, PlanChange.cancel_at_period_end())
        assert _step(contract, subscription.id) == {E.SUBSCRIPTION_UPDATED}
        ending = _check_sync(contract, subscription)
        assert ending.next_payment is None

        contract.pass_boundary(ending.current_period_end)
        assert _step(contract, subscription.id) == {E.SUBSCRIPTION_CANCELED}
        assert _check_sync(contract, subscription).status.value == "canceled"

    @requires(
        events=True, time_control=True, decline_payments=True, payments=["pay_invoice", "set_payment_method"]
    )
    def test_a_failed_renewal_and_its_recovery(self, contract: Contract) -> None:
        contract.deliveries()
        customer = contract.customer()
        subscription = contract.subscribe("basic", customer=customer)
        assert _step(contract, subscription.id) == {E.SUBSCRIPTION_CREATED, E.INVOICE_PAID}

        contract.decline(customer.id)
        contract.pass_boundary(subscription.current_period_end)
        # Where the new period starts before its payment is tried (Stripe: the renewal invoice
        # stays a draft for about an hour), subscription.renewed comes first; the rest is the same.
        renewal = _step(contract, subscription.id) - {E.SUBSCRIPTION_RENEWED}
        assert renewal == {E.INVOICE_PAYMENT_FAILED, E.SUBSCRIPTION_PAST_DUE}
        failed = _check_sync(contract, subscription)
        assert failed.latest_invoice_status is InvoiceStatus.OPEN
        assert failed.latest_invoice is not None

        contract.billing.set_payment_method(customer.id, TEST_CARD_SUCCEEDS)
        contract.billing.pay_invoice(failed.latest_invoice.id)
        assert _step(contract, subscription.id) == {E.INVOICE_PAID, E.SUBSCRIPTION_UPDATED}
        recovered = _check_sync(contract, subscription)
        assert recovered.status.value == "active"
        assert recovered.latest_invoice_status is InvoiceStatus.PAID

    @requires(events=True)
    def test_events_carry_ids_and_keep_the_payload_out_of_repr(self, contract: Contract) -> None:
        contract.deliveries()
        customer = contract.customer()
        subscription = contract.subscribe("basic", customer=customer)
        events = [contract.billing.parse_event(h, b) for h, b in contract.deliveries()]
        created = [
            e for e in events if e.type is E.SUBSCRIPTION_CREATED and e.subscription_id == subscription.id
        ]
        assert len(created) == 1, [(e.provider_type, e.type.value) for e in events]
        (event,) = created
        assert event.provider == contract.provider
        assert event.customer_id == customer.id
        assert event.id
        assert len({e.id for e in events}) == len(events), "every event has its own id"
        assert "raw" not in repr(event)
        paid = [e for e in events if e.type is E.INVOICE_PAID and e.subscription_id == subscription.id]
        assert paid, "the first invoice was paid"
        assert paid[-1].invoice_id is not None

    @requires(events=True, payments=["refunds"])
    def test_a_refund_is_an_event(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        (invoice,) = contract.invoices(subscription)
        contract.deliveries()
        refund = contract.billing.refund(invoice.id)
        events = [contract.billing.parse_event(h, b) for h, b in contract.deliveries()]
        assert [e.type for e in events if e.type is E.REFUND_CREATED] == [E.REFUND_CREATED], (
            f"one refund.created for {refund.id}: {[(e.provider_type, e.type.value) for e in events]}"
        )

    @requires(events=True)
    def test_tampered_forged_and_unsigned_deliveries_are_refused(self, contract: Contract) -> None:
        contract.deliveries()
        contract.subscribe("basic")
        deliveries = contract.deliveries()
        assert len(deliveries) >= 2, "subscribing sends at least two webhooks"
        (headers, body), (other_headers, other_body) = deliveries[0], deliveries[-1]
        assert contract.billing.parse_event(headers, body).id
        refused: dict[str, tuple[Mapping[str, str], bytes]] = {
            "tampered body": (headers, _tampered(body)),
            "another delivery's signature": (other_headers, body),
            "no signature headers": ({}, body),
            "not even the same body": (headers, other_body),
        }
        for h, b in refused.values():
            with pytest.raises(WebhookVerificationError):
                contract.billing.parse_event(h, b)

    @requires(events=True, webhook_signer=True)
    def test_tolerance_and_secret(self, contract: Contract) -> None:
        contract.deliveries()
        contract.subscribe("basic")
        delivery = contract.deliveries()[0]
        signer = contract.webhook_signer
        assert signer is not None
        now = int(time.time())
        recent = signer(delivery, now - 60, False)
        assert contract.billing.parse_event(*recent).id == contract.billing.parse_event(*delivery).id
        for resigned in {
            "expired": signer(delivery, now - TOLERANCE - 60, False),
            "another secret": signer(delivery, now, True),
        }.values():
            with pytest.raises(WebhookVerificationError):
                contract.billing.parse_event(*resigned)

    @requires(events=True)
    def test_replays_are_duplicates_and_handlers_act_on_sync(self, contract: Contract) -> None:
        contract.deliveries()
        customer = contract.customer()
        subscription = contract.subscribe("basic", customer=customer)
        contract.billing.apply(subscription.id, PlanChange.cancel_at_period_end())
        deliveries: list[WebhookDelivery] = contract.deliveries()
        seen: list[str] = []
        views: list[SubscriptionSnapshot] = []

        def handler(event: BillingEvent) -> str:
            seen.append(event.id)
            if event.subscription_id is not None:
                views.append(contract.billing.sync(event.subscription_id))
            return event.id

        # delivered out of order, then every delivery once more (at-least-once delivery)
        outcomes = [
            contract.billing.process_event(h, b, handler) for h, b in [*reversed(deliveries), *deliveries]
        ]
        first, again = outcomes[: len(deliveries)], outcomes[len(deliveries) :]
        assert [o.duplicate for o in first] == [False] * len(deliveries)
        assert [o.duplicate for o in again] == [True] * len(deliveries)
        assert len(seen) == len(set(seen)) == len(deliveries), "each event reached the handler once"
        assert all(o.result is None for o in again)
        current = contract.get(subscription)
        assert views, "the handler read the subscription"
        assert all(view.subscription == current for view in views), (
            "whatever the delivery order, the handler saw the subscription as it is now"
        )
