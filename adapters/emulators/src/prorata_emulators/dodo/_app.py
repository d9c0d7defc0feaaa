"""Request dispatch: routing, auth, request counting, fault injection and error bodies."""

from __future__ import annotations

import collections
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, cast

import attrs

from prorata_emulators.dodo import (
    _control,
    _routes_catalog,
    _routes_checkouts,
    _routes_customers,
    _routes_payments,
    _routes_subscriptions,
)
from prorata_emulators.dodo._errors import ApiError
from prorata_emulators.dodo._request import Request, Response
from prorata_emulators.dodo._state import State
from prorata_emulators.kit import Faults, WriteLimit

__all__ = ["EmulatorApp", "Outcome"]

Handler = Callable[[Request], Response]


@attrs.frozen(kw_only=True, slots=True)
class Outcome:
    """What the HTTP layer sends; ``drop`` closes the connection without a response."""

    status: int
    body: bytes
    headers: Mapping[str, str] = attrs.field(factory=dict)  # pyright: ignore
    drop: bool = False


def _compile(routes: Mapping[str, Handler]) -> list[tuple[str, str, re.Pattern[str], Handler]]:
    table: list[tuple[str, str, re.Pattern[str], Handler]] = []
    for key, handler in routes.items():
        method, template = key.split(" ", 1)
        pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")
        table.append((method, key, pattern, handler))
    return table


@attrs.define
class EmulatorApp:
    """The Dodo API emulator without its HTTP server (thread-safe)."""

    state: State
    faults: Faults = attrs.field(factory=Faults)
    counts: collections.Counter[str] = attrs.field(factory=lambda: collections.Counter[str]())
    _counts_lock: threading.Lock = attrs.field(factory=threading.Lock)
    write_limit: WriteLimit | None = None
    """A per-second limit on writes (non-GET), answered with 429 and ``retry-after`` when passed."""
    _api: list[tuple[str, str, re.Pattern[str], Handler]] = attrs.field(
        factory=lambda: _compile(
            {
                **_routes_catalog.ROUTES,
                **_routes_customers.ROUTES,
                **_routes_subscriptions.ROUTES,
                **_routes_payments.ROUTES,
                **_routes_checkouts.ROUTES,
            }
        )
    )

    def request_counts(self) -> dict[str, int]:
        """Requests served per route (``"POST /subscriptions/{id}/change-plan": 1``)."""
        with self._counts_lock:
            return dict(self.counts)

    def reset_counts(self) -> None:
        with self._counts_lock:
            self.counts.clear()

    def handle(
        self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], raw: bytes
    ) -> Outcome:
        """Serve one request."""
        try:
            parsed: Any = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return _error(ApiError(400, "INVALID_JSON", "the request body is not JSON"))
        if not isinstance(parsed, dict):
            return _error(ApiError(400, "INVALID_JSON", "the request body is not a JSON object"))
        body = cast("dict[str, Any]", parsed)
        if path.startswith("/_emulator/"):
            return self._serve(lambda: _control.handle(self, method, path, body))  # pyright: ignore
        for verb, route, pattern, handler in self._api:
            match = pattern.match(path)
            if verb == method and match:
                return self._api_call(
                    route,
                    handler,
                    Request(state=self.state, params=match.groupdict(), query=query, body=body or {}),
                    headers,
                )
        return _error(ApiError(404, "NOT_FOUND", f"no route {method} {path}"))

    def _api_call(
        self, route: str, handler: Handler, request: Request, headers: Mapping[str, str]
    ) -> Outcome:
        with self._counts_lock:
            self.counts[route] += 1
        if not headers.get("authorization", "").startswith("Bearer "):
            return _error(ApiError(401, "UNAUTHORIZED", "missing bearer token"))
        wait = None if self.write_limit is None or route.startswith("GET ") else self.write_limit.take()
        if wait is not None:
            return _error(
                ApiError(429, "RATE_LIMITED", "too many requests", headers={"retry-after": str(wait)})
            )
        fault = self.faults.take(route)
        if fault is not None and fault.kind == "rate_limit":
            return _error(
                ApiError(
                    429, "RATE_LIMITED", "too many requests", headers={"retry-after": str(fault.retry_after)}
                )
            )
        if fault is not None and fault.kind == "error_before_commit":
            return _error(ApiError(fault.status, "INTERNAL_SERVER_ERROR", "injected fault before commit"))
        if fault is not None and fault.kind == "latency":
            time.sleep(fault.delay)
        with self.state.lock:
            outcome = self._serve(lambda: handler(request))
        if fault is not None and fault.kind == "drop_after_commit":
            return attrs.evolve(outcome, drop=True)
        if fault is not None and fault.kind == "error_after_commit":
            return _error(ApiError(fault.status, "INTERNAL_SERVER_ERROR", "injected fault after commit"))
        return outcome

    def _serve(self, call: Callable[[], Response]) -> Outcome:
        try:
            with self.state.lock:
                response = call()
        except ApiError as exc:
            return _error(exc)
        body = b"" if response.body is None else json.dumps(response.body).encode()
        return Outcome(status=response.status, body=body, headers={"content-type": "application/json"})


def _error(exc: ApiError) -> Outcome:
    body: dict[str, Any] = exc.body()
    return Outcome(
        status=exc.status,
        body=json.dumps(body).encode(),
        headers={"content-type": "application/json", **exc.headers},
    )
