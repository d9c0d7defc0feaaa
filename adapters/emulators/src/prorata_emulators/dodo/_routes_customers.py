"""Routes for customers and their wallets (credit balance and its ledger)."""

from __future__ import annotations

from prorata_emulators.dodo import _render
from prorata_emulators.dodo._errors import invalid, lookup
from prorata_emulators.dodo._request import Request, Response, paged
from prorata_emulators.dodo._state import Customer, newest_ids

__all__ = ["ROUTES"]


def create_customer(request: Request) -> Response:
    """``POST /customers`` always creates one: Dodo's reference does not say that an email
    already in use returns the existing customer
    (https://docs.dodopayments.com/api-reference/customers/create-customer)."""
    state = request.state
    metadata = dict(request.body.get("metadata") or {})
    customer = Customer(
        id=state.new_id("cus"),
        email=request.text("email"),
        name=request.text("name"),
        metadata=metadata,
        created_at=state.now,
        declines=metadata.get("test_card") == "declines",
        saved_card=metadata.get("test_card")
        if metadata.get("test_card") in ("succeeds", "declines", "requires_action")
        else None,
    )
    state.add_customer(customer)
    return Response(status=200, body=_render.customer(state, customer))


def get_customer(request: Request) -> Response:
    found = lookup(request.state.customers, "customer", request.params["id"])
    return Response(status=200, body=_render.customer(request.state, found))


def list_customers(request: Request) -> Response:
    """``GET /customers``, newest first; ``email`` is an exact match, found by index."""
    state, email = request.state, request.query.get("email")
    ids = newest_ids(state.customers, (state.customers_by_email, email))
    return paged(request, ids, lambda ident: _render.customer(state, state.customers[ident]))


def _wallet_customer(request: Request) -> Customer:
    return lookup(request.state.customers, "customer", request.params["id"])


def list_wallets(request: Request) -> Response:
    """``GET /customers/{id}/wallets``: one wallet per currency the customer has used."""
    state, customer = request.state, _wallet_customer(request)
    currencies = sorted({e.currency for e in state.ledger.get(customer.id, [])})
    wallets = [_render.wallet(state, customer, currency) for currency in currencies]
    usd = sum(w["balance"] for w in wallets if w["currency"] == "USD")
    return Response(status=200, body={"items": wallets, "total_balance_usd": usd})


def list_ledger_entries(request: Request) -> Response:
    """``GET /customers/{id}/wallets/ledger-entries``: newest first, paged from 0."""
    state, customer = request.state, _wallet_customer(request)
    currency = request.query.get("currency")
    entries = (
        entry for entry in reversed(state.ledger.get(customer.id, [])) if currency in (None, entry.currency)
    )
    return paged(request, entries, lambda entry: _render.ledger_entry(state, entry))


def create_ledger_entry(request: Request) -> Response:
    """``POST /customers/{id}/wallets/ledger-entries``: a merchant's manual credit or debit."""
    state, customer = request.state, _wallet_customer(request)
    amount = request.integer("amount", minimum=1)
    currency = request.text("currency")
    kind = request.text("entry_type")
    if kind not in ("credit", "debit"):
        raise invalid("entry_type must be credit or debit")
    key = request.body.get("idempotency_key")
    if key is not None and key in customer.ledger_keys:
        return Response(status=200, body=_render.wallet(state, customer, currency))
    signed = amount if kind == "credit" else -amount
    balance = _render.wallet(state, customer, currency)["balance"]
    if balance + signed < 0:
        raise invalid("the wallet balance cannot become negative", code="INSUFFICIENT_WALLET_BALANCE")
    reason = request.body.get("reason")
    state.wallet_entry(
        customer,
        signed,
        currency=currency,
        event_type="merchant_adjustment",
        reason=None if reason is None else str(reason),
        reference=None,
    )
    if key is not None:
        customer.ledger_keys.add(str(key))
    return Response(status=200, body=_render.wallet(state, customer, currency))


ROUTES = {
    "POST /customers": create_customer,
    "GET /customers": list_customers,
    "GET /customers/{id}": get_customer,
    "GET /customers/{id}/wallets": list_wallets,
    "GET /customers/{id}/wallets/ledger-entries": list_ledger_entries,
    "POST /customers/{id}/wallets/ledger-entries": create_ledger_entry,
}
