"""What a provider can do, and the one place that checks a change against it."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import attrs

from prorata._catalog import Catalog
from prorata._change import (
    AtDate,
    BillingCycle,
    PaymentFailurePolicy,
    PhasedSchedule,
    PlanChange,
    ProrationMode,
    TimingKind,
)
from prorata._errors import ConflictError, InvalidChangeError, InvalidStateError, UnsupportedCapabilityError
from prorata._items import CollectionMethod, Item
from prorata._schedule import EndBehavior
from prorata._subscription import Subscription, SubscriptionStatus
from prorata._validators import enum_of

__all__ = ["Capabilities", "ProrationSupport", "ProrationTime", "check_change"]


class ProrationTime(enum.StrEnum):
    """When a provider prices a change it applies.

    - ``exact``: at the proration time the preview carries (apply reuses it).
    - ``at_receipt``: when the provider receives the apply request (Dodo): apply previews
      again and refuses when the amount changed since the customer saw it.
    """

    EXACT = "exact"
    AT_RECEIPT = "at_receipt"


@attrs.frozen(kw_only=True, slots=True, order=True)
class ProrationSupport:
    """One supported (proration mode, billing cycle) pair."""

    mode: ProrationMode = attrs.field(converter=enum_of(ProrationMode, "ProrationSupport.mode"))
    """How the change is billed."""
    cycle: BillingCycle = attrs.field(converter=enum_of(BillingCycle, "ProrationSupport.cycle"))
    """Whether the billing date is kept or a new cycle starts."""


def _frozen(value: Iterable[Any]) -> frozenset[Any]:
    return frozenset(value)


@attrs.frozen(kw_only=True, slots=True)
class Capabilities:
    """Everything a provider declares it supports. Core refuses anything else up front."""

    proration: frozenset[ProrationSupport] = attrs.field(converter=_frozen)
    """Every (proration mode, billing cycle) pair the provider can bill."""
    timings: frozenset[TimingKind] = attrs.field(converter=_frozen)
    """When changes may take effect: immediately, at period end, at a date, as a schedule."""
    multi_item: bool = True
    """More than one item on a subscription."""
    max_base_items: int | None = None
    """How many non-add-on plans a subscription may hold (Dodo: 1); None = no limit."""
    quantities: bool = True
    """Whether items may have a quantity other than 1 (seats)."""
    max_phases: int = 0
    """Phases in one schedule (0 = no multi-phase schedules)."""
    end_behaviors: frozenset[EndBehavior] = attrs.field(default=frozenset(), converter=_frozen)
    """What a schedule may do after its last phase: release or cancel."""
    trials: bool = True
    """Whether subscriptions may start with a trial."""
    discounts: bool = True
    """Whether subscriptions and phases may carry discounts."""
    tax_rates: bool = True
    """Whether subscriptions and phases may carry tax rates."""
    collection_methods: frozenset[CollectionMethod] = attrs.field(
        default=frozenset({CollectionMethod.CHARGE_AUTOMATICALLY}), converter=_frozen
    )
    """How invoices may be collected: charged automatically, or sent to be paid."""
    payment_failure_policies: frozenset[PaymentFailurePolicy] = attrs.field(
        default=frozenset(PaymentFailurePolicy), converter=_frozen
    )
    """What a declined payment on a change may do: keep the old plan, or apply and go past due."""
    cancel_at_period_end: bool = True
    """Whether a subscription can be set to end with its current period."""
    resume: bool = True
    """Whether a pending cancellation can be undone."""
    cancel_scheduled_change: bool = True
    """Whether a pending scheduled change or schedule can be dropped."""
    time_control: bool = False
    """The provider (or its emulator) can move time forward for tests."""
    native_idempotency: bool = False
    """Mutations carry idempotency keys; otherwise retries re-read and reconcile."""
    payment_setup: bool = False
    """Collect a payment method before any charge (``Billing.start_payment_setup``)."""
    set_payment_method: bool = False
    """Replace a customer's default payment method (``Billing.set_payment_method``)."""
    payment_actions: bool = False
    """Report a ``PaymentAction`` when the customer must act (3-D Secure, hosted page)."""
    pay_invoice: bool = False
    """Collect an open invoice again (``Billing.pay_invoice``)."""
    void_invoice: bool = False
    """Whether an open invoice can be voided."""
    refunds: bool = False
    """Refund a paid invoice's payment, and ``NegativeDuePolicy.REFUND`` on changes."""
    partial_refunds: bool = False
    """Whether a refund may be less than the payment."""
    events: bool = False
    """Verify and normalize webhook deliveries (``Billing.parse_event``; an ``EventProvider``)."""
    proration_time: ProrationTime = attrs.field(
        default=ProrationTime.EXACT, converter=enum_of(ProrationTime, "Capabilities.proration_time")
    )
    """Whether apply honours the preview's proration time or prices at receipt."""

    def supports(self, mode: ProrationMode, cycle: BillingCycle) -> bool:
        return ProrationSupport(mode=mode, cycle=cycle) in self.proration

    def describe(self) -> dict[str, Any]:
        """A plain, stable, JSON-ready description (used by ``prorata providers --json``)."""
        return {
            "proration": sorted(f"{p.mode.value}/{p.cycle.value}" for p in self.proration),
            "timings": sorted(t.value for t in self.timings),
            "multi_item": self.multi_item,
            "max_base_items": self.max_base_items,
            "quantities": self.quantities,
            "max_phases": self.max_phases,
            "end_behaviors": sorted(e.value for e in self.end_behaviors),
            "trials": self.trials,
            "discounts": self.discounts,
            "tax_rates": self.tax_rates,
            "collection_methods": sorted(c.value for c in self.collection_methods),
            "payment_failure_policies": sorted(p.value for p in self.payment_failure_policies),
            "cancel_at_period_end": self.cancel_at_period_end,
            "resume": self.resume,
            "cancel_scheduled_change": self.cancel_scheduled_change,
            "time_control": self.time_control,
            "native_idempotency": self.native_idempotency,
            "payment_setup": self.payment_setup,
            "set_payment_method": self.set_payment_method,
            "payment_actions": self.payment_actions,
            "pay_invoice": self.pay_invoice,
            "void_invoice": self.void_invoice,
            "refunds": self.refunds,
            "partial_refunds": self.partial_refunds,
            "events": self.events,
            "proration_time": self.proration_time.value,
        }


