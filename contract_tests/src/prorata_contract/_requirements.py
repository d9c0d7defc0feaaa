"""Capability requirements: what a contract test needs from the provider under test.

A standard test declares its needs with :func:`requires`; the fixtures base compares them
with the provider's declared :class:`prorata.provider.Capabilities` and skips, naming what is
missing, when the provider declares the capability unsupported.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
import pytest

from prorata import BillingCycle, PaymentFailurePolicy, ProrationMode, TimingKind
from prorata.provider import Capabilities, CollectionMethod, EndBehavior, ProrationSupport

__all__ = ["MARK_NAME", "Requirement", "requires"]

MARK_NAME = "prorata_requires"
"""The pytest marker :func:`requires` attaches (registered by the plugin)."""


@attrs.frozen(kw_only=True, slots=True)
class Requirement:
    """Capabilities one test needs; empty means nothing beyond the basics."""

    timings: frozenset[TimingKind] = frozenset()
    proration: frozenset[ProrationSupport] = frozenset()
    multi_item: bool = False
    base_items: int = 1
    """Non-add-on plans held at once."""
    quantities: bool = False
    max_phases: int = 0
    end_behaviors: frozenset[EndBehavior] = frozenset()
    discounts: bool = False
    tax_rates: bool = False
    trials: bool = False
    cancel_at_period_end: bool = False
    resume: bool = False
    cancel_scheduled_change: bool = False
    time_control: bool = False
    payment_failure_policies: frozenset[PaymentFailurePolicy] = frozenset()
    collection_methods: frozenset[CollectionMethod] = frozenset()
    decline_payments: bool = False
    """The test makes a customer's charges decline (the ``decline_payments`` fixture)."""
    payments: frozenset[str] = frozenset()
    """Payment capabilities the test uses (``Capabilities`` flag names, e.g. ``refunds``)."""
    events: bool = False
    """The test parses webhook events (``Capabilities.events`` and the ``webhook_deliveries`` fixture)."""
    webhook_signer: bool = False
    """The test signs deliveries again (the ``webhook_signer`` fixture)."""

    def merge(self, other: Requirement) -> Requirement:
        """Both requirements at once (several ``@requires`` marks on one test)."""
        return Requirement(
            timings=self.timings | other.timings,
            proration=self.proration | other.proration,
            multi_item=self.multi_item or other.multi_item,
            base_items=max(self.base_items, other.base_items),
            quantities=self.quantities or other.quantities,
            max_phases=max(self.max_phases, other.max_phases),
            end_behaviors=self.end_behaviors | other.end_behaviors,
            discounts=self.discounts or other.discounts,
            tax_rates=self.tax_rates or other.tax_rates,
            trials=self.trials or other.trials,
            cancel_at_period_end=self.cancel_at_period_end or other.cancel_at_period_end,
            resume=self.resume or other.resume,
            cancel_scheduled_change=self.cancel_scheduled_change or other.cancel_scheduled_change,
            time_control=self.time_control or other.time_control,
            payment_failure_policies=self.payment_failure_policies | other.payment_failure_policies,
            collection_methods=self.collection_methods | other.collection_methods,
            decline_payments=self.decline_payments or other.decline_payments,
            payments=self.payments | other.payments,
            events=self.events or other.events,
            webhook_signer=self.webhook_signer or other.webhook_signer,
        )

    def unmet(self, caps: Capabilities) -> list[str]:
        """What ``caps`` does not declare, in words (empty when everything is declared)."""
        missing = [f"timing {t.value}" for t in sorted(self.timings - caps.timings)]
        missing += [
            f"proration {p.mode.value}/{p.cycle.value}" for p in sorted(self.proration - caps.proration)
        ]
        flags = (
            ("multi-item subscriptions", self.multi_item, caps.multi_item),
            ("quantities", self.quantities, caps.quantities),
            ("discounts", self.discounts, caps.discounts),
            ("tax rates", self.tax_rates, caps.tax_rates),
            ("trials", self.trials, caps.trials),
            ("cancel at period end", self.cancel_at_period_end, caps.cancel_at_period_end),
            ("resume", self.resume, caps.resume),
            ("cancelling a scheduled change", self.cancel_scheduled_change, caps.cancel_scheduled_change),
            ("time control", self.time_control, caps.time_control),
            ("webhook events", self.events, caps.events),
        )
        missing += [name for name, needed, declared in flags if needed and not declared]
        if self.base_items > 1 and (
            not caps.multi_item or (caps.max_base_items or self.base_items) < self.base_items
        ):
            missing.append(f"{self.base_items} base plans on one subscription")
        if self.max_phases and caps.max_phases < self.max_phases:
            missing.append(f"schedules of {self.max_phases} phases (declares {caps.max_phases})")
        missing += [
            f"schedule end behaviour {e.value}" for e in sorted(self.end_behaviors - caps.end_behaviors)
        ]
        missing += [
            f"payment failure policy {p.value}"
            for p in sorted(self.payment_failure_policies - caps.payment_failure_policies)
        ]
        missing += [
            f"collection method {c.value}" for c in sorted(self.collection_methods - caps.collection_methods)
        ]
        missing += [name.replace("_", " ") for name in sorted(self.payments) if not getattr(caps, name)]
        return missing


