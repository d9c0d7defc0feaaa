"""Pending invoice items become invoice lines: "If no invoice is specified, the item will be on
the next invoice created for the customer specified"
(https://docs.stripe.com/api/invoiceitems/create#create_invoiceitem-invoice).

An item with a ``subscription`` waits for that subscription's next invoice; one without, for the
customer's next invoice in its currency.
"""

from __future__ import annotations

from prorata_emulators.stripe._store import JSON, Store

__all__ = ["invoice_item_line", "take_pending_items"]


def _subscription_of(item: JSON) -> str | None:
    parent = item.get("parent")
    return None if parent is None else parent["subscription_details"]["subscription"]


def invoice_item_line(store: Store, item: JSON, invoice_id: str) -> JSON:
    """The invoice line an invoice item puts on ``invoice_id`` (``parent.invoice_item_details``)."""
    subscription = _subscription_of(item)
    pricing = item["pricing"]
    return {
        "id": store.new_id("il"),
        "object": "line_item",
        "amount": item["amount"],
        "currency": item["currency"],
        "description": item["description"],
        "discount_amounts": [],
        "discountable": item["discountable"],
        "discounts": [],
        "invoice": invoice_id,
        "livemode": False,
        "metadata": dict(item["metadata"]),
        "parent": {
            "type": "invoice_item_details",
            "invoice_item_details": {
                "invoice_item": item["id"],
                "proration": item["proration"],
                "proration_details": {"credited_items": None},
                "subscription": subscription,
            },
            "subscription_item_details": None,
        },
        "period": dict(item["period"]),
        "pretax_credit_amounts": [],
        "pricing": None if pricing is None else {**pricing, "price_details": dict(pricing["price_details"])},
        "quantity": item["quantity"],
        "subscription": subscription,
        "subtotal": item["amount"],
        "taxes": [],
    }


def take_pending_items(store: Store, subscription: JSON, invoice_id: str, *, attach: bool) -> list[JSON]:
    """Lines for the customer's pending items that go on ``subscription``'s new invoice; with
    ``attach`` the items are marked as on it (a preview only shows them)."""
    lines: list[JSON] = []
    for seen in store.of_customer("invoiceitem", subscription["customer"]):
        wanted = _subscription_of(seen)
        if seen["invoice"] is not None or seen["currency"] != subscription["currency"]:
            continue
        if wanted is not None and wanted != subscription["id"]:
            continue
        item = store.get("invoiceitem", seen["id"]) if attach else seen
        if attach:
            item["invoice"] = invoice_id
        lines.append(invoice_item_line(store, item, invoice_id))
    return lines
