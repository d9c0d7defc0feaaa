"""The emulator's billing engine: charges, plan changes, renewals and scheduled changes.

Every amount comes from :mod:`prorata_dodo.semantics`, the one reading of Dodo's modes.
"""

from __future__ import annotations

import heapq
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

import attrs

from prorata.provider import Interval, add_intervals
from prorata_dodo import semantics
from prorata_emulators.dodo import _render, _webhooks
from prorata_emulators.dodo._errors import ApiError, invalid, not_found
from prorata_emulators.dodo._state import Payment, Scheduled, State, Subscription

__all__ = ["ChangeRequest", "Quote", "advance", "apply_change", "charge", "quote"]

_UNITS = {"Day": "day", "Week": "week", "Month": "month", "Year": "year"}


@attrs.frozen(kw_only=True, slots=True)
class ChangeRequest:
    """A parsed change-plan body."""

    product_id: str
    quantity: int
    mode: str
    addons: tuple[tuple[str, int], ...]
    effective_at: str
    on_payment_failure: str
    discount_codes: tuple[str, ...] | None
    replace_scheduled: bool
    metadata: dict[str, str] | None = None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> ChangeRequest:
        mode = body.get("proration_billing_mode")
        if mode not in semantics.MODES:
            raise invalid(f"proration_billing_mode must be one of {sorted(semantics.MODES)}")
        quantity = body.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise invalid("quantity must be at least 1")
        product_id = body.get("product_id")
        if not isinstance(product_id, str):
            raise invalid("product_id is required")
        effective_at = body.get("effective_at") or "immediately"
        if effective_at not in ("immediately", "next_billing_date"):
            raise invalid("effective_at must be immediately or next_billing_date")
        failure = body.get("on_payment_failure") or "apply_change"
        if failure not in ("prevent_change", "apply_change"):
            raise invalid("on_payment_failure must be prevent_change or apply_change")
        codes = body.get("discount_codes")
        if codes is None and body.get("discount_code"):
            codes = [body["discount_code"]]
        metadata = body.get("metadata")
        if metadata is not None and (
            not isinstance(metadata, dict)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())  # pyright: ignore[reportUnknownVariableType]
        ):
            raise invalid("metadata must be an object of strings")
        return cls(
            metadata=None if metadata is None else {str(k): str(v) for k, v in metadata.items()},  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
            product_id=product_id,
            quantity=quantity,
            mode=mode,
            addons=parse_addons(body.get("addons")),
            effective_at=effective_at,
            on_payment_failure=failure,
            discount_codes=None if codes is None else tuple(codes),
            replace_scheduled=bool(body.get("cancel_scheduled_change_plan")),
        )


def parse_addons(raw: Any) -> tuple[tuple[str, int], ...]:
    """``[{"addon_id", "quantity"}]`` as pairs (an absent list is no add-ons)."""
    if raw is None:
        return ()
    pairs: list[tuple[str, int]] = []
    for entry in raw:
        quantity = entry.get("quantity")
        if not isinstance(quantity, int) or quantity < 1:
            raise invalid("addon quantity must be at least 1")
        pairs.append((str(entry.get("addon_id")), quantity))
    if len({a for a, _ in pairs}) != len(pairs):
        raise invalid("each addon at most once")
    return tuple(pairs)


def interval_of(state: State, product_id: str) -> Interval:
    product = state.products[product_id]
    return Interval(unit=_UNITS[product.interval], count=product.interval_count)


def term_end(state: State, product_id: str, start: datetime) -> datetime:
    """When a subscription to ``product_id`` started at ``start`` expires: the end of the
    product's subscription period (https://docs.dodopayments.com/api-reference/products/create-product,
    ``subscription_period_count``: "When this period ends, the subscription expires. Dodo
    Payments does not start a new billing cycle after the subscription expires")."""
    product = state.products[product_id]
    return add_intervals(start, Interval(unit=_UNITS[product.term_interval], count=product.term_count), 1)


def priced(
    state: State, product_id: str, quantity: int, addons: tuple[tuple[str, int], ...] | list[tuple[str, int]]
) -> list[semantics.PricedItem]:
    """The priced lines of a product, quantity and add-ons (unknown ids are a 404)."""
    product = state.products.get(product_id)
    if product is None:
        raise not_found("product", product_id)
    items = [
        semantics.PricedItem(
            kind="subscription",
            ref=product.id,
            name=product.name,
            unit_price=product.price,
            quantity=quantity,
        )
    ]
    for addon_id, count in addons:
        addon = state.addons.get(addon_id)
        if addon is None:
            raise not_found("addon", addon_id)
        if addon.currency != product.currency:
            raise invalid(f"addon {addon_id} is priced in {addon.currency}, not {product.currency}")
        items.append(
            semantics.PricedItem(
                kind="addon", ref=addon.id, name=addon.name, unit_price=addon.price, quantity=count
            )
        )
    return items