def _unsupported(field: str, value: object, capability: str, provider: str) -> UnsupportedCapabilityError:
    return UnsupportedCapabilityError(field, value, capability=capability, provider=provider)


def check_items(
    items: tuple[Item, ...],
    *,
    field: str,
    catalog: Catalog,
    capabilities: Capabilities,
    provider: str,
    currency: str | None,
) -> None:
    """Items exist in the catalog, share one currency and fit the provider's item model."""
    if not items:
        raise InvalidChangeError(field, items, "at least one item")
    currencies: set[str] = set() if currency is None else {currency}
    intervals: set[object] = set()
    base = 0
    for index, item in enumerate(items):
        plan = catalog.get(item.plan, field=f"{field}[{index}].plan")
        if item.quantity < 1:
            raise InvalidChangeError(f"{field}[{index}].quantity", item.quantity, "a quantity >= 1")
        if item.quantity != 1 and not capabilities.quantities:
            raise _unsupported(f"{field}[{index}].quantity", item.quantity, "quantities", provider)
        currencies.add(plan.currency)
        if len(currencies) > 1:
            raise InvalidChangeError(
                f"{field}[{index}].plan", item.plan, f"plans in one currency (mixed: {sorted(currencies)})"
            )
        intervals.add(plan.interval)
        if len(intervals) > 1:
            raise InvalidChangeError(
                f"{field}[{index}].plan",
                item.plan,
                "plans with one billing interval (every item renews together)",
            )
        if not plan.addon:
            base += 1
    if len(items) > 1 and not capabilities.multi_item:
        raise _unsupported(field, [i.plan for i in items], "more than one item", provider)
    if capabilities.max_base_items is not None and base > capabilities.max_base_items:
        raise _unsupported(
            field,
            [i.plan for i in items],
            f"more than {capabilities.max_base_items} base plan(s) (others must be add-ons)",
            provider,
        )


