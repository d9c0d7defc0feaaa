"""Canceling a subscription now (``DELETE /v1/subscriptions/{id}``) and what it bills.

https://docs.stripe.com/api/subscriptions/cancel: ``prorate`` "will generate a proration invoice
item that credits remaining unused time until the subscription period end"; ``invoice_now``
"will generate a final invoice that invoices for any un-invoiced metered usage and new/pending
proration invoice items"; "if the subscription is set to cancel immediately, pending prorations
are removed if invoice_now and prorate are both set to false"; and "by default, upon
subscription cancellation, Stripe stops automatic collection of all finalized invoices for the
customer".
"""

from __future__ import annotations

from stripe.params import SubscriptionCancelParams

from prorata_emulators.stripe._errors import invalid
from prorata_emulators.stripe._invoice_items import pending_item
from prorata_emulators.stripe._invoices import issue_invoice
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._store import JSON, Store
from prorata_emulators.stripe._subscriptions import (
    cancel_now,
    get_live,
    set_cancellation_details,
    unused_time_lines,
)

__all__ = ["ROUTES", "cancel_immediately", "flag"]


def flag(call: Call, name: str, *, default: bool = False) -> bool:
    """The boolean parameter ``name`` (``default`` when it is absent)."""
    value = call.params.get(name)
    if value in (None, ""):
        return default
    if value in ("false", False):
        return False
    if value in ("true", True):
        return True
    raise invalid(f"Invalid boolean: {value}", name, code="parameter_invalid_boolean")


def cancel_immediately(store: Store, subscription: JSON, *, prorate: bool, invoice_now: bool) -> None:
    """End ``subscription`` now, crediting and invoicing as ``prorate`` and ``invoice_now`` say."""
    at = store.clock_time(subscription["test_clock"])
    credits = unused_time_lines(store, subscription, at) if prorate else []
    pending = [*subscription["_pending"], *credits]
    subscription["_pending"] = []
    if invoice_now and pending:
        start = int(subscription["items"]["data"][0]["current_period_start"])
        issue_invoice(
            store,
            subscription=subscription,
            lines=pending,
            reason="subscription_update",
            at=at,
            period=(start, at),
        )
    elif prorate:
        # Not invoiced now: the credit and the pending prorations stay pending invoice items of
        # the customer, for its next invoice; without invoice_now and prorate they are removed.
        customer = store.get("customer", subscription["customer"])
        for line in pending:
            pending_item(
                store,
                customer=customer,
                amount=int(line["amount"]),
                currency=str(line["currency"]),
                description=line["description"],
                at=at,
                price=store.maybe("price", line["pricing"]["price_details"]["price"]),
                quantity=int(line["quantity"]),
                proration=True,
                period=(int(line["period"]["start"]), int(line["period"]["end"])),
            )
    cancel_now(store, subscription, at)
    for invoice in store.of_customer("invoice", subscription["customer"]):
        if invoice["status"] == "open" and invoice["auto_advance"]:
            store.get("invoice", invoice["id"])["auto_advance"] = False


def _cancel(call: Call) -> JSON:
    store = call.store
    subscription = get_live(store, call.path["id"])
    set_cancellation_details(subscription, call.params.get("cancellation_details"))
    cancel_immediately(
        store, subscription, prorate=flag(call, "prorate"), invoice_now=flag(call, "invoice_now")
    )
    return subscription


ROUTES: list[Route] = [route("DELETE", "/v1/subscriptions/{id}", _cancel, SubscriptionCancelParams)]
