"""Multi-item subscriptions and add-ons: change one item and leave the others alone."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from prorata import BillingCycle, PlanChange, ProrationMode, TimingKind
from prorata.provider import Item
from prorata_contract._checks import assert_only_plans_billed, expected_for, recurring_lines, recurring_of
from prorata_contract._fixtures import ContractFixtures
from prorata_contract._guard import standard
from prorata_contract._harness import Contract
from prorata_contract._reference import billed_lines
from prorata_contract._requirements import requires

__all__ = ["MultiItemTests"]

_PRORATE = requires(
    multi_item=True, timing=TimingKind.IMMEDIATELY, proration=(ProrationMode.PRORATE_NOW, BillingCycle.KEEP)
)


def _items(**quantities: int) -> list[Item]:
    return [Item(plan=plan, quantity=quantity) for plan, quantity in quantities.items()]


def _change_one(
    contract: Contract, start: Sequence[Item], change: PlanChange, *, after: dict[str, int], changed: set[str]
) -> None:
    """Apply ``change`` mid-period and check the result holds ``after`` and bills only ``changed``."""
    subscription = contract.into_period(contract.subscribe(list(start)), Fraction(1, 2))
    preview = contract.billing.preview(subscription, change)
    result = contract.billing.apply(subscription, change, preview=preview)
    assert result.subscription.plan_quantities == after
    assert contract.get(subscription).plan_quantities == after
    lines = billed_lines(preview.lines)
    assert_only_plans_billed(lines, changed)
    assert lines == expected_for(contract, subscription, change, preview.items, preview.proration_time)
    assert lines, "the change bills the item that changed"
    assert result.invoice is not None
    assert billed_lines(result.invoice.lines) == lines


@standard("multi_item")
class MultiItemTests(ContractFixtures):
    """Add, remove, swap and re-quantify one item of several."""

    @requires(multi_item=True)
    def test_subscribe_with_addons(self, contract: Contract) -> None:
        subscription = contract.subscribe(_items(basic=1, addon=1, storage=1))
        assert subscription.plan_quantities == {"basic": 1, "addon": 1, "storage": 1}
        (invoice,) = contract.invoices(subscription)
        assert recurring_of(invoice) == recurring_lines(contract, subscription.items)

    @_PRORATE
    def test_add_addon_leaves_base(self, contract: Contract) -> None:
        _change_one(
            contract,
            _items(basic=1),
            PlanChange.add("addon", proration=ProrationMode.PRORATE_NOW),
            after={"basic": 1, "addon": 1},
            changed={"addon"},
        )

    @_PRORATE
    def test_remove_addon_leaves_others(self, contract: Contract) -> None:
        _change_one(
            contract,
            _items(basic=1, addon=1, storage=1),
            PlanChange.remove("addon", proration=ProrationMode.PRORATE_NOW),
            after={"basic": 1, "storage": 1},
            changed={"addon"},
        )

    @_PRORATE
    def test_swap_base_keeps_addons(self, contract: Contract) -> None:
        _change_one(
            contract,
            _items(basic=1, addon=1, storage=1),
            PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW),
            after={"pro": 1, "addon": 1, "storage": 1},
            changed={"basic", "pro"},
        )

    @_PRORATE
    @requires(quantities=True)
    def test_change_quantity_leaves_others(self, contract: Contract) -> None:
        _change_one(
            contract,
            _items(seat=3, addon=1),
            PlanChange.set_quantity("seat", 5, proration=ProrationMode.PRORATE_NOW),
            after={"seat": 5, "addon": 1},
            changed={"seat"},
        )

    @_PRORATE
    @requires(quantities=True)
    def test_reduce_quantity_credits_only_that_item(self, contract: Contract) -> None:
        _change_one(
            contract,
            _items(seat=4, storage=2),
            PlanChange.set_quantity("seat", 2, proration=ProrationMode.PRORATE_NOW),
            after={"seat": 2, "storage": 2},
            changed={"seat"},
        )

    @_PRORATE
    @requires(base_items=2)
    def test_add_second_base_plan(self, contract: Contract) -> None:
        _change_one(
            contract,
            _items(basic=1),
            PlanChange.add("seat", proration=ProrationMode.PRORATE_NOW),
            after={"basic": 1, "seat": 1},
            changed={"seat"},
        )
