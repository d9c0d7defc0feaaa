"""Setup intents: collect a payment method for later off-session charges.

https://docs.stripe.com/api/setup_intents: created ``requires_payment_method`` (or
``requires_confirmation`` with a method), confirmed with a payment method; a card that needs
3-D Secure leaves it ``requires_action`` until the customer authenticates; a declined card
leaves it ``requires_payment_method`` with ``last_setup_error`` and answers 402. A succeeded
setup attaches its method to the customer and sets it up for off-session use.
"""

from __future__ import annotations

from typing import Any

from stripe.params import SetupIntentCancelParams, SetupIntentConfirmParams, SetupIntentCreateParams

from prorata_emulators.stripe._customers import resolve_method
from prorata_emulators.stripe._errors import ApiError, invalid
from prorata_emulators.stripe._payment_intents import (
    authentication_needed,
    confirmation_method,
    decline_error,
    next_action,
)
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._store import JSON, Store

__all__ = ["ROUTES", "complete_setup"]

_CONFIRMABLE = ("requires_payment_method", "requires_confirmation")


def _create(call: Call) -> JSON:
    store, p = call.store, call.params
    customer = p.get("customer") or None
    if customer:
        store.get("customer", customer, param="customer")
    intent: JSON = {
        "id": store.new_id("seti"),
        "object": "setup_intent",
        "application": None,
        "automatic_payment_methods": None,
        "cancellation_reason": None,
        "client_secret": None,
        "created": store.clock_time(store.get("customer", customer)["test_clock"] if customer else None),
        "customer": customer,
        "description": p.get("description"),
        "last_setup_error": None,
        "latest_attempt": None,
        "livemode": False,
        "mandate": None,
        "metadata": p.get("metadata") or dict[str, Any](),
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_types": p.get("payment_method_types") or ["card"],
        "single_use_mandate": None,
        "status": "requires_payment_method",
        "usage": p.get("usage") or "off_session",
    }
    intent["client_secret"] = f"{intent['id']}_secret_emulated"
    store.put(intent)
    if p.get("payment_method"):
        intent["payment_method"] = resolve_method(store, p["payment_method"], None, "payment_method")["id"]
        intent["status"] = "requires_confirmation"
        if p.get("confirm") == "true":
            _confirm_with(store, intent, intent["payment_method"], p.get("return_url"))
    return intent


def complete_setup(store: Store, intent: JSON) -> None:
    """The setup went through: its method is the customer's and set up for off-session use."""
    method = store.get("payment_method", intent["payment_method"])
    if intent["customer"] is not None:
        resolve_method(store, method["id"], intent["customer"], "payment_method")
    method["_set_up"] = True
    intent["status"] = "succeeded"
    intent["next_action"] = None
    intent["last_setup_error"] = None


def _confirm_with(store: Store, intent: JSON, method_id: str, return_url: str | None) -> None:
    method = store.get("payment_method", method_id, param="payment_method")
    intent["payment_method"] = method_id
    if not method["_succeeds"] and method["card"]["last4"] == "0002":
        # 4000000000000002 declines at setup; 0341 (chargeCustomerFail) attaches and fails later
        # charges only (https://docs.stripe.com/testing#declined-payments).
        intent["status"] = "requires_payment_method"
        intent["payment_method"] = None
        intent["last_setup_error"] = decline_error()
        store.keep.append(intent)
        raise ApiError(
            402,
            "Your card was declined.",
            type="card_error",
            code="card_declined",
            extra={"decline_code": "generic_decline"},
        )
    if authentication_needed(method):
        intent["status"] = "requires_action"
        intent["next_action"] = next_action(intent["id"], return_url)
        return
    complete_setup(store, intent)


def _confirm(call: Call) -> JSON:
    store, p = call.store, call.params
    intent = store.get("setup_intent", call.path["id"])
    wanted = confirmation_method(intent, p, _CONFIRMABLE)
    method = resolve_method(store, wanted, None, "payment_method")
    _confirm_with(store, intent, method["id"], p.get("return_url"))
    return intent


def _cancel(call: Call) -> JSON:
    intent = call.store.get("setup_intent", call.path["id"])
    if intent["status"] in ("succeeded", "canceled"):
        raise invalid(
            f"You cannot cancel this SetupIntent because it has a status of {intent['status']}.", None
        )
    intent["status"] = "canceled"
    intent["cancellation_reason"] = call.params.get("cancellation_reason") or None
    intent["next_action"] = None
    return intent


ROUTES: list[Route] = [
    route("POST", "/v1/setup_intents", _create, SetupIntentCreateParams),
    route("GET", "/v1/setup_intents/{id}", lambda call: call.store.get("setup_intent", call.path["id"])),
    route("POST", "/v1/setup_intents/{id}/confirm", _confirm, SetupIntentConfirmParams),
    route("POST", "/v1/setup_intents/{id}/cancel", _cancel, SetupIntentCancelParams),
]
