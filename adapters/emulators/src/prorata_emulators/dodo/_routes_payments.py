"""Saved payment methods, refunds, and the customer paying on Dodo's checkout (emulator-only).

- ``GET /customers/{id}/payment-methods``: the card a past checkout saved (a mandate).
- ``POST /refunds`` / ``GET /refunds/{id}`` / ``GET /refunds``: a refund of a succeeded payment,
  in full, or in part with ``items[{item_id, amount}]`` (an item without ``amount`` is refunded
  in full); never more than what is left (https://docs.dodopayments.com/api-reference/refunds/create-refund,
  https://docs.dodopayments.com/features/transactions/refunds).
- ``POST /subscriptions/{id}/update-payment-method``: an active subscription changes card and
  is not charged; an ``on_hold`` one is charged its remaining dues (``_dues``)
  (https://docs.dodopayments.com/api-reference/subscriptions/update-payment-method).
- ``complete_payment`` (``POST /_emulator/payments/{id}/complete``): the customer pays a waiting
  payment on the hosted page; the card is saved and the pending (or on hold) subscription
  becomes active.
"""

from __future__ import annotations

from typing import Any

from prorata_emulators.dodo import _dues, _render, _webhooks
from prorata_emulators.dodo._errors import ApiError, invalid, lookup
from prorata_emulators.dodo._request import Request, Response, paged
from prorata_emulators.dodo._state import Payment, Refund, State, newest_ids

__all__ = ["ROUTES", "complete_payment", "refundable_by_item", "refunded"]


def refunded(state: State, payment_id: str) -> int:
    return sum(r.amount for r in state.refunds_of(payment_id))


def refundable_by_item(state: State, payment: Payment) -> dict[str, int]:
    """What is left to refund on each line item of ``payment`` (credit lines hold nothing)."""
    left = {ref: max(amount, 0) for ref, _, amount in payment.lines}
    if not left and payment.total_amount > 0:
        left = {ref: 0 for ref, _ in payment.product_cart}
        left[payment.product_cart[0][0]] = payment.total_amount
    for refund in state.refunds_of(payment.id):
        for ref, amount in refund.items:
            left[ref] = left.get(ref, 0) - amount
    return left


def _saved_methods(request: Request) -> Response:
    customer = lookup(request.state.customers, "customer", request.params["id"])
    items: list[dict[str, Any]] = []
    if customer.payment_method_id is not None:
        items.append(
            {
                "payment_method": "card",
                "payment_method_id": customer.payment_method_id,
                "card": {"card_network": "VISA", "card_type": "CREDIT", "last4_digits": "4242"},
                "recurring_enabled": True,
            }
        )
    return Response(status=200, body={"items": items})


def _create_refund(request: Request) -> Response:
    state = request.state
    payment = lookup(state.payments, "payment", request.text("payment_id"))
    if payment.status != "succeeded":
        raise ApiError(
            422, "PAYMENT_NOT_REFUNDABLE", f"payment {payment.id} is {payment.status}, not succeeded"
        )
    left = refundable_by_item(state, payment)
    total_left = sum(left.values())
    if total_left <= 0:
        raise ApiError(422, "ALREADY_REFUNDED", f"payment {payment.id} has already been fully refunded")
    wanted: list[tuple[str, int]] = []
    raw_items: Any = request.body.get("items")
    if raw_items is None:
        wanted = [(ref, amount) for ref, amount in left.items() if amount > 0]
    else:
        if not isinstance(raw_items, list) or not raw_items:
            raise invalid("items must be a non-empty list")
        for raw in raw_items:  # pyright: ignore[reportUnknownVariableType]
            if not isinstance(raw, dict) or str(raw.get("item_id")) not in left:  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
                raise invalid("each item needs the item_id of one of the payment's line items")
            ref = str(raw["item_id"])  # pyright: ignore[reportUnknownArgumentType]
            amount = raw.get("amount")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
            value = left[ref] if amount is None else int(amount)  # pyright: ignore[reportUnknownArgumentType]
            if value <= 0:
                raise invalid("a refund amount must be positive")
            if value > left[ref]:
                raise ApiError(
                    422,
                    "REFUND_AMOUNT_EXCEEDS_REFUNDABLE",
                    f"refund of {value} on item {ref} is more than what is left to refund ({left[ref]})",
                )
            wanted.append((ref, value))
    amount = sum(value for _, value in wanted)
    refund = Refund(
        id=state.new_id("ref"),
        payment_id=payment.id,
        amount=amount,
        currency=payment.currency,
        is_partial=amount < total_left or refunded(state, payment.id) > 0,
        reason=None if request.body.get("reason") is None else str(request.body["reason"]),
        metadata=dict(request.body.get("metadata") or {}),
        created_at=state.now,
        items=wanted,
    )
    state.add_refund(refund)
    _webhooks.emit(state, "refund.succeeded", _render.refund(state, refund))
    return Response(status=200, body=_render.refund(state, refund))


