"""Two-way mapping between Stripe objects and prorata's domain.

Stripe -> domain reads plain dicts (``StripeObject.to_dict()``); domain -> Stripe builds
request params. Stripe prices map to catalog plans through ``plan.refs["stripe"]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from prorata import BillingCycle, Catalog, PaymentFailurePolicy, ProrationMode
from prorata.errors import ConfigurationError, InvalidChangeError
from prorata.provider import (
    ChargeLine,
    CollectionMethod,
    Discount,
    DiscountDuration,
    EndBehavior,
    Invoice,
    InvoiceStatus,
    Item,
    LineKind,
    Money,
    PaymentAction,
    Phase,
    Schedule,
    ScheduledChange,
    Subscription,
    SubscriptionStatus,
    TaxRate,
    Totals,
)
from prorata_stripe._amounts import from_stripe

__all__ = [
    "PROVIDER",
    "REVISION_KEY",
    "discount_params",
    "finished",
    "finished_schedule_id",
    "invoice_from_stripe",
    "item_changes",
    "line_from_stripe",
    "next_revision",
    "payment_behavior",
    "phase_params",
    "proration_params",
    "revision_of",
    "schedule_from_stripe",
    "subscription_from_stripe",
    "tax_rate_from_stripe",
    "timestamp",
    "totals_from_stripe",
]

PROVIDER = "stripe"
JSON = Mapping[str, Any]

_STATUS = {
    "active": SubscriptionStatus.ACTIVE,
    "trialing": SubscriptionStatus.TRIALING,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.PAST_DUE,
    "incomplete": SubscriptionStatus.INCOMPLETE,
    "incomplete_expired": SubscriptionStatus.CANCELED,
    "canceled": SubscriptionStatus.CANCELED,
    "paused": SubscriptionStatus.PAUSED,
}

_PRORATION: dict[tuple[ProrationMode, BillingCycle], tuple[str, str]] = {
    (ProrationMode.PRORATE_NOW, BillingCycle.KEEP): ("always_invoice", "unchanged"),
    (ProrationMode.PRORATE_NOW, BillingCycle.RESET): ("always_invoice", "now"),
    (ProrationMode.PRORATE_NEXT_INVOICE, BillingCycle.KEEP): ("create_prorations", "unchanged"),
    (ProrationMode.FULL_PRICE_NOW, BillingCycle.RESET): ("none", "now"),
    (ProrationMode.NO_BILLING, BillingCycle.KEEP): ("none", "unchanged"),
}


def at(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(int(seconds), tz=UTC)


def instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(int(seconds), tz=UTC)


def timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


def _id(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return str(value["id"])


# -- Stripe -> domain ---------------------------------------------------------------------------


def plan_key(catalog: Catalog, price_id: str) -> str:
    plan = catalog.by_ref(PROVIDER, price_id)
    if plan is None:
        raise ConfigurationError("catalog", "plans.*.refs.stripe", f"a plan whose Stripe price is {price_id}")
    return plan.key


REVISION_KEY = "prorata_revision"
"""Metadata key the adapter bumps on every subscription update (Stripe has no object version)."""


def revision_of(data: JSON) -> str:
    return str((data.get("metadata") or dict[str, Any]()).get(REVISION_KEY) or "0")


def next_revision(data: JSON) -> str:
    return str(int(revision_of(data)) + 1)


def tax_rate_from_stripe(rate: JSON) -> TaxRate:
    return TaxRate(
        display_name=rate["display_name"],
        percentage=Decimal(str(rate["percentage"])),
        inclusive=bool(rate["inclusive"]),
        id=rate["id"],
    )


def discount_from_stripe(discount: Any, currency: str) -> Discount | None:
    """A domain discount from an expanded Stripe discount (``source.coupon`` expanded)."""
    if not isinstance(discount, Mapping):
        return None
    data: JSON = discount  # pyright: ignore[reportUnknownVariableType]
    coupon = data["source"]["coupon"]
    if not isinstance(coupon, Mapping):
        return None
    info: JSON = coupon  # pyright: ignore[reportUnknownVariableType]
    amount_off = info.get("amount_off")
    return Discount(
        coupon=info["id"],
        percent_off=None if info.get("percent_off") is None else Decimal(str(info["percent_off"])),
        amount_off=None
        if amount_off is None
        else from_stripe(int(amount_off), str(info.get("currency") or currency)),
        duration=DiscountDuration(info["duration"]),
        duration_in_cycles=info.get("duration_in_months"),
        id=data["id"],
    )


def _phase_items(catalog: Catalog, phase: JSON) -> tuple[Item, ...]:
    return tuple(
        Item(plan=plan_key(catalog, _id(item["price"]) or ""), quantity=int(item.get("quantity") or 1))
        for item in phase["items"]
    )


def schedule_from_stripe(catalog: Catalog, schedule: JSON) -> Schedule:
    phases = tuple(
        Phase(
            items=_phase_items(catalog, phase),
            start=at(phase["start_date"]),
            end=at(phase["end_date"]),
            tax_rates=tuple(
                tax_rate_from_stripe(cast(JSON, r))
                for r in cast("list[Any]", phase.get("default_tax_rates") or [])
                if isinstance(r, Mapping)
            ),
            prorate_at_start=phase.get("proration_behavior") != "none",
        )
        for phase in schedule["phases"]
    )
    return Schedule(phases=phases, end_behavior=EndBehavior(schedule["end_behavior"]), id=schedule["id"])


def payment_action_from_stripe(data: JSON) -> PaymentAction | None:
    """While an incomplete or past-due subscription's latest invoice is open and charged
    automatically, the customer confirms its PaymentIntent with the invoice's confirmation
    secret (Stripe.js ``confirmCardPayment``, https://docs.stripe.com/billing/subscriptions/overview#requires-action)."""
    invoice = data.get("latest_invoice")
    if data.get("status") not in ("incomplete", "past_due") or not isinstance(invoice, Mapping):
        return None
    invoice = cast(JSON, invoice)
    secret = (invoice.get("confirmation_secret") or dict[str, Any]()).get("client_secret")
    if (
        invoice.get("status") != "open"
        or invoice.get("collection_method") != "charge_automatically"
        or not secret
    ):
        return None
    return PaymentAction(
        invoice_id=invoice["id"],
        amount=from_stripe(int(invoice["amount_remaining"]), str(invoice["currency"])),
        client_secret=secret,
        payment_id=str(secret).split("_secret_", 1)[0],
        url=invoice.get("hosted_invoice_url"),
    )


def finished(schedule: JSON) -> bool:
    """A schedule whose last phase has started and that releases at its end: nothing is pending.

    Stripe keeps it attached until that phase ends; prorata reports no schedule, and the adapter
    releases it before its next write (https://docs.stripe.com/billing/subscriptions/subscription-schedules#completing-a-schedule).
    """
    phases = schedule.get("phases") or list[Any]()
    current = schedule.get("current_phase")
    if schedule.get("status") != "active" or schedule.get("end_behavior") != "release" or not phases:
        return False
    if not isinstance(current, Mapping):
        return False
    last = phases[-1]
    return int(last.get("start_date") or 0) <= int(current.get("start_date") or 0)  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]


