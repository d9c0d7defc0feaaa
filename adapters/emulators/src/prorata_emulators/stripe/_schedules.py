"""Subscription schedules: create (from_subscription or phases), update, release, cancel,
and the phase transitions the timeline runs."""

from __future__ import annotations

from typing import Any

from stripe.params import (
    SubscriptionScheduleCancelParams,
    SubscriptionScheduleCreateParams,
    SubscriptionScheduleReleaseParams,
    SubscriptionScheduleUpdateParams,
)

from prorata_emulators.stripe._calendar import interval_of, shift
from prorata_emulators.stripe._cancellation import cancel_immediately, flag
from prorata_emulators.stripe._catalog import price_of
from prorata_emulators.stripe._errors import ApiError, invalid
from prorata_emulators.stripe._events import emit
from prorata_emulators.stripe._lists import list_response
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._store import JSON, Store, as_dict, as_list, public
from prorata_emulators.stripe._subscriptions import (
    ItemSpec,
    cancel_now,
    change_items,
    create_subscription,
    end_trial_now,
    make_discounts,
    move_trial_end,
    resolve_tax_rates,
)

__all__ = ["ROUTES", "advance_schedule", "schedule_from_subscription", "start_schedule", "update_schedule"]

MAX_PHASES = 10
MSG_START_DATE = "You can not modify the start date of the current phase."
MSG_NO_ANCHOR = "The subscription schedule update is missing at least one phase with a `start_date` to anchor end dates to."
MSG_PAST_END = "You can only adjust the end date to a future date for the current phase."


def _timestamp(value: Any, at: int, param: str) -> int | None:
    if value in (None, ""):
        return None
    if value == "now":
        return at
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid(f"Invalid timestamp: {value}", param, code="parameter_invalid_integer") from None


def _phase_item(store: Store, raw: Any, where: str) -> JSON:
    if not raw.get("price"):
        raise invalid(f"Missing required param: {where}[price].", f"{where}[price]", code="parameter_missing")
    price = price_of(store, raw["price"], f"{where}[price]")
    quantity = int(raw.get("quantity") or 1)
    return {
        "billing_thresholds": None,
        "discounts": [],
        "metadata": raw.get("metadata") or dict[str, Any](),
        "plan": price["id"],
        "price": price["id"],
        "quantity": quantity,
        "tax_rates": [],
    }


def _phase_discount(store: Store, raw: Any, where: str) -> JSON:
    if raw.get("discount"):
        store.get("discount", raw["discount"], param=f"{where}[discount]")
    elif raw.get("coupon"):
        store.get("coupon", raw["coupon"], param=f"{where}[coupon]")
    else:
        raise invalid("You must specify either `coupon` or `discount`.", where, code="parameter_missing")
    return {
        "coupon": raw.get("coupon") or None,
        "discount": raw.get("discount") or None,
        "promotion_code": None,
    }


