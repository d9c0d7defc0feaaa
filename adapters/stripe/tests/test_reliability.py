"""Idempotency keys, retries after lost responses, injected faults, rate limits, error mapping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import stripe

from prorata import Billing, Customer, PlanChange
from prorata.errors import ConflictError, NotFoundError, ProviderUnavailableError
from prorata.provider import TimeControl
from prorata_emulators.stripe import Fault, StripeEmulator


def test_same_key_same_body_replays_and_other_body_is_an_idempotency_error(
    stripe_client: stripe.StripeClient,
) -> None:
    first = stripe_client.v1.products.create({"name": "A"}, {"idempotency_key": "k-1"})
    again = stripe_client.v1.products.create({"name": "A"}, {"idempotency_key": "k-1"})
    assert again.id == first.id
    assert again.last_response is not None
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    with pytest.raises(stripe.IdempotencyError) as caught:
        stripe_client.v1.products.create({"name": "B"}, {"idempotency_key": "k-1"})
    assert "same parameters" in str(caught.value.user_message)
    assert len(stripe_client.v1.products.list().data) == 1


def test_a_lost_response_is_retried_with_the_same_key_and_charges_once(
    billing: Billing,
    time_control: TimeControl,
    emulator: StripeEmulator,
    customer_factory: Callable[..., Customer],
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    time_control.advance(sub.current_period_start + timedelta(days=10))
    sub = billing.get(sub.id)
    emulator.inject(Fault(kind="drop_after_commit", route="POST /v1/subscriptions/{id}"))
    result = billing.apply(sub, PlanChange.swap("basic", "pro"))
    assert result.replayed is True, "the SDK retried and Stripe answered from its idempotency store"
    assert emulator.request_counts()["POST /v1/subscriptions/{id}"] == 2
    charges = [i for i in billing.invoices(sub.id) if i.reason == "subscription_update"]
    assert len(charges) == 1
    again = billing.apply(sub, PlanChange.swap("basic", "pro"))
    assert again.replayed
    assert again.invoice is not None
    assert again.invoice.id == charges[0].id
    assert len([i for i in billing.invoices(sub.id) if i.reason == "subscription_update"]) == 1


def test_server_errors_are_retried_by_the_sdk(
    billing: Billing, emulator: StripeEmulator, customer_factory: Callable[..., Customer]
) -> None:
    customer = customer_factory()
    emulator.inject(Fault(kind="error_before_commit", route="POST /v1/subscriptions"))
    sub = billing.subscribe(customer.id, "basic")
    assert sub.plan_quantities == {"basic": 1}
    assert emulator.request_counts()["POST /v1/subscriptions"] == 2


def test_rate_limit_becomes_provider_unavailable_with_retry_after(
    billing: Billing, emulator: StripeEmulator, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    emulator.inject(Fault(kind="rate_limit", retry_after=7))
    with pytest.raises(ProviderUnavailableError) as caught:
        billing.get(sub.id)
    error = caught.value
    assert error.retry_after == 7
    assert error.http_status == 429
    assert error.code == "rate_limit"
    assert error.request_id is not None
    assert error.request_id.startswith("req_")
    assert isinstance(error.__cause__, stripe.RateLimitError)
    assert billing.get(sub.id).id == sub.id, "the limit was for one request"


def test_missing_objects_become_not_found_with_stripe_details(billing: Billing) -> None:
    with pytest.raises(NotFoundError) as caught:
        billing.get("sub_missing")
    assert caught.value.param == "id"
    assert caught.value.provider_type == "invalid_request_error"
    assert caught.value.code == "resource_missing"


def test_reused_key_for_another_change_is_a_conflict(
    billing: Billing, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    billing.apply(sub, PlanChange.add("addon"), idempotency_key="fixed-key")
    with pytest.raises(ConflictError):
        billing.apply(sub, PlanChange.add("storage"), idempotency_key="fixed-key")


def test_requests_without_an_api_key_are_refused(emulator: StripeEmulator) -> None:
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{emulator.url}/v1/customers")
    assert caught.value.code == 401
