"""Hypothesis strategies for plans, subscription items and plan changes.

Every strategy takes the catalog and the provider's capabilities, so what it draws is
valid for that provider: host apps reuse them in their own property tests.

Example::

    from hypothesis import given
    from prorata_contract import strategies as pst

    @given(pst.change_scenarios(billing.catalog, billing.provider.capabilities))
    def test_my_app(scenario): ...
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import attrs
from hypothesis import strategies as st

from prorata import (
    AddItem,
    BillingCycle,
    Catalog,
    Operation,
    PlanChange,
    ProrationMode,
    RemoveItem,
    SetQuantity,
    Swap,
    TimingKind,
)
from prorata.provider import Capabilities, Item, ProrationSupport

__all__ = [
    "ChangeScenario",
    "change_scenarios",
    "fractions_of_period",
    "item_operations",
    "plan_changes",
    "plan_keys",
    "prorations",
    "subscription_items",
]

_MAX_QUANTITY = 4


@attrs.frozen(kw_only=True)
class ChangeScenario:
    """Items to subscribe to, and a change to make to them."""

    items: tuple[Item, ...]
    change: PlanChange


def plan_keys(catalog: Catalog, *, addon: bool | None = None) -> st.SearchStrategy[str]:
    """Keys of the catalog's plans (only add-ons, only base plans, or any)."""
    keys = [plan.key for plan in catalog if addon is None or plan.addon is addon]
    return st.sampled_from(keys)


def _fits(items: Sequence[Item], catalog: Catalog, caps: Capabilities) -> bool:
    if not items or len({item.plan for item in items}) != len(items):
        return False
    plans = [catalog.get(item.plan) for item in items]
    bases = sum(not plan.addon for plan in plans)
    return (
        bases >= 1
        and (caps.multi_item or len(items) == 1)
        and (caps.max_base_items is None or bases <= caps.max_base_items)
        and (caps.quantities or all(item.quantity == 1 for item in items))
        and len({plan.currency for plan in plans}) == 1
        and len({plan.interval for plan in plans}) == 1
    )


def _quantities(caps: Capabilities) -> st.SearchStrategy[int]:
    return st.integers(1, _MAX_QUANTITY) if caps.quantities else st.just(1)


def subscription_items(catalog: Catalog, capabilities: Capabilities) -> st.SearchStrategy[tuple[Item, ...]]:
    """Items a new subscription may hold on this provider (one base plan, maybe add-ons)."""
    base = [plan.key for plan in catalog if not plan.addon]
    addons = [plan.key for plan in catalog if plan.addon]
    max_extra = len(catalog) - 1 if capabilities.multi_item else 0

    @st.composite
    def build(draw: st.DrawFn) -> tuple[Item, ...]:
        first = draw(st.sampled_from(base))
        others = [key for key in [*base, *addons] if key != first]
        extra = (
            draw(st.lists(st.sampled_from(others), unique=True, max_size=min(2, max_extra)))
            if others and max_extra
            else []
        )
        return tuple(Item(plan=key, quantity=draw(_quantities(capabilities))) for key in [first, *extra])

    return build().filter(lambda items: _fits(items, catalog, capabilities))


def _candidates(catalog: Catalog, caps: Capabilities, current: Sequence[Item]) -> list[Operation]:
    held = {item.plan: item.quantity for item in current}
    operations: list[Operation] = []
    for plan in catalog:
        if plan.key in held:
            operations += [
                Swap(from_plan=plan.key, to_plan=other.key)
                for other in catalog
                if other.key not in held and other.addon is plan.addon
            ]
            if len(held) > 1:
                operations.append(RemoveItem(plan=plan.key))
            if caps.quantities:
                operations += [
                    SetQuantity(plan=plan.key, quantity=q)
                    for q in range(1, _MAX_QUANTITY + 1)
                    if q != held[plan.key]
                ]
        elif caps.multi_item:
            operations.append(AddItem(plan=plan.key))
    return [
        op for op in operations if _fits(PlanChange(operations=(op,)).target_items(current), catalog, caps)
    ]


def item_operations(
    catalog: Catalog, capabilities: Capabilities, current: Sequence[Item]
) -> st.SearchStrategy[Operation]:
    """One operation (swap, add, remove, set quantity) that turns ``current`` into other valid items."""
    candidates = _candidates(catalog, capabilities, current)
    if not candidates:
        return st.nothing()
    return st.sampled_from(candidates)


def prorations(
    capabilities: Capabilities,
    *,
    timing: TimingKind = TimingKind.IMMEDIATELY,
    modes: Sequence[ProrationMode] | None = None,
    cycles: Sequence[BillingCycle] | None = None,
) -> st.SearchStrategy[ProrationSupport]:
    """Declared (mode, cycle) pairs usable with ``timing`` (a reset cycle only immediately)."""
    usable = sorted(
        pair
        for pair in capabilities.proration
        if (modes is None or pair.mode in modes)
        and (cycles is None or pair.cycle in cycles)
        and (timing is TimingKind.IMMEDIATELY or pair.cycle is BillingCycle.KEEP)
    )
    return st.sampled_from(usable) if usable and timing in capabilities.timings else st.nothing()


def plan_changes(
    catalog: Catalog,
    capabilities: Capabilities,
    current: Sequence[Item],
    *,
    modes: Sequence[ProrationMode] | None = None,
    cycles: Sequence[BillingCycle] | None = None,
) -> st.SearchStrategy[PlanChange]:
    """Immediate changes of ``current`` that the provider declares it can bill."""
    return st.builds(
        lambda op, pair: PlanChange(operations=(op,), proration=pair.mode, billing_cycle=pair.cycle),  # pyright: ignore[reportUnknownLambdaType, reportUnknownArgumentType, reportUnknownMemberType]
        item_operations(catalog, capabilities, current),
        prorations(capabilities, modes=modes, cycles=cycles),
    )


def change_scenarios(
    catalog: Catalog,
    capabilities: Capabilities,
    *,
    modes: Sequence[ProrationMode] | None = None,
    cycles: Sequence[BillingCycle] | None = None,
) -> st.SearchStrategy[ChangeScenario]:
    """Starting items and an immediate change of them, both valid for the provider."""

    @st.composite
    def build(draw: st.DrawFn) -> ChangeScenario:
        items = draw(
            subscription_items(catalog, capabilities).filter(
                lambda items: bool(_candidates(catalog, capabilities, items))
            )
        )
        return ChangeScenario(
            items=items, change=draw(plan_changes(catalog, capabilities, items, modes=modes, cycles=cycles))
        )

    return build()


def fractions_of_period(
    low: Fraction = Fraction(1, 20), high: Fraction = Fraction(19, 20)
) -> st.SearchStrategy[Fraction]:
    """How far into the current period a change happens."""
    return st.fractions(min_value=low, max_value=high, max_denominator=100)
