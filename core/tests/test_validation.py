"""Every validation rule raises its typed error naming the field and the bad value."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest

import prorata
from prorata import (
    AtDate,
    AtPeriodEnd,
    BillingCycle,
    Catalog,
    EndBehavior,
    Item,
    Money,
    Phase,
    PlanChange,
    ProrationMode,
    Schedule,
    ScheduledChange,
    SubscriptionStatus,
    TimingKind,
)
from prorata.errors import (
    ConflictError,
    InvalidChangeError,
    InvalidStateError,
    UnsupportedCapabilityError,
    ValidationError,
)
from prorata.provider import Capabilities, ProrationSupport

from .conftest import T0, T1, make_catalog, make_subscription

ALL_PRORATION = {ProrationSupport(mode=mode, cycle=cycle) for mode in ProrationMode for cycle in BillingCycle}
GENEROUS = Capabilities(
    proration=ALL_PRORATION,
    timings=set(TimingKind),
    max_phases=3,
    end_behaviors=set(EndBehavior),
)


def check(
    change: PlanChange, caps: Capabilities = GENEROUS, catalog: Catalog | None = None, **sub: Any
) -> tuple[Item, ...]:
    return prorata.provider.check_change(
        change,
        make_subscription(**sub),
        capabilities=caps,
        catalog=catalog or make_catalog(),
        provider="acme",
    )


def _error_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> tuple[str, object]:
    return excinfo.value.field, excinfo.value.value


# --- values -----------------------------------------------------------------------------------


def test_negative_quantity_is_refused_on_the_item() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Item(plan="basic", quantity=-1)
    assert _error_of(excinfo) == ("Item.quantity", -1)


@pytest.mark.parametrize("quantity", [0, -3])
def test_set_quantity_needs_a_positive_quantity(quantity: int) -> None:
    with pytest.raises(ValidationError) as excinfo:
        PlanChange.set_quantity("basic", quantity)
    assert _error_of(excinfo) == ("SetQuantity.quantity", quantity)


def test_set_items_with_a_zero_quantity_is_an_invalid_change() -> None:
    with pytest.raises(InvalidChangeError) as excinfo:
        check(PlanChange.set_items([Item(plan="pro", quantity=0)]))
    assert _error_of(excinfo) == ("PlanChange.operations[0].items", 0)


def test_mixed_currency_arithmetic_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Money.of(100, "USD") + Money.of(100, "EUR")
    assert _error_of(excinfo) == ("Money.add", "EUR")


def test_mixed_currency_plans_on_one_subscription_are_refused() -> None:
    with pytest.raises(InvalidChangeError) as excinfo:
        check(PlanChange.add("euro"))
    assert _error_of(excinfo) == ("PlanChange.operations[1].plan", "euro")
    assert "mixed" in str(excinfo.value)


def test_mixed_currency_totals_are_refused() -> None:
    usd, eur = Money.zero("USD"), Money.zero("EUR")
    with pytest.raises(ValidationError) as excinfo:
        prorata.Totals(
            subtotal=usd, discount=usd, tax=eur, total=usd, amount_due=usd, balance_applied=usd, credited=usd
        )
    assert _error_of(excinfo) == ("Totals.tax", eur)


def test_mixed_intervals_on_one_subscription_are_refused() -> None:
    with pytest.raises(InvalidChangeError) as excinfo:
        check(PlanChange.add("yearly"))
    assert _error_of(excinfo) == ("PlanChange.operations[1].plan", "yearly")


def test_unknown_plan_key_names_the_field_and_lists_known_keys() -> None:
    with pytest.raises(InvalidChangeError) as excinfo:
        check(PlanChange.swap("basic", "platinum"))
    assert _error_of(excinfo) == ("PlanChange.operations[0].plan", "platinum")
    assert "pro" in excinfo.value.reason


def test_swap_from_a_plan_not_held_names_the_operation() -> None:
    with pytest.raises(InvalidChangeError) as excinfo:
        check(PlanChange.swap("pro", "basic"))
    assert _error_of(excinfo) == ("PlanChange.operations[0].from_plan", "pro")


# --- subscription shape ---------------------------------------------------------------------


def test_empty_subscription_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_subscription(items=())
    assert _error_of(excinfo) == ("Subscription.items", ())


def test_a_change_that_removes_every_item_is_refused() -> None:
    with pytest.raises(InvalidChangeError) as excinfo:
        check(PlanChange.remove("basic"))
    assert excinfo.value.field == "PlanChange.operations"


def test_a_change_without_operations_is_refused() -> None:
    with pytest.raises(InvalidChangeError) as excinfo:
        PlanChange(operations=())
    assert _error_of(excinfo) == ("PlanChange.operations", ())


def test_a_no_op_change_is_refused() -> None:
    with pytest.raises(InvalidChangeError) as excinfo:
        check(PlanChange.set_items([Item(plan="basic")]))
    assert excinfo.value.field == "PlanChange.operations"


def test_period_end_must_follow_start() -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_subscription(current_period_end=T0)
    assert _error_of(excinfo) == ("Subscription.current_period_end", T0)


def test_naive_datetimes_are_refused() -> None:
    naive = T0.replace(tzinfo=None)
    with pytest.raises(ValidationError) as excinfo:
        AtDate(at=naive)
    assert _error_of(excinfo) == ("AtDate.at", naive)


# --- schedules ------------------------------------------------------------------------------


def _phases(second_start: Any) -> list[Phase]:
    return [
        Phase(items=[Item(plan="basic")], start=T0, end=T1),
        Phase(items=[Item(plan="pro")], start=second_start),
    ]


@pytest.mark.parametrize(("offset", "problem"), [(timedelta(days=1), "gap"), (-timedelta(days=1), "overlap")])
def test_phases_must_be_contiguous(offset: timedelta, problem: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Schedule(phases=_phases(T1 + offset))
    assert _error_of(excinfo) == ("Schedule.phases[1].start", T1 + offset)
    assert problem in excinfo.value.reason


def test_only_the_last_phase_may_be_open() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Schedule(phases=[Phase(items=[Item(plan="basic")], start=T0), Phase(items=[Item(plan="pro")])])
    assert _error_of(excinfo) == ("Schedule.phases[0].end", None)


def test_a_phase_has_an_end_or_cycles_not_both() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Phase(items=[Item(plan="basic")], start=T0, end=T1, cycles=2)
    assert _error_of(excinfo) == ("Phase.cycles", 2)


def test_a_schedule_that_cancels_needs_a_closed_last_phase() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Schedule(phases=[Phase(items=[Item(plan="basic")])], end_behavior=EndBehavior.CANCEL)
    assert excinfo.value.field == "Schedule.phases[-1].end"


def test_more_phases_than_the_provider_allows() -> None:
    phases = [
        Phase(items=[Item(plan="basic")], start=T0, cycles=1),
        Phase(items=[Item(plan="pro")], cycles=1),
        Phase(items=[Item(plan="basic")], cycles=1),
    ]
    caps = attrs.evolve(GENEROUS, max_phases=2)
    with pytest.raises(UnsupportedCapabilityError) as excinfo:
        check(PlanChange.phased(phases), caps)
    assert _error_of(excinfo) == ("PlanChange.timing.schedule.phases", 3)
    assert excinfo.value.provider == "acme"
    assert check(PlanChange.phased(phases)) == (Item(plan="basic"),)  # three fit the generous provider


def test_schedule_end_behaviour_must_be_declared() -> None:
    caps = attrs.evolve(GENEROUS, end_behaviors={EndBehavior.RELEASE})
    change = PlanChange.phased([Phase(items=[Item(plan="pro")], cycles=2)], end_behavior=EndBehavior.CANCEL)
    with pytest.raises(UnsupportedCapabilityError) as excinfo:
        check(change, caps)
    assert _error_of(excinfo) == ("PlanChange.timing.schedule.end_behavior", "cancel")


def test_schedule_phase_items_are_checked_against_the_catalog() -> None:
    change = PlanChange.phased(
        [Phase(items=[Item(plan="basic")], cycles=1), Phase(items=[Item(plan="gold")])]
    )
    with pytest.raises(InvalidChangeError) as excinfo:
        check(change)
    assert _error_of(excinfo) == ("PlanChange.timing.schedule.phases[1].items[0].plan", "gold")


# --- state ----------------------------------------------------------------------------------


def test_a_canceled_subscription_cannot_change() -> None:
    with pytest.raises(InvalidStateError) as excinfo:
        check(PlanChange.swap("basic", "pro"), status=SubscriptionStatus.CANCELED)
    assert (excinfo.value.subscription_id, excinfo.value.status) == ("sub_1", "canceled")


def test_a_past_due_subscription_cannot_change_items() -> None:
    with pytest.raises(InvalidStateError) as excinfo:
        check(PlanChange.swap("basic", "pro"), status=SubscriptionStatus.PAST_DUE)
    assert excinfo.value.status == "past_due"


def test_a_pending_scheduled_change_is_never_replaced_silently() -> None:
    pending = ScheduledChange(items=[Item(plan="pro")], effective_at=T1)
    with pytest.raises(ConflictError) as excinfo:
        check(PlanChange.add("addon"), scheduled_change=pending)
    assert excinfo.value.code == "pending_change"
    assert check(PlanChange.add("addon", replace_pending=True), scheduled_change=pending) == (
        Item(plan="basic"),
        Item(plan="addon"),
    )


def test_cancel_twice_and_resume_without_cancel_are_state_errors() -> None:
    with pytest.raises(InvalidStateError):
        check(PlanChange.cancel_at_period_end(), cancel_at_period_end=True)
    with pytest.raises(InvalidStateError):
        check(PlanChange.resume())
    assert check(PlanChange.resume(), cancel_at_period_end=True) == (Item(plan="basic"),)


def test_a_date_before_the_period_start_is_refused() -> None:
    before = T0 - timedelta(days=1)
    with pytest.raises(InvalidChangeError) as excinfo:
        check(PlanChange.swap("basic", "pro", timing=AtDate(at=before)))
    assert _error_of(excinfo) == ("PlanChange.timing.at", before.isoformat())


# --- capabilities ---------------------------------------------------------------------------


def test_an_undeclared_timing_is_unsupported() -> None:
    caps = attrs.evolve(GENEROUS, timings={TimingKind.IMMEDIATELY})
    with pytest.raises(UnsupportedCapabilityError) as excinfo:
        check(PlanChange.swap("basic", "pro", timing=AtPeriodEnd()), caps)
    assert _error_of(excinfo) == ("PlanChange.timing", "at_period_end")
    assert (excinfo.value.provider, excinfo.value.capability) == ("acme", "timing at_period_end")


def test_an_undeclared_proration_mode_is_unsupported() -> None:
    caps = attrs.evolve(GENEROUS, proration={ProrationSupport(mode="prorate_now", cycle="keep")})
    change = PlanChange.swap(
        "basic", "pro", proration=ProrationMode.FULL_PRICE_NOW, billing_cycle=BillingCycle.RESET
    )
    with pytest.raises(UnsupportedCapabilityError) as excinfo:
        check(change, caps)
    assert _error_of(excinfo) == ("PlanChange.proration", "full_price_now/reset")
    assert check(PlanChange.swap("basic", "pro"), caps) == (Item(plan="pro"),)


def test_reset_cycle_needs_a_mode_that_bills_now() -> None:
    with pytest.raises(InvalidChangeError) as excinfo:
        PlanChange.swap("basic", "pro", proration=ProrationMode.NO_BILLING, billing_cycle=BillingCycle.RESET)
    assert _error_of(excinfo) == ("PlanChange.billing_cycle", "reset")


def test_single_item_providers_refuse_a_second_item() -> None:
    caps = attrs.evolve(GENEROUS, multi_item=False)
    with pytest.raises(UnsupportedCapabilityError) as excinfo:
        check(PlanChange.add("pro"), caps)
    assert _error_of(excinfo) == ("PlanChange.operations", ["basic", "pro"])


def test_base_item_limit_counts_only_non_addons() -> None:
    caps = attrs.evolve(GENEROUS, max_base_items=1)
    assert check(PlanChange.add("addon"), caps) == (Item(plan="basic"), Item(plan="addon"))
    with pytest.raises(UnsupportedCapabilityError) as excinfo:
        check(PlanChange.add("pro"), caps)
    assert excinfo.value.field == "PlanChange.operations"


def test_providers_without_quantities_refuse_seats() -> None:
    caps = attrs.evolve(GENEROUS, quantities=False)
    with pytest.raises(UnsupportedCapabilityError) as excinfo:
        check(PlanChange.set_quantity("basic", 5), caps)
    assert _error_of(excinfo) == ("PlanChange.operations[0].quantity", 5)


def test_undeclared_payment_failure_policy_is_unsupported() -> None:
    caps = attrs.evolve(GENEROUS, payment_failure_policies={prorata.PaymentFailurePolicy.KEEP_OLD_PLAN})
    change = PlanChange.swap("basic", "pro", on_payment_failure=prorata.PaymentFailurePolicy.APPLY_CHANGE)
    with pytest.raises(UnsupportedCapabilityError) as excinfo:
        check(change, caps)
    assert _error_of(excinfo) == ("PlanChange.on_payment_failure", "apply_change")


def test_unsupported_is_an_invalid_change_for_callers_catching_broadly() -> None:
    assert issubclass(UnsupportedCapabilityError, InvalidChangeError)
    assert issubclass(InvalidChangeError, prorata.errors.BillingError)
    assert issubclass(prorata.errors.UnknownProviderError, prorata.errors.ConfigurationError)
    assert issubclass(prorata.errors.PaymentDeclinedError, prorata.errors.ProviderRejectedError)


def test_a_conflict_is_not_a_provider_failure() -> None:
    # core raises most conflicts itself, before any call: a host must not treat them as an outage
    from prorata.errors import BillingError, ConflictError, ProviderError

    conflict = ConflictError("pending change", provider="local", code="pending_change")
    assert isinstance(conflict, BillingError)
    assert not isinstance(conflict, ProviderError)
    assert (conflict.provider, conflict.code) == ("local", "pending_change")
    assert "code=pending_change" in str(conflict)
