"""Invoices: issuing (finalize, charge the default card or send), paying, voiding, listing."""

from __future__ import annotations

from typing import Any

from stripe.params import (
    InvoiceFinalizeInvoiceParams,
    InvoicePayParams,
    InvoiceSendInvoiceParams,
    InvoiceVoidInvoiceParams,
)

from prorata_emulators.stripe._billing import InvoiceFigures, active_discounts, figures
from prorata_emulators.stripe._customers import default_payment_method, resolve_method
from prorata_emulators.stripe._errors import ApiError, card_declined, invalid
from prorata_emulators.stripe._events import emit
from prorata_emulators.stripe._invoice_item_lines import take_pending_items
from prorata_emulators.stripe._lists import list_response
from prorata_emulators.stripe._minimums import carry_too_small
from prorata_emulators.stripe._payment_intents import Outcome, attempt, intent_for
from prorata_emulators.stripe._pending_updates import apply_pending_update
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._store import JSON, Store

__all__ = [
    "DRAFT_SECONDS",
    "ROUTES",
    "finalize_draft",
    "issue_invoice",
    "line_item",
    "mark_paid",
    "pay_invoice",
    "payment_refused",
    "refigure",
    "void_invoice",
]


def line_item(
    store: Store,
    *,
    subscription: JSON,
    item_id: str,
    price: JSON,
    quantity: int,
    amount: int,
    start: int,
    end: int,
    description: str,
    proration: bool,
) -> JSON:
    """One invoice line for a subscription item (``parent.subscription_item_details``)."""
    invoice_item = store.new_id("ii") if proration else None
    return {
        "id": store.new_id("il"),
        "object": "line_item",
        "amount": amount,
        "currency": price["currency"],
        "description": description,
        "discount_amounts": [],
        "discountable": True,
        "discounts": [],
        "invoice": None,
        "livemode": False,
        "metadata": {},
        "parent": {
            "type": "subscription_item_details",
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": invoice_item,
                "proration": proration,
                "proration_details": {"credited_items": None},
                "subscription": subscription["id"],
                "subscription_item": item_id,
            },
        },
        "period": {"start": start, "end": end},
        "pretax_credit_amounts": [],
        "pricing": {
            "type": "price_details",
            "price_details": {"price": price["id"], "product": price["product"]},
            "unit_amount_decimal": str(price["unit_amount"]),
        },
        "quantity": quantity,
        "subscription": subscription["id"],
        "subtotal": amount,
        "taxes": [],
    }


DRAFT_SECONDS = 3600
"""A renewal invoice stays a draft "for about an hour", then Stripe finalizes it and attempts
payment (https://docs.stripe.com/billing/invoices/subscription#subscription-renewal). Stripe
gives no exact figure; the emulator uses one hour, shown in ``automatically_finalizes_at``."""


