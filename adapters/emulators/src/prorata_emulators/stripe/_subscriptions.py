"""Subscriptions and subscription items: create, change (with prorations), renew, cancel."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

import attrs
from stripe.params import (
    SubscriptionCreateParams,
    SubscriptionUpdateParams,
)

from prorata.provider import round_half_away_from_zero, settle_rounding
from prorata_emulators.stripe._billing import exact_proration, prorate
from prorata_emulators.stripe._calendar import interval_of, shift
from prorata_emulators.stripe._catalog import plan_of, price_of
from prorata_emulators.stripe._errors import ApiError, invalid, missing
from prorata_emulators.stripe._events import emit
from prorata_emulators.stripe._invoices import issue_invoice, line_item, payment_refused, void_invoice
from prorata_emulators.stripe._lists import list_response
from prorata_emulators.stripe._pending_updates import (
    check_pending_params,
    drop_pending_update,
    hold,
    snapshot,
)
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._store import JSON, Store, as_dict, public

__all__ = [
    "INCOMPLETE_SECONDS",
    "ROUTES",
    "ItemSpec",
    "cancel_now",
    "change_items",
    "create_subscription",
    "end_trial_now",
    "expire_incomplete",
    "expire_pending_update",
    "get_live",
    "make_discounts",
    "move_trial_end",
    "renew",
    "resolve_tax_rates",
    "unused_time_lines",
    "update_subscription",
]

PRORATION_BEHAVIORS = ("create_prorations", "always_invoice", "none")
PAYMENT_BEHAVIORS = ("allow_incomplete", "error_if_incomplete", "pending_if_incomplete", "default_incomplete")


@attrs.frozen
class ItemSpec:
    """One item of the subscription after a change (``item_id`` None: a new item)."""

    price: JSON
    quantity: int
    item_id: str | None = None


def _date(ts: int) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%d %b %Y")


def _product_name(store: Store, price: JSON) -> str:
    product = store.maybe("product", price["product"])
    return product["name"] if product is not None else price["product"]


def _period_line(
    store: Store,
    subscription: JSON,
    item: JSON,
    period: tuple[int, int],
    *,
    amount: int | None = None,
    description: str | None = None,
) -> JSON:
    """A regular (non-proration) line for ``item`` over ``period``; full price unless ``amount``."""
    price, quantity = item["price"], int(item["quantity"])
    return line_item(
        store,
        subscription=subscription,
        item_id=item["id"],
        price=price,
        quantity=quantity,
        amount=int(price["unit_amount"]) * quantity if amount is None else amount,
        start=period[0],
        end=period[1],
        description=description or f"{_times(quantity)}{_product_name(store, price)}",
        proration=False,
    )


def _times(quantity: int) -> str:
    return f"{quantity} × "  # noqa: RUF001 - the multiplication sign Stripe uses


def _quantity(value: Any, param: str) -> int:
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        raise invalid(f"Invalid integer: {value}", param, code="parameter_invalid_integer") from None
    if quantity < 0:
        raise invalid(
            "This value must be greater than or equal to 0.", param, code="parameter_invalid_integer"
        )
    return quantity


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if value in ("true", True):
        return True
    if value in ("false", False):
        return False
    raise invalid(f"Invalid boolean: {value}", None)


def make_item(store: Store, subscription: JSON, spec: ItemSpec, period: tuple[int, int], at: int) -> JSON:
    return {
        "id": spec.item_id or store.new_id("si"),
        "object": "subscription_item",
        "billed_until": None,
        "billing_thresholds": None,
        "created": at,
        "current_period_end": period[1],
        "current_period_start": period[0],
        "current_trial": None,
        "discounts": [],
        "metadata": {},
        "plan": plan_of(spec.price),
        "price": spec.price,
        "quantity": spec.quantity,
        "subscription": subscription["id"],
        "tax_rates": [],
    }


def resolve_tax_rates(store: Store, ids: Any, param: str) -> list[JSON]:
    if ids in (None, ""):
        return []
    return [store.get("tax_rate", rate_id, param=param) for rate_id in ids]


def make_discounts(
    store: Store, specs: Any, *, customer: str, subscription: str | None, at: int, param: str
) -> list[str]:
    """Discount ids for ``[{coupon}|{discount}]``: an existing discount keeps its remaining duration."""
    if specs in (None, ""):
        return []
    found: list[str] = []
    for index, spec in enumerate(specs):
        if spec.get("discount"):
            discount = store.get("discount", spec["discount"], param=f"{param}[{index}][discount]")
            found.append(discount["id"])
            continue
        coupon_id = spec.get("coupon")
        if not coupon_id:
            raise invalid(
                "You must specify either `coupon` or `discount`.",
                f"{param}[{index}]",
                code="parameter_missing",
            )
        coupon = store.get("coupon", coupon_id, param=f"{param}[{index}][coupon]")
        end = None
        if coupon["duration"] == "repeating":
            end = shift(
                at,
                interval_of({"recurring": {"interval": "month", "interval_count": 1}}),
                int(coupon["duration_in_months"]),
            )
        discount: JSON = {
            "id": store.new_id("di"),
            "object": "discount",
            "checkout_session": None,
            "customer": customer,
            "end": end,
            "invoice": None,
            "invoice_item": None,
            "promotion_code": None,
            "source": {"coupon": coupon["id"], "type": "coupon"},
            "start": at,
            "subscription": subscription,
            "subscription_item": None,
        }
        coupon["times_redeemed"] += 1
        store.put(discount)
        found.append(discount["id"])
    return found


def _period(subscription: JSON) -> tuple[int, int]:
    first = subscription["items"]["data"][0]
    return int(first["current_period_start"]), int(first["current_period_end"])


def _interval(subscription: JSON) -> Any:
    return interval_of(subscription["items"]["data"][0]["price"])


def _specs_from_create(store: Store, items: Any) -> list[ItemSpec]:
    if not items:
        raise invalid("Missing required param: items.", "items", code="parameter_missing")
    specs: list[ItemSpec] = []
    for index, item in enumerate(items):
        if not item.get("price"):
            raise invalid(
                "Missing required param: items[0][price].", f"items[{index}][price]", code="parameter_missing"
            )
        price = price_of(store, item["price"], f"items[{index}][price]")
        if any(s.price["id"] == price["id"] for s in specs):
            raise invalid(
                f"Cannot add multiple subscription items with the same price: {price['id']}",
                f"items[{index}][price]",
                code="parameter_invalid",
            )
        specs.append(
            ItemSpec(price=price, quantity=_quantity(item.get("quantity", 1), f"items[{index}][quantity]"))
        )
    _same_currency_interval(specs)
    return specs


def _same_currency_interval(specs: list[ItemSpec]) -> None:
    if len({s.price["currency"] for s in specs}) > 1:
        raise invalid(
            "All prices on a subscription must have the same `currency`.", "items", code="parameter_invalid"
        )
    if len({(s.price["recurring"]["interval"], s.price["recurring"]["interval_count"]) for s in specs}) > 1:
        raise invalid(
            "Currency and interval fields must match across all plans on this subscription.",
            "items",
            code="parameter_invalid",
        )


def _charge_failed(store: Store, subscription: JSON, invoice: JSON, payment_behavior: str, at: int) -> None:
    """What an unpaid invoice at a change does: refuse everything, or leave it open (past due)."""
    if invoice["status"] == "paid" or invoice["collection_method"] == "send_invoice":
        return
    if payment_behavior == "error_if_incomplete":
        _refuse(store, invoice, at)
    subscription["status"] = (
        "past_due" if subscription["status"] in ("active", "trialing", "past_due") else "incomplete"
    )


def _refuse(store: Store, invoice: JSON, at: int) -> None:
    """``error_if_incomplete``: void the attempted invoice (kept for the record) and answer 402,
    ``card_declined`` or, when the card needs 3-D Secure, ``invoice_payment_intent_requires_action``
    (https://docs.stripe.com/api/subscriptions/create#create_subscription-payment_behavior)."""
    intent = store.maybe("payment_intent", invoice.get("_payment_intent"))
    waiting = intent is not None and intent["status"] == "requires_action"
    void_invoice(store, invoice, at)
    store.keep.append(invoice)
    raise payment_refused("requires_action" if waiting else "declined")


def _create(call: Call) -> JSON:
    return create_subscription(call.store, call.params)


def create_subscription(store: Store, p: JSON) -> JSON:
    """Create a subscription and its first invoice (a trial invoice of zero when trialing)."""
    call = Call(store=store, params=p, path={})
    customer_id = p.get("customer")
    if not customer_id:
        raise invalid("Missing required param: customer.", "customer", code="parameter_missing")
    customer = store.get("customer", customer_id, param="customer")
    at = store.clock_time(customer["test_clock"])
    specs = _specs_from_create(store, p.get("items"))
    payment_behavior = p.get("payment_behavior") or "allow_incomplete"
    collection = p.get("collection_method") or "charge_automatically"
    if collection not in ("charge_automatically", "send_invoice"):
        raise invalid("Invalid collection_method.", "collection_method", code="parameter_invalid")
    days = call.int_param("days_until_due")
    if collection == "send_invoice" and days is None:
        raise invalid("Missing required param: days_until_due.", "days_until_due", code="parameter_missing")
    trial_end = p.get("trial_end")
    trial_days = call.int_param("trial_period_days")
    if trial_end == "now" or trial_end in (None, ""):
        trial_until = at + 86400 * trial_days if trial_days else None
    else:
        trial_until = call.int_param("trial_end")
        if trial_until is not None and trial_until <= at:
            raise invalid(
                "Invalid timestamp: must be an integer Unix timestamp in the future.",
                "trial_end",
                code="parameter_invalid_integer",
            )
    interval = interval_of(specs[0].price)
    anchor = call.int_param("billing_cycle_anchor")
    if trial_until is not None:
        start, end, anchor_at = at, trial_until, trial_until
    elif anchor is not None and anchor > at:
        start, end, anchor_at = at, anchor, anchor
    else:
        start, end, anchor_at = at, shift(at, interval, 1), at
    subscription: JSON = {
        "id": store.new_id("sub"),
        "object": "subscription",
        "application": None,
        "application_fee_percent": None,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
        "billing_cycle_anchor": anchor_at,
        "billing_cycle_anchor_config": None,
        "billing_mode": {
            "flexible": {"proration_discounts": "included"},
            "type": "flexible",
            "updated_at": at,
        },
        "billing_schedules": [],
        "billing_thresholds": None,
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": collection,
        "created": at,
        "currency": specs[0].price["currency"],
        "customer": customer_id,
        "days_until_due": days if collection == "send_invoice" else None,
        "default_payment_method": p.get("default_payment_method") or None,
        "default_source": None,
        "default_tax_rates": resolve_tax_rates(store, p.get("default_tax_rates"), "default_tax_rates"),
        "description": p.get("description"),
        "discounts": [],
        "ended_at": None,
        "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
        "items": {"object": "list", "data": [], "has_more": False, "total_count": 0, "url": ""},
        "latest_invoice": None,
        "livemode": False,
        "metadata": p.get("metadata") or dict[str, Any](),
        "next_pending_invoice_item_invoice": None,
        "on_behalf_of": None,
        "pause_collection": None,
        "payment_settings": {
            "payment_method_options": None,
            "payment_method_types": None,
            "save_default_payment_method": "off",
        },
        "pending_invoice_item_interval": None,
        "pending_setup_intent": None,
        "pending_update": None,
        "schedule": None,
        "start_date": at,
        "status": "trialing" if trial_until is not None else "active",
        "test_clock": customer["test_clock"],
        "transfer_data": None,
        "trial_end": trial_until,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
        "trial_start": at if trial_until is not None else None,
        "_pending": [],
    }
    subscription["items"]["url"] = f"/v1/subscription_items?subscription={subscription['id']}"
    subscription["discounts"] = make_discounts(
        store,
        p.get("discounts"),
        customer=customer_id,
        subscription=subscription["id"],
        at=at,
        param="discounts",
    )
    items = [make_item(store, subscription, spec, (start, end), at) for spec in specs]
    subscription["items"]["data"] = items
    subscription["items"]["total_count"] = len(items)
    store.put(subscription)
    lines: list[JSON] = []
    for item in items:
        price, quantity = item["price"], int(item["quantity"])
        if trial_until is not None:
            trial = f"Trial period for {_product_name(store, price)}"
            lines.append(_period_line(store, subscription, item, (start, end), amount=0, description=trial))
        else:
            full = int(price["unit_amount"]) * quantity
            first = (
                full
                if end == shift(start, interval, 1)
                else prorate(full, start, shift(end, interval, -1), end)
            )
            lines.append(_period_line(store, subscription, item, (start, end), amount=first))
    invoice = issue_invoice(
        store,
        subscription=subscription,
        lines=lines,
        reason="subscription_create",
        at=at,
        period=(start, end),
        # default_incomplete: the first invoice waits for the customer to confirm its payment
        # (latest_invoice.confirmation_secret), https://docs.stripe.com/billing/subscriptions/build-subscriptions
        collect=payment_behavior != "default_incomplete",
    )
    if invoice["status"] == "open" and collection == "charge_automatically":
        if payment_behavior == "error_if_incomplete":
            _refuse(store, invoice, at)
        subscription["status"] = "incomplete"
    emit(store, "customer.subscription.created", subscription, at=at)
    return subscription


def _resolve_update_items(store: Store, subscription: JSON, items: Any) -> list[ItemSpec]:
    current = {item["id"]: item for item in subscription["items"]["data"]}
    result: dict[str, ItemSpec] = {
        item_id: ItemSpec(price=item["price"], quantity=int(item["quantity"]), item_id=item_id)
        for item_id, item in current.items()
    }
    added: list[ItemSpec] = []
    for index, spec in enumerate(items or list[Any]()):
        where = f"items[{index}]"
        item_id = spec.get("id")
        if item_id:
            if item_id not in result:
                raise missing("subscription item", item_id, f"{where}[id]")
            if _bool(spec.get("deleted")):
                del result[item_id]
                continue
            old = result[item_id]
            price = price_of(store, spec["price"], f"{where}[price]") if spec.get("price") else old.price
            quantity = (
                _quantity(spec["quantity"], f"{where}[quantity]")
                if spec.get("quantity") not in (None, "")
                else old.quantity
            )
            result[item_id] = ItemSpec(price=price, quantity=quantity, item_id=item_id)
            continue
        if not spec.get("price"):
            raise invalid(
                f"Missing required param: {where}[price].", f"{where}[price]", code="parameter_missing"
            )
        price = price_of(store, spec["price"], f"{where}[price]")
        added.append(ItemSpec(price=price, quantity=_quantity(spec.get("quantity", 1), f"{where}[quantity]")))
    specs = [*result.values(), *added]
    prices = [s.price["id"] for s in specs]
    for price_id in prices:
        if prices.count(price_id) > 1:
            raise invalid(
                f"Cannot add multiple subscription items with the same price: {price_id}",
                "items",
                code="parameter_invalid",
            )
    if not specs:
        raise invalid(
            "A subscription must have at least one active plan. To cancel a subscription, please use the cancel API endpoint on /v1/subscriptions.",
            "items",
            code="parameter_invalid",
        )
    _same_currency_interval(specs)
    return specs


def change_items(
    store: Store,
    subscription: JSON,
    specs: list[ItemSpec],
    *,
    at: int,
    proration_behavior: str,
    reset_anchor: bool,
    payment_behavior: str,
    reason: str = "subscription_update",
) -> JSON | None:
    """Switch the items at ``at``, billing prorations per ``proration_behavior``; the invoice issued now, if any."""
    start, end = _period(subscription)
    old_interval = _interval(subscription)
    new_interval = interval_of(specs[0].price)
    if new_interval != old_interval:
        reset_anchor = True
    trialing = (
        subscription["status"] == "trialing"
        and subscription["trial_end"] is not None
        and at < subscription["trial_end"]
    )
    if trialing:
        reset_anchor = False
    old = {item["price"]["id"]: item for item in subscription["items"]["data"]}
    new_items: list[JSON] = []
    period = (at, shift(at, new_interval, 1)) if reset_anchor else (start, end)
    for spec in specs:
        previous = next((i for i in subscription["items"]["data"] if i["id"] == spec.item_id), None)
        item = make_item(store, subscription, spec, period, previous["created"] if previous else at)
        new_items.append(item)
    new = {item["price"]["id"]: item for item in new_items}
    candidates: list[tuple[JSON, int, Fraction, str]] = []
    if proration_behavior != "none" and not trialing and at < end:
        for price_id in [*old, *[p for p in new if p not in old]]:
            before = old.get(price_id)
            after = new.get(price_id)
            q0 = int(before["quantity"]) if before else 0
            q1 = int(after["quantity"]) if after else 0
            if q0 == q1 and not reset_anchor:
                continue
            if before is not None and q0 > 0:
                exact = -exact_proration(int(before["price"]["unit_amount"]) * q0, at, start, end)
                candidates.append(
                    (
                        before,
                        q0,
                        exact,
                        f"Unused time on {_times(q0)}{_product_name(store, before['price'])} after {_date(at)}",
                    )
                )
            if after is not None and q1 > 0 and not reset_anchor:
                exact = exact_proration(int(after["price"]["unit_amount"]) * q1, at, start, end)
                candidates.append(
                    (
                        after,
                        q1,
                        exact,
                        f"Remaining time on {_times(q1)}{_product_name(store, after['price'])} after {_date(at)}",
                    )
                )
    amounts = settle_rounding([(round_half_away_from_zero(exact), exact) for _, _, exact, _ in candidates])
    prorations = [
        line_item(
            store,
            subscription=subscription,
            item_id=item["id"],
            price=item["price"],
            quantity=quantity,
            amount=amount,
            start=at,
            end=end,
            description=description,
            proration=True,
        )
        for (item, quantity, _, description), amount in zip(candidates, amounts, strict=True)
        if amount
    ]
    subscription["items"]["data"] = new_items
    subscription["items"]["total_count"] = len(new_items)
    invoice: JSON | None = None
    if reset_anchor:
        subscription["billing_cycle_anchor"] = at
        lines = [*subscription["_pending"], *prorations]
        lines.extend(_period_line(store, subscription, item, period) for item in new_items)
        subscription["_pending"] = []
        invoice = issue_invoice(
            store, subscription=subscription, lines=lines, reason=reason, at=at, period=period
        )
    elif proration_behavior == "always_invoice" and (prorations or subscription["_pending"]):
        lines = [*subscription["_pending"], *prorations]
        subscription["_pending"] = []
        invoice = issue_invoice(
            store, subscription=subscription, lines=lines, reason=reason, at=at, period=(at, end)
        )
    else:
        subscription["_pending"].extend(prorations)
    if invoice is not None:
        _charge_failed(store, subscription, invoice, payment_behavior, at)
    return invoice


def unused_time_lines(store: Store, subscription: JSON, at: int) -> list[JSON]:
    """Proration credits for the unused time ``[at, period end)`` of every item."""
    start, end = _period(subscription)
    if not start <= at < end:
        return []
    items = subscription["items"]["data"]
    exact = [
        -exact_proration(int(i["price"]["unit_amount"]) * int(i["quantity"]), at, start, end) for i in items
    ]
    amounts = settle_rounding([(round_half_away_from_zero(value), value) for value in exact])
    return [
        line_item(
            store,
            subscription=subscription,
            item_id=item["id"],
            price=item["price"],
            quantity=int(item["quantity"]),
            amount=amount,
            start=at,
            end=end,
            description=f"Unused time on {_times(int(item['quantity']))}{_product_name(store, item['price'])} after {_date(at)}",
            proration=True,
        )
        for item, amount in zip(items, amounts, strict=True)
        if amount
    ]


TRIAL_WILL_END_NOTICE = 3 * 86400
"""``customer.subscription.trial_will_end`` "occurs three days before a subscription's trial period
is scheduled to end, or when a trial is ended immediately (using trial_end=now)":
https://docs.stripe.com/api/events/types#event_types-customer.subscription.trial_will_end"""


def trial_will_end(store: Store, subscription: JSON, at: int) -> None:
    """Send ``trial_will_end`` once per trial."""
    if not subscription.get("_trial_will_end_sent"):
        subscription["_trial_will_end_sent"] = True
        emit(store, "customer.subscription.trial_will_end", subscription, at=at)


def _drop_ended_discounts(store: Store, subscription: JSON, at: int) -> None:
    """A discount whose duration is over leaves the subscription, with a
    ``customer.discount.deleted`` event (https://docs.stripe.com/api/discounts and
    https://docs.stripe.com/api/events/types#event_types-customer.discount.deleted)."""
    kept: list[str] = []
    for discount_id in subscription["discounts"]:
        discount = store.maybe("discount", discount_id)
        if discount is not None and discount["end"] is not None and at >= discount["end"]:
            emit(store, "customer.discount.deleted", discount, at=at)
            continue
        kept.append(discount_id)
    subscription["discounts"] = kept


def renew(store: Store, subscription: JSON, at: int, *, draft: bool = True) -> None:
    """The period ended at ``at``: cancel, end the trial, or start the next period and invoice it
    (``draft=False``: an API call ended the trial, so the invoice is finalized and charged now)."""
    _, end = _period(subscription)
    # What changed, as Stripe reports it (https://docs.stripe.com/api/events/object#event_object-data-previous_attributes):
    # the status, and the items whose period moved (the period lives on items since 2025-03-31.basil).
    previous = {
        "status": subscription["status"],
        "items": public(subscription["items"]),
        "latest_invoice": subscription.get("latest_invoice"),
    }
    if subscription["cancel_at_period_end"] or (
        subscription["cancel_at"] is not None and subscription["cancel_at"] <= at
    ):
        # "If you've set the subscription to cancel at the end of the period, any pending prorations
        # are also left in place and collected at the end of the period"
        # (https://docs.stripe.com/api/subscriptions/cancel).
        if subscription["_pending"]:
            lines, subscription["_pending"] = subscription["_pending"], []
            issue_invoice(
                store,
                subscription=subscription,
                lines=lines,
                reason="subscription_cycle",
                at=at,
                period=(_period(subscription)[0], at),
            )
        cancel_now(store, subscription, at)
        return
    interval = _interval(subscription)
    if subscription["status"] == "trialing":
        subscription["status"] = "active"
        subscription["billing_cycle_anchor"] = end
        trial_will_end(store, subscription, at)  # sent now when the trial ended early (trial_end=now)
    _drop_ended_discounts(store, subscription, at)
    anchor = int(subscription["billing_cycle_anchor"])
    n = 1
    while shift(anchor, interval, n) <= end:
        n += 1
    period = (end, shift(anchor, interval, n))
    for item in subscription["items"]["data"]:
        item["current_period_start"], item["current_period_end"] = period
    lines = list(subscription["_pending"])
    subscription["_pending"] = []
    lines.extend(_period_line(store, subscription, item, period) for item in subscription["items"]["data"])
    # A renewal invoice stays a draft for about an hour before it is finalized and collected
    # (https://docs.stripe.com/billing/invoices/subscription#subscription-renewal): the timeline
    # runs ``finalize_draft`` then.
    invoice = issue_invoice(
        store,
        subscription=subscription,
        lines=lines,
        reason="subscription_cycle",
        at=at,
        period=period,
        draft=draft,
    )
    if draft:
        subscription["_draft_invoice"] = invoice["id"]
        subscription["_draft_due"] = invoice["automatically_finalizes_at"]
    elif invoice["status"] == "open" and invoice["collection_method"] == "charge_automatically":
        subscription["status"] = "past_due"
    changed = {key: value for key, value in previous.items() if value != subscription.get(key)}
    emit(store, "customer.subscription.updated", subscription, at=at, previous=changed)


def cancel_now(store: Store, subscription: JSON, at: int) -> None:
    subscription["status"] = "canceled"
    subscription["canceled_at"] = subscription["canceled_at"] or at
    subscription["ended_at"] = at
    subscription["cancel_at_period_end"] = False
    schedule = store.maybe("subscription_schedule", subscription["schedule"])
    if schedule is not None and schedule["status"] in ("active", "not_started"):
        schedule["status"] = "canceled"
        schedule["canceled_at"] = at
        schedule["current_phase"] = None
    emit(store, "customer.subscription.deleted", subscription, at=at)


def get_live(store: Store, subscription_id: str) -> JSON:
    subscription = store.get("subscription", subscription_id)
    if subscription["status"] == "canceled":
        raise invalid("A canceled subscription can only update its cancellation_details and metadata.", None)
    return subscription


def _update(call: Call) -> JSON:
    store, p = call.store, call.params
    subscription = get_live(store, call.path["id"])
    return update_subscription(store, subscription, p, call)


def update_subscription(store: Store, subscription: JSON, p: JSON, call: Call) -> JSON:
    at = store.clock_time(subscription["test_clock"])
    previous: JSON = {}
    anchor = p.get("billing_cycle_anchor")
    if anchor is not None and not isinstance(anchor, dict):
        raise invalid("Invalid object", "billing_cycle_anchor", code="parameter_invalid")
    anchor_type = str((as_dict(anchor) or {"type": "unchanged"}).get("type", "unchanged"))
    if anchor_type not in ("now", "unchanged"):
        raise invalid(
            "Invalid billing_cycle_anchor[type]: must be one of now or unchanged",
            "billing_cycle_anchor[type]",
            code="parameter_invalid",
        )
    proration_behavior = p.get("proration_behavior") or "create_prorations"
    if proration_behavior not in PRORATION_BEHAVIORS:
        raise invalid(
            f"Invalid proration_behavior: must be one of {', '.join(PRORATION_BEHAVIORS)}",
            "proration_behavior",
            code="parameter_invalid",
        )
    payment_behavior = p.get("payment_behavior") or "allow_incomplete"
    if payment_behavior not in PAYMENT_BEHAVIORS:
        raise invalid("Invalid payment_behavior.", "payment_behavior", code="parameter_invalid")
    pending = payment_behavior == "pending_if_incomplete"
    if pending:
        check_pending_params(p, subscription["collection_method"])
    before, status, latest = snapshot(subscription), subscription["status"], subscription["latest_invoice"]
    start, end = _period(subscription)
    proration_date = call.int_param("proration_date")
    when = at
    if proration_date is not None:
        if not start <= proration_date <= max(at, start):
            raise invalid(
                "The `proration_date` must be within the current period and not in the future.",
                "proration_date",
                code="parameter_invalid",
            )
        when = proration_date
    cancel = _bool(p.get("cancel_at_period_end"))
    if cancel is not None:
        if subscription["schedule"] and cancel:
            raise invalid(
                f"The subscription is managed by the subscription schedule `{subscription['schedule']}`, and updating any cancelation behavior directly is not allowed. Please update the schedule instead.",
                "cancel_at_period_end",
                code="parameter_invalid",
            )
        previous["cancel_at_period_end"] = subscription["cancel_at_period_end"]
        subscription["cancel_at_period_end"] = cancel
        subscription["cancel_at"] = end if cancel else None
        subscription["canceled_at"] = at if cancel else None
    if "collection_method" in p:
        method = p["collection_method"]
        if method not in ("charge_automatically", "send_invoice"):
            raise invalid("Invalid collection_method.", "collection_method", code="parameter_invalid")
        days = call.int_param("days_until_due") if "days_until_due" in p else subscription["days_until_due"]
        if method == "send_invoice" and days is None:
            raise invalid(
                "Missing required param: days_until_due.", "days_until_due", code="parameter_missing"
            )
        previous["collection_method"] = subscription["collection_method"]
        subscription["collection_method"] = method
        subscription["days_until_due"] = days if method == "send_invoice" else None
    elif "days_until_due" in p:
        subscription["days_until_due"] = call.int_param("days_until_due")
    if "default_tax_rates" in p:
        subscription["default_tax_rates"] = resolve_tax_rates(
            store, p["default_tax_rates"], "default_tax_rates"
        )
    if "discounts" in p:
        subscription["discounts"] = make_discounts(
            store,
            p["discounts"],
            customer=subscription["customer"],
            subscription=subscription["id"],
            at=at,
            param="discounts",
        )
    if p.get("default_payment_method"):
        subscription["default_payment_method"] = p["default_payment_method"]
    if "metadata" in p:
        subscription["metadata"] = {**subscription["metadata"], **(p["metadata"] or dict[str, Any]())}
    trial_end = p.get("trial_end")
    if trial_end == "now" and subscription["status"] == "trialing":
        end_trial_now(store, subscription, at)
    elif trial_end not in (None, "", "now") and subscription["status"] == "trialing":
        previous["trial_end"] = subscription["trial_end"]
        until = call.int_param("trial_end")
        if until is None or until <= at:
            raise invalid(
                "Invalid timestamp: must be an integer Unix timestamp in the future.",
                "trial_end",
                code="parameter_invalid_integer",
            )
        move_trial_end(subscription, until, at)
    elif trial_end not in (None, "", "now"):
        # Stripe starts a new trial on an active subscription; the emulator says so instead of
        # ignoring it (docs/stripe.md lists it among what is not emulated).
        raise ApiError(
            400,
            "The emulator does not emulate a new trial_end on a subscription that is not trialing.",
            param="trial_end",
        )
    if p.get("items") or anchor_type == "now":
        specs = (
            _resolve_update_items(store, subscription, p.get("items"))
            if p.get("items")
            else [
                ItemSpec(price=i["price"], quantity=int(i["quantity"]), item_id=i["id"])
                for i in subscription["items"]["data"]
            ]
        )
        previous["items"] = {"object": "list", "data": [dict(i) for i in subscription["items"]["data"]]}
        change_items(
            store,
            subscription,
            specs,
            at=when,
            proration_behavior=proration_behavior,
            reset_anchor=anchor_type == "now",
            payment_behavior=payment_behavior,
        )
    invoice = store.maybe("invoice", subscription["latest_invoice"])
    if pending and invoice is not None and invoice["id"] != latest and invoice["status"] == "open":
        # The change waits for its invoice (https://docs.stripe.com/billing/subscriptions/pending-updates).
        hold(store, subscription, before, invoice, at)
        subscription["status"] = status
        previous = {"pending_update": None}
    emit(store, "customer.subscription.updated", subscription, at=at, previous=previous)
    return subscription


def end_trial_now(store: Store, subscription: JSON, at: int, *, by_request: bool = True) -> None:
    """The trial ends at ``at``, before its time: the first period starts. Ended by an API call
    (``trial_end=now``), its invoice is finalized and charged in the request
    (https://docs.stripe.com/billing/subscriptions/trials#end-trial-early); ended by time (a
    schedule phase), it is a draft for an hour like any renewal."""
    for item in subscription["items"]["data"]:
        item["current_period_end"] = at
    subscription["trial_end"] = at
    renew(store, subscription, at, draft=not by_request)


def expire_pending_update(store: Store, subscription: JSON, at: int) -> None:
    """``pending_update.expires_at`` passed: "the invoice is voided and the pending update is
    discarded" (https://docs.stripe.com/billing/subscriptions/pending-updates-reference#expiration)."""
    previous = {"pending_update": public(subscription["pending_update"])}
    invoice = store.maybe("invoice", drop_pending_update(subscription))
    if invoice is not None and invoice["status"] == "open":
        void_invoice(store, invoice, at)
    emit(store, "customer.subscription.pending_update_expired", subscription, at=at, previous=previous)


INCOMPLETE_SECONDS = 23 * 3600
"""An ``incomplete`` subscription whose first invoice is not paid "within 23 hours" becomes
``incomplete_expired``, "a terminal status, the open invoice will be voided and no further
invoices will be generated" (https://docs.stripe.com/api/subscriptions/object#subscription_object-status)."""


def expire_incomplete(store: Store, subscription: JSON, at: int) -> None:
    """The first invoice went unpaid for 23 hours: ``incomplete_expired``, its invoice voided."""
    subscription["status"] = "incomplete_expired"
    invoice = store.maybe("invoice", subscription["latest_invoice"])
    if invoice is not None and invoice["status"] == "open":
        void_invoice(store, invoice, at)
    emit(store, "customer.subscription.updated", subscription, at=at, previous={"status": "incomplete"})


def move_trial_end(subscription: JSON, until: int, at: int) -> None:
    """A trialing subscription's trial now ends at ``until`` (later or earlier, in the future):
    the trial, its period and the billing cycle anchor end then
    (https://docs.stripe.com/api/subscriptions/update#update_subscription-trial_end)."""
    subscription["trial_end"] = subscription["billing_cycle_anchor"] = until
    for item in subscription["items"]["data"]:
        item["current_period_end"] = until
    if until - TRIAL_WILL_END_NOTICE > at:
        subscription["_trial_will_end_sent"] = False  # the notice is due again for the new end


def _list(call: Call) -> JSON:
    p = call.params
    # A customer's list reads only that customer's subscriptions (the store's customer index).
    customer = p.get("customer")
    found = call.store.of_customer("subscription", customer) if customer else call.store.all("subscription")
    subscriptions = list(reversed(found))
    status = p.get("status")
    if status and status != "all":
        subscriptions = [s for s in subscriptions if s["status"] == status]
    elif not status:
        subscriptions = [s for s in subscriptions if s["status"] != "canceled"]
    if p.get("price"):  # https://docs.stripe.com/api/subscriptions/list#list_subscriptions-price
        subscriptions = [
            s for s in subscriptions if any(i["price"]["id"] == p["price"] for i in s["items"]["data"])
        ]
    return list_response(subscriptions, "/v1/subscriptions", p)


ROUTES: list[Route] = [
    route("POST", "/v1/subscriptions", _create, SubscriptionCreateParams),
    route("GET", "/v1/subscriptions", _list),
    route("GET", "/v1/subscriptions/{id}", lambda call: call.store.get("subscription", call.path["id"])),
    route("POST", "/v1/subscriptions/{id}", _update, SubscriptionUpdateParams),
]