def requires(
    *,
    timing: TimingKind | str | Iterable[TimingKind | str] = (),
    proration: tuple[ProrationMode | str, BillingCycle | str] | None = None,
    multi_item: bool = False,
    base_items: int = 1,
    quantities: bool = False,
    max_phases: int = 0,
    end_behavior: EndBehavior | str | None = None,
    discounts: bool = False,
    tax_rates: bool = False,
    trials: bool = False,
    cancel_at_period_end: bool = False,
    resume: bool = False,
    cancel_scheduled_change: bool = False,
    time_control: bool = False,
    payment_failure_policy: PaymentFailurePolicy | str | None = None,
    collection_method: CollectionMethod | str | None = None,
    decline_payments: bool = False,
    payments: Iterable[str] = (),
    events: bool = False,
    webhook_signer: bool = False,
) -> pytest.MarkDecorator:
    """Mark a contract test with the capabilities it needs.

    A provider that does not declare one of them skips the test, naming it. Usable as a
    decorator or in ``pytest.param(..., marks=requires(...))``; several marks add up.

    Args:
        timing: a timing kind (or several) the test uses.
        proration: one ``(mode, billing cycle)`` pair the test bills with.
        multi_item: the test holds more than one item.
        base_items: how many non-add-on plans the test holds at once.
        quantities: the test uses quantities other than 1.
        max_phases: the test writes a schedule of this many phases.
        end_behavior: the schedule end behaviour the test uses.
        discounts: the test applies a discount.
        tax_rates: the test applies a tax rate.
        trials: the test starts a trial.
        cancel_at_period_end: the test cancels at period end.
        resume: the test resumes a pending cancellation.
        cancel_scheduled_change: the test drops a scheduled change.
        time_control: the test moves the provider's clock.
        payment_failure_policy: the ``on_payment_failure`` policy a change of the test uses.
        collection_method: the collection method the test subscribes with.
        decline_payments: the test makes a customer's charges decline; skipped when the
            ``decline_payments`` fixture is None (not a capability: the composition
            provides it).
        payments: payment capability flags the test uses (``payment_setup``, ``refunds``,
            ``partial_refunds``, ``pay_invoice``, ``payment_actions``, ``set_payment_method``).
        events: the test parses webhook events; skipped unless the provider declares
            ``events`` and the ``webhook_deliveries`` fixture gives deliveries.
        webhook_signer: the test signs deliveries again (expired, wrong secret); skipped
            when the ``webhook_signer`` fixture is None.
    """
    kinds = [timing] if isinstance(timing, (TimingKind, str)) else list(timing)
    requirement = Requirement(
        timings=frozenset(TimingKind(kind) for kind in kinds),
        proration=frozenset()
        if proration is None
        else frozenset({ProrationSupport(mode=proration[0], cycle=proration[1])}),
        multi_item=multi_item or base_items > 1,
        base_items=base_items,
        quantities=quantities,
        max_phases=max_phases,
        end_behaviors=frozenset() if end_behavior is None else frozenset({EndBehavior(end_behavior)}),
        discounts=discounts,
        tax_rates=tax_rates,
        trials=trials,
        cancel_at_period_end=cancel_at_period_end,
        resume=resume,
        cancel_scheduled_change=cancel_scheduled_change,
        time_control=time_control,
        payment_failure_policies=frozenset()
        if payment_failure_policy is None
        else frozenset({PaymentFailurePolicy(payment_failure_policy)}),
        collection_methods=frozenset()
        if collection_method is None
        else frozenset({CollectionMethod(collection_method)}),
        decline_payments=decline_payments,
        payments=frozenset(payments),
        events=events,
        webhook_signer=webhook_signer,
    )
    return getattr(pytest.mark, MARK_NAME)(requirement)


def requirement_of(node: pytest.Item) -> Requirement:
    """Every ``@requires`` mark on ``node`` (method, class, module, parameter), merged."""
    merged = Requirement()
    for mark in node.iter_markers(MARK_NAME):
        for part in mark.args:
            if isinstance(part, Requirement):
                merged = merged.merge(part)
    return merged
