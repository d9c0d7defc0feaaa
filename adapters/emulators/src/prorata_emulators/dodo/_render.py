"""Emulator objects rendered as Dodo's wire JSON (checked by the SDK's strict models)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prorata_emulators.dodo._state import (
    Addon,
    Customer,
    Discount,
    LedgerEntry,
    Payment,
    Product,
    Refund,
    State,
    Subscription,
)

__all__ = [
    "addon",
    "customer",
    "discount",
    "iso",
    "ledger_entry",
    "payment",
    "product",
    "subscription",
    "wallet",
]

_BILLING = {"country": "US", "city": None, "state": None, "street": None, "zipcode": None}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _customer_brief(state: State, customer_id: str) -> dict[str, Any]:
    found = state.customers[customer_id]
    return {
        "customer_id": found.id,
        "email": found.email,
        "name": found.name,
        "metadata": dict(found.metadata),
    }


def product(state: State, item: Product) -> dict[str, Any]:
    return {
        "brand_id": state.brand_id,
        "business_id": state.business_id,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.created_at),
        "credit_entitlements": [],
        "entitlements": [],
        "is_recurring": True,
        "license_key_enabled": False,
        "metadata": dict(item.metadata),
        "price": {
            "type": "recurring_price",
            "currency": item.currency,
            "price": item.price,
            "payment_frequency_count": item.interval_count,
            "payment_frequency_interval": item.interval,
            "subscription_period_count": item.term_count,
            "subscription_period_interval": item.term_interval,
            "trial_period_days": item.trial_days,
            "tax_inclusive": item.tax_inclusive,
            "discount_bps": 0,
        },
        "product_id": item.id,
        "tax_category": item.tax_category,
        "addons": list(item.addons),
        "name": item.name,
        "description": None,
    }


def addon(state: State, item: Addon) -> dict[str, Any]:
    return {
        "id": item.id,
        "business_id": state.business_id,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.created_at),
        "currency": item.currency,
        "name": item.name,
        "price": item.price,
        "tax_category": item.tax_category,
        "description": None,
        "image": None,
    }


def customer(state: State, item: Customer) -> dict[str, Any]:
    return {
        "business_id": state.business_id,
        "created_at": iso(item.created_at),
        "customer_id": item.id,
        "email": item.email,
        "name": item.name,
        "metadata": dict(item.metadata),
        "phone_number": None,
    }


def discount(state: State, item: Discount) -> dict[str, Any]:
    return {
        "amount": item.amount,
        "business_id": state.business_id,
        "code": item.code,
        "created_at": iso(item.created_at),
        "customer_eligibility": "any",
        "discount_id": item.id,
        "metadata": {},
        "preserve_on_plan_change": item.preserve_on_plan_change,
        "restricted_to": list(item.restricted_to),
        "times_used": item.times_used,
        "type": item.type,
        "name": item.name,
        "subscription_cycles": item.subscription_cycles,
    }


def _discount_detail(state: State, position: int, discount_id: str, cycles: int | None) -> dict[str, Any]:
    found = state.discounts[discount_id]
    body = discount(state, found)
    del body["customer_eligibility"]
    return {**body, "position": position, "cycles_remaining": cycles}


def subscription(state: State, item: Subscription, *, brief: bool = False) -> dict[str, Any]:
    """A ``Subscription`` (or, with ``brief``, a ``SubscriptionListResponse``)."""
    product_ = state.products[item.product_id]
    recurring = product_.price * item.quantity + sum(state.addons[a].price * q for a, q in item.addons)
    body: dict[str, Any] = {
        "billing": dict(_BILLING),
        "cancel_at_next_billing_date": item.cancel_at_next_billing_date,
        "created_at": iso(item.created_at),
        "currency": product_.currency,
        "customer": _customer_brief(state, item.customer_id),
        "has_payment_method": True,
        "metadata": dict(item.metadata),
        "next_billing_date": iso(item.next_billing_date),
        "on_demand": False,
        "payment_frequency_count": product_.interval_count,
        "payment_frequency_interval": product_.interval,
        "previous_billing_date": iso(item.previous_billing_date),
        "product_id": item.product_id,
        "quantity": item.quantity,
        "recurring_pre_tax_amount": recurring,
        "status": item.status,
        "subscription_id": item.id,
        "subscription_period_count": product_.term_count,
        "subscription_period_interval": product_.term_interval,
        "tax_inclusive": product_.tax_inclusive,
        "trial_period_days": item.trial_days,
        "cancelled_at": None if item.cancelled_at is None else iso(item.cancelled_at),
        "paused_at": None if item.paused_at is None else iso(item.paused_at),
        "payment_method_id": item.payment_method_id,
        "discount_id": item.discounts[0][0] if item.discounts else None,
        "discount_cycles_remaining": item.discounts[0][1] if item.discounts else None,
        "scheduled_change": None if item.scheduled is None else _scheduled(state, item),
    }
    if brief:
        body["discounts"] = [{"discount_id": d, "discount_cycles_remaining": c} for d, c in item.discounts]
        body["product_name"] = product_.name
        return body
    body.update(
        addons=[{"addon_id": a, "quantity": q} for a, q in item.addons],
        brand_id=state.brand_id,
        credit_entitlement_cart=[],
        meter_credit_entitlement_cart=[],
        meters=[],
        discounts=[_discount_detail(state, i, d, c) for i, (d, c) in enumerate(item.discounts)],
    )
    return body


def _scheduled(state: State, item: Subscription) -> dict[str, Any]:
    change = item.scheduled
    assert change is not None
    target = state.products[change.product_id]
    return {
        "id": change.id,
        "addons": [{"addon_id": a, "name": state.addons[a].name, "quantity": q} for a, q in change.addons],
        "created_at": iso(change.created_at),
        "effective_at": iso(change.effective_at),
        "product_id": change.product_id,
        "quantity": change.quantity,
        "product_name": target.name,
        "product_description": None,
    }


def payment(state: State, item: Payment, *, brief: bool = False) -> dict[str, Any]:
    """A ``Payment`` (or, with ``brief``, a ``PaymentListResponse``)."""
    body: dict[str, Any] = {
        "brand_id": state.brand_id,
        "created_at": iso(item.created_at),
        "currency": item.currency,
        "customer": _customer_brief(state, item.customer_id),
        "digital_products_delivered": False,
        "includes_usage": False,
        "is_multi_subscription": False,
        "metadata": dict(item.metadata),
        "payment_id": item.id,
        "payment_provider": "dodo",
        "retry_attempt": 0,
        "service_periods": [
            {
                "starts_at": iso(item.service_start),
                "ends_at": iso(item.service_end),
                "proration_factor": item.proration_factor,
                "subscription_id": item.subscription_id,
            }
        ],
        "subscription_ids": [item.subscription_id],
        "total_amount": item.total_amount,
        "charge_type": item.charge_type,
        "status": item.status,
        "subscription_id": item.subscription_id,
    }
    if brief:
        body["has_license_key"] = False
        return body
    body.update(
        billing=dict(_BILLING),
        business_id=state.business_id,
        disputes=[],
        is_update_payment_method=False,
        refunds=[refund(state, r, brief=True) for r in state.refunds_of(item.id)],
        payment_link=item.payment_link,
        invoice_url=f"https://test.dodopayments.com/invoices/payments/{item.id}"
        if item.status == "succeeded"
        else None,
        settlement_amount=item.total_amount,
        settlement_currency=item.currency,
        settlement_tax=item.tax,
        tax=item.tax,
        error_code=item.error_code,
        error_message=item.error_message,
        product_cart=[{"product_id": p, "quantity": q} for p, q in item.product_cart],
        discount_id=item.discounts[0] if item.discounts else None,
        discounts=[_discount_detail(state, i, d, None) for i, d in enumerate(item.discounts)],
    )
    return body


def refund(state: State, item: Refund, *, brief: bool = False) -> dict[str, Any]:
    """A ``Refund`` (or, with ``brief``, a ``RefundListItem``)."""
    body: dict[str, Any] = {
        "business_id": state.business_id,
        "created_at": iso(item.created_at),
        "is_partial": item.is_partial,
        "payment_id": item.payment_id,
        "refund_id": item.id,
        "status": "succeeded",
        "amount": item.amount,
        "currency": item.currency,
        "reason": item.reason,
    }
    if not brief:
        payment = state.payments[item.payment_id]
        body.update(
            brand_id=state.brand_id,
            customer=_customer_brief(state, payment.customer_id),
            metadata=dict(item.metadata),
        )
    return body


def ledger_entry(state: State, item: LedgerEntry) -> dict[str, Any]:
    """A ``CustomerWalletTransaction``."""
    return {
        "id": item.id,
        "after_balance": item.after_balance,
        "amount": item.amount,
        "before_balance": item.before_balance,
        "business_id": state.business_id,
        "created_at": iso(item.created_at),
        "currency": item.currency,
        "customer_id": item.customer_id,
        "event_type": item.event_type,
        "is_credit": item.is_credit,
        "reason": item.reason,
        "reference_object_id": item.reference_object_id,
    }


def wallet(state: State, item: Customer, currency: str) -> dict[str, Any]:
    """A ``CustomerWallet``: the balance of one currency."""
    entries = [e for e in state.ledger.get(item.id, []) if e.currency == currency]
    created = entries[0].created_at if entries else item.created_at
    updated = entries[-1].created_at if entries else item.created_at
    balance = sum(e.amount if e.is_credit else -e.amount for e in entries)
    return {
        "balance": balance,
        "created_at": iso(created),
        "currency": currency,
        "customer_id": item.id,
        "updated_at": iso(updated),
    }
