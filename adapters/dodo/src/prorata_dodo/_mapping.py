"""Two-way mapping between Dodo's objects and prorata's domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from dodopayments.types import (
    Payment,
    PaymentListResponse,
    PaymentRetrieveLineItemsResponse,
    SubscriptionListResponse,
    SubscriptionPreviewChangePlanResponse,
)
from dodopayments.types import Subscription as DodoSubscription
from dodopayments.types.customers.wallets import CustomerWalletTransaction
from dodopayments.types.discount_detail import DiscountDetail

from prorata import Catalog, Plan, PlanChange
from prorata.errors import ConfigurationError
from prorata.provider import (
    ChangePreview,
    ChargeLine,
    Discount,
    DiscountDuration,
    Invoice,
    InvoiceStatus,
    Item,
    LineKind,
    Money,
    ScheduledChange,
    Subscription,
    SubscriptionStatus,
    Totals,
    UpcomingInvoice,
    add_intervals,
    balance_after,
    next_invoice,
)
from prorata_dodo import semantics
from prorata_dodo._errors import PROVIDER

__all__ = [
    "addons_param",
    "change_lines",
    "credit_note",
    "discount_rules",
    "invoice_from_payment",
    "items_from",
    "plan_for",
    "preview_from",
    "priced_items",
    "ref",
    "subscription_from",
    "target_of",
]

_STATUS = {
    "pending": SubscriptionStatus.INCOMPLETE,
    "active": SubscriptionStatus.ACTIVE,
    "on_hold": SubscriptionStatus.PAST_DUE,
    "past_due": SubscriptionStatus.PAST_DUE,
    "paused": SubscriptionStatus.PAUSED,
    "cancelled": SubscriptionStatus.CANCELED,
    "failed": SubscriptionStatus.CANCELED,
    "expired": SubscriptionStatus.CANCELED,
}


def plan_for(catalog: Catalog, ref: str) -> Plan:
    """The catalog plan whose Dodo reference is ``ref``."""
    plan = catalog.by_ref(PROVIDER, ref)
    if plan is None:
        raise ConfigurationError("catalog", f"plans.*.refs.{PROVIDER}", f"a plan referring to Dodo id {ref}")
    return plan


def items_from(
    catalog: Catalog, product_id: str, quantity: int, addons: Sequence[tuple[str, int]]
) -> tuple[Item, ...]:
    """Domain items for a Dodo product, its quantity and add-ons."""
    head = Item(plan=plan_for(catalog, product_id).key, quantity=quantity)
    return (head, *(Item(plan=plan_for(catalog, a).key, quantity=q) for a, q in addons))


def split_items(catalog: Catalog, items: Sequence[Item]) -> tuple[Plan, int, list[dict[str, Any]]]:
    """The base plan, its quantity and the full add-on list (Dodo drops add-ons left out)."""
    base = [item for item in items if not catalog.get(item.plan).addon]
    plan = catalog.get(base[0].plan)
    return plan, base[0].quantity, addons_param(catalog, [i for i in items if catalog.get(i.plan).addon])


def addons_param(catalog: Catalog, items: Sequence[Item]) -> list[dict[str, Any]]:
    return [{"addon_id": ref(catalog.get(item.plan)), "quantity": item.quantity} for item in items]


def ref(plan: Plan) -> str:
    ref = plan.ref(PROVIDER)
    if ref is None:
        raise ConfigurationError(
            "catalog", f"plans.{plan.key}.refs.{PROVIDER}", "a Dodo product or add-on id"
        )
    return ref


def _discount(detail: DiscountDetail, currency: str) -> Discount:
    cycles = detail.subscription_cycles
    percent = Decimal(detail.amount) / 100 if detail.type == "percentage" else None
    return Discount(
        coupon=detail.code,
        percent_off=percent,
        amount_off=None if percent is not None else Money.of(detail.amount, currency),
        duration=DiscountDuration.REPEATING if cycles else DiscountDuration.FOREVER,
        duration_in_cycles=cycles,
        cycles_remaining=detail.cycles_remaining,
        id=detail.discount_id,
    )


def discount_rules(subscription: DodoSubscription) -> list[semantics.DiscountRule]:
    return [
        semantics.DiscountRule(type=d.type, amount=d.amount)
        for d in subscription.discounts or []
        if d.cycles_remaining is None or d.cycles_remaining > 0
    ]


REVISION_KEY = "prorata_idempotency_key"
"""Metadata key holding the idempotency key of the adapter's last write: the revision."""