def _build_phases(store: Store, raw_phases: Any, at: int, currency: str | None) -> list[JSON]:
    """Resolve the phase list: prices, tax rates, discounts, and each phase's start and end."""
    given_phases = as_list(raw_phases)
    if not given_phases:
        raise invalid("Missing required param: phases.", "phases", code="parameter_missing")
    raw_phases = [as_dict(raw) or dict[str, Any]() for raw in given_phases]
    if len(raw_phases) > MAX_PHASES:
        raise invalid(
            f"A subscription schedule can have at most {MAX_PHASES} phases.",
            "phases",
            code="parameter_invalid",
        )
    if all(raw.get("start_date") in (None, "") for raw in raw_phases):
        raise invalid(MSG_NO_ANCHOR, "phases", code="parameter_missing")
    if raw_phases[0].get("start_date") in (None, ""):
        raise invalid(MSG_NO_ANCHOR, "phases[0][start_date]", code="parameter_missing")
    phases: list[JSON] = []
    start = _timestamp(raw_phases[0]["start_date"], at, "phases[0][start_date]")
    assert start is not None
    for index, raw in enumerate(raw_phases):
        where = f"phases[{index}]"
        given = _timestamp(raw.get("start_date"), at, f"{where}[start_date]")
        if given is not None and given != start:
            raise invalid(
                f"The `start_date` of {where} must equal the `end_date` of the phase before it (phases are contiguous).",
                f"{where}[start_date]",
                code="parameter_invalid",
            )
        items = [
            _phase_item(store, item, f"{where}[items][{n}]")
            for n, item in enumerate(raw.get("items") or list[Any]())
        ]
        if not items:
            raise invalid(
                f"Missing required param: {where}[items].", f"{where}[items]", code="parameter_missing"
            )
        prices = [store.get("price", item["price"]) for item in items]
        phase_currency = prices[0]["currency"]
        if currency is not None and phase_currency != currency:
            raise invalid(
                "All phases must use prices of the subscription's currency.",
                f"{where}[items]",
                code="parameter_invalid",
            )
        end = _timestamp(raw.get("end_date"), at, f"{where}[end_date]")
        duration = raw.get("duration")
        if end is not None and duration:
            raise invalid(
                "You may only specify one of these parameters: duration, end_date.",
                f"{where}[duration]",
                code="parameter_invalid",
            )
        if end is None:
            if duration:
                unit = duration.get("interval")
                if unit not in ("day", "week", "month", "year"):
                    raise invalid(
                        "Invalid duration[interval]: must be one of day, week, month, or year",
                        f"{where}[duration][interval]",
                        code="parameter_invalid",
                    )
                count = int(duration.get("interval_count") or 1)
                end = shift(start, interval_of({"recurring": {"interval": unit, "interval_count": count}}), 1)
            else:
                end = shift(start, interval_of(prices[0]), 1)
        if end <= start:
            raise invalid(
                f"The `end_date` of {where} must be after its `start_date`.",
                f"{where}[end_date]",
                code="parameter_invalid",
            )
        trial, trial_end = _phase_trial(raw, start, end, at, where)
        behavior = raw.get("proration_behavior") or "create_prorations"
        if behavior not in ("create_prorations", "always_invoice", "none"):
            raise invalid(
                "Invalid proration_behavior.", f"{where}[proration_behavior]", code="parameter_invalid"
            )
        phases.append(
            {
                "add_invoice_items": [],
                "application_fee_percent": None,
                "automatic_tax": None,
                "billing_cycle_anchor": None,
                "billing_thresholds": None,
                "collection_method": raw.get("collection_method") or None,
                "currency": phase_currency,
                "default_payment_method": None,
                "default_tax_rates": resolve_tax_rates(
                    store, raw.get("default_tax_rates"), f"{where}[default_tax_rates]"
                ),
                "description": raw.get("description") or None,
                "discounts": [
                    _phase_discount(store, d, f"{where}[discounts][{n}]")
                    for n, d in enumerate(raw.get("discounts") or list[Any]())
                ],
                "end_date": end,
                "invoice_settings": None,
                "items": items,
                "metadata": raw.get("metadata") or dict[str, Any](),
                "on_behalf_of": None,
                "proration_behavior": behavior,
                "start_date": start,
                "transfer_data": None,
                "trial": trial,
                "trial_end": trial_end,
            }
        )
        start = end
    for index in range(1, len(phases)):
        before = phases[index - 1]
        if phases[index]["trial_end"] is not None and before["trial_end"] != before["end_date"]:
            raise _trial_not_emulated(f"phases[{index}][trial_end]")
    return phases


def _trial_not_emulated(param: str) -> ApiError:
    """Stripe can start a trial on a paying subscription; the emulator says it does not."""
    return ApiError(
        400,
        "The emulator does not emulate a trial that starts after the subscription has started paying "
        "(only a trial from the start, continued or ended by later phases).",
        param=param,
    )


