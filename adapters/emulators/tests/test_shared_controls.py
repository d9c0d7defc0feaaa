"""What both emulators share through the kit: the handle, the control routes, seeding, delivery."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import dodopayments
import pytest
import stripe

from prorata_emulators.dodo import DodoEmulator
from prorata_emulators.kit import Delivery, Emulator, Fault, SeedError, WebhookDelivery, WebhookReceiver
from prorata_emulators.stripe import StripeEmulator


@pytest.fixture(params=["stripe", "dodo"])
def any_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    emulator: Emulator = StripeEmulator() if request.param == "stripe" else DodoEmulator()
    with emulator:
        yield emulator


def _http(url: str, method: str, payload: Any = None) -> tuple[int, Any]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _create_customer(emulator: Emulator) -> None:
    if isinstance(emulator, StripeEmulator):
        stripe.StripeClient(
            "sk_test_kit", base_addresses={"api": emulator.url}, max_network_retries=0
        ).v1.customers.create({"email": "ada@example.test"})
    else:
        sdk = dodopayments.DodoPayments(bearer_token="kit", base_url=emulator.url, max_retries=0)
        sdk.customers.create(email="ada@example.test", name="Ada")


def test_the_request_log_with_bodies_is_readable_over_http(any_emulator: Emulator) -> None:
    _create_customer(any_emulator)
    status, log = _http(any_emulator.url + "/_emulator/requests", "GET")
    assert status == 200
    assert sum(log["counts"].values()) == 1
    (entry,) = log["data"]
    assert entry["method"] == "POST"
    assert entry["status"] == 200
    assert "ada" in entry["body"]
    assert entry["path"].endswith("/customers")
    assert _http(any_emulator.url + "/_emulator/requests", "DELETE")[0] == 200
    assert any_emulator.requests() == []
    assert any_emulator.request_counts() == {}


def test_faults_and_the_write_limit_are_set_the_same_way_on_both(any_emulator: Emulator) -> None:
    any_emulator.inject(Fault(kind="error_before_commit", status=503))
    with pytest.raises((stripe.APIError, dodopayments.APIError)):
        _create_customer(any_emulator)
    assert any_emulator.requests()[-1].status == 503
    assert _http(any_emulator.url + "/_emulator/write_limit", "POST", {"per_second": 0.001})[0] == 200
    _create_customer(any_emulator)  # the bucket starts full: one write goes through...
    with pytest.raises((stripe.RateLimitError, dodopayments.RateLimitError)):
        _create_customer(any_emulator)  # ...the next is refused with 429
    assert _http(any_emulator.url + "/_emulator/write_limit", "POST", {"per_second": None})[0] == 200
    _create_customer(any_emulator)
    assert _http(any_emulator.url + "/_emulator/write_limit", "POST", {"per_second": -1})[0] == 400
    assert _http(any_emulator.url + "/_emulator/write_limit", "POST", [])[0] == 400


def test_seeding_follows_the_rules_but_is_neither_logged_nor_faulted() -> None:
    with StripeEmulator() as emulator:
        emulator.inject(Fault(kind="error_before_commit"))  # armed for the next API request
        customer = emulator.seed.customer(
            email="ada@example.test",
            payment_method="pm_card_visa",
            invoice_settings={"default_payment_method": "pm_card_visa"},
        )
        price = emulator.seed.price(1500, currency="eur", product="Pro")
        subscription = emulator.seed.subscription(customer["id"], price["id"], quantity=3)
        assert subscription["status"] == "active"
        assert subscription["items"]["data"][0]["quantity"] == 3
        assert emulator.requests() == []
        assert emulator.request_counts() == {}
        with pytest.raises(SeedError) as refused:
            emulator.seed.subscription(customer["id"], "price_missing")
        assert refused.value.status == 400 or refused.value.status == 404
        assert refused.value.body["error"]["type"] == "invalid_request_error"
        client = stripe.StripeClient("sk_test_kit", base_addresses={"api": emulator.url})
        with pytest.raises(stripe.APIError):  # the armed fault still waits for the first API call
            client.v1.subscriptions.retrieve(subscription["id"])
        assert client.v1.subscriptions.retrieve(subscription["id"]).items.data[0].quantity == 3


def test_dodo_seeding() -> None:
    with DodoEmulator() as emulator:
        customer = emulator.seed.customer("ada@example.test", "Ada")
        product = emulator.seed.product(2000, currency="USD")
        subscription = emulator.seed.subscription(customer["customer_id"], product["product_id"])
        assert subscription["subscription_id"] in emulator.state.subscriptions
        assert emulator.requests() == []
        with pytest.raises(SeedError) as refused:
            emulator.seed.product(-1)
        assert refused.value.status == 422 or refused.value.status == 400


def test_delivery_retries_a_failing_endpoint_in_order() -> None:
    with WebhookReceiver(fail_first=2) as hooks:
        delivery = WebhookDelivery(retry_delays=(0.01, 0.01, 0.01))
        for n in range(3):
            delivery.send(Delivery(url=hooks.url, headers={"X-N": str(n)}, body=b"{}"))
        delivery.join()
        delivery.stop()
    assert [hook.headers["x-n"] for hook in hooks.received] == ["0", "1", "2"]
    assert len(delivery.failures) == 2
    assert all("HTTP 500" in line for line in delivery.failures)
    assert len(delivery.delivered) == 3


def test_delivery_gives_up_after_the_last_retry() -> None:
    with WebhookReceiver(fail_first=10) as hooks:
        delivery = WebhookDelivery(retry_delays=(0.01,))
        delivery.send(Delivery(url=hooks.url, headers={}, body=b"{}"))
        delivery.join()
        delivery.stop()
    assert hooks.received == []
    assert delivery.delivered == []
    assert len(delivery.failures) == 2