def issue_invoice(
    store: Store,
    *,
    subscription: JSON,
    lines: list[JSON],
    reason: str,
    at: int,
    period: tuple[int, int],
    preview: bool = False,
    proration_date: int | None = None,
    collect: bool = True,
    draft: bool = False,
) -> JSON:
    """Build an invoice for ``lines``; unless ``preview``, finalize it and (if ``collect``)
    collect it: ``collect=False`` leaves it open for the customer to confirm its payment
    (``payment_behavior=default_incomplete``); ``draft=True`` (renewals) leaves it a draft
    that :func:`finalize_draft` finalizes and collects ``DRAFT_SECONDS`` later.

    In a preview copy of the store every invoice stays a draft (nothing is collected).
    """
    if not store.real_time:
        preview = True
    customer = store.get("customer", subscription["customer"])
    discounts = active_discounts(store, subscription["discounts"], at)
    tax_rates: list[JSON] = subscription.get("default_tax_rates") or list[Any]()
    invoice_id = store.new_id("upcoming_in" if preview else "in")
    lines = [*lines, *take_pending_items(store, subscription, invoice_id, attach=not preview)]
    numbers = figures(store, lines, discounts, tax_rates, int(customer["balance"]))
    for line in lines:
        line["invoice"] = invoice_id
    send = subscription["collection_method"] == "send_invoice"
    invoice: JSON = {
        "id": invoice_id,
        "object": "invoice",
        "account_country": "US",
        "account_name": "prorata emulator",
        **_totals(numbers),
        "amount_overpaid": 0,
        "amount_paid": 0,
        "amount_shipping": 0,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": not preview,
        "automatically_finalizes_at": at + DRAFT_SECONDS if draft and not preview else None,
        "automatic_tax": {
            "enabled": False,
            "disabled_reason": None,
            "liability": None,
            "provider": None,
            "status": None,
        },
        "billing_reason": reason,
        "collection_method": subscription["collection_method"],
        "created": at,
        "currency": subscription["currency"],
        "customer": customer["id"],
        "customer_email": customer["email"],
        "customer_name": customer["name"],
        "default_payment_method": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [d["id"] for d in discounts],
        "due_date": at + 86400 * int(subscription["days_until_due"] or 0) if send else None,
        "effective_at": None if preview else at,
        "ending_balance": None,
        "footer": None,
        "hosted_invoice_url": None,
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "lines": {
            "object": "list",
            "data": lines,
            "has_more": False,
            "url": f"/v1/invoices/{invoice_id}/lines",
        },
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": None,
        "number": None,
        "parent": {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {
                "metadata": {},
                "subscription": subscription["id"],
                "subscription_proration_date": proration_date,
            },
        },
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        "period_end": period[1],
        "period_start": period[0],
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "status": "draft",
        "status_transitions": {
            "finalized_at": None,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        "test_clock": subscription.get("test_clock"),
        "webhooks_delivered_at": None,
    }
    if preview:
        if not store.real_time:
            store.put(invoice)
            subscription["latest_invoice"] = invoice["id"]
        return invoice
    store.put(invoice)
    emit(store, "invoice.created", invoice, at=at)
    subscription["latest_invoice"] = invoice["id"]
    if draft:
        return invoice
    _finalize(store, invoice, customer, discounts, at)
    _collect(store, invoice, subscription, customer, collect, at)
    return invoice


def _totals(numbers: InvoiceFigures) -> JSON:
    """The invoice fields its figures give."""
    return {
        "amount_due": numbers.amount_due,
        "amount_remaining": numbers.amount_due,
        "starting_balance": numbers.starting_balance,
        "subtotal": numbers.subtotal,
        "subtotal_excluding_tax": numbers.subtotal,
        "total": numbers.total,
        "total_discount_amounts": [
            {"amount": amount, "discount": discount_id} for discount_id, amount in numbers.discounts
        ],
        "total_excluding_tax": numbers.subtotal - numbers.discount,
        "total_taxes": [
            {
                "amount": amount,
                "tax_behavior": "inclusive" if rate["inclusive"] else "exclusive",
                "tax_rate_details": {"tax_rate": rate["id"]},
                "taxability_reason": "standard_rated",
                "taxable_amount": taxable,
                "type": "tax_rate_details",
            }
            for rate, amount, taxable in numbers.taxes
        ],
        "_ending_balance": numbers.ending_balance,
    }


def refigure(store: Store, invoice: JSON) -> None:
    """Recompute a draft's totals after its lines changed (an invoice item added or deleted)."""
    subscription = store.maybe("subscription", invoice["parent"]["subscription_details"]["subscription"])
    at = int(invoice["created"])
    discounts = [] if subscription is None else active_discounts(store, subscription["discounts"], at)
    tax_rates: list[JSON] = [] if subscription is None else subscription.get("default_tax_rates") or []
    customer = store.get("customer", invoice["customer"])
    numbers = figures(store, invoice["lines"]["data"], discounts, tax_rates, int(customer["balance"]))
    invoice.update(_totals(numbers))


def _collect(store: Store, invoice: JSON, subscription: JSON, customer: JSON, collect: bool, at: int) -> None:
    """Charge the default payment method, or leave the invoice open for the customer."""
    send = invoice["collection_method"] == "send_invoice"
    if not send and collect:
        pay_invoice(store, invoice, default_payment_method(store, customer["id"], subscription), at)
    elif not send and invoice["amount_remaining"] > 0:
        intent_for(store, invoice)


def finalize_draft(store: Store, subscription: JSON, at: int) -> None:
    """The hour is up: finalize the subscription's draft renewal invoice and collect it; a
    failed charge makes the subscription ``past_due``
    (https://docs.stripe.com/billing/invoices/subscription#subscription-renewal)."""
    invoice = store.maybe("invoice", subscription.get("_draft_invoice"))
    subscription["_draft_invoice"] = subscription["_draft_due"] = None
    if invoice is None:
        return
    customer = store.get("customer", invoice["customer"])
    if invoice["status"] == "draft":
        finalize_now(store, invoice, customer, at)
    if invoice["status"] != "open" or not invoice["auto_advance"]:
        return
    _collect(store, invoice, subscription, customer, True, at)
    if (
        invoice["status"] == "open"
        and invoice["collection_method"] == "charge_automatically"
        and subscription["latest_invoice"] == invoice["id"]
        and subscription["status"] == "active"
    ):
        previous = subscription["status"]
        subscription["status"] = "past_due"
        emit(store, "customer.subscription.updated", subscription, at=at, previous={"status": previous})


def finalize_now(store: Store, invoice: JSON, customer: JSON, at: int) -> None:
    """Finalize a draft (the hour is up, or ``POST /v1/invoices/{id}/finalize``)."""
    invoice["automatically_finalizes_at"] = None
    subscription = store.maybe("subscription", invoice["parent"]["subscription_details"]["subscription"])
    discounts = [] if subscription is None else active_discounts(store, subscription["discounts"], at)
    _finalize(store, invoice, customer, discounts, at)


def _finalize(store: Store, invoice: JSON, customer: JSON, discounts: list[JSON], at: int) -> None:
    sequence = int(customer["next_invoice_sequence"])
    customer["next_invoice_sequence"] = sequence + 1
    invoice["number"] = f"{customer['invoice_prefix']}-{sequence:04d}"
    invoice["status"] = "open"
    invoice["ending_balance"] = invoice["_ending_balance"]
    invoice["status_transitions"]["finalized_at"] = at
    invoice["hosted_invoice_url"] = f"https://invoice.stripe.com/i/emulated/{invoice['id']}"
    invoice["invoice_pdf"] = f"https://pay.stripe.com/invoice/emulated/{invoice['id']}/pdf"
    customer["balance"] = invoice["_ending_balance"]
    for discount in discounts:
        coupon = store.get("coupon", discount["source"]["coupon"])
        if coupon["duration"] == "once" and discount["end"] is None:
            discount["end"] = at + 1
    emit(store, "invoice.finalized", invoice, at=at)


def pay_invoice(store: Store, invoice: JSON, method: str | None, at: int) -> Outcome:
    """Collect an open invoice with ``method`` through its PaymentIntent (nothing is charged
    when the amount is below the currency's minimum: ``_minimums``)."""
    if not carry_too_small(store, invoice, at) and invoice["amount_remaining"] > 0:
        invoice["attempted"] = True
        invoice["attempt_count"] += 1
        outcome = attempt(store, intent_for(store, invoice), method)
        if outcome != "succeeded":
            invoice["next_payment_attempt"] = None
            emit(store, "invoice.payment_failed", invoice, at=at)
            if outcome == "requires_action":
                # "Sent when the invoice requires customer authentication":
                # https://docs.stripe.com/billing/subscriptions/webhooks
                emit(store, "invoice.payment_action_required", invoice, at=at)
            return outcome
    mark_paid(store, invoice, at)
    return "succeeded"


def mark_paid(store: Store, invoice: JSON, at: int) -> None:
    """The invoice's payment went through: paid, and its subscription active again if it
    waited for it (https://docs.stripe.com/billing/subscriptions/overview#payment-status)."""
    invoice["amount_paid"] = invoice["amount_remaining"]
    invoice["amount_remaining"] = 0
    invoice["status"] = "paid"
    invoice["status_transitions"]["paid_at"] = at
    # Both are sent for a paid invoice (https://docs.stripe.com/api/events/types#event_types-invoice.paid,
    # #event_types-invoice.payment_succeeded).
    emit(store, "invoice.paid", invoice, at=at)
    emit(store, "invoice.payment_succeeded", invoice, at=at)
    apply_pending_update(store, invoice, at)
    subscription = store.maybe("subscription", invoice["parent"]["subscription_details"]["subscription"])
    if (
        subscription is not None
        and subscription["status"] in ("past_due", "incomplete")
        and subscription["latest_invoice"] == invoice["id"]
    ):
        previous = subscription["status"]
        subscription["status"] = "active"
        emit(store, "customer.subscription.updated", subscription, at=at, previous={"status": previous})


def payment_refused(outcome: Outcome) -> ApiError:
    """The 402 Stripe answers when an invoice's payment did not go through."""
    if outcome == "requires_action":
        return ApiError(
            402,
            "The payment for this invoice requires the customer to authenticate (3-D Secure).",
            type="card_error",
            code="invoice_payment_intent_requires_action",
        )
    return card_declined()


def void_invoice(store: Store, invoice: JSON, at: int) -> None:
    intent = store.maybe("payment_intent", invoice.get("_payment_intent"))
    if intent is not None and intent["status"] != "succeeded":
        intent["status"] = "canceled"
        intent["canceled_at"] = at
        intent["cancellation_reason"] = "void_invoice"
        intent["next_action"] = None
    invoice["status"] = "void"
    invoice["amount_remaining"] = 0
    invoice["status_transitions"]["voided_at"] = at
    emit(store, "invoice.voided", invoice, at=at)


def _pay(call: Call) -> JSON:
    store = call.store
    invoice = store.get("invoice", call.path["id"])
    if invoice["status"] != "open":
        raise invalid(f"Invoice is already {invoice['status']}.", None)
    at = store.clock_time(invoice["test_clock"])
    wanted = call.params.get("payment_method")
    method = (
        resolve_method(store, wanted, invoice["customer"], "payment_method")["id"]
        if wanted
        else default_payment_method(store, invoice["customer"])
    )
    if invoice["collection_method"] == "send_invoice" and call.params.get("paid_out_of_band") == "true":
        invoice["amount_remaining"] = 0
        pay_invoice(store, invoice, method, at)
        return invoice
    outcome = pay_invoice(store, invoice, method, at)
    if outcome != "succeeded":
        # The attempt stays on record (attempt_count, the PaymentIntent's error) like Stripe's.
        store.keep.append(invoice)
        intent = store.maybe("payment_intent", invoice.get("_payment_intent"))
        if intent is not None:
            store.keep.append(intent)
        raise payment_refused(outcome)
    return invoice


def _void(call: Call) -> JSON:
    """Only an open (or uncollectible) invoice can be voided
    (https://docs.stripe.com/api/invoices/void)."""
    store = call.store
    invoice = store.get("invoice", call.path["id"])
    if invoice["status"] not in ("open", "uncollectible"):
        raise invalid(
            f"You can only void an open or uncollectible invoice; this one is {invoice['status']}.", None
        )
    void_invoice(store, invoice, store.clock_time(invoice["test_clock"]))
    return invoice


def _send(call: Call) -> JSON:
    """https://docs.stripe.com/api/invoices/send: e-mail a finalized invoice out of schedule
    (nothing leaves the emulator); only invoices collected by ``send_invoice``, not voided."""
    invoice = call.store.get("invoice", call.path["id"])
    if invoice["collection_method"] != "send_invoice":
        raise invalid(
            "You can only manually send an invoice if its collection method is 'send_invoice'.", None
        )
    if invoice["status"] in ("draft", "void"):
        raise invalid(f"You can't send an invoice that is {invoice['status']}.", None)
    return invoice


def _finalize_route(call: Call) -> JSON:
    """Finalize a draft now (https://docs.stripe.com/api/invoices/finalize); a renewal finalized
    early is still collected when its hour is up, as ``auto_advance`` says. Only a draft can be
    finalized."""
    store = call.store
    invoice = store.get("invoice", call.path["id"])
    if invoice["status"] != "draft":
        raise invalid("This invoice is already finalized, you can't re-finalize a non-draft invoice.", None)
    if call.params.get("auto_advance") is not None:
        invoice["auto_advance"] = str(call.params["auto_advance"]).lower() == "true"
    customer = store.get("customer", invoice["customer"])
    finalize_now(store, invoice, customer, store.clock_time(invoice["test_clock"]))
    return invoice


def _list(call: Call) -> JSON:
    p = call.params
    # Newest first; invoices of one instant keep their issue order (reversed).
    invoices = sorted(_candidates(call.store, p), key=lambda i: i["created"])[::-1]
    for key in ("subscription", "customer", "status"):
        if p.get(key):
            if key == "subscription":
                invoices = [
                    i for i in invoices if i["parent"]["subscription_details"]["subscription"] == p[key]
                ]
            else:
                invoices = [i for i in invoices if i[key] == p[key]]
    return list_response(invoices, "/v1/invoices", p)


def _candidates(store: Store, p: JSON) -> list[JSON]:
    """The invoices a list can match: one customer's (named, or the subscription's) through the
    store's customer index, else every invoice."""
    customer = p.get("customer")
    if not customer and p.get("subscription"):
        subscription = store.maybe("subscription", p["subscription"])
        if subscription is None:
            return []
        customer = subscription["customer"]
    return store.of_customer("invoice", customer) if customer else store.all("invoice")


def _get(call: Call) -> JSON:
    found = call.store.maybe("invoice", call.path["id"])
    if found is None:
        raise ApiError(404, f"No such invoice: '{call.path['id']}'", code="resource_missing", param="id")
    return found


ROUTES: list[Route] = [
    route("GET", "/v1/invoices", _list),
    route("GET", "/v1/invoices/{id}", _get),
    route("POST", "/v1/invoices/{id}/pay", _pay, InvoicePayParams),
    route("POST", "/v1/invoices/{id}/void", _void, InvoiceVoidInvoiceParams),
    route("POST", "/v1/invoices/{id}/finalize", _finalize_route, InvoiceFinalizeInvoiceParams),
    route("POST", "/v1/invoices/{id}/send", _send, InvoiceSendInvoiceParams),
]
