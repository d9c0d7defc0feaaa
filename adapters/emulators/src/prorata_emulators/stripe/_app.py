"""The emulator's request pipeline: auth, faults, rate limits, idempotency, routing, expansion."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import threading
from typing import Any
from urllib.parse import urlsplit

import attrs

from prorata_emulators.kit import Admission, Gate, WebhookDelivery
from prorata_emulators.stripe._errors import ApiError
from prorata_emulators.stripe._forms import decode
from prorata_emulators.stripe._idempotency import IdempotencyRecords, Record
from prorata_emulators.stripe._includable import included
from prorata_emulators.stripe._routing import Call, Route
from prorata_emulators.stripe._store import JSON, Store, as_dict, as_list, public
from prorata_emulators.stripe._webhooks import send_events
from prorata_stripe.conformance import unknown_parameters

__all__ = ["API_VERSION", "Response", "StripeApp"]

from prorata_emulators.stripe._app_consts import API_VERSION


@attrs.frozen(kw_only=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = attrs.field(factory=dict[str, str])
    drop: bool = False
    """Close the connection without answering (after the request was processed)."""


def _api_key(authorization: str) -> str:
    """The API key of a request: HTTP Basic with the key as the user name (as Stripe's curl
    examples send it, ``curl -u sk_test_...:``) or a Bearer token
    (https://docs.stripe.com/api/authentication)."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[0]
    return ""


def _expand(store: Store, value: Any, path: list[str]) -> Any:
    """Replace the ids at ``path`` (dotted, through lists) by the objects they name."""
    array, mapping = as_list(value), as_dict(value)
    if not path or (array is None and mapping is None):
        return value
    if array is not None:
        return [_expand(store, item, path) for item in array]
    assert mapping is not None
    head, rest = path[0], path[1:]
    extra = included(store, mapping, head)
    if extra is not None:
        return {**mapping, head: _expand(store, extra, rest)}
    if mapping.get("object") == "list":
        inner_path = rest if head == "data" else path
        return {**mapping, "data": [_expand(store, item, inner_path) for item in mapping["data"]]}
    return {**mapping, head: _expand_field(store, mapping.get(head), rest)}


def _expand_field(store: Store, inner: Any, rest: list[str]) -> Any:
    if isinstance(inner, str):
        found = store.find(inner)
        return _expand(store, public(found), rest) if found is not None else inner
    array = as_list(inner)
    if array is not None:
        return [_expand_field(store, item, rest) for item in array]
    return _expand(store, inner, rest)


@attrs.define
class StripeApp:
    """A stateful Stripe API in memory, without its HTTP server. Thread-safe: one request at a
    time changes state."""

    routes: list[Route] = attrs.field(factory=list[Route])
    store: Store = attrs.field(factory=Store)
    gate: Gate = attrs.field(factory=Gate)
    webhooks: WebhookDelivery = attrs.field(factory=WebhookDelivery)
    validate_params: bool = True
    observed: list[tuple[str, int, bytes]] | None = None
    """When a list, every answered request is appended as ``(method path, status, body)``."""
    _idempotency: IdempotencyRecords = attrs.field(factory=IdempotencyRecords)
    _lock: threading.RLock = attrs.field(factory=threading.RLock)

    @classmethod
    def create(cls) -> StripeApp:
        from prorata_emulators.stripe._events import MAX_EVENTS
        from prorata_emulators.stripe._resources import all_routes

        return cls(routes=all_routes(), store=Store(retention={"event": MAX_EVENTS}))

    # -- pipeline ------------------------------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes, *, seeding: bool = False
    ) -> Response:
        """Serve one request; ``seeding`` skips authentication, counts, limits and faults."""
        request_id = "req_" + secrets.token_hex(7)
        base = {"Request-Id": request_id, "Stripe-Version": API_VERSION, "Content-Type": "application/json"}
        try:
            with self._lock:
                response = self._handle(method, target, headers, body, request_id, base, seeding)
        except ApiError as error:
            response = self._error(error, request_id, base)
        if self.observed is not None:
            self.observed.append((f"{method} {target}", response.status, response.body))
        return response

    def _error(self, error: ApiError, request_id: str, base: dict[str, str]) -> Response:
        payload = json.dumps(error.body(request_id)).encode()
        return Response(status=error.status, body=payload, headers={**base, **error.headers})

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        known_path = False
        for candidate in self.routes:
            found = candidate.pattern.match(path)
            if found is None:
                continue
            known_path = True
            if candidate.method == method:
                return candidate, found.groupdict()
        if known_path:
            raise ApiError(405, f"Unrecognized request URL ({method}: {path}).")
        raise ApiError(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
        )

    def _handle(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes,
        request_id: str,
        base: dict[str, str],
        seeding: bool,
    ) -> Response:
        lowered = {k.lower(): v for k, v in headers.items()}
        split = urlsplit(target)
        if not seeding and not _api_key(lowered.get("authorization", "")):
            raise ApiError(401, "You did not provide an API key.", type="invalid_request_error")
        found, path_params = self._match(method, split.path)
        admission = Admission() if seeding else self.gate.admit(found.name, write=method != "GET")
        refusal = admission.refusal
        if refusal is not None and refusal.rate_limited:
            raise ApiError(
                429,
                "Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.",
                code="rate_limit",
                headers={"Retry-After": str(refusal.retry_after)},
            )
        if refusal is not None:
            raise ApiError(refusal.status, "An unknown error occurred (injected fault).", type="api_error")
        drop = admission.drop
        try:
            text = body.decode() if method == "POST" else split.query
        except UnicodeDecodeError:
            raise ApiError(
                400, "Invalid request: the body is not valid UTF-8 form-encoded parameters."
            ) from None
        params = decode(text)
        key = lowered.get("idempotency-key") if method == "POST" else None
        fingerprint = hashlib.sha256(f"{method} {split.path}\n{text}".encode()).hexdigest()
        now = self.store.clock_time(None)
        replay = None if key is None else self._idempotency.get(key, now)
        if key is not None and replay is not None:
            if replay.fingerprint != fingerprint:
                raise ApiError(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters they were first used with. "
                    f"Try using a key other than '{key}' if you meant to execute a different request.",
                    type="idempotency_error",
                )
            return Response(
                status=replay.status,
                body=replay.body,
                headers={**base, **replay.headers, "Idempotent-Replayed": "true", "Idempotency-Key": key},
                drop=drop,
            )
        try:
            payload_obj = self._dispatch(found, path_params, params, request_id, key)
            status, payload, extra_headers = 200, json.dumps(payload_obj).encode(), {}
        except ApiError as error:
            status, payload, extra_headers = (
                error.status,
                json.dumps(error.body(request_id)).encode(),
                error.headers,
            )
        if key is not None and status < 500:
            self._idempotency.put(
                key,
                Record(fingerprint=fingerprint, status=status, body=payload, headers=extra_headers, at=now),
            )
        headers_out = {**base, **extra_headers}
        if key is not None:
            headers_out["Idempotency-Key"] = key
        failed_after = admission.error_after_commit
        if failed_after is not None:
            # Applied (and remembered under the idempotency key), but the caller sees a 5xx.
            raise ApiError(failed_after, "An unknown error occurred (injected fault).", type="api_error")
        return Response(status=status, body=payload, headers=headers_out, drop=drop)

    def _dispatch(
        self, found: Route, path_params: dict[str, str], params: JSON, request_id: str, key: str | None
    ) -> JSON:
        if self.validate_params and found.params_type is not None:
            unknown = unknown_parameters(params, found.params_type)
            if unknown:
                raise ApiError(
                    400,
                    f"Received unknown parameter: {unknown[0]}",
                    code="parameter_unknown",
                    param=unknown[0],
                )
        state = self.store
        state.request_id, state.idempotency_key = request_id, key
        # Reads see the state itself; a write works on a copy-on-read overlay, published only
        # when it succeeds: a refused request leaves the state as it was (nothing half-applied).
        store = state if found.method == "GET" else state.overlay()
        try:
            result = found.handler(Call(store=store, params=params, path=path_params))
        except ApiError:
            for obj in store.keep if store is not state else []:
                state.put(obj)
            state.keep, state.outbox = [], []
            raise
        if store is not state:
            state.absorb(store)
        events = store.outbox
        state.outbox, state.keep = [], []
        send_events(state, events, self.webhooks)
        expand = params.get("expand") or list[Any]()
        rendered = public(result)
        for path in expand if isinstance(expand, list) else [expand]:  # pyright: ignore[reportUnknownVariableType]
            rendered = _expand(store, rendered, str(path).split("."))  # pyright: ignore[reportUnknownArgumentType]
        return rendered