def finished_schedule_id(data: JSON) -> str | None:
    """The id of the subscription's attached schedule when it is :func:`finished`."""
    attached = data.get("schedule")
    return str(attached["id"]) if isinstance(attached, Mapping) and finished(attached) else None  # pyright: ignore[reportUnknownArgumentType]


def subscription_from_stripe(catalog: Catalog, data: JSON, schedule: JSON | None = None) -> Subscription:
    """A domain subscription. ``schedule`` (or an expanded ``data["schedule"]``) fills the schedule."""
    first = data["items"]["data"][0]
    currency = str(data["currency"]).upper()
    attached = (
        schedule
        if schedule is not None
        else (data["schedule"] if isinstance(data.get("schedule"), Mapping) else None)
    )
    domain_schedule: Schedule | None = None
    scheduled: ScheduledChange | None = None
    if (
        attached is not None
        and attached.get("status") in ("active", "not_started")
        and not finished(attached)
    ):
        domain_schedule = schedule_from_stripe(catalog, attached)
        current = attached.get("current_phase") or dict[str, Any]()
        current_end = at(current.get("end_date"))
        upcoming = [
            p
            for p in domain_schedule.phases
            if p.start is not None and current_end is not None and p.start >= current_end
        ]
        if len(upcoming) == 1 and upcoming[0].start is not None:
            scheduled = ScheduledChange(
                items=upcoming[0].items, effective_at=upcoming[0].start, id=attached["id"]
            )
    discounts = tuple(
        d
        for d in (discount_from_stripe(x, currency) for x in data.get("discounts") or list[Any]())
        if d is not None
    )
    cancel_at = data.get("cancel_at")
    return Subscription(
        id=data["id"],
        customer_id=_id(data["customer"]) or "",
        provider=PROVIDER,
        status=_STATUS.get(data["status"], SubscriptionStatus.INCOMPLETE),
        items=tuple(
            Item(
                plan=plan_key(catalog, item["price"]["id"]),
                quantity=int(item.get("quantity") or 1),
                id=item["id"],
            )
            for item in data["items"]["data"]
        ),
        currency=currency,
        current_period_start=at(first["current_period_start"]),
        current_period_end=at(first["current_period_end"]),
        billing_cycle_anchor=at(data["billing_cycle_anchor"]),
        cancel_at_period_end=bool(data.get("cancel_at_period_end"))
        or (cancel_at is not None and cancel_at == first["current_period_end"]),
        canceled_at=at(data.get("canceled_at")),
        trial_end=at(data.get("trial_end")),
        discounts=discounts,
        tax_rates=tuple(tax_rate_from_stripe(r) for r in data.get("default_tax_rates") or list[Any]()),
        collection_method=CollectionMethod(data["collection_method"]),
        days_until_due=data.get("days_until_due"),
        schedule=domain_schedule,
        scheduled_change=scheduled,
        payment_action=payment_action_from_stripe(data),
        revision=revision_of(data),
        raw=data,
    )