def _revision(sub: DodoSubscription | SubscriptionListResponse) -> str | None:
    value = (sub.metadata or {}).get(REVISION_KEY)
    return None if value is None else str(value)


def subscription_from(catalog: Catalog, sub: DodoSubscription | SubscriptionListResponse) -> Subscription:
    """A domain Subscription from Dodo's retrieved subscription, or from a list row when the row
    has all it needs: no add-ons and no discounts (a list row carries neither in full)."""
    full = isinstance(sub, DodoSubscription)
    addons = [(a.addon_id, a.quantity) for a in sub.addons] if full else []
    discounts = tuple(_discount(d, sub.currency) for d in sub.discounts or []) if full else ()
    trial_end = sub.created_at + timedelta(days=sub.trial_period_days) if sub.trial_period_days else None
    status = _STATUS[sub.status]
    if (
        status is SubscriptionStatus.ACTIVE
        and trial_end is not None
        and sub.previous_billing_date == sub.created_at
        and sub.next_billing_date == trial_end
    ):
        status = SubscriptionStatus.TRIALING
    scheduled = sub.scheduled_change
    return Subscription(
        id=sub.subscription_id,
        customer_id=sub.customer.customer_id,
        provider=PROVIDER,
        status=status,
        items=items_from(catalog, sub.product_id, sub.quantity, addons),
        currency=sub.currency,
        current_period_start=sub.previous_billing_date,
        current_period_end=sub.next_billing_date,
        billing_cycle_anchor=sub.previous_billing_date,
        cancel_at_period_end=sub.cancel_at_next_billing_date,
        canceled_at=sub.cancelled_at,
        trial_end=trial_end,
        discounts=discounts,
        scheduled_change=None
        if scheduled is None
        else ScheduledChange(
            items=items_from(
                catalog,
                scheduled.product_id,
                scheduled.quantity,
                [(a.addon_id, a.quantity) for a in scheduled.addons],
            ),
            effective_at=scheduled.effective_at,
            id=scheduled.id,
        ),
        revision=_revision(sub),
        raw=sub.model_dump(mode="json"),
    )


_CHARGE_KIND = {
    "prorated_immediately": LineKind.RECURRING,
    "prorated_immediately_keep_cycle": LineKind.PRORATION_DEBIT,
    "full_immediately": LineKind.FULL_PRICE,
    "difference_immediately": LineKind.PRICE_DIFFERENCE,
}
_CREDIT_KIND = {
    "prorated_immediately": LineKind.PRORATION_CREDIT,
    "prorated_immediately_keep_cycle": LineKind.PRORATION_CREDIT,
    "difference_immediately": LineKind.PRICE_DIFFERENCE,
}


def priced_items(catalog: Catalog, items: Sequence[Item]) -> list[semantics.PricedItem]:
    """Items as the semantics module prices them (``ref`` is the plan key)."""
    return [
        semantics.PricedItem(
            kind="addon" if catalog.get(i.plan).addon else "subscription",
            ref=i.plan,
            name=catalog.get(i.plan).name,
            unit_price=catalog.get(i.plan).price.amount,
            quantity=i.quantity,
        )
        for i in items
    ]


def change_lines(
    catalog: Catalog,
    current: Subscription,
    target: Sequence[Item],
    mode: str,
    at: datetime,
    new_period_end: datetime,
) -> list[ChargeLine]:
    """The lines of a change as :mod:`prorata_dodo.semantics` bills it (the one reading)."""
    billed = semantics.change_charge(
        mode,
        priced_items(catalog, current.items),
        priced_items(catalog, target),
        period_start=current.current_period_start,
        period_end=current.current_period_end,
        at=at,
    )
    currency = current.currency
    lines: list[ChargeLine] = []
    for line in billed.charges:
        share = "" if line.factor == 1 else f" ({float(line.factor):.2%} of the period)"
        lines.append(
            ChargeLine(
                description=f"Remaining time on {line.item.quantity} x {line.item.name}{share}"
                if line.factor != 1
                else f"{line.item.quantity} x {line.item.name}",
                amount=Money.of(line.amount, currency),
                kind=_CHARGE_KIND[mode],
                plan=line.item.ref,
                quantity=line.item.quantity,
                period_start=at,
                period_end=new_period_end,
            )
        )
    for line in billed.credits:
        if not line.amount:
            continue
        lines.append(
            ChargeLine(
                description=f"Unused time on {line.item.quantity} x {line.item.name}"
                if line.factor != 1
                else f"Credit for {line.item.quantity} x {line.item.name}",
                amount=Money.of(-line.amount, currency),
                kind=_CREDIT_KIND[mode],
                plan=line.item.ref,
                quantity=line.item.quantity,
                period_start=at,
                period_end=current.current_period_end,
            )
        )
    return lines


