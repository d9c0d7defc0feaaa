"""Create a catalog's products and add-ons in Dodo (or the emulator) and return their refs."""

from __future__ import annotations

from collections.abc import Iterable

import dodopayments

from prorata import Plan
from prorata.provider import Discount, DiscountDuration, IntervalUnit

__all__ = ["create_catalog_objects", "create_discount_codes"]

_INTERVAL = {
    IntervalUnit.DAY: "Day",
    IntervalUnit.WEEK: "Week",
    IntervalUnit.MONTH: "Month",
    IntervalUnit.YEAR: "Year",
}


def create_catalog_objects(
    client: dodopayments.DodoPayments, plans: Iterable[Plan]
) -> dict[str, dict[str, str]]:
    """One Dodo product per base plan and one add-on per add-on plan; ``{key: {"dodo": id}}``.

    Add-ons are created first and attached to every product, as Dodo requires an add-on
    to be allowed on the product it is sold with.
    """
    plans = list(plans)
    refs: dict[str, dict[str, str]] = {}
    for plan in plans:
        if plan.addon:
            addon = client.addons.create(
                name=plan.name,
                price=plan.price.amount,
                currency=plan.currency,  # pyright: ignore
                tax_category="saas",  # pyright: ignore
            )  # pyright: ignore[reportArgumentType]
            refs[plan.key] = {"dodo": addon.id}
    addon_ids = [refs[p.key]["dodo"] for p in plans if p.addon]
    for plan in plans:
        if plan.addon:
            continue
        product = client.products.create(
            name=plan.name,
            tax_category="saas",
            addons=addon_ids,
            price={  # pyright: ignore
                "type": "recurring_price",
                "currency": plan.currency,  # pyright: ignore[reportAssignmentType]
                "price": plan.price.amount,
                "payment_frequency_count": plan.interval.count,
                "payment_frequency_interval": _INTERVAL[plan.interval.unit],  # pyright: ignore[reportAssignmentType]
                "subscription_period_count": 20,
                "subscription_period_interval": "Year",
                "trial_period_days": plan.trial_days,
            },
        )
        refs[plan.key] = {"dodo": product.product_id}
    return refs


def create_discount_codes(
    client: dodopayments.DodoPayments,
    discounts: Iterable[Discount],
    *,
    preserve_on_plan_change: bool = True,
) -> dict[str, str]:
    """One Dodo discount per prorata Discount, its code being ``Discount.coupon``;
    ``{coupon: discount_id}``.

    ``preserve_on_plan_change`` (default True) keeps the discount on a subscription across
    plan changes: Dodo drops discounts without it at the first change, while prorata hosts
    expect a discount to outlive a (scheduled) plan change as it does on the other providers.
    """
    created: dict[str, str] = {}
    for discount in discounts:
        if discount.percent_off is not None:
            kind, amount = "percentage", int(discount.percent_off * 100)  # basis points
        else:
            assert discount.amount_off is not None
            kind, amount = "flat", discount.amount_off.amount
        cycles = discount.duration_in_cycles if discount.duration is DiscountDuration.REPEATING else None
        made = client.discounts.create(
            amount=amount,
            type=kind,  # pyright: ignore[reportArgumentType]
            code=discount.coupon,
            preserve_on_plan_change=preserve_on_plan_change,
            subscription_cycles=cycles,
        )
        created[discount.coupon] = made.discount_id
    return created
