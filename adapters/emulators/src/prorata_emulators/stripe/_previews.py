"""``POST /v1/invoices/create_preview``: simulate a change on a private copy of the state and
return the first invoice it produces (issued now, at a phase transition or at renewal)."""

from __future__ import annotations

from stripe.params import InvoiceCreatePreviewParams

from prorata_emulators.stripe._errors import ApiError, invalid, only_one_of
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._schedules import schedule_from_subscription, update_schedule
from prorata_emulators.stripe._store import JSON
from prorata_emulators.stripe._subscriptions import update_subscription
from prorata_emulators.stripe._timeline import run_until

__all__ = ["ROUTES"]

_HORIZON = 6 * 366 * 86400
_SUBSCRIPTION_FIELDS = (
    "items",
    "proration_behavior",
    "proration_date",
    "billing_cycle_anchor",
    "cancel_at_period_end",
    "default_tax_rates",
    "trial_end",
)


def _preview(call: Call) -> JSON:
    store, p = call.store, call.params
    details, schedule_details = p.get("subscription_details"), p.get("schedule_details")
    only_one_of(p, "schedule_details", "subscription_details")
    subscription_id = p.get("subscription")
    if p.get("schedule") and not subscription_id:
        subscription_id = store.get("subscription_schedule", p["schedule"], param="schedule")["subscription"]
    if not subscription_id:
        raise invalid(
            "Emulator: previews need `subscription` (or `schedule`).",
            "subscription",
            code="parameter_missing",
        )
    sim = store.snapshot()
    subscription = sim.get("subscription", subscription_id, param="subscription")
    if p.get("customer") and p["customer"] != subscription["customer"]:
        raise invalid(
            "The subscription does not belong to that customer.", "customer", code="parameter_invalid"
        )
    if subscription["status"] == "canceled":
        raise ApiError(404, "No upcoming invoices for customer.", code="invoice_upcoming_none")
    at = store.clock_time(subscription["test_clock"])
    sim.frozen = at

    def fresh() -> list[JSON]:
        return sim.created_objects("invoice")

    proration_date: int | None = None
    if details:
        params: JSON = {key: details[key] for key in _SUBSCRIPTION_FIELDS if key in details}
        params["payment_behavior"] = "allow_incomplete"
        update_subscription(sim, subscription, params, Call(store=sim, params=params, path={}))
        proration_date = int(details.get("proration_date") or at)
    elif schedule_details:
        schedule = sim.maybe("subscription_schedule", p.get("schedule") or subscription["schedule"])
        if schedule is None:
            schedule = schedule_from_subscription(sim, subscription)
        update_schedule(
            sim,
            schedule,
            {
                k: schedule_details[k]
                for k in ("phases", "end_behavior", "proration_behavior")
                if k in schedule_details
            },
        )
    if not fresh():
        run_until(sim, at + _HORIZON, {subscription["customer"]}, stop=lambda: bool(fresh()))
    invoices = fresh()
    if not invoices:
        raise ApiError(404, "No upcoming invoices for customer.", code="invoice_upcoming_none")
    invoice = invoices[0]
    invoice["parent"]["subscription_details"]["subscription_proration_date"] = proration_date
    return invoice


ROUTES: list[Route] = [route("POST", "/v1/invoices/create_preview", _preview, InvoiceCreatePreviewParams)]
