"""The standard catalog every provider under contract test must bill.

An adapter maps each plan key to its own references (Stripe price ids, Dodo product
or add-on ids) and passes them to :func:`contract_catalog`.
"""

from __future__ import annotations

from collections.abc import Mapping

from prorata import Catalog, Plan
from prorata.provider import Interval, IntervalUnit, Money

__all__ = ["CONTRACT_PLANS", "contract_catalog", "contract_plans_config"]

CONTRACT_PLANS: tuple[tuple[str, str, int, str, IntervalUnit, bool], ...] = (
    # key, name, amount (minor units), currency, interval, add-on
    ("basic", "Basic", 1000, "USD", IntervalUnit.MONTH, False),
    ("pro", "Pro", 2000, "USD", IntervalUnit.MONTH, False),
    ("premium", "Premium", 3000, "USD", IntervalUnit.MONTH, False),
    ("seat", "Seat", 1000, "USD", IntervalUnit.MONTH, False),
    ("addon", "Add-on", 500, "USD", IntervalUnit.MONTH, True),
    ("storage", "Storage add-on", 300, "USD", IntervalUnit.MONTH, True),
)
"""Plans of the contract catalog: every amount is in USD cents, billed monthly."""


def contract_catalog(refs: Mapping[str, Mapping[str, str]] | None = None) -> Catalog:
    """The contract catalog; ``refs[plan_key] = {provider: reference}``."""
    refs = refs or {}
    return Catalog(
        plans=[
            Plan(
                key=key,
                name=name,
                price=Money.of(amount, currency),
                interval=Interval(unit=unit),
                addon=addon,
                refs=refs.get(key, {}),
            )
            for key, name, amount, currency, unit, addon in CONTRACT_PLANS
        ]
    )


def contract_plans_config(
    refs: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, dict[str, object]]:
    """The contract catalog as the ``plans`` table of ``Billing.from_config``."""
    refs = refs or {}
    return {
        key: {
            "name": name,
            "amount_minor": amount,
            "currency": currency,
            "interval": unit.value,
            "addon": addon,
            "refs": dict(refs.get(key, {})),
        }
        for key, name, amount, currency, unit, addon in CONTRACT_PLANS
    }
