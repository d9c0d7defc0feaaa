"""PlanChange: what the host wants to change, when, and how to bill it."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from prorata._errors import InvalidChangeError
from prorata._items import Item, as_tuple
from prorata._schedule import EndBehavior, Phase, Schedule
from prorata._validators import aware, enum_of, non_empty_str, positive_int, utc

if TYPE_CHECKING:
    from prorata._direction import AutoChange

__all__ = [
    "AddItem",
    "AtDate",
    "AtPeriodEnd",
    "BillingCycle",
    "CancelAtPeriodEnd",
    "Immediately",
    "Operation",
    "PaymentFailurePolicy",
    "PhasedSchedule",
    "PlanChange",
    "ProrationMode",
    "RemoveItem",
    "Resume",
    "SetItems",
    "SetQuantity",
    "Swap",
    "Timing",
    "TimingKind",
]


class ProrationMode(enum.StrEnum):
    """How a change is billed.

    - ``prorate_now``: credit unused time on the old items, charge the new ones, invoice now.
    - ``prorate_next_invoice``: the same proration lines, added to the next regular invoice.
    - ``full_price_now``: charge the new items' full price now, no credit.
    - ``price_difference_now``: charge (new price - old price) now; a negative difference is credited.
    - ``no_billing``: switch and charge nothing.
    """

    PRORATE_NOW = "prorate_now"
    PRORATE_NEXT_INVOICE = "prorate_next_invoice"
    FULL_PRICE_NOW = "full_price_now"
    PRICE_DIFFERENCE_NOW = "price_difference_now"
    NO_BILLING = "no_billing"

    @property
    def bills_now(self) -> bool:
        return self in (
            ProrationMode.PRORATE_NOW,
            ProrationMode.FULL_PRICE_NOW,
            ProrationMode.PRICE_DIFFERENCE_NOW,
        )


class BillingCycle(enum.StrEnum):
    """Keep the billing date, or start a new cycle at the change (billed now)."""

    KEEP = "keep"
    RESET = "reset"


class PaymentFailurePolicy(enum.StrEnum):
    """When the payment for a change fails: keep the old plan, or apply and go past due."""

    KEEP_OLD_PLAN = "keep_old_plan"
    APPLY_CHANGE = "apply_change"


class TimingKind(enum.StrEnum):
    IMMEDIATELY = "immediately"
    AT_PERIOD_END = "at_period_end"
    AT_DATE = "at_date"
    SCHEDULE = "schedule"


# --- operations ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=True)
class Swap:
    """Replace one plan by another, keeping the quantity unless one is given."""

    from_plan: str = attrs.field(validator=non_empty_str)
    """The key of the plan to replace."""
    to_plan: str = attrs.field(validator=non_empty_str)
    """The key of the plan that replaces it."""
    quantity: int | None = attrs.field(default=None)
    """The new plan's quantity (None: the replaced item's)."""

    def __attrs_post_init__(self) -> None:
        if self.quantity is not None:
            positive_int(self, attrs.fields(Swap).quantity, self.quantity)
        if self.from_plan == self.to_plan:
            raise InvalidChangeError("Swap.to_plan", self.to_plan, "a plan other than from_plan")


@attrs.frozen(kw_only=True, slots=True)
class AddItem:
    """Add a plan the subscription does not hold yet (a second product next to the first)."""

    plan: str = attrs.field(validator=non_empty_str)
    """The key of the plan to add."""
    quantity: int = attrs.field(default=1, validator=positive_int)
    """How many units to add (seats)."""


@attrs.frozen(kw_only=True, slots=True)
class RemoveItem:
    """Remove a plan from the subscription."""

    plan: str = attrs.field(validator=non_empty_str)
    """The key of the plan to remove."""


@attrs.frozen(kw_only=True, slots=True)
class SetQuantity:
    """Change the quantity (seats) of a plan already on the subscription."""

    plan: str = attrs.field(validator=non_empty_str)
    """The key of a plan already on the subscription."""
    quantity: int = attrs.field(validator=positive_int)
    """The new quantity (at least 1; remove the plan to drop it)."""


@attrs.frozen(kw_only=True, slots=True)
class SetItems:
    """Replace the whole item list with these target items."""

    items: tuple[Item, ...] = attrs.field(converter=as_tuple)
    """The complete item list the subscription should end up with."""


@attrs.frozen(kw_only=True, slots=True)
class CancelAtPeriodEnd:
    """Stop renewing: the subscription ends when the current period does."""


@attrs.frozen(kw_only=True, slots=True)
class Resume:
    """Undo a pending cancellation (combine with a Swap to recover onto another plan)."""


Operation = Swap | AddItem | RemoveItem | SetQuantity | SetItems | CancelAtPeriodEnd | Resume
_ITEM_OPERATIONS = (Swap, AddItem, RemoveItem, SetQuantity, SetItems)

# --- timings ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=True)
class Immediately:
    """Take effect now."""

    kind: TimingKind = attrs.field(default=TimingKind.IMMEDIATELY, init=False)
    """Always ``TimingKind.IMMEDIATELY``."""


@attrs.frozen(kw_only=True, slots=True)
class AtPeriodEnd:
    """Take effect when the current period ends (for example a downgrade)."""

    kind: TimingKind = attrs.field(default=TimingKind.AT_PERIOD_END, init=False)
    """Always ``TimingKind.AT_PERIOD_END``."""


@attrs.frozen(kw_only=True, slots=True)
class AtDate:
    """Take effect at a given instant."""

    at: datetime = attrs.field(converter=utc, validator=aware)
    """When the change takes effect (UTC)."""
    kind: TimingKind = attrs.field(default=TimingKind.AT_DATE, init=False)
    """Always ``TimingKind.AT_DATE``."""


@attrs.frozen(kw_only=True, slots=True)
class PhasedSchedule:
    """A multi-phase plan. The first phase is the current one; its start is kept as it is."""

    schedule: Schedule
    """The phases, the first of which is the current one."""
    kind: TimingKind = attrs.field(default=TimingKind.SCHEDULE, init=False)
    """Always ``TimingKind.SCHEDULE``."""


Timing = Immediately | AtPeriodEnd | AtDate | PhasedSchedule


@attrs.frozen(kw_only=True, slots=True)
class PlanChange:
    """A change to a subscription: WHAT (operations), WHEN (timing) and HOW to bill it.

    Build one with the named constructors (``PlanChange.swap``, ``PlanChange.add``, ...)
    or directly. Invariants are checked here; checks that need the subscription, the
    catalog or the provider's capabilities run in :func:`prorata.provider.check_change`.
    """

    operations: tuple[Operation, ...] = attrs.field(default=(), converter=as_tuple)
    """What changes, applied in order (swap, add, remove, set quantity, cancel, resume)."""
    timing: Timing = attrs.field(factory=Immediately)
    """When it takes effect (default immediately)."""
    proration: ProrationMode = attrs.field(
        default=ProrationMode.PRORATE_NOW, converter=enum_of(ProrationMode, "PlanChange.proration")
    )
    """How the change is billed (default prorate now)."""
    billing_cycle: BillingCycle = attrs.field(
        default=BillingCycle.KEEP, converter=enum_of(BillingCycle, "PlanChange.billing_cycle")
    )
    """Keep the billing date (default) or start a new cycle at the change."""
    on_payment_failure: PaymentFailurePolicy = attrs.field(
        default=PaymentFailurePolicy.KEEP_OLD_PLAN,
        converter=enum_of(PaymentFailurePolicy, "PlanChange.on_payment_failure"),
    )
    """What a declined payment does: keep the old plan (default) or apply and go past due."""
    replace_pending: bool = False
    """Replace a pending scheduled change instead of refusing (never silently)."""
    end_trial: bool = False
    """During a free trial: end it now and bill the new items' full first period."""

    def __attrs_post_init__(self) -> None:
        ops = self.operations
        if isinstance(self.timing, PhasedSchedule):
            if ops:
                raise InvalidChangeError(
                    "PlanChange.operations",
                    ops,
                    "no operations with a phased schedule (phases carry the items)",
                )
        elif not ops:
            raise InvalidChangeError("PlanChange.operations", ops, "at least one operation")
        has_lifecycle = any(isinstance(op, (CancelAtPeriodEnd, Resume)) for op in ops)
        if has_lifecycle and not isinstance(self.timing, Immediately):
            raise InvalidChangeError(
                "PlanChange.timing", self.timing.kind.value, "immediately for cancel/resume"
            )
        if sum(isinstance(op, CancelAtPeriodEnd) for op in ops) and sum(isinstance(op, Resume) for op in ops):
            raise InvalidChangeError("PlanChange.operations", ops, "not both cancel_at_period_end and resume")
        if (
            sum(isinstance(op, SetItems) for op in ops)
            and len([op for op in ops if isinstance(op, _ITEM_OPERATIONS)]) > 1
        ):
            raise InvalidChangeError("PlanChange.operations", ops, "SetItems alone among item operations")
        if self.billing_cycle is BillingCycle.RESET and not self.proration.bills_now:
            raise InvalidChangeError(
                "PlanChange.billing_cycle",
                self.billing_cycle.value,
                f"keep with {self.proration.value} (a new cycle is always billed now)",
            )
        if self.end_trial and not isinstance(self.timing, Immediately):
            raise InvalidChangeError("PlanChange.end_trial", True, "an immediate change to end a trial")
        if self.billing_cycle is BillingCycle.RESET and not isinstance(self.timing, Immediately):
            raise InvalidChangeError(
                "PlanChange.billing_cycle", self.billing_cycle.value, "keep unless the change is immediate"
            )

    # -- named constructors ----------------------------------------------------------------

    @classmethod
    def swap(cls, from_plan: str, to_plan: str, *, quantity: int | None = None, **options: Any) -> PlanChange:
        return cls(operations=(Swap(from_plan=from_plan, to_plan=to_plan, quantity=quantity),), **options)

    @classmethod
    def add(cls, plan: str, quantity: int = 1, **options: Any) -> PlanChange:
        return cls(operations=(AddItem(plan=plan, quantity=quantity),), **options)

    @classmethod
    def remove(cls, plan: str, **options: Any) -> PlanChange:
        return cls(operations=(RemoveItem(plan=plan),), **options)

    @classmethod
    def set_quantity(cls, plan: str, quantity: int, **options: Any) -> PlanChange:
        return cls(operations=(SetQuantity(plan=plan, quantity=quantity),), **options)

    @classmethod
    def set_items(cls, items: Sequence[Item], **options: Any) -> PlanChange:
        return cls(operations=(SetItems(items=tuple(items)),), **options)

    @classmethod
    def auto(
        cls, *operations: Operation, upgrade: ProrationMode = ProrationMode.PRORATE_NOW, **options: Any
    ) -> AutoChange:
        """Direction-aware: an upgrade now (billed with ``upgrade``), a downgrade at period end.

        A downgrade is a change to items that cost less per day (docs/proration.md);
        ``Billing.preview`` and ``Billing.apply`` resolve it for the subscription they get.
        """
        from prorata._direction import AutoChange

        return AutoChange(operations=operations, upgrade=upgrade, options=options)

    @classmethod
    def cancel_at_period_end(cls) -> PlanChange:
        return cls(operations=(CancelAtPeriodEnd(),), proration=ProrationMode.NO_BILLING)

    @classmethod
    def resume(cls, *, switch_to: tuple[str, str] | None = None, **options: Any) -> PlanChange:
        """Undo a pending cancellation; ``switch_to=(from, to)`` also swaps plan (recover)."""
        ops: list[Operation] = [Resume()]
        if switch_to is not None:
            ops.append(Swap(from_plan=switch_to[0], to_plan=switch_to[1]))
        options.setdefault(
            "proration", ProrationMode.NO_BILLING if switch_to is None else ProrationMode.PRORATE_NOW
        )
        return cls(operations=tuple(ops), **options)

    @classmethod
    def phased(
        cls, phases: Sequence[Phase], *, end_behavior: EndBehavior = EndBehavior.RELEASE, **options: Any
    ) -> PlanChange:
        return cls(
            timing=PhasedSchedule(schedule=Schedule(phases=tuple(phases), end_behavior=end_behavior)),
            **options,
        )

    # -- derived -----------------------------------------------------------------------------

    @property
    def changes_items(self) -> bool:
        return isinstance(self.timing, PhasedSchedule) or any(
            isinstance(op, _ITEM_OPERATIONS) for op in self.operations
        )

    @property
    def cancels_at_period_end(self) -> bool:
        return any(isinstance(op, CancelAtPeriodEnd) for op in self.operations)

    @property
    def resumes(self) -> bool:
        return any(isinstance(op, Resume) for op in self.operations)

    def target_items(self, current: Sequence[Item]) -> tuple[Item, ...]:
        """The items after applying the operations to ``current`` (order kept, new ones last)."""
        items: dict[str, int] = {item.plan: item.quantity for item in current}
        for index, op in enumerate(self.operations):
            where = f"PlanChange.operations[{index}]"
            match op:
                case Swap(from_plan=old, to_plan=new, quantity=quantity):
                    if old not in items:
                        raise InvalidChangeError(f"{where}.from_plan", old, "a plan the subscription holds")
                    if new in items:
                        raise InvalidChangeError(
                            f"{where}.to_plan", new, "a plan the subscription does not hold yet"
                        )
                    items = {
                        (new if key == old else key): (quantity or qty if key == old else qty)
                        for key, qty in items.items()
                    }
                case AddItem(plan=plan, quantity=quantity):
                    if plan in items:
                        raise InvalidChangeError(
                            f"{where}.plan",
                            plan,
                            "a plan the subscription does not hold yet (use set_quantity)",
                        )
                    items[plan] = quantity
                case RemoveItem(plan=plan):
                    if plan not in items:
                        raise InvalidChangeError(f"{where}.plan", plan, "a plan the subscription holds")
                    del items[plan]
                case SetQuantity(plan=plan, quantity=quantity):
                    if plan not in items:
                        raise InvalidChangeError(f"{where}.plan", plan, "a plan the subscription holds")
                    items[plan] = quantity
                case SetItems(items=targets):
                    items = {}
                    for target in targets:
                        if target.plan in items:
                            raise InvalidChangeError(f"{where}.items", target.plan, "each plan at most once")
                        if target.quantity < 1:
                            raise InvalidChangeError(f"{where}.items", target.quantity, "quantities >= 1")
                        items[target.plan] = target.quantity
                case CancelAtPeriodEnd() | Resume():
                    pass
        if not items:
            raise InvalidChangeError(
                "PlanChange.operations",
                self.operations,
                "at least one item left (cancel the subscription instead)",
            )
        return tuple(Item(plan=plan, quantity=qty) for plan, qty in items.items())
