"""Request dispatch: routing, auth, request counting, fault injection and error bodies."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

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
from prorata_emulators.kit import Admission, Gate

__all__ = ["DodoApp", "Outcome"]

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
class DodoApp:
    """The Dodo API emulator without its HTTP server (thread-safe)."""

    state: State
    gate: Gate = attrs.field(factory=Gate)
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

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes, *, seeding: bool = False
    ) -> Outcome:
        """Serve one request; ``seeding`` skips authentication, counts, limits and faults."""
        parts = urlsplit(target)
        path, query = parts.path, dict(parse_qsl(parts.query))
        lowered = {key.lower(): value for key, value in headers.items()}
        try:
            parsed: Any = json.loads(body) if body.strip() else {}
        except ValueError:
            return _error(ApiError(400, "INVALID_JSON", "the request body is not JSON"))
        if not isinstance(parsed, dict):
            return _error(ApiError(400, "INVALID_JSON", "the request body is not a JSON object"))
        fields = cast("dict[str, Any]", parsed)
        if path.startswith("/_emulator/"):
            return self._serve(lambda: _control.handle(self, method, path, fields))  # pyright: ignore
        for verb, route, pattern, handler in self._api:
            match = pattern.match(path)
            if verb == method and match:
                request = Request(state=self.state, params=match.groupdict(), query=query, body=fields)
                return self._api_call(route, handler, request, lowered, seeding)
        return _error(ApiError(404, "NOT_FOUND", f"no route {method} {path}"))

    def _api_call(
        self, route: str, handler: Handler, request: Request, headers: Mapping[str, str], seeding: bool
    ) -> Outcome:
        if not seeding and not headers.get("authorization", "").startswith("Bearer "):
            return _error(ApiError(401, "UNAUTHORIZED", "missing bearer token"))
        admission = Admission() if seeding else self.gate.admit(route, write=not route.startswith("GET "))
        refusal = admission.refusal
        if refusal is not None and refusal.rate_limited:
            return _error(
                ApiError(
                    429,
                    "RATE_LIMITED",
                    "too many requests",
                    headers={"retry-after": str(refusal.retry_after)},
                )
            )
        if refusal is not None:
            return _error(ApiError(refusal.status, "INTERNAL_SERVER_ERROR", "injected fault before commit"))
        with self.state.lock:
            outcome = self._serve(lambda: handler(request))
        if admission.drop:
            return attrs.evolve(outcome, drop=True)
        failed_after = admission.error_after_commit
        if failed_after is not None:
            return _error(ApiError(failed_after, "INTERNAL_SERVER_ERROR", "injected fault after commit"))
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