def _get_refund(request: Request) -> Response:
    found = lookup(request.state.refunds, "refund", request.params["id"])
    return Response(status=200, body=_render.refund(request.state, found))


def _list_refunds(request: Request) -> Response:
    """``GET /refunds``, newest first, from the index of the filter given."""
    state, query = request.state, request.query
    customer, subscription = query.get("customer_id"), query.get("subscription_id")
    ids = newest_ids(
        state.refunds, (state.refunds_by_subscription, subscription), (state.refunds_by_customer, customer)
    )
    kept = (
        state.refunds[r]
        for r in ids
        if customer in (None, state.payments[state.refunds[r].payment_id].customer_id)
    )
    return paged(request, kept, lambda found: _render.refund(state, found, brief=True))


def complete_payment(state: State, payment_id: str, outcome: str) -> Payment:
    """The customer pays (``outcome="succeeded"``) or gives up (``"failed"``) on the checkout."""
    payment = lookup(state.payments, "payment", payment_id)
    if not (payment.status or "").startswith("requires_"):
        raise invalid(f"payment {payment.id} is {payment.status}: nothing waits for the customer")
    customer = state.customers[payment.customer_id]
    sub = state.subscriptions.get(payment.subscription_id)
    if outcome == "failed":
        payment.status = "failed"
        payment.error_code, payment.error_message = "CARD_DECLINED", "Your card was declined."
        _webhooks.emit(state, "payment.failed", _render.payment(state, payment))
        return payment
    payment.status = "succeeded"
    payment.payment_link = None
    customer.saved_card, customer.declines = "succeeds", False
    _webhooks.emit(state, "payment.succeeded", _render.payment(state, payment))
    if sub is not None and sub.status == "on_hold":
        _dues.reactivate(state, sub, payment)
    if sub is not None and sub.status == "pending":
        sub.status = "active"
        sub.payment_method_id = customer.payment_method_id or sub.payment_method_id
        state.due(sub)
        _webhooks.emit(state, "subscription.active", _render.subscription(state, sub))
    return payment


def _update_payment_method(request: Request) -> Response:
    """``type: existing`` names a saved card (charged at once for an on hold subscription's dues);
    ``type: new`` sends the customer to a hosted page (``payment_link``; for dues, the waiting
    payment's)."""
    state = request.state
    sub = lookup(state.subscriptions, "subscription", request.params["id"])
    if sub.status not in ("active", "on_hold"):
        raise ApiError(
            422,
            "INVALID_SUBSCRIPTION_STATUS",
            f"subscription {sub.id} is {sub.status}: only an active or on_hold one takes a new payment method",
        )
    customer = state.customers[sub.customer_id]
    kind = request.body.get("type")
    answer: dict[str, Any] = {
        "client_secret": None,
        "expires_on": None,
        "payment_id": None,
        "payment_link": None,
    }
    if kind == "existing":
        method = request.text("payment_method_id")
        if method != customer.payment_method_id:
            raise invalid(
                f"payment method {method} is not a saved payment method of customer {customer.id}",
                code="INVALID_PAYMENT_METHOD",
            )
        sub.payment_method_id = method
        if sub.status == "on_hold":
            answer["payment_id"] = _dues.charge_dues(state, sub, hosted=False).id
        return Response(status=200, body=answer)
    if kind != "new":
        raise invalid("payment_method.type must be new or existing")
    if sub.status == "on_hold":
        waiting = _dues.charge_dues(state, sub, hosted=True)
        answer.update(
            payment_id=waiting.id,
            payment_link=waiting.payment_link,
            client_secret=f"{waiting.id}_secret_emulated",
        )
    else:
        answer["payment_link"] = f"https://test.checkout.dodopayments.com/update/{sub.id}"
    return Response(status=200, body=answer)


ROUTES = {
    "POST /subscriptions/{id}/update-payment-method": _update_payment_method,
    "GET /customers/{id}/payment-methods": _saved_methods,
    "POST /refunds": _create_refund,
    "GET /refunds": _list_refunds,
    "GET /refunds/{id}": _get_refund,
}
