"""Payment intents, refunds and customer balance transactions, plus the emulator's stand-in for
the customer's browser passing 3-D Secure (``/_emulator/...``, not part of Stripe's API)."""

from __future__ import annotations

from typing import Any

from stripe.params import (
    CustomerCreateBalanceTransactionParams,
    PaymentIntentConfirmParams,
    PaymentIntentCreateParams,
    RefundCreateParams,
)

from prorata_emulators.stripe._customers import resolve_method
from prorata_emulators.stripe._errors import ApiError, invalid
from prorata_emulators.stripe._events import emit
from prorata_emulators.stripe._invoices import mark_paid
from prorata_emulators.stripe._lists import list_response
from prorata_emulators.stripe._minimums import refuse_too_small
from prorata_emulators.stripe._payment_intents import (
    attempt,
    confirmation_method,
    decline_error,
    new_intent,
    succeed,
    waiting_for_the_customer,
)
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._setup_intents import complete_setup
from prorata_emulators.stripe._store import JSON, Store, public

__all__ = ["ROUTES"]

REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def _time_of(store: Store, customer_id: str | None) -> int:
    return store.customer_time(customer_id) if customer_id else store.clock_time(None)


def _settled(store: Store, intent: JSON) -> None:
    """A succeeded intent pays its invoice (and so reactivates the subscription waiting for it)."""
    invoice = store.maybe("invoice", intent.get("_invoice"))
    if invoice is not None and invoice["status"] == "open":
        mark_paid(store, invoice, _time_of(store, intent["customer"]))
    method = store.maybe("payment_method", intent["payment_method"])
    if method is not None and intent.get("setup_future_usage") == "off_session":
        # An authenticated payment for future use sets the card up for off-session charges.
        method["_set_up"] = True


# -- payment intents ----------------------------------------------------------------------------


def _confirm_intent(call: Call) -> JSON:
    """https://docs.stripe.com/api/payment_intents/confirm"""
    return _confirm(call.store, call.store.get("payment_intent", call.path["id"]), call.params)


def _confirm(store: Store, intent: JSON, p: JSON) -> JSON:
    wanted = confirmation_method(
        intent, p, ("requires_payment_method", "requires_confirmation", "requires_action")
    )
    method = resolve_method(store, wanted, intent["customer"], "payment_method")
    outcome = attempt(store, intent, method["id"], return_url=p.get("return_url"))
    if outcome == "declined":
        store.keep.append(intent)
        raise ApiError(
            402,
            "Your card was declined.",
            type="card_error",
            code="card_declined",
            extra={"decline_code": "generic_decline", "payment_intent": public(intent)},
        )
    if outcome == "succeeded":
        _settled(store, intent)
    return intent


def _amount_and_currency(call: Call) -> tuple[int, str]:
    """The required ``amount`` and ``currency`` (lowercased) of a create request."""
    amount = call.int_param("amount")
    if amount is None:
        raise invalid("Missing required param: amount.", "amount", code="parameter_missing")
    currency = str(call.params.get("currency") or "").lower()
    if not currency:
        raise invalid("Missing required param: currency.", "currency", code="parameter_missing")
    return amount, currency


def _create_intent(call: Call) -> JSON:
    """https://docs.stripe.com/api/payment_intents/create: ``amount`` (at least the currency's
    minimum charge, else ``amount_too_small``) and ``currency``; ``confirm=true`` confirms it now."""
    store, p = call.store, call.params
    amount, currency = _amount_and_currency(call)
    refuse_too_small(amount, currency)
    customer: str | None = p.get("customer") or None
    if customer is not None:
        store.get("customer", customer, param="customer")
    intent = new_intent(
        store,
        amount=amount,
        currency=currency,
        customer=customer,
        at=_time_of(store, customer),
        description=p.get("description") or None,
        metadata=dict(p.get("metadata") or {}),
        setup_future_usage=p.get("setup_future_usage") or None,
    )
    if p.get("payment_method"):
        intent["payment_method"] = resolve_method(store, p["payment_method"], customer, "payment_method")[
            "id"
        ]
        intent["status"] = "requires_confirmation"
    if str(p.get("confirm")).lower() == "true":
        return _confirm(store, intent, p)
    return intent


def _authenticate_intent(call: Call) -> JSON:
    """The customer passes (``outcome=complete``, the default) or fails 3-D Secure."""
    store = call.store
    intent = store.get("payment_intent", call.path["id"])
    waiting_for_the_customer(intent)
    if call.params.get("outcome") == "fail":
        intent["status"] = "requires_payment_method"
        intent["next_action"] = None
        intent["last_payment_error"] = decline_error("payment_intent_authentication_failure")
        return intent
    succeed(intent)
    _settled(store, intent)
    return intent


def _authenticate_setup(call: Call) -> JSON:
    store = call.store
    intent = store.get("setup_intent", call.path["id"])
    waiting_for_the_customer(intent)
    if call.params.get("outcome") == "fail":
        intent["status"] = "requires_payment_method"
        intent["next_action"] = None
        intent["payment_method"] = None
        return intent
    complete_setup(store, intent)
    return intent


# -- refunds --------------------------------------------------------------------------------------


def _format(amount: int, currency: str) -> str:
    symbol = "$" if currency in ("usd", "cad", "aud") else f"{currency.upper()} "
    return f"{symbol}{amount // 100}.{amount % 100:02d}"


