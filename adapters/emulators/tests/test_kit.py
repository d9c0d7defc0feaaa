"""The shared kit: keep-alive HTTP/1.1, a request log with bodies, and 4xx (never 5xx) on bad bodies."""

from __future__ import annotations

import http.client
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prorata_emulators.dodo import DodoEmulator
from prorata_emulators.stripe import running

STRIPE_AUTH = {"Authorization": "Bearer sk_test_kit", "Content-Type": "application/x-www-form-urlencoded"}
DODO_AUTH = {"Authorization": "Bearer dodo_test_kit", "Content-Type": "application/json"}


def _connect(url: str) -> http.client.HTTPConnection:
    host, port = url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=10)


def _call(
    conn: http.client.HTTPConnection, method: str, path: str, body: bytes, headers: dict[str, str]
) -> int:
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def test_stripe_keeps_the_connection_alive_and_logs_bodies_and_statuses() -> None:
    with running() as server:
        conn = _connect(server.url)
        assert _call(conn, "POST", "/v1/customers", b"email=a%40example.test", STRIPE_AUTH) == 200
        first_socket = conn.sock
        assert _call(conn, "GET", "/v1/customers/cus_missing", b"", STRIPE_AUTH) == 404
        assert conn.sock is first_socket  # one TCP connection served both requests
        logged = server.requests()
    assert [(e.method, e.path, e.status) for e in logged] == [
        ("POST", "/v1/customers", 200),
        ("GET", "/v1/customers/cus_missing", 404),
    ]
    assert logged[0].text() == "email=a%40example.test"


def test_dodo_keeps_the_connection_alive_and_logs_bodies_and_statuses() -> None:
    with DodoEmulator() as emulator:
        conn = _connect(emulator.url)
        body = json.dumps({"email": "b@example.test", "name": "B"}).encode()
        assert _call(conn, "POST", "/customers", body, DODO_AUTH) == 200
        first_socket = conn.sock
        assert _call(conn, "GET", "/customers/cus_missing", b"", DODO_AUTH) == 404
        assert conn.sock is first_socket
        logged = emulator.requests()
    assert [(e.method, e.path, e.status) for e in logged] == [
        ("POST", "/customers", 200),
        ("GET", "/customers/cus_missing", 404),
    ]
    assert logged[0].json() == {"email": "b@example.test", "name": "B"}


def test_malformed_bodies_get_the_providers_400_shape() -> None:
    with running() as server:
        conn = _connect(server.url)
        conn.request("POST", "/v1/customers", body=b"\xff\xfe=\x80", headers=STRIPE_AUTH)
        response = conn.getresponse()
        assert response.status == 400
        assert json.loads(response.read())["error"]["type"] == "invalid_request_error"
    with DodoEmulator() as emulator:
        conn = _connect(emulator.url)
        for body in (b"\xff\xfe", b"[1]", b'"text"', b"{"):
            conn.request("POST", "/customers", body=body, headers=DODO_AUTH)
            response = conn.getresponse()
            assert response.status == 400, body
            assert json.loads(response.read())["code"] == "INVALID_JSON"


_STRIPE_ROUTES = ["/v1/customers", "/v1/products", "/v1/prices", "/v1/subscriptions", "/v1/invoices"]
_DODO_ROUTES = ["/customers", "/products", "/subscriptions", "/discounts"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stripe_route=st.sampled_from(_STRIPE_ROUTES),
    dodo_route=st.sampled_from(_DODO_ROUTES),
    raw=st.binary(max_size=64),
    form=st.dictionaries(
        st.sampled_from(
            ["email", "amount", "currency", "items[0][price]", "metadata[k]", "unit_amount", "product"]
        ),
        st.text(max_size=12),
        max_size=4,
    ),
    payload=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=6,
    ),
)
def test_fuzzed_bodies_never_get_a_5xx(
    stripe_route: str, dodo_route: str, raw: bytes, form: dict[str, str], payload: object
) -> None:
    from urllib.parse import urlencode

    with running() as server:
        conn = _connect(server.url)
        for body in (raw, urlencode(form).encode()):
            assert _call(conn, "POST", stripe_route, body, STRIPE_AUTH) < 500, (stripe_route, body)
    with DodoEmulator() as emulator:
        conn = _connect(emulator.url)
        for body in (raw, json.dumps(payload).encode()):
            assert _call(conn, "POST", dodo_route, body, DODO_AUTH) < 500, (dodo_route, body)
