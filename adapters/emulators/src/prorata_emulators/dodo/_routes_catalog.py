"""Routes for what is sold: products, add-ons and discount codes (customers: ``_routes_customers``)."""

from __future__ import annotations

from prorata_emulators.dodo import _render
from prorata_emulators.dodo._errors import invalid, lookup, not_found
from prorata_emulators.dodo._request import Request, Response
from prorata_emulators.dodo._state import Addon, Discount, Product

__all__ = ["ROUTES"]

_INTERVALS = ("Day", "Week", "Month", "Year")


def create_product(request: Request) -> Response:
    state, price = request.state, request.body.get("price")
    if not isinstance(price, dict) or price.get("type") != "recurring_price":  # pyright: ignore[reportUnknownMemberType]
        raise invalid("the emulator sells recurring products only (price.type = recurring_price)")
    fields = Request(state=state, params={}, query={}, body=price)  # pyright: ignore[reportUnknownArgumentType]
    interval = fields.text("payment_frequency_interval")
    if interval not in _INTERVALS:
        raise invalid(f"payment_frequency_interval must be one of {_INTERVALS}")
    term = fields.text("subscription_period_interval", required=False, default="Year")
    if term not in _INTERVALS:
        raise invalid(f"subscription_period_interval must be one of {_INTERVALS}")
    addons = [str(a) for a in request.body.get("addons") or []]  # pyright: ignore
    for addon_id in addons:
        if addon_id not in state.addons:
            raise not_found("addon", addon_id)
    product = Product(
        id=state.new_id("pdt"),
        name=request.text("name"),
        price=fields.integer("price"),
        currency=fields.text("currency"),
        interval=interval,
        interval_count=fields.integer("payment_frequency_count", minimum=1),
        trial_days=fields.integer("trial_period_days", default=0),
        tax_inclusive=bool(price.get("tax_inclusive") or False),  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
        tax_category=request.text("tax_category"),
        addons=addons,
        metadata=dict(request.body.get("metadata") or {}),
        created_at=state.now,
        term_count=fields.integer("subscription_period_count", default=20, minimum=1),
        term_interval=term,
    )
    state.products[product.id] = product
    return Response(status=200, body=_render.product(state, product))


def get_product(request: Request) -> Response:
    found = lookup(request.state.products, "product", request.params["id"])
    return Response(status=200, body=_render.product(request.state, found))


def create_addon(request: Request) -> Response:
    state = request.state
    addon = Addon(
        id=state.new_id("adn"),
        name=request.text("name"),
        price=request.integer("price"),
        currency=request.text("currency"),
        tax_category=request.text("tax_category"),
        created_at=state.now,
    )
    state.addons[addon.id] = addon
    return Response(status=200, body=_render.addon(state, addon))


def get_addon(request: Request) -> Response:
    found = lookup(request.state.addons, "addon", request.params["id"])
    return Response(status=200, body=_render.addon(request.state, found))


def create_discount(request: Request) -> Response:
    state = request.state
    kind = request.text("type")
    if kind not in ("percentage", "flat"):
        raise invalid("type must be percentage or flat")
    amount = request.integer("amount", minimum=1)
    if kind == "percentage" and amount > 10_000:
        raise invalid("a percentage discount is at most 10000 basis points")
    code = request.text("code", required=False) or state.new_id("CODE").upper()
    if state.discount_by_code(code) is not None:
        raise invalid(f"discount code {code} already exists", code="DUPLICATE_DISCOUNT_CODE")
    cycles = request.body.get("subscription_cycles")
    discount = Discount(
        id=state.new_id("dsc"),
        code=code,
        type=kind,
        amount=amount,
        preserve_on_plan_change=bool(request.body.get("preserve_on_plan_change") or False),
        subscription_cycles=cycles if isinstance(cycles, int) and cycles > 0 else None,
        restricted_to=[str(p) for p in request.body.get("restricted_to") or []],  # pyright: ignore
        name=request.body.get("name"),
        created_at=state.now,
    )
    state.add_discount(discount)
    return Response(status=200, body=_render.discount(state, discount))


def get_discount(request: Request) -> Response:
    found = lookup(request.state.discounts, "discount", request.params["id"])
    return Response(status=200, body=_render.discount(request.state, found))


def list_brands(request: Request) -> Response:
    """The business's one brand (https://docs.dodopayments.com/api-reference/brands/list-brands)."""
    state = request.state
    brand = {
        "brand_id": state.brand_id,
        "business_id": state.business_id,
        "enabled": True,
        "statement_descriptor": "PRORATA EMULATOR",
        "verification_enabled": False,
        "verification_status": "Success",
        "description": None,
        "image": None,
        "name": "prorata emulator",
        "reason_for_hold": None,
        "support_email": None,
        "url": None,
    }
    return Response(status=200, body={"items": [brand]})


ROUTES = {
    "GET /brands": list_brands,
    "POST /products": create_product,
    "GET /products/{id}": get_product,
    "POST /addons": create_addon,
    "GET /addons/{id}": get_addon,
    "POST /discounts": create_discount,
    "GET /discounts/{id}": get_discount,
}