def _phase_trial(raw: JSON, start: int, end: int, at: int, where: str) -> tuple[bool, int | None]:
    """``trial=true`` makes the whole phase a trial; ``trial_end`` a trial from the phase's start
    to then, within the phase, equal to its end when combined with ``trial``
    (https://docs.stripe.com/api/subscription_schedules/create#create_subscription_schedule-phases-trial_end,
    https://docs.stripe.com/changelog/dahlia/2026-07-29/subscription-schedule-phases-trial-property)."""
    trial = str(raw.get("trial") or "").lower() == "true"
    trial_end = _timestamp(raw.get("trial_end"), at, f"{where}[trial_end]")
    if trial_end is not None and not start < trial_end <= end:
        raise invalid(
            f"The `trial_end` of {where} must be within the phase.",
            f"{where}[trial_end]",
            code="parameter_invalid",
        )
    if trial and trial_end is not None and trial_end != end:
        raise invalid(
            f"When `trial` is true, the `trial_end` of {where} must be the phase's end date.",
            f"{where}[trial_end]",
            code="parameter_invalid",
        )
    return trial, end if trial else trial_end


def _new_schedule(store: Store, customer: JSON, at: int) -> JSON:
    return {
        "id": store.new_id("sub_sched"),
        "object": "subscription_schedule",
        "application": None,
        "billing_mode": {
            "flexible": {"proration_discounts": "included"},
            "type": "flexible",
            "updated_at": at,
        },
        "canceled_at": None,
        "completed_at": None,
        "created": at,
        "current_phase": None,
        "customer": customer["id"],
        "default_settings": {
            "application_fee_percent": None,
            "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
            "billing_cycle_anchor": "automatic",
            "billing_thresholds": None,
            "collection_method": "charge_automatically",
            "default_payment_method": None,
            "description": None,
            "invoice_settings": {"account_tax_ids": None, "days_until_due": None, "issuer": {"type": "self"}},
            "on_behalf_of": None,
            "transfer_data": None,
        },
        "end_behavior": "release",
        "livemode": False,
        "metadata": {},
        "pause_schedules": [],
        "phases": [],
        "released_at": None,
        "released_subscription": None,
        "status": "not_started",
        "subscription": None,
        "test_clock": customer["test_clock"],
    }


def _phase_of_subscription(store: Store, subscription: JSON) -> JSON:
    first = subscription["items"]["data"][0]
    return {
        "add_invoice_items": [],
        "application_fee_percent": None,
        "automatic_tax": None,
        "billing_cycle_anchor": None,
        "billing_thresholds": None,
        "collection_method": subscription["collection_method"],
        "currency": subscription["currency"],
        "default_payment_method": None,
        "default_tax_rates": list(subscription["default_tax_rates"] or list[Any]()),
        "description": None,
        "discounts": [
            {"coupon": None, "discount": d, "promotion_code": None} for d in subscription["discounts"]
        ],
        "end_date": first["current_period_end"],
        "invoice_settings": None,
        "items": [
            {
                "billing_thresholds": None,
                "discounts": [],
                "metadata": {},
                "plan": i["price"]["id"],
                "price": i["price"]["id"],
                "quantity": i["quantity"],
                "tax_rates": [],
            }
            for i in subscription["items"]["data"]
        ],
        "metadata": {},
        "on_behalf_of": None,
        "proration_behavior": "create_prorations",
        "start_date": first["current_period_start"],
        "transfer_data": None,
        # A trialing subscription's phase is its trial (it ends with the period).
        "trial": subscription["status"] == "trialing",
        "trial_end": subscription["trial_end"] if subscription["status"] == "trialing" else None,
    }


def _create(call: Call) -> JSON:
    store, p = call.store, call.params
    source = p.get("from_subscription")
    if source:
        others = [key for key in p if key not in ("from_subscription", "expand")]
        if others:
            raise invalid(
                f"You cannot set `{others[0]}` if `from_subscription` is set.",
                others[0],
                code="parameter_invalid",
            )
        return schedule_from_subscription(store, store.get("subscription", source, param="from_subscription"))
    return _create_with_phases(store, p)


