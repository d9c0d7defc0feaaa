"""Trials in subscription schedules.

A phase is a trial when it says so: ``trial=true`` (the whole phase) or ``trial_end`` (from the
phase's start to then); "Sets the phase to trialing from the start date to this date"
(https://docs.stripe.com/api/subscription_schedules/update#update_subscription_schedule-phases-trial_end,
https://docs.stripe.com/changelog/dahlia/2026-07-29/subscription-schedule-phases-trial-property).
So a schedule whose current phase has no trial ends a running trial, and prorata sends the
trial's end with the phases of a trialing subscription.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import stripe

from prorata import (
    AtPeriodEnd,
    Billing,
    Catalog,
    Customer,
    InvoiceStatus,
    Money,
    PlanChange,
    SubscriptionStatus,
)
from prorata.provider import TimeControl


def _price(catalog: Catalog, plan: str) -> str:
    return catalog.get(plan).refs["stripe"]


def test_a_schedule_can_start_with_a_trial_phase(
    billing: Billing,
    time_control: TimeControl,
    stripe_client: stripe.StripeClient,
    stripe_catalog: Catalog,
    customer_factory: Callable[..., Customer],
) -> None:
    customer = customer_factory()
    start = int(time_control.now().timestamp())
    trial_end = start + 14 * 86400
    schedule = stripe_client.v1.subscription_schedules.create(
        {
            "customer": customer.id,
            "start_date": start,
            "phases": [
                {"items": [{"price": _price(stripe_catalog, "basic")}], "trial": True, "end_date": trial_end},
                {"items": [{"price": _price(stripe_catalog, "basic")}]},
            ],
        }
    )
    assert schedule.phases[0].trial is True
    assert schedule.phases[0].trial_end == trial_end
    sub = billing.get(str(schedule.subscription))
    assert sub.status is SubscriptionStatus.TRIALING
    assert int(sub.current_period_end.timestamp()) == trial_end
    assert billing.invoices(sub.id)[-1].totals.total == Money.of(0, "USD")
    time_control.advance(sub.current_period_end + timedelta(hours=1))
    after = billing.get(sub.id)
    assert after.status is SubscriptionStatus.ACTIVE
    paid = billing.invoices(sub.id)[-1]
    assert (paid.status, paid.totals.total) == (InvoiceStatus.PAID, Money.of(1000, "USD"))


def test_phases_without_a_trial_end_a_running_trial(
    billing: Billing, stripe_client: stripe.StripeClient, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic", trial_days=14)
    schedule = stripe_client.v1.subscription_schedules.create({"from_subscription": sub.id})
    (phase,) = schedule.phases
    assert (phase.trial, phase.trial_end) == (True, int(sub.trial_end.timestamp()))  # pyright: ignore[reportOptionalMemberAccess]
    stripe_client.v1.subscription_schedules.update(
        schedule.id,
        {"phases": [{"items": [{"price": p.price} for p in phase.items], "start_date": phase.start_date}]},
    )
    ended = billing.get(sub.id)
    assert ended.status is SubscriptionStatus.ACTIVE
    assert billing.invoices(sub.id)[-1].status is InvoiceStatus.PAID, "charged in the request"


def test_a_change_at_the_end_of_a_trial_keeps_the_trial(
    billing: Billing, time_control: TimeControl, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic", trial_days=14)
    result = billing.apply(sub, PlanChange.swap("basic", "premium", timing=AtPeriodEnd()))
    assert result.subscription.status is SubscriptionStatus.TRIALING
    assert result.subscription.trial_end == sub.trial_end
    time_control.advance(sub.current_period_end + timedelta(hours=1))
    after = billing.get(sub.id)
    assert after.status is SubscriptionStatus.ACTIVE
    assert after.plan_quantities == {"premium": 1}
    assert billing.invoices(sub.id)[-1].totals.total == Money.of(3000, "USD")


def test_a_trial_after_a_paid_phase_is_refused_as_not_emulated(
    stripe_client: stripe.StripeClient,
    stripe_catalog: Catalog,
    time_control: TimeControl,
    customer_factory: Callable[..., Customer],
) -> None:
    start = int(time_control.now().timestamp())
    with pytest.raises(stripe.InvalidRequestError, match="does not emulate"):
        stripe_client.v1.subscription_schedules.create(
            {
                "customer": customer_factory().id,
                "start_date": start,
                "phases": [
                    {"items": [{"price": _price(stripe_catalog, "basic")}], "end_date": start + 30 * 86400},
                    {"items": [{"price": _price(stripe_catalog, "basic")}], "trial": True},
                ],
            }
        )
