"""Invoice items (``/v1/invoiceitems``): one-off charges or credits for a customer, pending until
an invoice takes them (https://docs.stripe.com/api/invoiceitems).

Created without ``invoice``, an item waits for "the next invoice created for the customer"
(``_invoice_item_lines``); with ``invoice`` it goes on that draft now. An item can be deleted
while it is pending or on a draft ("Deleting invoice items is only possible when they're not
attached to invoices, or if it's attached to a draft invoice",
https://docs.stripe.com/api/invoiceitems/delete).
"""

from __future__ import annotations

from typing import Any

from stripe.params import InvoiceItemCreateParams

from prorata_emulators.stripe._catalog import price_of
from prorata_emulators.stripe._errors import invalid
from prorata_emulators.stripe._invoice_item_lines import invoice_item_line
from prorata_emulators.stripe._invoices import refigure
from prorata_emulators.stripe._lists import list_response
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._store import JSON, Store, as_dict

__all__ = ["ROUTES", "pending_item"]

_KIND = "invoiceitem"


def pending_item(
    store: Store,
    *,
    customer: JSON,
    amount: int,
    currency: str,
    description: str | None,
    at: int,
    subscription: str | None = None,
    price: JSON | None = None,
    quantity: int = 1,
    proration: bool = False,
    period: tuple[int, int] | None = None,
) -> JSON:
    """A new pending invoice item of ``customer``."""
    start, end = period or (at, at)
    unit = amount // quantity if price is None else int(price["unit_amount"])
    item: JSON = {
        "id": store.new_id("ii"),
        "object": _KIND,
        "amount": amount,
        "currency": currency,
        "customer": customer["id"],
        "customer_account": None,
        "date": at,
        "description": description,
        "discountable": True,
        "discounts": [],
        "invoice": None,
        "livemode": False,
        "metadata": {},
        "net_amount": amount,
        "parent": None
        if subscription is None
        else {
            "type": "subscription_details",
            "subscription_details": {"subscription": subscription, "subscription_item": None},
        },
        "period": {"start": start, "end": end},
        "pricing": None
        if price is None
        else {
            "type": "price_details",
            "price_details": {"price": price["id"], "product": price["product"]},
            "unit_amount_decimal": str(unit),
        },
        "proration": proration,
        "proration_details": {"credited_items": None, "discount_amounts": []},
        "quantity": quantity,
        "quantity_decimal": str(quantity),
        "tax_rates": [],
        "test_clock": customer["test_clock"],
    }
    return store.put(item)


def _create(call: Call) -> JSON:
    """``customer`` and either ``pricing[price]`` or ``amount`` with ``currency``
    (https://docs.stripe.com/api/invoiceitems/create)."""
    store, p = call.store, call.params
    if not p.get("customer"):
        raise invalid("Missing required param: customer.", "customer", code="parameter_missing")
    customer = store.get("customer", p["customer"], param="customer")
    at = store.clock_time(customer["test_clock"])
    quantity = call.int_param("quantity") or 1
    price_id = (as_dict(p.get("pricing")) or {}).get("price")
    price = price_of(store, price_id, "pricing[price]") if price_id else None
    if price is not None:
        amount, currency = int(price["unit_amount"]) * quantity, str(price["currency"])
    else:
        given = call.int_param("amount")
        if given is None or not p.get("currency"):
            raise invalid(
                "You must specify either `amount` and `currency`, or `pricing[price]`.",
                "amount",
                code="parameter_missing",
            )
        amount, currency = given, str(p["currency"]).lower()
    subscription = p.get("subscription") or None
    if subscription is not None:
        store.get("subscription", subscription, param="subscription")
    period = as_dict(p.get("period"))
    item = pending_item(
        store,
        customer=customer,
        amount=amount,
        currency=currency,
        description=p.get("description") or None,
        at=at,
        subscription=subscription,
        price=price,
        quantity=quantity,
        period=None if period is None else (int(period["start"]), int(period["end"])),
    )
    if p.get("metadata"):
        item["metadata"] = dict(p["metadata"])
    if p.get("invoice"):
        _attach(store, item, str(p["invoice"]))
    return item


def _attach(store: Store, item: JSON, invoice_id: str) -> None:
    """Put ``item`` on a draft invoice of its customer now."""
    invoice = store.get("invoice", invoice_id, param="invoice")
    if invoice["status"] != "draft":
        raise invalid(
            f"Invoice `{invoice_id}` is not a draft: invoice items can only be added to a draft invoice.",
            "invoice",
            code="invoice_not_editable",
        )
    if invoice["customer"] != item["customer"] or invoice["currency"] != item["currency"]:
        raise invalid(
            "The invoice item must have the invoice's customer and currency.",
            "invoice",
            code="parameter_invalid",
        )
    item["invoice"] = invoice_id
    invoice["lines"]["data"].append(invoice_item_line(store, item, invoice_id))
    refigure(store, invoice)


def _item_of(line: JSON) -> str | None:
    details = as_dict(line["parent"].get("invoice_item_details"))
    return None if details is None else str(details["invoice_item"])


def _delete(call: Call) -> JSON:
    store = call.store
    item = store.get(_KIND, call.path["id"])
    invoice = store.maybe("invoice", item["invoice"])
    if invoice is not None:
        if invoice["status"] != "draft":
            raise invalid(
                "You can only delete an invoice item that is pending or on a draft invoice.",
                None,
                code="invoice_not_editable",
            )
        lines: list[JSON] = invoice["lines"]["data"]
        invoice["lines"]["data"] = [line for line in lines if _item_of(line) != item["id"]]
        refigure(store, invoice)
    store.delete(_KIND, item["id"])
    return {"id": item["id"], "object": _KIND, "deleted": True}


def _list(call: Call) -> JSON:
    """Newest first; ``customer``, ``invoice`` and ``pending`` (not yet on an invoice) filter
    (https://docs.stripe.com/api/invoiceitems/list)."""
    p = call.params
    items: list[JSON] = call.store.scan(_KIND)[::-1]
    if p.get("customer"):
        items = [i for i in items if i["customer"] == p["customer"]]
    if p.get("invoice"):
        items = [i for i in items if i["invoice"] == p["invoice"]]
    pending: Any = p.get("pending")
    if pending in ("true", "false"):
        items = [i for i in items if (i["invoice"] is None) == (pending == "true")]
    return list_response(items, "/v1/invoiceitems", p)


ROUTES: list[Route] = [
    route("POST", "/v1/invoiceitems", _create, InvoiceItemCreateParams),
    route("GET", "/v1/invoiceitems", _list),
    route("GET", "/v1/invoiceitems/{id}", lambda call: call.store.get(_KIND, call.path["id"])),
    route("DELETE", "/v1/invoiceitems/{id}", _delete),
]
