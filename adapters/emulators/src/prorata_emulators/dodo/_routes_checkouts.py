"""Checkout sessions: Dodo's hosted checkout, the way its docs sell subscriptions.

- ``POST /checkouts``: a session for a ``product_cart`` (one subscription product here), an
  existing or new ``customer``, ``subscription_data.trial_period_days``, ``return_url``; answers
  ``session_id`` and ``checkout_url`` (https://docs.dodopayments.com/developer-resources/checkout-session).
- ``GET /checkouts/{id}``: its status; ``payment_id`` / ``payment_status`` stay null while the
  customer has not paid ("still at the details collection stage").
- ``complete_checkout`` (``POST /_emulator/checkouts/{id}/complete``, emulator-only): the customer
  pays; the card is saved and the subscription created and charged with it.
"""

from __future__ import annotations

from typing import Any, cast

from prorata_emulators.dodo import _render, _routes_subscriptions
from prorata_emulators.dodo._errors import invalid, lookup, not_found
from prorata_emulators.dodo._request import Request, Response
from prorata_emulators.dodo._state import CheckoutSession, State

__all__ = ["ROUTES", "complete_checkout"]


def _status(state: State, session: CheckoutSession) -> dict[str, Any]:
    payment = None if session.payment_id is None else state.payments[session.payment_id]
    customer = state.customers.get(str(session.customer.get("customer_id", "")))
    return {
        "id": session.id,
        "created_at": _render.iso(session.created_at),
        "customer_email": customer.email if customer is not None else session.customer.get("email"),
        "customer_name": customer.name if customer is not None else session.customer.get("name"),
        "payment_id": session.payment_id,
        "payment_status": None if payment is None else payment.status,
    }


def _create(request: Request) -> Response:
    state = request.state
    cart: Any = request.body.get("product_cart")
    if not isinstance(cart, list) or len(cart) != 1 or not isinstance(cart[0], dict):  # pyright: ignore[reportUnknownArgumentType]
        raise invalid("the emulator's checkout sells one subscription product: product_cart[0]")
    item: dict[str, Any] = cart[0]  # pyright: ignore[reportUnknownVariableType]
    product_id = str(item.get("product_id"))
    if product_id not in state.products:
        raise not_found("product", product_id)
    customer: Any = request.body.get("customer")
    if not isinstance(customer, dict):
        raise invalid("customer is required (customer_id, or email and name)")
    data: dict[str, Any] = request.body.get("subscription_data") or {}
    trial = data.get("trial_period_days")
    session = CheckoutSession(
        id=state.new_id("cks"),
        product_id=product_id,
        quantity=int(item.get("quantity") or 1),
        customer=cast("dict[str, Any]", customer),
        trial_period_days=None if trial is None else int(trial),
        metadata=dict(request.body.get("metadata") or {}),
        created_at=state.now,
    )
    state.checkouts[session.id] = session
    return Response(
        status=200,
        body={
            "session_id": session.id,
            "checkout_url": f"https://test.checkout.dodopayments.com/session/{session.id}",
        },
    )


def _get(request: Request) -> Response:
    session = lookup(request.state.checkouts, "checkout session", request.params["id"])
    return Response(status=200, body=_status(request.state, session))


def complete_checkout(state: State, session_id: str) -> dict[str, Any]:
    """The customer pays on the checkout: their card is saved, the subscription is created and
    its first payment charged with it."""
    session = lookup(state.checkouts, "checkout session", session_id)
    if session.payment_id is not None:
        raise invalid(f"checkout session {session_id} is already paid")
    made = _routes_subscriptions.subscribe(
        Request(
            state=state,
            params={},
            query={},
            body={
                "customer": session.customer,
                "product_id": session.product_id,
                "quantity": session.quantity,
                "trial_period_days": session.trial_period_days,
                "metadata": session.metadata,
                "billing": {"country": "US"},
            },
        ),
        card_from_checkout=True,
    )
    body = cast("dict[str, Any]", made.body)
    session.payment_id = str(body["payment_id"])
    session.subscription_id = str(body["subscription_id"])
    return _status(state, session)


ROUTES = {
    "POST /checkouts": _create,
    "GET /checkouts/{id}": _get,
}
