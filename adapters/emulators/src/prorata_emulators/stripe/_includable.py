"""Fields Stripe returns only when asked with ``expand[]`` ("includable"), computed on demand.

An invoice's ``confirmation_secret`` (the client secret of the PaymentIntent created at its
finalization) and ``payments`` (its invoice payments) appear only when expanded
(https://docs.stripe.com/api/invoices/object#invoice_object-confirmation_secret).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prorata_emulators.stripe._store import JSON, Store

__all__ = ["included"]


def _intent(store: Store, invoice: JSON) -> JSON | None:
    stored = store.maybe("invoice", invoice.get("id"))
    return None if stored is None else store.maybe("payment_intent", stored.get("_payment_intent"))


def _confirmation_secret(store: Store, invoice: JSON) -> Any:
    intent = _intent(store, invoice)
    return None if intent is None else {"client_secret": intent["client_secret"], "type": "payment_intent"}


def _payments(store: Store, invoice: JSON) -> Any:
    intent = _intent(store, invoice)
    data: list[JSON] = []
    if intent is not None:
        paid = intent["status"] == "succeeded"
        data.append(
            {
                "id": "inpay_" + str(intent["id"]).removeprefix("pi_"),
                "object": "invoice_payment",
                "amount_paid": intent["amount_received"] if paid else None,
                "amount_requested": intent["amount"],
                "created": intent["created"],
                "currency": intent["currency"],
                "invoice": invoice["id"],
                "is_default": True,
                "livemode": False,
                "payment": {"type": "payment_intent", "payment_intent": intent["id"]},
                "status": "paid" if paid else ("canceled" if intent["status"] == "canceled" else "open"),
                "status_transitions": {"canceled_at": intent["canceled_at"], "paid_at": None},
            }
        )
    return {
        "object": "list",
        "data": data,
        "has_more": False,
        "url": f"/v1/invoice_payments?invoice={invoice['id']}",
    }


_INCLUDABLE: dict[tuple[str, str], Callable[[Store, JSON], Any]] = {
    ("invoice", "confirmation_secret"): _confirmation_secret,
    ("invoice", "payments"): _payments,
}


def included(store: Store, obj: JSON, field: str) -> Any:
    """The value of an includable ``field`` of ``obj``, or None when it is not one."""
    compute = _INCLUDABLE.get((str(obj.get("object")), field))
    return None if compute is None else compute(store, obj)