def schedule_from_subscription(store: Store, subscription: JSON) -> JSON:
    """A schedule whose one phase is the subscription's current period, as it is now."""
    if subscription["schedule"]:
        raise invalid(
            f"You cannot migrate a subscription that is already attached to a schedule: `{subscription['schedule']}`.",
            "from_subscription",
            code="parameter_invalid",
        )
    if subscription["status"] == "canceled":
        raise invalid(
            "You cannot migrate a canceled subscription.", "from_subscription", code="parameter_invalid"
        )
    customer = store.get("customer", subscription["customer"])
    at = store.clock_time(customer["test_clock"])
    schedule = _new_schedule(store, customer, at)
    phase = _phase_of_subscription(store, subscription)
    schedule.update(
        status="active",
        subscription=subscription["id"],
        phases=[phase],
        current_phase={"start_date": phase["start_date"], "end_date": phase["end_date"]},
    )
    schedule["default_settings"]["collection_method"] = subscription["collection_method"]
    subscription["schedule"] = schedule["id"]
    store.put(schedule)
    emit(store, "subscription_schedule.created", schedule, at=at)
    return schedule


def _create_with_phases(store: Store, p: JSON) -> JSON:
    if not p.get("customer"):
        raise invalid("Missing required param: customer.", "customer", code="parameter_missing")
    customer = store.get("customer", p["customer"], param="customer")
    at = store.clock_time(customer["test_clock"])
    raw_phases = as_list(p.get("phases"))
    if raw_phases and p.get("start_date") not in (None, ""):
        raw_phases = [{**raw_phases[0], "start_date": p["start_date"]}, *raw_phases[1:]]
    elif raw_phases and raw_phases[0].get("start_date") in (None, ""):
        raw_phases = [{**raw_phases[0], "start_date": at}, *raw_phases[1:]]
    phases = _build_phases(store, raw_phases, at, None)
    schedule = _new_schedule(store, customer, at)
    schedule["phases"] = phases
    schedule["end_behavior"] = _end_behavior(p.get("end_behavior"))
    store.put(schedule)
    emit(store, "subscription_schedule.created", schedule, at=at)
    if phases[0]["start_date"] <= at:
        start_schedule(store, schedule, at)
    return schedule


def _end_behavior(value: Any) -> str:
    behavior = value or "release"
    if behavior not in ("release", "cancel"):
        raise invalid(
            "Invalid end_behavior: must be one of release or cancel", "end_behavior", code="parameter_invalid"
        )
    return behavior


def start_schedule(store: Store, schedule: JSON, at: int) -> None:
    """A not-started schedule reached its first phase: create its subscription."""
    phase = schedule["phases"][0]
    params: JSON = {
        "customer": schedule["customer"],
        "items": [{"price": item["price"], "quantity": item["quantity"]} for item in phase["items"]],
        "default_tax_rates": [rate["id"] for rate in phase["default_tax_rates"]],
        "discounts": [{k: v for k, v in d.items() if v} for d in phase["discounts"]],
        "collection_method": phase["collection_method"] or schedule["default_settings"]["collection_method"],
        "days_until_due": schedule["default_settings"]["invoice_settings"]["days_until_due"],
    }
    if phase["trial_end"] is not None:
        params["trial_end"] = phase["trial_end"]
    subscription = create_subscription(store, params)
    subscription["schedule"] = schedule["id"]
    schedule.update(
        status="active",
        subscription=subscription["id"],
        current_phase={"start_date": phase["start_date"], "end_date": phase["end_date"]},
    )
    emit(store, "subscription_schedule.updated", schedule, at=at)


