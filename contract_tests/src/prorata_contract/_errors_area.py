"""Errors: an invalid change is refused before any provider call, with the same typed error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from fractions import Fraction

import pytest

from prorata import AtDate, Billing, BillingCycle, PlanChange, ProrationMode, TimingKind
from prorata.errors import (
    BillingError,
    InvalidChangeError,
    InvalidStateError,
    NotFoundError,
    StalePreviewError,
    UnsupportedCapabilityError,
)
from prorata.provider import EndBehavior, Item, Phase, ProrationSupport, Subscription
from prorata_contract._combinations import PAIRS
from prorata_contract._counting import CountingProvider
from prorata_contract._fixtures import ContractFixtures
from prorata_contract._guard import standard
from prorata_contract._harness import Contract
from prorata_contract._requirements import requires

__all__ = ["ErrorTests", "refused_before_any_call"]


def refused_before_any_call(
    contract: Contract, subscription: Subscription, change: PlanChange, error: type[BillingError]
) -> BillingError:
    """Preview and apply both raise exactly ``error``, and the provider is never called."""
    counting = CountingProvider(contract.billing.provider)
    guarded = Billing(provider=counting, catalog=contract.billing.catalog)
    attempts: tuple[Callable[[], object], ...] = (
        lambda: guarded.preview(subscription, change),
        lambda: guarded.apply(subscription, change),
    )
    raised: BillingError | None = None
    for attempt in attempts:
        with pytest.raises(BillingError) as caught:
            attempt()
        assert type(caught.value) is error, (
            f"expected {error.__name__}, got {type(caught.value).__name__}: {caught.value}"
        )
        raised = caught.value
    assert dict(counting.calls) == {}, (
        f"the provider was called before the change was refused: {dict(counting.calls)}"
    )
    assert raised is not None
    return raised


def _unsupported_change(contract: Contract, subscription: Subscription) -> PlanChange:
    """A valid change the provider does not declare: a proration pair, a timing, or too many phases."""
    caps = contract.capabilities
    for mode, cycle in PAIRS:
        if ProrationSupport(mode=mode, cycle=cycle) not in caps.proration:
            return PlanChange.swap("basic", "pro", proration=mode, billing_cycle=cycle)
    if TimingKind.AT_DATE not in caps.timings:
        at = subscription.current_period_start + timedelta(days=3)
        return PlanChange.swap("basic", "pro", timing=AtDate(at=at), proration=ProrationMode.NO_BILLING)
    phases = [Phase(items=(Item(plan="basic"),), cycles=1) for _ in range(caps.max_phases)]
    return PlanChange.phased(
        [*phases, Phase(items=(Item(plan="pro"),))],
        end_behavior=EndBehavior.RELEASE,
        proration=ProrationMode.NO_BILLING,
    )


@standard("errors")
class ErrorTests(ContractFixtures):
    """Refusals every provider shares: same error types, raised before any provider call."""

    def test_unknown_plan_refused_before_any_call(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        error = refused_before_any_call(
            contract, subscription, PlanChange.swap("basic", "no-such-plan"), InvalidChangeError
        )
        assert "no-such-plan" in str(error)

    def test_plan_not_held_refused_before_any_call(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        refused_before_any_call(contract, subscription, PlanChange.swap("pro", "premium"), InvalidChangeError)

    def test_change_to_nothing_new_refused_before_any_call(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        refused_before_any_call(
            contract, subscription, PlanChange.set_items([Item(plan="basic")]), InvalidChangeError
        )

    @requires(timing=TimingKind.AT_DATE)
    def test_date_in_the_past_refused_before_any_call(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        at = subscription.current_period_start - timedelta(days=1)
        refused_before_any_call(
            contract, subscription, PlanChange.swap("basic", "pro", timing=AtDate(at=at)), InvalidChangeError
        )

    def test_canceled_subscription_refused_before_any_call(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        canceled = contract.billing.cancel_now(subscription.id)
        error = refused_before_any_call(
            contract, canceled, PlanChange.swap("basic", "pro"), InvalidStateError
        )
        assert isinstance(error, InvalidStateError)
        assert error.subscription_id == subscription.id

    def test_missing_capability_refused_before_any_call(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        error = refused_before_any_call(
            contract, subscription, _unsupported_change(contract, subscription), UnsupportedCapabilityError
        )
        assert isinstance(error, UnsupportedCapabilityError)
        assert error.provider == contract.provider

    def test_resume_without_cancellation_refused_before_any_call(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        if not contract.capabilities.resume:
            refused_before_any_call(contract, subscription, PlanChange.resume(), UnsupportedCapabilityError)
        else:
            refused_before_any_call(contract, subscription, PlanChange.resume(), InvalidStateError)

    def test_unknown_subscription_not_found(self, contract: Contract) -> None:
        with pytest.raises(NotFoundError):
            contract.billing.get("sub_prorata_contract_missing")

    @requires(cancel_scheduled_change=True)
    def test_cancel_without_a_scheduled_change_refused(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic")
        counting = CountingProvider(contract.billing.provider)
        guarded = Billing(provider=counting, catalog=contract.billing.catalog)
        with pytest.raises(BillingError) as caught:
            guarded.cancel_scheduled_change(subscription.id)
        assert type(caught.value) is InvalidChangeError
        assert set(counting.calls) <= {"get_subscription"}, (
            f"a mutating call was made: {dict(counting.calls)}"
        )

    @requires(
        timing=TimingKind.IMMEDIATELY,
        proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP),
        time_control=True,
    )
    def test_preview_from_an_earlier_period_refused_before_any_call(self, contract: Contract) -> None:
        subscription = contract.into_period(contract.subscribe("basic"), Fraction(1, 2))
        change = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)
        lasting = timedelta(days=400)  # long enough to reach the next period unexpired
        long_lived = Billing(
            provider=contract.billing.provider, catalog=contract.billing.catalog, preview_ttl=lasting
        )
        preview = long_lived.preview(subscription, change)
        short_lived = contract.billing.preview(subscription, change)
        contract.pass_boundary(subscription.current_period_end)
        current = contract.get(subscription)
        counting = CountingProvider(contract.billing.provider)
        guarded = Billing(provider=counting, catalog=contract.billing.catalog, preview_ttl=lasting)
        with pytest.raises(BillingError) as caught:
            guarded.apply(current, change, preview=preview)
        assert type(caught.value) is InvalidChangeError, f"got {type(caught.value).__name__}: {caught.value}"
        with pytest.raises(StalePreviewError):  # with the default lifetime it has simply expired
            guarded.apply(current, change, preview=short_lived)
        assert dict(counting.calls) == {}, (
            f"the provider was called with a stale preview: {dict(counting.calls)}"
        )
        assert contract.get(subscription).plan_quantities == {"basic": 1}
