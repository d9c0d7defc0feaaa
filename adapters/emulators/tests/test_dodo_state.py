"""The Dodo emulator's state: lists answer from indexes, newest first; the renewal heap misses
no subscription that becomes due; a subscription expires at the end of its period; a field
change is a ``subscription.updated`` event. ``GET /customers`` filters by ``email`` and pages from
``page_number`` 0 (https://docs.dodopayments.com/api-reference/customers/get-customers)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from prorata_emulators.dodo import DodoApp
from prorata_emulators.dodo._state import State

START = datetime(2026, 1, 10, tzinfo=UTC)


def call(app: DodoApp, method: str, path: str, body: dict[str, Any] | None = None, **query: str) -> Any:
    raw = b"" if body is None else json.dumps(body).encode()
    target = f"{path}?{urlencode(query)}" if query else path
    outcome = app.handle(method, target, {"authorization": "Bearer test"}, raw)
    assert outcome.status == 200, outcome.body
    return json.loads(outcome.body) if outcome.body else None


@pytest.fixture
def app() -> DodoApp:
    return DodoApp(state=State(now=START))


def product(app: DodoApp, **term: Any) -> str:
    price = {
        "type": "recurring_price",
        "currency": "USD",
        "price": 1000,
        "payment_frequency_interval": "Month",
        "payment_frequency_count": 1,
        **term,
    }
    return call(app, "POST", "/products", {"name": "Basic", "tax_category": "saas", "price": price})[
        "product_id"
    ]


def customer(app: DodoApp, email: str, card: str | None = "succeeds") -> str:
    metadata = {} if card is None else {"test_card": card}
    return call(app, "POST", "/customers", {"email": email, "name": email, "metadata": metadata})[
        "customer_id"
    ]


def subscribe(app: DodoApp, customer_id: str, product_id: str, *, saved_card: bool = True) -> str:
    body: dict[str, Any] = {
        "billing": {"country": "US"},
        "customer": {"customer_id": customer_id},
        "product_id": product_id,
        "quantity": 1,
    }
    if saved_card:
        body["payment_method_id"] = f"pm_{customer_id}"
    return call(app, "POST", "/subscriptions", body)["subscription_id"]


def move(app: DodoApp, to: datetime) -> None:
    call(app, "POST", "/_emulator/clock", {"now": to.isoformat()})


def test_customers_by_email_are_exact_matches_newest_first_and_paged(app: DodoApp) -> None:
    first = customer(app, "ada@example.test")
    customer(app, "bob@example.test")
    second = customer(app, "ada@example.test")  # no dedup by email: the reference does not say so
    found = call(app, "GET", "/customers", email="ada@example.test")["items"]
    assert [c["customer_id"] for c in found] == [second, first]
    assert (
        call(app, "GET", "/customers", email="ada@example.test", page_size="1", page_number="1")["items"][0][
            "customer_id"
        ]
        == first
    )
    assert call(app, "GET", "/customers", email="nobody@example.test")["items"] == []
    assert len(call(app, "GET", "/customers")["items"]) == 3


def test_subscriptions_and_payments_are_listed_per_customer_and_subscription(app: DodoApp) -> None:
    basic = product(app)
    ada, bob = customer(app, "ada@example.test"), customer(app, "bob@example.test")
    older, other, newer = subscribe(app, ada, basic), subscribe(app, bob, basic), subscribe(app, ada, basic)
    call(app, "PATCH", f"/subscriptions/{older}", {"status": "cancelled"})
    listed = call(app, "GET", "/subscriptions", customer_id=ada)["items"]
    assert [s["subscription_id"] for s in listed] == [newer, older]
    active = call(app, "GET", "/subscriptions", customer_id=ada, status="active")["items"]
    assert [s["subscription_id"] for s in active] == [newer]
    assert [s["subscription_id"] for s in call(app, "GET", "/subscriptions")["items"]] == [
        newer,
        other,
        older,
    ]
    payments = call(app, "GET", "/payments", subscription_id=other)["items"]
    assert [p["subscription_id"] for p in payments] == [other]
    assert {p["subscription_id"] for p in call(app, "GET", "/payments", customer_id=ada)["items"]} == {
        older,
        newer,
    }


def test_refunds_are_found_by_payment_customer_and_subscription(app: DodoApp) -> None:
    basic = product(app)
    ada, bob = customer(app, "ada@example.test"), customer(app, "bob@example.test")
    mine, theirs = subscribe(app, ada, basic), subscribe(app, bob, basic)
    paid = call(app, "GET", "/payments", subscription_id=mine)["items"][0]["payment_id"]
    refund = call(app, "POST", "/refunds", {"payment_id": paid})["refund_id"]
    assert [r["refund_id"] for r in call(app, "GET", "/refunds", customer_id=ada)["items"]] == [refund]
    assert call(app, "GET", "/refunds", subscription_id=theirs)["items"] == []
    assert [r["refund_id"] for r in call(app, "GET", f"/payments/{paid}")["refunds"]] == [refund]


def test_a_subscription_resumed_or_paid_later_still_renews(app: DodoApp) -> None:
    basic = product(app)
    paused = subscribe(app, customer(app, "ada@example.test"), basic)
    pending = subscribe(app, customer(app, "bob@example.test", card=None), basic, saved_card=False)
    call(app, "PATCH", f"/subscriptions/{paused}", {"status": "paused"})
    move(app, START + timedelta(days=40))  # both are skipped: paused, and pending
    call(app, "PATCH", f"/subscriptions/{paused}", {"status": "active"})
    waiting = call(app, "GET", "/payments", subscription_id=pending)["items"][0]["payment_id"]
    call(app, "POST", f"/_emulator/payments/{waiting}/complete", {"outcome": "succeeded"})
    move(app, START + timedelta(days=41))
    for sub in (paused, pending):
        assert call(app, "GET", f"/subscriptions/{sub}")["next_billing_date"] == "2026-03-10T00:00:00Z"
        assert len(call(app, "GET", "/payments", subscription_id=sub)["items"]) == 2


def events(app: DodoApp, subscription_id: str) -> list[tuple[str, dict[str, Any]]]:
    sent = call(app, "GET", "/_emulator/webhooks")["events"]
    bodies = [(e["type"], json.loads(e["body"])["data"]) for e in sent]
    return [(kind, data) for kind, data in bodies if data.get("subscription_id") == subscription_id]


def test_a_subscription_expires_at_the_end_of_its_period(app: DodoApp) -> None:
    """``subscription_period_count``: "When this period ends, the subscription expires. Dodo
    Payments does not start a new billing cycle after the subscription expires"
    (https://docs.dodopayments.com/api-reference/products/create-product);
    ``subscription.expired``: "Subscription reached the end of its term"
    (https://docs.dodopayments.com/developer-resources/webhooks/intents/subscription)."""
    two_months = product(app, subscription_period_count=2, subscription_period_interval="Month")
    sub = subscribe(app, customer(app, "ada@example.test"), two_months)
    assert call(app, "GET", f"/products/{two_months}")["price"]["subscription_period_count"] == 2
    move(app, START + timedelta(days=35))
    assert call(app, "GET", f"/subscriptions/{sub}")["status"] == "active"
    move(app, START + timedelta(days=65))
    after = call(app, "GET", f"/subscriptions/{sub}")
    assert (after["status"], after["subscription_period_interval"]) == ("expired", "Month")
    assert [kind for kind, _ in events(app, sub)][-1] == "subscription.expired"
    move(app, START + timedelta(days=200))
    assert len(call(app, "GET", "/payments", subscription_id=sub)["items"]) == 2  # the first and one renewal


def test_a_metadata_change_sends_subscription_updated(app: DodoApp) -> None:
    """``subscription.updated``: "any field change triggers this event"
    (https://docs.dodopayments.com/developer-resources/webhooks/intents/subscription)."""
    sub = subscribe(app, customer(app, "ada@example.test"), product(app))
    call(app, "PATCH", f"/subscriptions/{sub}", {"metadata": {"plan": "gold"}})
    kind, data = events(app, sub)[-1]
    assert (kind, data["metadata"]) == ("subscription.updated", {"plan": "gold"})


def test_a_change_that_restarts_the_cycle_renews_on_the_new_date(app: DodoApp) -> None:
    basic, other = product(app), product(app)
    sub = subscribe(app, customer(app, "ada@example.test"), basic)
    move(app, START + timedelta(days=10))
    body = {"product_id": other, "quantity": 1, "proration_billing_mode": "prorated_immediately"}
    call(app, "POST", f"/subscriptions/{sub}/change-plan", body)
    assert call(app, "GET", f"/subscriptions/{sub}")["next_billing_date"] == "2026-02-20T00:00:00Z"
    move(app, START + timedelta(days=35))  # the old date (February 10) passes: nothing is due
    assert call(app, "GET", f"/subscriptions/{sub}")["next_billing_date"] == "2026-02-20T00:00:00Z"
    move(app, START + timedelta(days=45))
    assert call(app, "GET", f"/subscriptions/{sub}")["next_billing_date"] == "2026-03-20T00:00:00Z"