def _apply_phase(
    store: Store, schedule: JSON, phase: JSON, at: int, proration_behavior: str, *, by_request: bool = False
) -> None:
    subscription = store.get("subscription", schedule["subscription"])
    specs: list[ItemSpec] = []
    current = {item["price"]["id"]: item for item in subscription["items"]["data"]}
    for item in phase["items"]:
        existing = current.get(item["price"])
        specs.append(
            ItemSpec(
                price=store.get("price", item["price"]),
                quantity=int(item["quantity"]),
                item_id=existing["id"] if existing else None,
            )
        )
    before = {(i["price"]["id"], int(i["quantity"])) for i in subscription["items"]["data"]}
    after = {(s.price["id"], s.quantity) for s in specs}
    previous_items = public(subscription["items"])
    subscription["discounts"] = make_discounts(
        store,
        [{k: v for k, v in d.items() if v} for d in phase["discounts"]],
        customer=subscription["customer"],
        subscription=subscription["id"],
        at=at,
        param="phases[discounts]",
    )
    subscription["default_tax_rates"] = list(phase["default_tax_rates"])
    if phase["collection_method"]:
        subscription["collection_method"] = phase["collection_method"]
    if before != after:
        change_items(
            store,
            subscription,
            specs,
            at=at,
            proration_behavior=proration_behavior,
            reset_anchor=False,
            payment_behavior="allow_incomplete",
        )
    _follow_trial(store, subscription, phase, at, by_request)
    schedule["current_phase"] = {"start_date": phase["start_date"], "end_date": phase["end_date"]}
    # previous_attributes names what changed: the items when the phase changed them
    # (https://docs.stripe.com/api/events/object#event_object-data-previous_attributes)
    changed = {"items": previous_items} if before != after else None
    emit(store, "customer.subscription.updated", subscription, at=at, previous=changed)


def _follow_trial(store: Store, subscription: JSON, phase: JSON, at: int, by_request: bool) -> None:
    """A trialing subscription follows its phase: a phase without a trial ends the trial now
    ("Sets the phase to trialing from the start date to this date":
    https://docs.stripe.com/api/subscription_schedules/update#update_subscription_schedule-phases-trial_end),
    another ``trial_end`` moves it."""
    if subscription["status"] != "trialing":
        return  # a trial starting on a paying subscription is refused when the phases are set
    wanted: int | None = phase["trial_end"]
    if wanted is None:
        if subscription["trial_end"] > at:  # (at the trial's own end, the renewal ends it)
            end_trial_now(store, subscription, at, by_request=by_request)
    elif wanted != subscription["trial_end"]:
        move_trial_end(subscription, wanted, at)


def update_schedule(store: Store, schedule: JSON, p: JSON) -> JSON:
    """Replace the phases (keeping the current phase's start), the end behaviour, or both."""
    if schedule["status"] not in ("not_started", "active"):
        raise invalid(
            f"You cannot update a subscription schedule that is currently in the `{schedule['status']}` status. It must be in `not_started` or `active`.",
            None,
        )
    at = store.clock_time(schedule["test_clock"])
    if "end_behavior" in p:
        schedule["end_behavior"] = _end_behavior(p.get("end_behavior"))
    if "phases" not in p:
        emit(store, "subscription_schedule.updated", schedule, at=at)
        return schedule
    raw = as_list(p["phases"])
    if raw and schedule["status"] == "active":
        current = schedule["current_phase"]
        given = _timestamp(raw[0].get("start_date"), at, "phases[0][start_date]")
        if given is not None and given != current["start_date"]:
            raise invalid(MSG_START_DATE, "phases[0][start_date]", code="parameter_invalid")
    subscription = store.maybe("subscription", schedule["subscription"])
    phases = _build_phases(store, raw, at, subscription["currency"] if subscription else None)
    schedule["phases"] = phases
    if schedule["status"] == "active":
        if phases[0]["end_date"] < at or (phases[0]["end_date"] == at and len(phases) == 1):
            raise invalid(MSG_PAST_END, "phases[0][end_date]", code="parameter_invalid")
        behavior = p.get("proration_behavior") or "create_prorations"
        current = next(phase for phase in phases if phase["start_date"] <= at < phase["end_date"])
        trialing = subscription is not None and subscription["status"] == "trialing"
        if (
            any(phase["trial_end"] is not None and phase["trial_end"] > at for phase in phases)
            and not trialing
        ):
            raise _trial_not_emulated("phases")
        _apply_phase(
            store,
            schedule,
            current,
            at,
            behavior if current is phases[0] else current["proration_behavior"],
            by_request=True,
        )
    elif phases[0]["start_date"] <= at:
        start_schedule(store, schedule, at)
    emit(store, "subscription_schedule.updated", schedule, at=at)
    return schedule