def target_of(catalog: Catalog, new_plan: DodoSubscription) -> tuple[Item, ...]:
    """The items ``new_plan`` holds once its (scheduled) change is in effect."""
    change = new_plan.scheduled_change
    if change is not None:
        return items_from(
            catalog, change.product_id, change.quantity, [(a.addon_id, a.quantity) for a in change.addons]
        )
    return items_from(
        catalog, new_plan.product_id, new_plan.quantity, [(a.addon_id, a.quantity) for a in new_plan.addons]
    )


def _upcoming(catalog: Catalog, new_plan: DodoSubscription, balance: Money) -> UpcomingInvoice:
    """The renewal after the change, from the catalog, paid first from the wallet ``balance``."""
    return next_invoice(
        catalog,
        target_of(catalog, new_plan),
        at=new_plan.next_billing_date,
        currency=new_plan.currency,
        discounts=tuple(_discount(d, new_plan.currency) for d in new_plan.discounts or []),
        tax_rates=(),
        balance=balance,
    )


def _totals(currency: str, subtotal: int, discount: int, tax: int, amount_due: int, credited: int) -> Totals:
    total = subtotal - discount + tax
    applied = max(0, max(total, 0) - amount_due)
    return Totals(
        subtotal=Money.of(subtotal, currency),
        discount=Money.of(discount, currency),
        tax=Money.of(tax, currency),
        total=Money.of(total, currency),
        amount_due=Money.of(amount_due, currency),
        balance_applied=Money.of(applied, currency),
        credited=Money.of(max(credited, 0), currency),
    )


def preview_from(
    catalog: Catalog,
    current: Subscription,
    change: PlanChange,
    mode: str,
    response: SubscriptionPreviewChangePlanResponse,
    wallet: Money,
) -> ChangePreview:
    """A ChangePreview from Dodo's ``preview_change_plan`` response; ``wallet`` is the
    customer's wallet balance before the change (it pays the next invoice first)."""
    charge, new_plan = response.immediate_charge, response.new_plan
    at = charge.effective_at
    scheduled = new_plan.scheduled_change is not None
    currency = current.currency
    lines: list[ChargeLine] = []
    if not scheduled and mode != "do_not_bill":
        lines = change_lines(
            catalog, current, target_of(catalog, new_plan), mode, at, new_plan.next_billing_date
        )
    subtotal = sum(line.amount.amount for line in lines)
    discount = semantics.discount_amount(subtotal, discount_rules(new_plan)) if lines else 0
    totals = _totals(
        currency,
        subtotal,
        discount,
        charge.summary.tax or 0,
        charge.summary.total_amount,
        charge.summary.customer_credits,
    )
    items = target_of(catalog, new_plan)
    period_end = new_plan.next_billing_date
    if new_plan.scheduled_change is not None:
        base = catalog.get(items[0].plan)
        period_end = add_intervals(at, base.interval, 1)
    return ChangePreview(
        provider=PROVIDER,
        subscription_id=current.id,
        change=change,
        currency=currency,
        lines=tuple(lines),
        totals=totals,
        items=items,
        effective_at=at,
        proration_time=at,
        period_end=period_end,
        next_invoice=_upcoming(catalog, new_plan, balance_after(wallet, totals)),
        created_at=None if scheduled else at,
    )


_REASON = {
    "new": "subscription_create",
    "renewal": "subscription_cycle",
    "plan_change": "subscription_update",
}


