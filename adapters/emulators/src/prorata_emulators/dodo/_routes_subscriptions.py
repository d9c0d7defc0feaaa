"""Routes for subscriptions: create, retrieve, update, list, change-plan and its preview."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from typing import Any

from prorata.provider import add_intervals
from prorata_dodo import semantics
from prorata_emulators.dodo import _billing, _render, _webhooks
from prorata_emulators.dodo._errors import ApiError, invalid, lookup, not_found
from prorata_emulators.dodo._request import Request, Response, paged
from prorata_emulators.dodo._routes_payments import refundable_by_item
from prorata_emulators.dodo._state import Customer, State, Subscription, newest_ids

__all__ = ["ROUTES"]


def _subscription(state: State, ident: str) -> Subscription:
    found = state.subscriptions.get(ident)
    if found is None:
        raise not_found("subscription", ident)
    return found


def _customer(request: Request) -> Customer:
    state, given = request.state, request.body.get("customer")
    if not isinstance(given, dict):
        raise invalid("customer is required")
    if "customer_id" in given:
        found = state.customers.get(str(given["customer_id"]))  # pyright: ignore[reportUnknownArgumentType]
        if found is None:
            raise not_found("customer", str(given["customer_id"]))  # pyright: ignore[reportUnknownArgumentType]
        return found
    email = given.get("email")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if not isinstance(email, str):
        raise invalid("customer.email is required")
    created = Customer(
        id=state.new_id("cus"),
        email=email,
        name=str(given.get("name") or email),  # pyright: ignore
        metadata={},
        created_at=state.now,
    )  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
    state.add_customer(created)
    return created


def create(request: Request) -> Response:
    return subscribe(request)


def subscribe(request: Request, *, card_from_checkout: bool = False) -> Response:
    """``POST /subscriptions`` (or, with ``card_from_checkout``, a paid checkout session). Dodo charges a saved payment method only when it is named
    (``payment_method_id``, a mandate from an earlier checkout); otherwise, or with
    ``payment_link=true``, the first payment waits for the customer on Dodo's checkout:
    the subscription is ``pending`` and the answer carries ``client_secret`` (and the
    ``payment_link``) until it is paid (https://docs.dodopayments.com/api-reference/subscriptions/post-subscriptions,
    https://docs.dodopayments.com/developer-resources/subscription-integration-guide)."""
    state = request.state
    customer = _customer(request)
    if card_from_checkout:  # the checkout saved the card the customer paid with
        customer.saved_card, customer.declines = customer.saved_card or "succeeds", False
    method = customer.payment_method_id if card_from_checkout else request.body.get("payment_method_id")
    if method is not None and method != customer.payment_method_id:
        raise invalid(
            f"payment method {method} is not a saved payment method of customer {customer.id}",
            code="INVALID_PAYMENT_METHOD",
        )
    hosted = method is None or bool(request.body.get("payment_link"))
    product_id = request.text("product_id")
    quantity = request.integer("quantity", minimum=1)
    addons = _billing.parse_addons(request.body.get("addons"))
    items = _billing.priced(state, product_id, quantity, addons)
    codes = request.body.get("discount_codes")
    if codes is None and request.body.get("discount_code"):
        codes = [request.body["discount_code"]]
    discounts = _billing.resolve_discounts(state, codes or [], [])
    product = state.products[product_id]
    trial = request.body.get("trial_period_days")
    trial_days = product.trial_days if trial is None else int(trial)
    now = state.now
    end = (
        now + timedelta(days=trial_days)
        if trial_days
        else add_intervals(now, _billing.interval_of(state, product_id), 1)
    )
    sub = Subscription(
        id=state.new_id("sub"),
        customer_id=customer.id,
        product_id=product_id,
        quantity=quantity,
        addons=list(addons),
        status="active",
        created_at=now,
        previous_billing_date=now,
        next_billing_date=end,
        trial_days=trial_days,
        metadata=dict(request.body.get("metadata") or {}),
        discounts=discounts,
        payment_method_id=str(method or f"pm_{customer.id}"),
        expires_at=_billing.term_end(state, product_id, now),
    )
    state.add_subscription(sub)
    for discount_id, _ in discounts:
        state.discounts[discount_id].times_used += 1
    subtotal = 0 if trial_days else sum(i.unit_price * i.quantity for i in items)
    discount = semantics.discount_amount(subtotal, _billing.rules(state, discounts))
    tax = semantics.tax_amount(subtotal - discount, state.tax_rate_bps)
    payment = _billing.charge(
        state,
        sub,
        subtotal - discount + tax,
        tax=tax,
        charge_type="new",
        period=(now, end),
        factor=Fraction(1),
        cart=[(product_id, quantity)],
        lines=[] if trial_days else [(i.ref, i.name, i.unit_price * i.quantity) for i in items],
        metadata=dict(sub.metadata),
        discounts=[d for d, _ in _billing.rules_of(state, discounts)],
        hosted=hosted,
        link=bool(request.body.get("payment_link")),
    )
    if payment.status != "succeeded":
        sub.status = "pending"
    else:
        _webhooks.emit(state, "subscription.active", _render.subscription(state, sub))
    body: dict[str, Any] = {
        "addons": [{"addon_id": a, "quantity": q} for a, q in sub.addons],
        "customer": {
            "customer_id": customer.id,
            "email": customer.email,
            "name": customer.name,
            "metadata": dict(customer.metadata),
        },
        "metadata": dict(sub.metadata),
        "payment_id": payment.id,
        "payment_method_required": True,
        "recurring_pre_tax_amount": sum(i.unit_price * i.quantity for i in items),
        "subscription_id": sub.id,
        "discount_ids": [d for d, _ in discounts],
        "discount_id": discounts[0][0] if discounts else None,
    }
    if payment.status.startswith("requires_"):
        body["client_secret"] = f"{payment.id}_secret_emulated"
        body["payment_link"] = payment.payment_link
    return Response(status=200, body=body)


def retrieve(request: Request) -> Response:
    state = request.state
    return Response(status=200, body=_render.subscription(state, _subscription(state, request.params["id"])))


def update(request: Request) -> Response:
    state, body = request.state, request.body
    sub = _subscription(state, request.params["id"])
    status = body.get("status")
    if status in ("paused", "active") and len([k for k, v in body.items() if v is not None]) > 1:
        raise invalid("send status paused or active alone")
    if sub.status == "cancelled" and (
        status is not None or body.get("cancel_at_next_billing_date") is not None
    ):
        raise ApiError(422, "SUBSCRIPTION_CANCELLED", f"subscription {sub.id} is cancelled")
    if status == "paused":
        if sub.status != "active":
            raise ApiError(
                422,
                "INVALID_STATUS_TRANSITION",
                f"only an active subscription can be paused (it is {sub.status})",
            )
        sub.status, sub.paused_at = "paused", state.now
        _webhooks.emit(state, "subscription.paused", _render.subscription(state, sub))
    elif status == "active":
        if sub.status != "paused":
            raise ApiError(
                422,
                "INVALID_STATUS_TRANSITION",
                f"only a paused subscription can be resumed (it is {sub.status})",
            )
        sub.status, sub.paused_at = "active", None
        state.due(sub)
        _webhooks.emit(state, "subscription.unpaused", _render.subscription(state, sub))
    elif status == "cancelled":
        sub.status, sub.cancelled_at, sub.scheduled = "cancelled", state.now, None
        _webhooks.emit(state, "subscription.cancelled", _render.subscription(state, sub))
    elif status is not None:
        raise invalid(f"status {status} cannot be set")
    if body.get("cancel_at_next_billing_date") is not None:
        sub.cancel_at_next_billing_date = bool(body["cancel_at_next_billing_date"])
    if body.get("metadata") is not None:
        sub.metadata = dict(body["metadata"])
    if body.get("cancel_at_next_billing_date") is not None or body.get("metadata") is not None:
        # "any field change triggers this event"
        # (https://docs.dodopayments.com/developer-resources/webhooks/intents/subscription)
        _webhooks.emit(state, "subscription.updated", _render.subscription(state, sub))
    return Response(status=200, body=_render.subscription(state, sub))


def listing(request: Request) -> Response:
    """``GET /subscriptions``, newest first; a ``customer_id`` filter reads that customer's index."""
    state, query = request.state, request.query
    customer = query.get("customer_id")
    ids = (
        reversed(state.subscriptions)
        if customer is None
        else state.subscriptions_by_customer.newest(customer)
    )
    kept = (
        sub
        for sub in map(state.subscriptions.__getitem__, ids)
        if query.get("status") in (None, sub.status) and query.get("product_id") in (None, sub.product_id)
    )
    return paged(request, kept, lambda sub: _render.subscription(state, sub, brief=True))


def _line(state: State, line: semantics.PricedLine, currency: str) -> dict[str, Any]:
    item = line.item
    common: dict[str, Any] = {
        "id": item.ref,
        "currency": currency,
        "proration_factor": float(line.factor),
        "quantity": item.quantity,
        "tax_inclusive": False,
        "type": item.kind,
        "unit_price": item.unit_price,
        "name": item.name,
        "description": None,
        "tax": semantics.tax_amount(line.amount, state.tax_rate_bps),
        "tax_rate": state.tax_rate_bps / 100,
    }
    if item.kind == "subscription":
        return {**common, "product_id": item.ref}
    return {**common, "tax_category": state.addons[item.ref].tax_category}


def preview(request: Request) -> Response:
    state = request.state
    sub = _subscription(state, request.params["id"])
    quote = _billing.quote(state, sub, _billing.ChangeRequest.parse(dict(request.body)))
    lines = (
        [] if quote.charge is None else [_line(state, line, quote.currency) for line in quote.charge.charges]
    )
    summary = {
        "currency": quote.currency,
        "customer_credits": quote.settlement.customer_credits,
        "customer_credits_currency": quote.currency,
        "settlement_amount": quote.settlement.total_amount,
        "settlement_currency": quote.currency,
        "total_amount": quote.settlement.total_amount,
        "settlement_tax": quote.tax,
        "tax": quote.tax,
    }
    body = {
        "immediate_charge": {
            "effective_at": _render.iso(quote.effective_at),
            "line_items": lines,
            "summary": summary,
        },
        "new_plan": _render.subscription(state, quote.after),
    }
    return Response(status=200, body=body)


def change_plan(request: Request) -> Response:
    state = request.state
    sub = _subscription(state, request.params["id"])
    payment = _billing.apply_change(state, sub, _billing.ChangeRequest.parse(dict(request.body)))
    return Response(status=200, body={"payment_id": None if payment is None else payment.id})


def cancel_scheduled(request: Request) -> Response:
    state = request.state
    sub = _subscription(state, request.params["id"])
    if sub.scheduled is None:
        raise ApiError(404, "NO_SCHEDULED_CHANGE", f"subscription {sub.id} has no scheduled plan change")
    sub.scheduled = None
    _webhooks.emit(state, "subscription.updated", _render.subscription(state, sub))
    return Response(status=200, body=None)


def get_payment(request: Request) -> Response:
    state = request.state
    found = lookup(state.payments, "payment", request.params["id"])
    return Response(status=200, body=_render.payment(state, found))


def payment_lines(request: Request) -> Response:
    state = request.state
    found = lookup(state.payments, "payment", request.params["id"])
    left = refundable_by_item(state, found) if found.status == "succeeded" else {}
    items = [
        {
            "items_id": ref,
            "name": name,
            "amount": amount,
            "refundable_amount": max(left.get(ref, 0), 0),
            "tax": 0,
            "description": None,
        }
        for ref, name, amount in found.lines
    ]
    return Response(
        status=200, body={"currency": found.currency, "items": items, "partial_refund_allowed": True}
    )


def list_payments(request: Request) -> Response:
    """``GET /payments``, newest first, from the index of the filter given."""
    state, query = request.state, request.query
    subscription, customer = query.get("subscription_id"), query.get("customer_id")
    ids = newest_ids(
        state.payments, (state.payments_by_subscription, subscription), (state.payments_by_customer, customer)
    )
    kept = (item for item in map(state.payments.__getitem__, ids) if customer in (None, item.customer_id))
    return paged(request, kept, lambda item: _render.payment(state, item, brief=True))


ROUTES = {
    "POST /subscriptions": create,
    "GET /subscriptions": listing,
    "GET /subscriptions/{id}": retrieve,
    "PATCH /subscriptions/{id}": update,
    "POST /subscriptions/{id}/change-plan": change_plan,
    "POST /subscriptions/{id}/change-plan/preview": preview,
    "DELETE /subscriptions/{id}/change-plan/scheduled": cancel_scheduled,
    "GET /payments": list_payments,
    "GET /payments/{id}": get_payment,
    "GET /payments/{id}/line-items": payment_lines,
}