def check_change(
    change: PlanChange,
    subscription: Subscription,
    *,
    capabilities: Capabilities,
    catalog: Catalog,
    provider: str,
) -> tuple[Item, ...]:
    """Check ``change`` against the subscription, the catalog and the provider's capabilities.

    Runs before any provider call. Returns the target items (for phased schedules, the
    first phase's items). Raises InvalidStateError, InvalidChangeError or
    UnsupportedCapabilityError; the same error for every provider alike.
    """
    if subscription.status is SubscriptionStatus.CANCELED:
        raise InvalidStateError(
            subscription.id, subscription.status.value, "a canceled subscription cannot be changed"
        )
    timing = change.timing
    if timing.kind not in capabilities.timings:
        raise _unsupported("PlanChange.timing", timing.kind.value, f"timing {timing.kind.value}", provider)
    if change.changes_items and not capabilities.supports(change.proration, change.billing_cycle):
        raise _unsupported(
            "PlanChange.proration",
            f"{change.proration.value}/{change.billing_cycle.value}",
            f"proration {change.proration.value} with billing cycle {change.billing_cycle.value}",
            provider,
        )
    if change.on_payment_failure not in capabilities.payment_failure_policies:
        raise _unsupported(
            "PlanChange.on_payment_failure",
            change.on_payment_failure.value,
            "that payment-failure policy",
            provider,
        )
    if change.cancels_at_period_end:
        if not capabilities.cancel_at_period_end:
            raise _unsupported(
                "PlanChange.operations", "cancel_at_period_end", "cancel at period end", provider
            )
        if subscription.cancel_at_period_end:
            raise InvalidStateError(
                subscription.id, subscription.status.value, "already set to cancel at period end"
            )
    if change.resumes:
        if not capabilities.resume:
            raise _unsupported("PlanChange.operations", "resume", "resume", provider)
        if not subscription.cancel_at_period_end:
            raise InvalidStateError(
                subscription.id, subscription.status.value, "there is no pending cancellation to resume"
            )
    elif (
        subscription.cancel_at_period_end and change.changes_items and not isinstance(timing, PhasedSchedule)
    ):
        raise InvalidStateError(
            subscription.id,
            subscription.status.value,
            "set to cancel at period end; resume it first (or combine Resume with the change)",
        )
    if subscription.status is SubscriptionStatus.PAST_DUE and change.changes_items:
        raise InvalidStateError(
            subscription.id, subscription.status.value, "pay the open invoice before changing the plan"
        )
    if (
        (subscription.scheduled_change is not None or subscription.schedule is not None)
        and change.changes_items
        and not change.replace_pending
    ):
        raise ConflictError(
            f"subscription {subscription.id} already has a pending scheduled change; "
            "cancel it or pass replace_pending=True to replace it explicitly",
            provider=provider,
            code="pending_change",
        )
    if isinstance(timing, AtDate) and not subscription.current_period_start < timing.at:
        raise InvalidChangeError(
            "PlanChange.timing.at", timing.at.isoformat(), "a time after the current period start"
        )
    if isinstance(timing, PhasedSchedule):
        schedule = timing.schedule
        if len(schedule.phases) > capabilities.max_phases:
            raise _unsupported(
                "PlanChange.timing.schedule.phases",
                len(schedule.phases),
                f"more than {capabilities.max_phases} phases",
                provider,
            )
        if schedule.end_behavior not in capabilities.end_behaviors:
            raise _unsupported(
                "PlanChange.timing.schedule.end_behavior",
                schedule.end_behavior.value,
                f"end behaviour {schedule.end_behavior.value}",
                provider,
            )
        for index, phase in enumerate(schedule.phases):
            check_items(
                phase.items,
                field=f"PlanChange.timing.schedule.phases[{index}].items",
                catalog=catalog,
                capabilities=capabilities,
                provider=provider,
                currency=subscription.currency,
            )
            if phase.discounts and not capabilities.discounts:
                raise _unsupported(
                    f"PlanChange.timing.schedule.phases[{index}].discounts",
                    len(phase.discounts),
                    "discounts",
                    provider,
                )
        first = schedule.phases[0]
        if (
            first.start is not None
            and first.start != subscription.current_period_start
            and first.start > subscription.current_period_end
        ):
            raise InvalidChangeError(
                "PlanChange.timing.schedule.phases[0].start",
                first.start.isoformat(),
                "the current phase (start within the current period, or None)",
            )
        return first.items
    if not change.changes_items:
        return subscription.items
    target = change.target_items(subscription.items)
    check_items(
        target,
        field="PlanChange.operations",
        catalog=catalog,
        capabilities=capabilities,
        provider=provider,
        currency=subscription.currency,
    )
    if change.proration is ProrationMode.PRICE_DIFFERENCE_NOW:
        intervals = {catalog.get(i.plan).interval for i in (*subscription.items, *target)}
        if len(intervals) > 1:
            raise InvalidChangeError(
                "PlanChange.proration",
                change.proration.value,
                "a mode other than price_difference_now between different billing intervals "
                "(a difference of prices for different periods is not defined)",
            )
    if {i.plan: i.quantity for i in target} == subscription.plan_quantities and not change.resumes:
        raise InvalidChangeError(
            "PlanChange.operations",
            change.operations,
            "a change to the items (the result equals the current items)",
        )
    return target