def advance_schedule(store: Store, schedule: JSON, at: int) -> None:
    """The current phase ended at ``at``: enter the next phase, or release / cancel at the end."""
    following = next((phase for phase in schedule["phases"] if phase["start_date"] == at), None)
    subscription = store.get("subscription", schedule["subscription"])
    if following is not None:
        _apply_phase(store, schedule, following, at, following["proration_behavior"])
        emit(store, "subscription_schedule.updated", schedule, at=at)
        return
    schedule["current_phase"] = None
    if schedule["end_behavior"] == "cancel":
        schedule.update(status="completed", completed_at=at)
        subscription["schedule"] = None
        cancel_now(store, subscription, at)
        emit(store, "subscription_schedule.completed", schedule, at=at)
        return
    _release(store, schedule, subscription, at)


def _release(store: Store, schedule: JSON, subscription: JSON, at: int) -> None:
    schedule.update(
        status="released", released_at=at, released_subscription=subscription["id"], current_phase=None
    )
    subscription["schedule"] = None
    emit(store, "subscription_schedule.released", schedule, at=at)


def _check_open(schedule: JSON, action: str) -> None:
    if schedule["status"] not in ("not_started", "active"):
        raise invalid(
            f"You cannot {action} a subscription schedule that is currently in the `{schedule['status']}` status. It must be in `not_started` or `active`.",
            None,
        )


def _release_route(call: Call) -> JSON:
    store = call.store
    schedule = store.get("subscription_schedule", call.path["id"])
    _check_open(schedule, "release")
    at = store.clock_time(schedule["test_clock"])
    subscription = store.maybe("subscription", schedule["subscription"])
    if subscription is None:
        schedule.update(status="released", released_at=at)
        return schedule
    _release(store, schedule, subscription, at)
    return schedule


def _cancel_route(call: Call) -> JSON:
    store = call.store
    schedule = store.get("subscription_schedule", call.path["id"])
    _check_open(schedule, "cancel")
    at = store.clock_time(schedule["test_clock"])
    subscription = store.maybe("subscription", schedule["subscription"])
    if subscription is not None and subscription["status"] != "canceled":
        # "invoice_now ... Defaults to true", "prorate ... Defaults to true", unlike a subscription's
        # own cancel (https://docs.stripe.com/api/subscription_schedules/cancel).
        cancel_immediately(
            store,
            subscription,
            prorate=flag(call, "prorate", default=True),
            invoice_now=flag(call, "invoice_now", default=True),
        )
    schedule.update(status="canceled", canceled_at=at, current_phase=None)
    emit(store, "subscription_schedule.canceled", schedule, at=at)
    return schedule


def _update_route(call: Call) -> JSON:
    return update_schedule(call.store, call.store.get("subscription_schedule", call.path["id"]), call.params)


def _list(call: Call) -> JSON:
    schedules = list(reversed(call.store.all("subscription_schedule")))
    if call.params.get("customer"):
        schedules = [s for s in schedules if s["customer"] == call.params["customer"]]
    return list_response(schedules, "/v1/subscription_schedules", call.params)


ROUTES: list[Route] = [
    route("POST", "/v1/subscription_schedules", _create, SubscriptionScheduleCreateParams),
    route("GET", "/v1/subscription_schedules", _list),
    route(
        "GET",
        "/v1/subscription_schedules/{id}",
        lambda call: call.store.get("subscription_schedule", call.path["id"]),
    ),
    route("POST", "/v1/subscription_schedules/{id}", _update_route, SubscriptionScheduleUpdateParams),
    route(
        "POST", "/v1/subscription_schedules/{id}/release", _release_route, SubscriptionScheduleReleaseParams
    ),
    route("POST", "/v1/subscription_schedules/{id}/cancel", _cancel_route, SubscriptionScheduleCancelParams),
]