def resolve_discounts(
    state: State, codes: tuple[str, ...] | list[str] | None, current: list[tuple[str, int | None]]
) -> list[tuple[str, int | None]]:
    """Codes replace the discounts; None keeps those with ``preserve_on_plan_change``."""
    if codes is None:
        return [(d, c) for d, c in current if state.discounts[d].preserve_on_plan_change]
    resolved: list[tuple[str, int | None]] = []
    for code in codes:
        found = state.discount_by_code(code)
        if found is None:
            raise invalid(f"discount code {code} does not exist", code="INVALID_DISCOUNT_CODE")
        resolved.append((found.id, found.subscription_cycles))
    return resolved


def rules_of(state: State, discounts: list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    """The discounts that still apply (cycles left or forever)."""
    return [(d, c) for d, c in discounts if c is None or c > 0]


def rules(state: State, discounts: list[tuple[str, int | None]]) -> list[semantics.DiscountRule]:
    return [
        semantics.DiscountRule(
            type="percentage" if state.discounts[d].type == "percentage" else "flat",
            amount=state.discounts[d].amount,
        )
        for d, cycles in discounts
        if cycles is None or cycles > 0
    ]


def charge(
    state: State,
    sub: Subscription,
    amount: int,
    *,
    tax: int,
    charge_type: str,
    period: tuple[datetime, datetime],
    factor: Fraction,
    cart: list[tuple[str, int]],
    lines: list[tuple[str, str, int]] | None = None,
    metadata: dict[str, str] | None = None,
    discounts: list[str] | None = None,
    hosted: bool = False,
    link: bool = False,
) -> Payment:
    """Charge the customer's card now; declined cards give a failed payment, a card that needs
    3-D Secure a payment that waits for the customer (``requires_customer_action``).

    ``hosted``: nothing is charged, the customer pays on Dodo's checkout
    (``requires_payment_method``; with ``link``, at its ``payment_link``).
    """
    customer = state.customers[sub.customer_id]
    declined = not hosted and customer.declines and amount > 0
    waiting = not declined and customer.saved_card == "requires_action" and amount > 0
    payment = Payment(
        id=state.new_id("pay"),
        subscription_id=sub.id,
        customer_id=sub.customer_id,
        currency=state.products[sub.product_id].currency,
        total_amount=amount,
        tax=tax,
        status="requires_payment_method"
        if hosted
        else "failed"
        if declined
        else "requires_customer_action"
        if waiting
        else "succeeded",
        charge_type=charge_type,
        created_at=state.now,
        service_start=period[0],
        service_end=period[1],
        proration_factor=str(float(factor)) if factor != 1 else "1",
        product_cart=cart,
        lines=list(lines or []),
        error_code="CARD_DECLINED" if declined else None,
        error_message="Your card was declined." if declined else None,
        metadata=dict(metadata or {}),
        discounts=list(discounts or []),
    )
    if hosted and link:
        payment.payment_link = f"https://test.checkout.dodopayments.com/{payment.id}"
    state.add_payment(payment)
    if not (waiting or hosted):
        _webhooks.emit(
            state, "payment.failed" if declined else "payment.succeeded", _render.payment(state, payment)
        )
    return payment


@attrs.frozen(kw_only=True, slots=True)
class Quote:
    """A priced change: what preview shows and apply does."""

    after: Subscription
    charge: semantics.ChangeCharge | None
    discount: int
    tax: int
    total: int
    settlement: semantics.Settlement
    effective_at: datetime
    currency: str


def _check_changeable(state: State, sub: Subscription, request: ChangeRequest) -> None:
    if sub.status in ("past_due", "on_hold"):
        raise ApiError(
            422,
            "SUBSCRIPTION_PAST_DUE",
            f"subscription {sub.id} is {sub.status}: pay the open invoice before changing the plan",
        )
    if sub.status != "active":
        raise ApiError(422, "SUBSCRIPTION_NOT_ACTIVE", f"subscription {sub.id} is {sub.status}")
    if sub.scheduled is not None and not request.replace_scheduled:
        raise ApiError(
            409,
            "SCHEDULED_CHANGE_EXISTS",
            f"subscription {sub.id} already has a scheduled plan change",
            headers={"x-should-retry": "false"},
        )
    if state.products[request.product_id].currency != state.products[sub.product_id].currency:
        raise invalid("the new product must be priced in the subscription's currency")


def quote(state: State, sub: Subscription, request: ChangeRequest) -> Quote:
    """Price ``request`` on ``sub`` at the emulator's current time, changing nothing."""
    new_items = priced(state, request.product_id, request.quantity, request.addons)
    _check_changeable(state, sub, request)
    currency = state.products[sub.product_id].currency
    discounts = resolve_discounts(state, request.discount_codes, sub.discounts)
    zero = semantics.Settlement(total_amount=0, customer_credits=0, wallet_used=0)
    if request.effective_at == "next_billing_date":
        scheduled = Scheduled(
            id=state.new_id("spc"),
            product_id=request.product_id,
            quantity=request.quantity,
            addons=list(request.addons),
            effective_at=sub.next_billing_date,
            created_at=state.now,
            on_payment_failure=request.on_payment_failure,
            discount_codes=None if request.discount_codes is None else list(request.discount_codes),
        )
        after = attrs.evolve(sub, scheduled=scheduled)
        return Quote(
            after=after,
            charge=None,
            discount=0,
            tax=0,
            total=0,
            settlement=zero,
            effective_at=sub.next_billing_date,
            currency=currency,
        )
    old_items = priced(state, sub.product_id, sub.quantity, sub.addons)
    now = state.now
    billed = semantics.change_charge(
        request.mode,
        old_items,
        new_items,
        period_start=sub.previous_billing_date,
        period_end=sub.next_billing_date,
        at=now,
    )
    discount = semantics.discount_amount(billed.subtotal, rules(state, discounts))
    tax = semantics.tax_amount(billed.subtotal - discount, state.tax_rate_bps)
    total = billed.subtotal - discount + tax
    wallet = state.customers[sub.customer_id].wallet
    settlement = semantics.settle(total, wallet=wallet, proration_credit=billed.credit)
    start, end = sub.previous_billing_date, sub.next_billing_date
    if billed.resets_cycle:
        start, end = now, add_intervals(now, interval_of(state, request.product_id), 1)
    after = attrs.evolve(
        sub,
        product_id=request.product_id,
        quantity=request.quantity,
        addons=list(request.addons),
        previous_billing_date=start,
        next_billing_date=end,
        discounts=discounts,
        scheduled=None,
        trial_days=sub.trial_days,
    )
    return Quote(
        after=after,
        charge=billed,
        discount=discount,
        tax=tax,
        total=total,
        settlement=settlement,
        effective_at=now,
        currency=currency,
    )


def apply_change(state: State, sub: Subscription, request: ChangeRequest) -> Payment | None:
    """Apply ``request``: charge now, or schedule it. Returns the payment made, if any."""
    result = quote(state, sub, request)
    if result.charge is None:
        sub.scheduled = result.after.scheduled
        _webhooks.emit(state, "subscription.updated", _render.subscription(state, sub))
        return None
    payment: Payment | None = None
    customer = state.customers[sub.customer_id]
    if result.total > 0:  # a charge, even one the wallet pays in full, is settled by a payment
        billed = result.charge
        payment = charge(
            state,
            sub,
            result.settlement.total_amount,
            tax=result.tax,
            charge_type="plan_change",
            period=(result.after.previous_billing_date, result.after.next_billing_date),
            factor=billed.charges[0].factor if billed.charges else Fraction(0),
            cart=[(request.product_id, request.quantity)],
            lines=[(line.item.ref, line.item.name, line.amount) for line in billed.charges]
            + [(line.item.ref, line.item.name, -line.amount) for line in billed.credits if line.amount],
            metadata=request.metadata,
            discounts=[d for d, _ in rules_of(state, result.after.discounts)],
        )
        if payment.status == "failed" and request.on_payment_failure == "prevent_change":
            raise ApiError(
                402,
                "PAYMENT_FAILED",
                f"payment {payment.id} for the plan change was declined; the plan is unchanged",
            )
        if result.settlement.wallet_used:
            state.wallet_entry(
                customer,
                -result.settlement.wallet_used,
                currency=result.currency,
                event_type="payment",
                reason=f"Applied to payment {payment.id}",
                reference=payment.id,
            )
    elif result.total < 0:  # a net credit goes to the wallet, recorded as a ledger entry
        state.wallet_entry(
            customer,
            -result.total,
            currency=result.currency,
            event_type="merchant_adjustment",
            reason=f"Credit for the plan change of subscription {sub.id}",
            reference=sub.id,
        )
    if request.metadata is not None:
        sub.metadata = dict(request.metadata)
    new_cycle = result.after.next_billing_date != sub.next_billing_date
    _replace(sub, result.after)
    if new_cycle:  # a new due date for the renewal heap
        state.due(sub)
    if payment is not None and payment.status == "failed":
        sub.status = "past_due"
        _webhooks.emit(state, "subscription.past_due", _render.subscription(state, sub))
    _webhooks.emit(state, "subscription.plan_changed", _render.subscription(state, sub))
    return payment


def _replace(sub: Subscription, after: Subscription) -> None:
    for field in (
        "product_id",
        "quantity",
        "addons",
        "previous_billing_date",
        "next_billing_date",
        "discounts",
        "scheduled",
    ):
        setattr(sub, field, getattr(after, field))


def _renewal_charge(state: State, sub: Subscription, start: datetime, end: datetime) -> Payment:
    items = priced(state, sub.product_id, sub.quantity, sub.addons)
    subtotal = sum(item.unit_price * item.quantity for item in items)
    discount = semantics.discount_amount(subtotal, rules(state, sub.discounts))
    tax = semantics.tax_amount(subtotal - discount, state.tax_rate_bps)
    customer = state.customers[sub.customer_id]
    settled = semantics.settle(subtotal - discount + tax, wallet=customer.wallet, proration_credit=0)
    applied = [d for d, _ in rules_of(state, sub.discounts)]
    sub.discounts = [(d, None if c is None else c - 1) for d, c in sub.discounts if c is None or c > 1]
    payment = charge(
        state,
        sub,
        settled.total_amount,
        tax=tax,
        charge_type="renewal",
        period=(start, end),
        factor=Fraction(1),
        cart=[(sub.product_id, sub.quantity)],
        lines=[(i.ref, i.name, i.unit_price * i.quantity) for i in items],
        discounts=applied,
    )
    if settled.wallet_used and payment.status == "succeeded":
        state.wallet_entry(
            customer,
            -settled.wallet_used,
            currency=payment.currency,
            event_type="payment",
            reason=f"Applied to payment {payment.id}",
            reference=payment.id,
        )
    return payment


def _renew(state: State, sub: Subscription) -> None:
    boundary = sub.next_billing_date
    if sub.expires_at is not None and boundary >= sub.expires_at:
        sub.status = "expired"
        _webhooks.emit(state, "subscription.expired", _render.subscription(state, sub))
        return
    if sub.cancel_at_next_billing_date:
        sub.status, sub.cancelled_at = "cancelled", boundary
        _webhooks.emit(state, "subscription.cancelled", _render.subscription(state, sub))
        return
    previous = (sub.product_id, sub.quantity, list(sub.addons), list(sub.discounts))
    change = sub.scheduled
    if change is not None:
        sub.product_id, sub.quantity, sub.addons = change.product_id, change.quantity, list(change.addons)
        sub.discounts = resolve_discounts(state, change.discount_codes, sub.discounts)
        sub.scheduled = None
    end = add_intervals(boundary, interval_of(state, sub.product_id), 1)
    payment = _renewal_charge(state, sub, boundary, end)
    if payment.status == "failed" and change is not None and change.on_payment_failure == "prevent_change":
        sub.product_id, sub.quantity, sub.addons, sub.discounts = previous
        payment = _renewal_charge(
            state, sub, boundary, add_intervals(boundary, interval_of(state, sub.product_id), 1)
        )
        change = None
    if payment.status == "failed":
        sub.status = "on_hold"
        _webhooks.emit(state, "subscription.on_hold", _render.subscription(state, sub))
        return
    sub.previous_billing_date, sub.next_billing_date = boundary, payment.service_end
    state.due(sub)
    if change is not None:
        _webhooks.emit(state, "subscription.plan_changed", _render.subscription(state, sub))
    _webhooks.emit(state, "subscription.renewed", _render.subscription(state, sub))


def advance(state: State, to: datetime) -> None:
    """Move time to ``to``, running every renewal and scheduled change that falls due."""
    if to < state.now:
        raise invalid(f"the emulator clock only moves forward (now {_render.iso(state.now)})")
    # The state's heap of next billing dates, earliest (then lowest id) first: a move costs
    # O(log n) per renewal due, nothing for the subscriptions not due. A popped entry is
    # checked against the subscription (stale when it changed since; renewing pushes the next).
    due = state.renewals
    while due and due[0][0] <= to:
        when, subscription_id = heapq.heappop(due)
        sub = state.subscriptions.get(subscription_id)
        if sub is None or not _renews_by(sub, to) or sub.next_billing_date != when:
            continue
        state.now = max(state.now, sub.next_billing_date)
        _renew(state, sub)
    state.now = to


def _renews_by(sub: Subscription, to: datetime) -> bool:
    return sub.status == "active" and sub.next_billing_date <= to


def trial_end(start: datetime, days: int) -> datetime:
    return start + timedelta(days=days)