def _payment_kind(payment: Payment | PaymentListResponse) -> LineKind:
    charge_type = payment.charge_type or "plan_change"
    period = payment.service_periods[0] if payment.service_periods else None
    full = period is None or Fraction(period.proration_factor) == 1
    if charge_type in ("new", "renewal"):
        return LineKind.RECURRING
    return LineKind.FULL_PRICE if full else LineKind.PRORATION_DEBIT


def invoice_from_payment(
    catalog: Catalog,
    payment: Payment | PaymentListResponse,
    items: PaymentRetrieveLineItemsResponse | None,
    *,
    failed_status: InvoiceStatus = InvoiceStatus.OPEN,
    lines: Sequence[ChargeLine] | None = None,
) -> Invoice:
    """An Invoice for a Dodo payment (Dodo's record of a charge).

    Lines are Dodo's line items, or ``lines`` when the caller priced them with the
    semantics module. Figures are Dodo's: ``tax``, ``discounts`` and ``total_amount``
    (what the card paid); the rest of the total was paid from the customer's wallet.
    """
    currency = payment.currency
    full_payment = isinstance(payment, Payment)
    tax = (payment.tax or 0) if full_payment else 0
    status = {"succeeded": InvoiceStatus.PAID, "failed": failed_status, "cancelled": InvoiceStatus.VOID}.get(
        payment.status or "", InvoiceStatus.OPEN
    )
    charge_type = payment.charge_type or "plan_change"
    kind = _payment_kind(payment)
    period = payment.service_periods[0] if payment.service_periods else None
    start, end = (None, None) if period is None else (period.starts_at, period.ends_at)
    built: list[ChargeLine] = list(lines or [])
    for entry in [] if items is None or lines is not None else items.items:
        plan = catalog.by_ref(PROVIDER, entry.items_id)
        line_kind = kind if entry.amount >= 0 else LineKind.PRORATION_CREDIT
        built.append(
            ChargeLine(
                description=entry.name or entry.items_id,
                amount=Money.of(entry.amount, currency),
                kind=line_kind,
                plan=None if plan is None else plan.key,
                period_start=start,
                period_end=end,
            )
        )
    if not built:
        built.append(
            ChargeLine(
                description=f"Dodo payment {payment.payment_id} ({charge_type})",
                amount=Money.of(payment.total_amount - tax, currency),
                kind=kind,
                period_start=start,
                period_end=end,
            )
        )
    subtotal = sum(line.amount.amount for line in built)
    rules = [
        semantics.DiscountRule(type=d.type, amount=d.amount)
        for d in (payment.discounts or [] if full_payment else [])
    ]
    discount = semantics.discount_amount(subtotal, rules)
    return Invoice(
        id=payment.payment_id,
        subscription_id=payment.subscription_id,
        status=status,
        currency=currency,
        lines=tuple(built),
        totals=_totals(currency, subtotal, discount, tax, payment.total_amount, 0),
        created=payment.created_at,
        reason=_REASON.get(charge_type, "subscription_update"),
        # Dodo's checkout while the payment waits for the customer; its invoice PDF once paid.
        hosted_url=payment.payment_link if full_payment else None,
        pdf_url=payment.invoice_url,
    )


def credit_note(
    entry: CustomerWalletTransaction,
    subscription_id: str,
    lines: Sequence[ChargeLine] | None = None,
    discounts: Sequence[semantics.DiscountRule] = (),
) -> Invoice:
    """A paid credit note for a net credit Dodo put in the customer's wallet.

    The amount is the ledger entry's (Dodo's record); ``lines`` (priced by the semantics
    module) break it down when the caller knows the change, else one line carries it.
    Whatever the lines and discount leave unexplained is the refunded tax.
    """
    currency = entry.currency
    built = list(lines or []) or [
        ChargeLine(
            description=entry.reason or f"Credit to the wallet ({entry.id})",
            amount=Money.of(-entry.amount, currency),
            kind=LineKind.PRORATION_CREDIT,
        )
    ]
    subtotal = sum(line.amount.amount for line in built)
    discount = semantics.discount_amount(subtotal, discounts)
    tax = -entry.amount - (subtotal - discount)
    return Invoice(
        id=entry.id,
        subscription_id=subscription_id,
        status=InvoiceStatus.PAID,
        currency=currency,
        lines=tuple(built),
        totals=_totals(currency, subtotal, discount, tax, 0, entry.amount),
        created=entry.created_at,
        reason="subscription_update",
    )
