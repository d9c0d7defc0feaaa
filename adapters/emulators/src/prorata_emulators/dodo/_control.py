"""Emulator-only control routes under ``/_emulator/`` (not part of Dodo's API).

- ``GET /_emulator/clock`` / ``POST /_emulator/clock {"now": "<ISO-8601 UTC>"}``: read or move
  time forward, running renewals and scheduled changes that fall due (Dodo has no test clocks).
- (``/_emulator/requests``, ``/_emulator/faults`` and ``/_emulator/write_limit`` are the kit's,
  shared with the Stripe emulator: see ``prorata_emulators.kit``.)
- ``GET /_emulator/webhooks`` (signed events), ``POST /_emulator/webhooks {"url": ...}``.
- ``POST /_emulator/customers/{id}/card {"declines": true}``: make a customer's card fail.
- ``POST /_emulator/config {"tax_rate_bps": 0}``.
- ``POST /_emulator/payments/{id}/complete {"outcome": "succeeded"}``: the customer pays a
  waiting payment on Dodo's checkout (``"failed"``: the payment fails).
- ``POST /_emulator/checkouts/{id}/complete``: the customer pays a checkout session.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from prorata_emulators.dodo import _billing, _render
from prorata_emulators.dodo._errors import ApiError, invalid, not_found
from prorata_emulators.dodo._request import Response
from prorata_emulators.dodo._routes_checkouts import complete_checkout
from prorata_emulators.dodo._routes_payments import complete_payment

if TYPE_CHECKING:
    from prorata_emulators.dodo._app import DodoApp

__all__ = ["handle", "parse_instant"]

_CARD = re.compile(r"^/_emulator/customers/(?P<id>[^/]+)/card$")
_CHECKOUT = re.compile(r"^/_emulator/payments/(?P<id>[^/]+)/complete$")
_SESSION = re.compile(r"^/_emulator/checkouts/(?P<id>[^/]+)/complete$")


def parse_instant(value: Any) -> datetime:
    """An ISO-8601 instant with a timezone, in UTC, to the second."""
    if not isinstance(value, str):
        raise invalid("now must be an ISO-8601 string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise invalid(f"now is not ISO-8601: {value}") from exc
    if moment.tzinfo is None:
        raise invalid("now needs a timezone (UTC)")
    return moment.astimezone(UTC).replace(microsecond=0)


def handle(app: DodoApp, method: str, path: str, body: dict[str, Any]) -> Response:
    """Serve one control request."""
    state = app.state
    route = f"{method} {path}"
    if route == "GET /_emulator/clock":
        return Response(status=200, body={"now": _render.iso(state.now)})
    if route == "POST /_emulator/clock":
        _billing.advance(state, parse_instant(body.get("now")))
        return Response(status=200, body={"now": _render.iso(state.now)})
    if route == "GET /_emulator/webhooks":
        return Response(status=200, body={"secret": state.webhook_secret, "events": list(state.outbox)})
    if route == "POST /_emulator/webhooks":
        state.webhook_url = body.get("url")
        return Response(status=200, body={"url": state.webhook_url})
    if route == "POST /_emulator/config":
        state.tax_rate_bps = int(body.get("tax_rate_bps", state.tax_rate_bps))
        return Response(status=200, body={"tax_rate_bps": state.tax_rate_bps})
    session = _SESSION.match(path)
    if method == "POST" and session:
        return Response(status=200, body=complete_checkout(state, session["id"]))
    checkout = _CHECKOUT.match(path)
    if method == "POST" and checkout:
        paid = complete_payment(state, checkout["id"], str(body.get("outcome") or "succeeded"))
        return Response(status=200, body=_render.payment(state, paid))
    card = _CARD.match(path)
    if method == "POST" and card:
        customer = state.customers.get(card["id"])
        if customer is None:
            raise not_found("customer", card["id"])
        customer.declines = bool(body.get("declines"))
        return Response(status=200, body={"declines": customer.declines})
    raise ApiError(404, "NOT_FOUND", f"no emulator route {route}")
