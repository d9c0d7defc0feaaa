"""Fidelity against a contract prorata did not write: the stripe SDK's generated types.

conftest.py checks every emulator response (resource class annotations) and every adapter
request (params TypedDicts) of every test at teardown; these tests make sure the checker
itself catches what it must, and pin the documented Stripe behaviours of provider-notes.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import stripe
from stripe.params import (
    InvoiceCreatePreviewParams,
    SubscriptionScheduleUpdateParams,
    SubscriptionUpdateParams,
)

from prorata import AtPeriodEnd, Billing, Customer, Item, PlanChange
from prorata.provider import TimeControl
from prorata_emulators.stripe import StripeEmulator
from prorata_stripe.conformance import check_error, check_request, check_response, unknown_parameters


def _observed(emulator: StripeEmulator, route: str) -> dict[str, object]:
    assert emulator.app.observed is not None
    for request, status, body in reversed(emulator.app.observed):
        if request.startswith(route) and status == 200:
            return json.loads(body)
    raise AssertionError(f"no answer to {route}")


def test_checker_rejects_unknown_missing_and_mistyped_fields(
    billing: Billing, emulator: StripeEmulator, customer_factory: Callable[..., Customer]
) -> None:
    billing.subscribe(customer_factory().id, "basic")
    payload = _observed(emulator, "POST /v1/subscriptions")
    assert check_response(payload) == []
    broken = json.loads(json.dumps(payload))
    broken["items"]["data"][0]["plan"]["iterations"] = 3
    del broken["billing_mode"]
    broken["current_period_end"] = 1
    broken["cancel_at_period_end"] = "false"
    problems = check_response(broken)
    assert "$.items.data[0].plan.iterations: unknown key of Plan" in problems
    assert "$.billing_mode: required field of Subscription missing" in problems
    assert "$.current_period_end: unknown key of Subscription" in problems, "basil moved periods onto items"
    assert "$.cancel_at_period_end: 'false' is not a bool" in problems


def test_checker_rejects_pre_endive_and_pre_clover_requests() -> None:
    assert (
        check_request(
            {"billing_cycle_anchor": {"type": "now"}, "proration_behavior": "always_invoice"},
            SubscriptionUpdateParams,
        )
        == []
    )
    assert check_request({"billing_cycle_anchor": "now"}, SubscriptionUpdateParams) != []
    legacy = {"phases": [{"items": [{"price": "price_x"}], "iterations": 3}]}
    assert unknown_parameters(legacy, SubscriptionScheduleUpdateParams) == ["phases[0][iterations]"]
    assert (
        check_request({"subscription_details": {"proration_date": "soon"}}, InvoiceCreatePreviewParams) != []
    )
    assert check_error({"error": {"type": "invalid_request_error", "message": "x", "bogus": 1}}) == [
        "$.error.bogus: unknown key of ErrorObject"
    ]


def test_every_request_of_a_busy_session_matches_the_sdk_types(
    billing: Billing,
    time_control: TimeControl,
    emulator: StripeEmulator,
    customer_factory: Callable[..., Customer],
    recorded: list[tuple[type, object]],
) -> None:
    sub = billing.subscribe(customer_factory().id, [Item(plan="basic"), Item(plan="seat", quantity=3)])
    time_control.advance(sub.current_period_start + timedelta(days=9))
    sub = billing.get(sub.id)
    for change in (
        PlanChange.swap("basic", "pro"),
        PlanChange.set_quantity("seat", 5),
        PlanChange.add("addon"),
        PlanChange.remove("addon"),
    ):
        sub = billing.apply(sub, change, preview=billing.preview(sub, change)).subscription
    sub = billing.apply(sub, PlanChange.swap("pro", "basic", timing=AtPeriodEnd())).subscription
    billing.cancel_scheduled_change(sub.id)
    billing.apply(billing.get(sub.id), PlanChange.cancel_at_period_end())
    kinds = {kind.__name__ for kind, _ in recorded}
    assert {
        "SubscriptionUpdateParams",
        "InvoiceCreatePreviewParams",
        "SubscriptionScheduleUpdateParams",
        "SubscriptionCreateParams",
    } <= kinds
    assert emulator.app.observed is not None
    assert len(emulator.app.observed) > 20


def test_sdk_parses_every_emulator_object(
    stripe_client: stripe.StripeClient, billing: Billing, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    fetched = stripe_client.v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice", "schedule"]})
    assert isinstance(fetched, stripe.Subscription)
    assert isinstance(fetched.latest_invoice, stripe.Invoice)
    assert isinstance(fetched["items"].data[0], stripe.SubscriptionItem)
    assert fetched["items"].data[0].current_period_end > fetched["items"].data[0].current_period_start