def line_from_stripe(catalog: Catalog, line: JSON, reason: str | None) -> ChargeLine:
    currency = str(line["currency"]).upper()
    parent = line.get("parent") or dict[str, Any]()
    details = (
        parent.get("subscription_item_details") or parent.get("invoice_item_details") or dict[str, Any]()
    )
    proration = bool(details.get("proration"))
    amount = int(line["amount"])
    if proration:
        kind = LineKind.PRORATION_CREDIT if amount < 0 else LineKind.PRORATION_DEBIT
    elif reason == "subscription_update":
        kind = LineKind.FULL_PRICE
    else:
        kind = LineKind.RECURRING
    pricing = line.get("pricing") or dict[str, Any]()
    price = _id((pricing.get("price_details") or dict[str, Any]()).get("price"))
    plan = catalog.by_ref(PROVIDER, price) if price else None
    period = line.get("period") or dict[str, Any]()
    return ChargeLine(
        description=line.get("description") or kind.value,
        amount=from_stripe(amount, currency),
        kind=kind,
        plan=plan.key if plan is not None else None,
        quantity=line.get("quantity"),
        period_start=at(period.get("start")),
        period_end=at(period.get("end")),
    )


def totals_from_stripe(invoice: JSON) -> Totals:
    currency = str(invoice["currency"]).upper()
    total = int(invoice["total"])
    discount = sum(int(d["amount"]) for d in invoice.get("total_discount_amounts") or list[Any]())
    # Inclusive taxes are reported but not added (docs/proration.md): Stripe's total
    # already holds them, its ``total_taxes`` lists both kinds.
    tax = sum(int(t["amount"]) for t in invoice.get("total_taxes") or list[Any]())
    amount_due = int(invoice["amount_due"])

    def money(value: int) -> Money:
        return from_stripe(value, currency)

    return Totals(
        subtotal=money(int(invoice["subtotal"])),
        discount=money(discount),
        tax=money(tax),
        total=money(total),
        amount_due=money(amount_due),
        balance_applied=money(max(0, total - amount_due) if total > 0 else 0),
        credited=money(-total if total < 0 else 0),
    )


def invoice_from_stripe(catalog: Catalog, invoice: JSON) -> Invoice:
    parent = invoice.get("parent") or dict[str, Any]()
    details = parent.get("subscription_details") or dict[str, Any]()
    reason = invoice.get("billing_reason")
    return Invoice(
        id=invoice["id"],
        subscription_id=_id(details.get("subscription")),
        status=InvoiceStatus(invoice["status"] or "draft"),
        currency=str(invoice["currency"]).upper(),
        lines=tuple(line_from_stripe(catalog, line, reason) for line in invoice["lines"]["data"]),
        totals=totals_from_stripe(invoice),
        created=at(invoice["created"]),
        collection_method=CollectionMethod(invoice["collection_method"]),
        due_date=at(invoice.get("due_date")),
        reason=reason or "manual",
        hosted_url=invoice.get("hosted_invoice_url"),
        pdf_url=invoice.get("invoice_pdf"),
        attempts=int(invoice.get("attempt_count") or 0),
    )


