"""Deliberately broken providers: thin wrappers around the local provider.

Each breaks one promise of the contract; the suite must fail against every one of them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import attrs

from prorata import (
    BillingCycle,
    ChangePreview,
    ChangeResult,
    Immediately,
    Item,
    PaymentFailurePolicy,
    PlanChange,
    ProrationMode,
    SetItems,
    Subscription,
)
from prorata.provider import Provider
from prorata_contract import CountingProvider


class IgnoresProration(CountingProvider):
    """Bills every change as ``no_billing``, whatever proration mode was asked for."""

    @staticmethod
    def _free(change: PlanChange) -> PlanChange:
        return attrs.evolve(change, proration=ProrationMode.NO_BILLING, billing_cycle=BillingCycle.KEEP)

    def preview_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
    ) -> ChangePreview:
        preview = self.inner.preview_change(
            subscription, self._free(change), target=target, proration_time=proration_time
        )
        return attrs.evolve(preview, change=change)

    def apply_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
        idempotency_key: str,
    ) -> ChangeResult:
        return self.inner.apply_change(
            subscription,
            self._free(change),
            target=target,
            proration_time=proration_time,
            idempotency_key=idempotency_key,
        )


class AppliesTwice(CountingProvider):
    """Ignores idempotency keys: a retried apply is applied again."""

    def apply_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
        idempotency_key: str,
    ) -> ChangeResult:
        return self.inner.apply_change(
            subscription,
            change,
            target=target,
            proration_time=proration_time,
            idempotency_key=f"{idempotency_key}-{uuid.uuid4()}",
        )


class DropsOtherItems(CountingProvider):
    """Writes only the items an immediate change touches, dropping the others."""

    def apply_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
        idempotency_key: str,
    ) -> ChangeResult:
        if isinstance(change.timing, Immediately) and change.changes_items:
            held = subscription.plan_quantities
            touched = tuple(item for item in target if held.get(item.plan) != item.quantity) or target
            change, target = attrs.evolve(change, operations=(SetItems(items=touched),)), touched
        return self.inner.apply_change(
            subscription,
            change,
            target=target,
            proration_time=proration_time,
            idempotency_key=idempotency_key,
        )


class ForcesFailurePolicy(CountingProvider):
    """Applies every change with one payment failure policy, whatever was asked for."""

    policy: PaymentFailurePolicy

    def apply_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
        idempotency_key: str,
    ) -> ChangeResult:
        return self.inner.apply_change(
            subscription,
            attrs.evolve(change, on_payment_failure=self.policy),
            target=target,
            proration_time=proration_time,
            idempotency_key=idempotency_key,
        )


class AppliesDeclinedChanges(ForcesFailurePolicy):
    """Applies a change whose payment was declined although the host asked to keep the old plan."""

    policy = PaymentFailurePolicy.APPLY_CHANGE


class DropsDeclinedChanges(ForcesFailurePolicy):
    """Keeps the old plan when a payment is declined although the host asked to apply the change."""

    policy = PaymentFailurePolicy.KEEP_OLD_PLAN


BROKEN: dict[str, type[CountingProvider]] = {
    "ignores_proration": IgnoresProration,
    "applies_twice": AppliesTwice,
    "drops_other_items": DropsOtherItems,
    "applies_declined_changes": AppliesDeclinedChanges,
    "drops_declined_changes": DropsDeclinedChanges,
}


def wrap(name: str, provider: Provider) -> Provider:
    """The broken wrapper ``name`` around ``provider``."""
    return BROKEN[name](provider)
