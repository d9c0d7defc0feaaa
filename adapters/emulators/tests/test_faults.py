"""The kit's faults, the same on both emulators: armed, over HTTP, and at a random rate."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from prorata_emulators.dodo import DodoEmulator
from prorata_emulators.kit import Fault, Faults, fault_from_json
from prorata_emulators.stripe import running


def test_armed_faults_hit_their_route_the_given_number_of_times() -> None:
    faults = Faults()
    faults.arm(Fault(kind="rate_limit", route="POST /v1/subscriptions", times=2))
    assert faults.take("POST /v1/subscriptions/{id}") is None  # a name, not a prefix
    assert faults.take("POST /v1/subscriptions") is not None
    assert faults.take("POST /v1/subscriptions") is not None
    assert faults.take("POST /v1/subscriptions") is None
    assert faults.injected == {"rate_limit": 2}


def test_a_trailing_star_is_a_prefix() -> None:
    faults = Faults()
    faults.arm(Fault(kind="latency", route="POST /v1/*"))
    assert faults.take("GET /v1/customers/{id}") is None
    assert faults.take("POST /v1/customers") is not None


def test_random_faults_hit_about_the_rate_and_repeat_for_a_seed() -> None:
    def run() -> list[str | None]:
        faults = Faults()
        faults.randomly(0.3, ["drop_after_commit", "error_before_commit"], seed=11)
        return [getattr(faults.take("POST /x"), "kind", None) for _ in range(2000)]

    first = run()
    assert first == run()
    hits = sum(kind is not None for kind in first)
    assert 500 < hits < 700
    assert {kind for kind in first if kind} == {"drop_after_commit", "error_before_commit"}


@pytest.mark.parametrize(
    "body",
    [{}, {"kind": "explode"}, {"kind": "latency", "delay": 600}, {"kind": "rate_limit", "times": 0}, [1]],
)
def test_malformed_fault_specs_are_refused(body: object) -> None:
    with pytest.raises(ValueError, match=r"kind|delay|times|object"):
        fault_from_json(body)


def _post(url: str, body: object) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _customers(url: str, auth: str, body: bytes, content_type: str) -> int:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Authorization": auth, "Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_both_emulators_take_the_same_fault_over_http() -> None:
    spec = {"kind": "error_before_commit", "status": 503}
    with running() as stripe_server:
        assert _post(stripe_server.url + "/_emulator/faults", {**spec, "route": "POST /v1/customers"}) == 200
        form = b"email=a%40example.com"
        url = stripe_server.url + "/v1/customers"
        assert _customers(url, "Bearer sk_test_x", form, "application/x-www-form-urlencoded") == 503
        assert _customers(url, "Bearer sk_test_x", form, "application/x-www-form-urlencoded") == 200
    with DodoEmulator() as dodo:
        assert _post(dodo.url + "/_emulator/faults", {**spec, "route": "POST /customers"}) == 200
        body = json.dumps({"email": "a@example.com", "name": "A"}).encode()
        assert _customers(dodo.url + "/customers", "Bearer key", body, "application/json") == 503
        assert _customers(dodo.url + "/customers", "Bearer key", body, "application/json") == 200
