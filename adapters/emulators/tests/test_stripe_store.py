"""The Stripe emulator's state: writes work on a copy-on-read overlay, published only on success."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

from prorata_emulators.stripe import StripeApp
from prorata_emulators.stripe._store import Store, public

HEADERS = {"Authorization": "Bearer sk_test_store", "Content-Type": "application/x-www-form-urlencoded"}


def _obj(object_id: str, **fields: object) -> dict[str, object]:
    return {"id": object_id, "object": "customer", **fields}


def test_an_overlay_copies_on_read_and_publishes_on_absorb() -> None:
    state = Store()
    state.put(_obj("cus_1", email="a@example.com"))
    work = state.overlay()
    work.get("customer", "cus_1")["email"] = "b@example.com"
    work.put(_obj("cus_2", email="c@example.com"))
    assert state.get("customer", "cus_1")["email"] == "a@example.com"
    assert state.maybe("customer", "cus_2") is None
    assert [c["id"] for c in work.scan("customer")] == ["cus_1", "cus_2"]
    state.absorb(work)
    assert state.get("customer", "cus_1")["email"] == "b@example.com"
    assert state.ids("customer") == ["cus_1", "cus_2"]


def test_a_dropped_overlay_leaves_the_state_as_it_was() -> None:
    state = Store()
    state.put(_obj("cus_1", email="a@example.com"))
    work = state.overlay()
    work.get("customer", "cus_1")["email"] = "changed@example.com"
    work.delete("customer", "cus_1")
    assert work.maybe("customer", "cus_1") is None
    assert state.get("customer", "cus_1")["email"] == "a@example.com"


def test_deletions_and_creations_in_an_overlay() -> None:
    state = Store()
    state.put(_obj("cus_1"))
    work = state.overlay()
    work.delete("customer", "cus_1")
    work.put(_obj("cus_2"))
    assert work.ids("customer") == ["cus_2"]
    assert [c["id"] for c in work.created_objects("customer")] == ["cus_2"]
    state.absorb(work)
    assert state.ids("customer") == ["cus_2"]


def test_retention_keeps_the_newest() -> None:
    state = Store(retention={"customer": 2})
    work = state.overlay()
    for index in range(5):
        work.put(_obj(f"cus_{index}"))
    state.absorb(work)
    assert state.ids("customer") == ["cus_3", "cus_4"]


def _post(emulator: StripeApp, path: str, params: dict[str, str]) -> tuple[int, dict[str, object]]:
    response = emulator.handle("POST", path, HEADERS, urlencode(params).encode())
    return response.status, json.loads(response.body)


def test_a_refused_request_changes_nothing_on_the_wire() -> None:
    # https://docs.stripe.com/api/errors: a request that fails returns an error and is not applied.
    emulator = StripeApp.create()
    status, customer = _post(emulator, "/v1/customers", {"email": "a@example.com"})
    assert status == 200
    before = emulator.handle("GET", f"/v1/customers/{customer['id']}", HEADERS, b"").body
    status, _ = _post(
        emulator,
        f"/v1/customers/{customer['id']}",
        {"email": "b@example.com", "invoice_settings[default_payment_method]": "pm_does_not_exist"},
    )
    assert status >= 400
    assert emulator.handle("GET", f"/v1/customers/{customer['id']}", HEADERS, b"").body == before


def test_http_basic_auth_as_stripes_curl_examples_send_it() -> None:
    # https://docs.stripe.com/api/authentication: the API key is the Basic user name, no password.
    emulator = StripeApp.create()
    basic = "Basic " + base64.b64encode(b"sk_test_curl:").decode()
    for authorization, status in (
        (basic, 200),
        ("Basic " + base64.b64encode(b":").decode(), 401),
        ("Basic !!", 401),
    ):
        response = emulator.handle(
            "POST",
            "/v1/customers",
            {"Authorization": authorization, "Content-Type": "application/x-www-form-urlencoded"},
            b"email=a%40example.com",
        )
        assert response.status == status, authorization


def test_retention_keeps_the_newest_of_a_kind_when_many_are_dropped_at_once() -> None:
    state = Store(retention={"event": 3})
    work = state.overlay()
    for index in range(10):
        work.put({"id": f"evt_{index}", "object": "event"})
    state.absorb(work)
    assert state.ids("event") == ["evt_7", "evt_8", "evt_9"]


def test_public_copies_the_tree_without_private_keys() -> None:
    obj = {"id": "in_1", "_private": 1, "lines": {"data": [{"amount": 5, "_x": 2, "tags": ["a"]}]}}
    shown = public(obj)
    assert shown == {"id": "in_1", "lines": {"data": [{"amount": 5, "tags": ["a"]}]}}
    shown["lines"]["data"][0]["tags"].append("b")
    assert obj["lines"]["data"][0]["tags"] == ["a"]  # pyright: ignore[reportIndexIssue]
