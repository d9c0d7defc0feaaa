"""Products, prices, coupons and tax rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from stripe.params import CouponCreateParams, PriceCreateParams, ProductCreateParams, TaxRateCreateParams

from prorata_emulators.stripe._errors import ApiError, invalid
from prorata_emulators.stripe._lists import list_response
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._store import JSON, Store

__all__ = ["ROUTES", "plan_of", "price_of"]


def _bool(value: object, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value in (True, "true")


def _create_product(call: Call) -> JSON:
    store, p = call.store, call.params
    if not p.get("name"):
        raise invalid("Missing required param: name.", "name", code="parameter_missing")
    now = store.clock_time(None)
    product: JSON = {
        "id": p.get("id") or store.new_id("prod"),
        "object": "product",
        "active": _bool(p.get("active"), True),
        "created": now,
        "default_price": None,
        "description": p.get("description"),
        "images": [],
        "livemode": False,
        "marketing_features": [],
        "metadata": p.get("metadata") or dict[str, Any](),
        "name": p["name"],
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "type": "service",
        "unit_label": None,
        "updated": now,
        "url": None,
    }
    return store.put(product)


def _create_price(call: Call) -> JSON:
    store, p = call.store, call.params
    product_id = p.get("product")
    if p.get("product_data"):
        product = _create_product(Call(store=store, params=p["product_data"], path={}))
        product_id = product["id"]
    if not product_id:
        raise invalid("Missing required param: product.", "product", code="parameter_missing")
    store.get("product", product_id, param="product")
    currency = str(p.get("currency") or "").lower()
    if not currency:
        raise invalid("Missing required param: currency.", "currency", code="parameter_missing")
    amount = call.int_param("unit_amount")
    if amount is None or amount < 0:
        raise invalid("Missing required param: unit_amount.", "unit_amount", code="parameter_missing")
    recurring = p.get("recurring")
    price: JSON = {
        "id": p.get("id") or store.new_id("price"),
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": store.clock_time(None),
        "currency": currency,
        "custom_unit_amount": None,
        "livemode": False,
        "lookup_key": p.get("lookup_key"),
        "metadata": p.get("metadata") or dict[str, Any](),
        "nickname": p.get("nickname"),
        "product": product_id,
        "recurring": None,
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "one_time",
        "unit_amount": amount,
        "unit_amount_decimal": str(amount),
    }
    if recurring:
        interval = recurring.get("interval")
        if interval not in ("day", "week", "month", "year"):
            raise invalid(
                "Invalid recurring[interval]: must be one of day, week, month, or year",
                "recurring[interval]",
                code="parameter_invalid",
            )
        price["type"] = "recurring"
        price["recurring"] = {
            "interval": interval,
            "interval_count": call.int_param("interval_count", recurring.get("interval_count")) or 1,
            "meter": None,
            "trial_period_days": call.int_param("trial_period_days", recurring.get("trial_period_days")),
            "usage_type": "licensed",
        }
    return store.put(price)


def price_of(store: Store, price_id: str, param: str = "price") -> JSON:
    price = store.get("price", price_id, param=param)
    if price["recurring"] is None:
        raise invalid(f"The price specified ({price_id}) is not recurring.", param, code="parameter_invalid")
    return price


def plan_of(price: JSON) -> JSON:
    """The legacy ``plan`` view of a recurring price (still on subscription items)."""
    recurring = price["recurring"]
    return {
        "id": price["id"],
        "object": "plan",
        "active": price["active"],
        "amount": price["unit_amount"],
        "amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": "per_unit",
        "created": price["created"],
        "currency": price["currency"],
        "interval": recurring["interval"],
        "interval_count": recurring["interval_count"],
        "livemode": False,
        "metadata": price["metadata"],
        "meter": None,
        "nickname": price["nickname"],
        "product": price["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": recurring["trial_period_days"],
        "usage_type": "licensed",
    }


def _get(kind: str) -> Route:
    return route("GET", f"/v1/{kind}s/{{id}}", lambda call: call.store.get(kind, call.path["id"]))


def _list(kind: str) -> Route:
    def handler(call: Call) -> JSON:
        items = call.store.all(kind)[::-1]  # newest first, like every Stripe list
        if kind == "price" and call.params.get("product"):
            items = [i for i in items if i["product"] == call.params["product"]]
        return list_response(items, f"/v1/{kind}s", call.params)

    return route("GET", f"/v1/{kind}s", handler)


def _create_coupon(call: Call) -> JSON:
    store, p = call.store, call.params
    coupon_id = p.get("id") or store.new_id("co")[3:11]
    if store.maybe("coupon", coupon_id) is not None:
        raise ApiError(400, "Coupon already exists.", code="resource_already_exists", param="id")
    percent = p.get("percent_off")
    amount = call.int_param("amount_off")
    if (percent in (None, "")) == (amount is None):
        raise invalid(
            "You must pass either `percent_off` or `amount_off`.", "percent_off", code="parameter_missing"
        )
    duration = p.get("duration") or "once"
    if duration not in ("once", "repeating", "forever"):
        raise invalid("Invalid duration.", "duration", code="parameter_invalid")
    months = call.int_param("duration_in_months")
    if duration == "repeating" and not months:
        raise invalid(
            "You must specify `duration_in_months` when `duration` is `repeating`.",
            "duration_in_months",
            code="parameter_missing",
        )
    coupon: JSON = {
        "id": coupon_id,
        "object": "coupon",
        "amount_off": amount,
        "created": store.clock_time(None),
        "currency": (p.get("currency") or "").lower() or None,
        "duration": duration,
        "duration_in_months": months if duration == "repeating" else None,
        "livemode": False,
        "max_redemptions": None,
        "metadata": p.get("metadata") or dict[str, Any](),
        "name": p.get("name"),
        "percent_off": None if percent in (None, "") else float(Decimal(str(percent))),
        "redeem_by": None,
        "times_redeemed": 0,
        "valid": True,
    }
    return store.put(coupon)


def _create_tax_rate(call: Call) -> JSON:
    store, p = call.store, call.params
    if not p.get("display_name") or p.get("percentage") in (None, ""):
        raise invalid("Missing required param: percentage.", "percentage", code="parameter_missing")
    rate: JSON = {
        "id": store.new_id("txr"),
        "object": "tax_rate",
        "active": True,
        "country": p.get("country"),
        "created": store.clock_time(None),
        "description": p.get("description"),
        "display_name": p["display_name"],
        "effective_percentage": float(Decimal(str(p["percentage"]))),
        "flat_amount": None,
        "inclusive": _bool(p.get("inclusive")),
        "jurisdiction": p.get("jurisdiction"),
        "jurisdiction_level": None,
        "livemode": False,
        "metadata": p.get("metadata") or dict[str, Any](),
        "percentage": float(Decimal(str(p["percentage"]))),
        "rate_type": "percentage",
        "state": None,
        "tax_type": None,
    }
    return store.put(rate)


ROUTES: list[Route] = [
    route("POST", "/v1/products", _create_product, ProductCreateParams),
    _get("product"),
    _list("product"),
    route("POST", "/v1/prices", _create_price, PriceCreateParams),
    _get("price"),
    _list("price"),
    route("POST", "/v1/coupons", _create_coupon, CouponCreateParams),
    _get("coupon"),
    route("POST", "/v1/tax_rates", _create_tax_rate, TaxRateCreateParams),
    _get("tax_rate"),
]
