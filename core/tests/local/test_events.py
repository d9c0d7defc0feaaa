"""The local provider's events: recorded with each write, signed with Standard Webhooks,
drained in process or POSTed to endpoints, verified and deduplicated by ``Billing``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import standardwebhooks

from prorata import Billing, BillingEvent, EventType, PlanChange, ProrationMode
from prorata.errors import WebhookVerificationError
from prorata.local import LocalProvider
from prorata.local import _outbox as outbox
from prorata.provider import TEST_CARD_DECLINES, TEST_CARD_SUCCEEDS, NewCustomer
from prorata_emulators.kit import WebhookReceiver

from .conftest import make_catalog

E = EventType


def _types(billing: Billing, provider: LocalProvider, subscription_id: str) -> list[EventType]:
    events = [billing.parse_event(d.headers, d.body) for d in provider.webhooks.drain()]
    return [e.type for e in events if e.subscription_id == subscription_id]


def test_the_story_in_events(billing: Billing, provider: LocalProvider) -> None:
    clock = billing.time_control()
    customer = billing.create_customer("story@example.com")
    sub = billing.subscribe(customer.id, "basic", trial_days=7)
    assert _types(billing, provider, sub.id) == [E.SUBSCRIPTION_CREATED]
    clock.advance(sub.current_period_end)
    trial_end = [E.INVOICE_CREATED, E.INVOICE_FINALIZED, E.INVOICE_PAID, E.SUBSCRIPTION_RENEWED]
    assert _types(billing, provider, sub.id) == [E.SUBSCRIPTION_TRIAL_WILL_END, *trial_end]
    renewal_at = billing.get(sub.id).current_period_end
    clock.advance(renewal_at)
    assert _types(billing, provider, sub.id) == trial_end
    renewal = [billing.parse_event(d.headers, d.body) for d in provider.webhooks.deliveries()][-1]
    assert renewal.occurred_at == renewal_at, "time-driven events carry the time they happened"
    provider.set_payment_method(customer.id, TEST_CARD_DECLINES)
    clock.advance(billing.get(sub.id).current_period_end)
    failed = [E.INVOICE_CREATED, E.INVOICE_FINALIZED, E.INVOICE_PAYMENT_FAILED, E.SUBSCRIPTION_PAST_DUE]
    assert _types(billing, provider, sub.id) == failed
    provider.set_payment_method(customer.id, TEST_CARD_SUCCEEDS)
    (open_invoice,) = [i for i in billing.invoices(sub.id) if i.status.value == "open"]
    billing.pay_invoice(open_invoice.id)
    assert _types(billing, provider, sub.id) == [E.INVOICE_PAID, E.SUBSCRIPTION_UPDATED]
    billing.apply(sub.id, PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW))
    upgrade = _types(billing, provider, sub.id)
    assert upgrade == [E.INVOICE_CREATED, E.INVOICE_FINALIZED, E.INVOICE_PAID, E.SUBSCRIPTION_UPDATED]
    billing.apply(sub.id, PlanChange.cancel_at_period_end())
    assert _types(billing, provider, sub.id) == [E.SUBSCRIPTION_UPDATED]
    clock.advance(billing.get(sub.id).current_period_end)
    assert _types(billing, provider, sub.id) == [E.SUBSCRIPTION_CANCELED]


def test_events_carry_the_objects_and_ids(billing: Billing, provider: LocalProvider) -> None:
    customer = billing.create_customer("ids@example.com")
    sub = billing.subscribe(customer.id, "basic")
    events = [billing.parse_event(d.headers, d.body) for d in provider.webhooks.drain()]
    created = next(e for e in events if e.type is E.SUBSCRIPTION_CREATED)
    assert created.subscription == sub
    assert (created.customer_id, created.provider) == (customer.id, "local")
    assert created.occurred_at == billing.now()
    paid = next(e for e in events if e.type is E.INVOICE_PAID)
    assert paid.invoice is not None
    assert paid.invoice_id == paid.invoice.id == billing.invoices(sub.id)[0].id
    assert "raw" not in repr(paid)
    assert provider.webhooks.secret.reveal() not in repr(provider.webhooks)


def test_a_refund_is_an_event(billing: Billing, provider: LocalProvider) -> None:
    customer = billing.create_customer("refund@example.com")
    sub = billing.subscribe(customer.id, "basic")
    provider.webhooks.drain()
    refund = billing.refund(billing.invoices(sub.id)[0].id)
    (event,) = [billing.parse_event(d.headers, d.body) for d in provider.webhooks.drain()]
    assert (event.type, event.invoice_id, event.subscription_id) == (
        E.REFUND_CREATED,
        refund.invoice_id,
        sub.id,
    )


def test_forged_tampered_expired_and_replayed(billing: Billing, provider: LocalProvider) -> None:
    customer = billing.create_customer("forged@example.com")
    billing.subscribe(customer.id, "basic")
    delivery = provider.webhooks.drain()[0]
    headers, body = dict(delivery.headers), delivery.body
    secret = provider.webhooks.secret.reveal()

    def signed(key: str, at: int) -> dict[str, str]:
        from datetime import UTC, datetime

        moment = datetime.fromtimestamp(at, tz=UTC)
        return {
            **headers,
            "webhook-timestamp": str(at),
            "webhook-signature": standardwebhooks.Webhook(key).sign(
                headers["webhook-id"], moment, body.decode()
            ),
        }

    now = int(time.time())
    for h, b in [
        (headers, body.replace(b"forged@", b"hacked@") if b"forged@" in body else body + b" "),
        (signed(outbox.new_webhook_secret(), now), body),
        (signed(secret, now - 301), body),
        ({}, body),
    ]:
        with pytest.raises(WebhookVerificationError):
            billing.parse_event(h, b)
    seen: list[BillingEvent] = []
    first = billing.process_event(headers, body, seen.append)
    again = billing.process_event(signed(secret, now), body, seen.append)
    assert (first.duplicate, again.duplicate, len(seen)) == (False, True, 1)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(fail_first=1) as server:
        yield server


def test_http_delivery_is_ordered_and_retried(
    billing: Billing, provider: LocalProvider, receiver: WebhookReceiver
) -> None:
    provider.webhooks.add_endpoint(receiver.url)
    customer = billing.create_customer("http@example.com")
    billing.subscribe(customer.id, "basic")
    assert provider.webhooks.deliver() == 0, "the endpoint failed the first POST: nothing is taken"
    sent = provider.webhooks.deliver()
    assert sent == len(receiver.received) == 4
    assert provider.webhooks.deliver() == 0
    events = [billing.parse_event(r.headers, r.body) for r in receiver.received]
    assert [e.type for e in events] == [
        E.INVOICE_CREATED,
        E.INVOICE_FINALIZED,
        E.INVOICE_PAID,
        E.SUBSCRIPTION_CREATED,
    ]


def test_retention_is_bounded(
    billing: Billing, provider: LocalProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "MAX_EVENTS", 5)
    customer = billing.create_customer("many@example.com")
    sub = billing.subscribe(customer.id, "basic")
    for _ in range(4):
        billing.time_control().advance(billing.get(sub.id).current_period_end + timedelta(seconds=1))
    kept = provider.webhooks.deliveries()
    assert len(kept) == 5
    assert kept[-1].type is E.SUBSCRIPTION_RENEWED


def test_the_secret_lives_in_the_database(tmp_path: Path) -> None:
    database = tmp_path / "billing.sqlite3"
    first = LocalProvider(make_catalog(), database=database)
    second = LocalProvider(make_catalog(), database=database)
    try:
        assert first.webhooks.secret == second.webhooks.secret
        customer = first.create_customer(NewCustomer(email="a@example.com"), idempotency_key="k")
        del customer
    finally:
        first.close()
        second.close()


def test_a_payment_that_needs_the_customer_is_an_action_required_event(
    billing: Billing, provider: LocalProvider
) -> None:
    from prorata.provider import TEST_CARD_REQUIRES_ACTION

    customer = billing.create_customer("3ds@example.com", payment_method=TEST_CARD_REQUIRES_ACTION)
    sub = billing.subscribe(customer.id, "basic")
    assert sub.payment_action is not None
    events = [billing.parse_event(d.headers, d.body) for d in provider.webhooks.drain()]
    (action,) = [e for e in events if e.type is E.INVOICE_PAYMENT_ACTION_REQUIRED]
    assert action.invoice_id == sub.payment_action.invoice_id
    assert action.subscription_id == sub.id


def test_trial_will_end_three_days_before_once(billing: Billing, provider: LocalProvider) -> None:
    """As Stripe: https://docs.stripe.com/api/events/types#event_types-customer.subscription.trial_will_end"""
    clock = billing.time_control()
    customer = billing.create_customer("notice@example.com")
    sub = billing.subscribe(customer.id, "basic", trial_days=7)
    assert sub.trial_end is not None
    provider.webhooks.drain()
    clock.advance(sub.trial_end - timedelta(days=3, hours=1))
    assert _types(billing, provider, sub.id) == []
    clock.advance(sub.trial_end - timedelta(days=2))
    events = [billing.parse_event(d.headers, d.body) for d in provider.webhooks.drain()]
    (notice,) = events
    assert notice.type is E.SUBSCRIPTION_TRIAL_WILL_END
    assert notice.occurred_at == sub.trial_end - timedelta(days=3)
    assert billing.get(sub.id).revision == sub.revision, "a notice changes nothing"
    clock.advance(sub.trial_end + timedelta(days=40))
    later = _types(billing, provider, sub.id)
    assert E.SUBSCRIPTION_TRIAL_WILL_END not in later
    assert later.count(E.SUBSCRIPTION_RENEWED) == 2


def test_a_short_trial_gets_its_notice_at_the_start(billing: Billing, provider: LocalProvider) -> None:
    customer = billing.create_customer("short@example.com")
    sub = billing.subscribe(customer.id, "basic", trial_days=2)
    billing.time_control().advance(sub.current_period_start + timedelta(minutes=1))
    assert E.SUBSCRIPTION_TRIAL_WILL_END in _types(billing, provider, sub.id)


def test_a_change_at_the_period_end_is_a_scheduled_change_applied(
    billing: Billing, provider: LocalProvider
) -> None:
    from prorata import AtPeriodEnd

    customer = billing.create_customer("later@example.com")
    sub = billing.subscribe(customer.id, "basic")
    billing.apply(sub.id, PlanChange.swap("basic", "pro", timing=AtPeriodEnd()))
    provider.webhooks.drain()
    billing.time_control().advance(sub.current_period_end)
    types = _types(billing, provider, sub.id)
    assert types[-2:] == [E.SUBSCRIPTION_SCHEDULED_CHANGE_APPLIED, E.SUBSCRIPTION_RENEWED], types