# -- domain -> Stripe ---------------------------------------------------------------------------


def proration_params(mode: ProrationMode, cycle: BillingCycle) -> tuple[str, str]:
    """``(proration_behavior, billing_cycle_anchor type)`` for a declared (mode, cycle) pair."""
    return _PRORATION[(mode, cycle)]


def payment_behavior(policy: PaymentFailurePolicy) -> str:
    return "error_if_incomplete" if policy is PaymentFailurePolicy.KEEP_OLD_PLAN else "allow_incomplete"


def price_ref(catalog: Catalog, plan: str, field: str) -> str:
    ref = catalog.get(plan, field=field).ref(PROVIDER)
    if ref is None:
        raise InvalidChangeError(field, plan, "a plan with a Stripe price reference (refs.stripe)")
    return ref


def item_changes(catalog: Catalog, current: Sequence[Item], target: Sequence[Item]) -> list[dict[str, Any]]:
    """``items`` for ``subscriptions.update``: keep (quantity), swap (same item, new price), delete, add.

    Removed items are paired with added ones in order, so a swap keeps its ``si_`` id the
    way the Dashboard does; unchanged items are left out (Stripe keeps them).
    """
    wanted = {item.plan: item.quantity for item in target}
    held = {item.plan for item in current}
    params: list[dict[str, Any]] = []
    removed: list[Item] = []
    for item in current:
        if item.id is None:
            raise InvalidChangeError(
                "Subscription.items.id",
                None,
                "Stripe subscription item ids (read the subscription from the provider)",
            )
        if item.plan in wanted:
            if wanted[item.plan] != item.quantity:
                params.append({"id": item.id, "quantity": wanted[item.plan]})
        else:
            removed.append(item)
    added = [item for item in target if item.plan not in held]
    for index, new in enumerate(added):
        price = price_ref(catalog, new.plan, f"PlanChange.items[{new.plan}]")
        if index < len(removed):
            params.append({"id": removed[index].id, "price": price, "quantity": new.quantity})
        else:
            params.append({"price": price, "quantity": new.quantity})
    params.extend({"id": old.id, "deleted": True} for old in removed[len(added) :])
    return params


def discount_params(discounts: Sequence[Discount]) -> list[dict[str, str]]:
    """Existing discounts by id (the coupon keeps its remaining duration), others by coupon."""
    return [{"discount": d.id} if d.id else {"coupon": d.coupon} for d in discounts]


def tax_rate_ids(rates: Sequence[TaxRate], field: str) -> list[str]:
    ids: list[str] = []
    for index, rate in enumerate(rates):
        if rate.id is None:
            raise InvalidChangeError(f"{field}[{index}].id", None, "a Stripe tax rate id (txr_...)")
        ids.append(rate.id)
    return ids


def phase_params(
    catalog: Catalog,
    phase: Phase,
    *,
    field: str,
    start_date: int | None,
    end_date: int | None,
    kept_discounts: Sequence[Discount],
    kept_tax_rates: Sequence[TaxRate],
    proration_behavior: str,
) -> dict[str, Any]:
    """One schedule phase. Its length is ``end_date`` or ``duration`` (``iterations`` is gone)."""
    params: dict[str, Any] = {
        "items": [
            {"price": price_ref(catalog, item.plan, f"{field}.items[{n}].plan"), "quantity": item.quantity}
            for n, item in enumerate(phase.items)
        ],
        "proration_behavior": proration_behavior,
    }
    if start_date is not None:
        params["start_date"] = start_date
    if end_date is not None:
        params["end_date"] = end_date
    elif phase.end is not None:
        params["end_date"] = timestamp(phase.end)
    elif phase.cycles is not None:
        plan = catalog.get(phase.items[0].plan, field=f"{field}.items[0].plan")
        params["duration"] = {
            "interval": plan.interval.unit.value,
            "interval_count": phase.cycles * plan.interval.count,
        }
    discounts = kept_discounts if phase.discounts is None else phase.discounts
    params["discounts"] = discount_params(discounts)
    params["default_tax_rates"] = tax_rate_ids(
        kept_tax_rates if phase.tax_rates is None else phase.tax_rates, f"{field}.tax_rates"
    )
    return params
