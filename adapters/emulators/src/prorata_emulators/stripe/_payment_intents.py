"""Payment intents: what charging a test card does (succeed, decline, or wait for 3-D Secure).

Stripe creates one PaymentIntent per invoice when it is finalized and confirms it with the
customer's default payment method (https://docs.stripe.com/invoicing/overview#invoice-lifecycle).
A card that needs the customer leaves it ``requires_action`` with a ``next_action``; a declined
card leaves it ``requires_payment_method`` with ``last_payment_error``
(https://docs.stripe.com/payments/paymentintents/lifecycle).
"""

from __future__ import annotations

import secrets
from typing import Any, Literal

from prorata_emulators.stripe._errors import invalid
from prorata_emulators.stripe._store import JSON, Store

__all__ = [
    "Outcome",
    "attempt",
    "authentication_needed",
    "confirmation_method",
    "decline_error",
    "intent_for",
    "new_intent",
    "next_action",
    "succeed",
    "waiting_for_the_customer",
]

Outcome = Literal["succeeded", "declined", "requires_action"]

THREE_D_SECURE_PAGE = "https://hooks.stripe.com/3d_secure_2/hosted"
"""Where Stripe's test mode sends the customer to pass 3-D Secure (the emulator's stand-in is
``POST /_emulator/payment_intents/{id}/authenticate``)."""


def new_intent(
    store: Store, *, amount: int, currency: str, customer: str | None, at: int, **extra: Any
) -> JSON:
    intent_id = store.new_id("pi")
    intent: JSON = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
        "confirmation_method": "automatic",
        "created": at,
        "currency": currency,
        "customer": customer,
        "description": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": {},
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
        "_refunded": 0,
        **extra,
    }
    return store.put(intent)


def intent_for(store: Store, invoice: JSON) -> JSON:
    """The invoice's PaymentIntent, created at its first collection attempt if it has none."""
    intent = store.maybe("payment_intent", invoice.get("_payment_intent"))
    if intent is None:
        intent = new_intent(
            store,
            amount=int(invoice["amount_remaining"]),
            currency=invoice["currency"],
            customer=invoice["customer"],
            at=int(invoice["created"]),
            description="Subscription creation"
            if invoice["billing_reason"] == "subscription_create"
            else "Subscription update",
            setup_future_usage="off_session",
            _invoice=invoice["id"],
        )
        invoice["_payment_intent"] = intent["id"]
    return intent


def confirmation_method(intent: JSON, params: JSON, allowed: tuple[str, ...]) -> str:
    """The payment method a confirmation of ``intent`` (a Payment- or SetupIntent) uses, or
    Stripe's refusal: a status that cannot be confirmed, or no method at all."""
    name = "PaymentIntent" if intent["object"] == "payment_intent" else "SetupIntent"
    if intent["status"] not in allowed:
        raise invalid(f"You cannot confirm this {name} because it has a status of {intent['status']}.", None)
    wanted = params.get("payment_method") or intent["payment_method"]
    if not wanted:
        raise invalid(
            f"You cannot confirm this {name} because it's missing a payment method.",
            "payment_method",
            code=f"{intent['object']}_unexpected_state",
        )
    return str(wanted)


def waiting_for_the_customer(intent: JSON) -> None:
    """Only an intent in ``requires_action`` can be authenticated."""
    if intent["status"] != "requires_action":
        raise invalid(f"{intent['id']} is {intent['status']}, not requires_action.", None)


def authentication_needed(method: JSON) -> bool:
    """Whether a charge on ``method`` waits for the customer (see ``_customers.AUTHENTICATION``)."""
    kind = method.get("_authentication")
    return kind == "always" or (kind == "unless_set_up" and not method.get("_set_up"))


def next_action(intent_id: str, return_url: str | None) -> JSON:
    """A redirect when the confirmation gave a ``return_url``, else Stripe.js handles it
    (``use_stripe_sdk``, https://docs.stripe.com/payments/3d-secure/authentication-flow)."""
    if return_url:
        return {
            "type": "redirect_to_url",
            "redirect_to_url": {
                "return_url": return_url,
                "url": f"{THREE_D_SECURE_PAGE}?payment_intent={intent_id}",
            },
        }
    return {
        "type": "use_stripe_sdk",
        "use_stripe_sdk": {"type": "three_d_secure_redirect", "source": intent_id},
    }


def decline_error(code: str = "card_declined") -> JSON:
    message = (
        "Your card was declined."
        if code == "card_declined"
        else "We are unable to authenticate your payment method. Please choose a different payment method and try again."
    )
    error: JSON = {
        "type": "card_error",
        "code": code,
        "message": message,
        "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
    }
    if code == "card_declined":
        error["decline_code"] = "generic_decline"
    return error


def succeed(intent: JSON) -> None:
    intent["status"] = "succeeded"
    intent["amount_received"] = intent["amount"]
    intent["latest_charge"] = "ch_" + secrets.token_hex(12)
    intent["last_payment_error"] = None
    intent["next_action"] = None


def attempt(store: Store, intent: JSON, method_id: str | None, *, return_url: str | None = None) -> Outcome:
    """Confirm ``intent`` with ``method_id``: it succeeds, is declined, or needs the customer."""
    intent["payment_method"] = method_id
    method = store.maybe("payment_method", method_id)
    if method is None or not method["_succeeds"]:
        intent["status"] = "requires_payment_method"
        intent["last_payment_error"] = decline_error()
        intent["next_action"] = None
        return "declined"
    if authentication_needed(method):
        intent["status"] = "requires_action"
        intent["next_action"] = next_action(intent["id"], return_url)
        return "requires_action"
    succeed(intent)
    return "succeeded"