def _intent_to_refund(store: Store, p: JSON) -> JSON:
    if p.get("payment_intent"):
        return store.get("payment_intent", p["payment_intent"], param="payment_intent")
    if p.get("charge"):
        for intent in store.all("payment_intent"):
            if intent["latest_charge"] == p["charge"]:
                return intent
        raise ApiError(404, f"No such charge: '{p['charge']}'", code="resource_missing", param="charge")
    raise invalid(
        "One of the following params should be provided for this request: payment_intent or charge.",
        "payment_intent",
        code="parameter_missing",
    )


def _create_refund(call: Call) -> JSON:
    """https://docs.stripe.com/api/refunds/create: the whole charge by default, or part of it,
    as many times as wanted until all of it is refunded; more than what is left is refused."""
    store, p = call.store, call.params
    intent = _intent_to_refund(store, p)
    if intent["status"] != "succeeded":
        raise invalid(
            f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
            "payment_intent",
            code="charge_not_refundable",
        )
    left = int(intent["amount_received"]) - int(intent["_refunded"])
    if left <= 0:
        raise invalid(
            f"Charge {intent['latest_charge']} has already been refunded.",
            "charge",
            code="charge_already_refunded",
        )
    amount = call.int_param("amount")
    if amount is None:
        amount = left
    if amount <= 0:
        raise invalid("Invalid positive integer", "amount", code="parameter_invalid_integer")
    if amount > left:
        raise invalid(
            f"Refund amount ({_format(amount, intent['currency'])}) is greater than unrefunded amount "
            f"on charge ({_format(left, intent['currency'])})",
            "amount",
            code="amount_too_large",
        )
    reason = p.get("reason") or None
    if reason is not None and reason not in REFUND_REASONS:
        raise invalid(f"Invalid reason: must be one of {', '.join(REFUND_REASONS)}", "reason")
    intent["_refunded"] = int(intent["_refunded"]) + amount
    refund: JSON = {
        "id": store.new_id("re"),
        "object": "refund",
        "amount": amount,
        "balance_transaction": store.new_id("txn"),
        "charge": intent["latest_charge"],
        "created": _time_of(store, intent["customer"]),
        "currency": intent["currency"],
        "destination_details": None,
        "metadata": p.get("metadata") or dict[str, Any](),
        "payment_intent": intent["id"],
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
    }
    store.put(refund)
    # https://docs.stripe.com/api/events/types#event_types-refund.created
    emit(store, "refund.created", refund, at=int(refund["created"]))
    return refund


def _list_refunds(call: Call) -> JSON:
    p = call.params
    refunds = list(reversed(call.store.all("refund")))  # newest first
    for key in ("payment_intent", "charge"):
        if p.get(key):
            refunds = [r for r in refunds if r[key] == p[key]]
    return list_response(refunds, "/v1/refunds", p)


# -- customer balance transactions ----------------------------------------------------------------


def _create_balance_transaction(call: Call) -> JSON:
    """https://docs.stripe.com/api/customer_balance_transactions/create: a positive amount is a
    debit (the next invoice collects more), a negative one a credit; the currency must be the
    customer's, which it sets when the customer has none yet."""
    store, p = call.store, call.params
    customer = store.get("customer", call.path["id"])
    amount, currency = _amount_and_currency(call)
    if customer["currency"] not in (None, currency):
        raise invalid(
            f"The currency {currency} does not match the customer's currency {customer['currency']}.",
            "currency",
            code="parameter_invalid",
        )
    customer["currency"] = currency
    customer["balance"] = int(customer["balance"]) + amount
    transaction: JSON = {
        "id": store.new_id("cbtxn"),
        "object": "customer_balance_transaction",
        "amount": amount,
        "created": store.customer_time(customer["id"]),
        "credit_note": None,
        "currency": currency,
        "customer": customer["id"],
        "description": p.get("description"),
        "ending_balance": customer["balance"],
        "invoice": None,
        "livemode": False,
        "metadata": p.get("metadata") or dict[str, Any](),
        "type": "adjustment",
    }
    return store.put(transaction)


def _list_balance_transactions(call: Call) -> JSON:
    customer = call.path["id"]
    call.store.get("customer", customer)
    found = [t for t in reversed(call.store.all("customer_balance_transaction")) if t["customer"] == customer]
    return list_response(found, f"/v1/customers/{customer}/balance_transactions", call.params)


ROUTES: list[Route] = [
    route("POST", "/v1/payment_intents", _create_intent, PaymentIntentCreateParams),
    route("GET", "/v1/payment_intents/{id}", lambda call: call.store.get("payment_intent", call.path["id"])),
    route("POST", "/v1/payment_intents/{id}/confirm", _confirm_intent, PaymentIntentConfirmParams),
    route("POST", "/v1/refunds", _create_refund, RefundCreateParams),
    route("GET", "/v1/refunds", _list_refunds),
    route("GET", "/v1/refunds/{id}", lambda call: call.store.get("refund", call.path["id"])),
    route(
        "POST",
        "/v1/customers/{id}/balance_transactions",
        _create_balance_transaction,
        CustomerCreateBalanceTransactionParams,
    ),
    route("GET", "/v1/customers/{id}/balance_transactions", _list_balance_transactions),
    route("POST", "/_emulator/payment_intents/{id}/authenticate", _authenticate_intent),
    route("POST", "/_emulator/setup_intents/{id}/authenticate", _authenticate_setup),
]
