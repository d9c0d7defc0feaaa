"""Customers and payment methods (test cards: succeed, decline, or ask for 3-D Secure)."""

from __future__ import annotations

from typing import Any

from stripe.params import (
    CustomerCreateParams,
    CustomerUpdateParams,
    PaymentMethodAttachParams,
    PaymentMethodCreateParams,
    PaymentMethodDetachParams,
)

from prorata_emulators.stripe._errors import ApiError, invalid
from prorata_emulators.stripe._events import emit
from prorata_emulators.stripe._lists import list_response
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._store import JSON, Store

__all__ = ["ROUTES", "TEST_CARDS", "default_payment_method", "resolve_method"]

# Test payment methods and tokens: id or token -> (brand, last4, charges succeed)
TEST_CARDS: dict[str, tuple[str, str, bool]] = {
    "pm_card_visa": ("visa", "4242", True),
    "tok_visa": ("visa", "4242", True),
    "4242424242424242": ("visa", "4242", True),
    "pm_card_mastercard": ("mastercard", "4444", True),
    "pm_card_chargeDeclined": ("visa", "0002", False),
    "pm_card_chargeCustomerFail": ("visa", "0341", False),
    "tok_chargeDeclined": ("visa", "0002", False),
    "4000000000000002": ("visa", "0002", False),
    "pm_card_threeDSecure2Required": ("visa", "3220", True),
    "4000000000003220": ("visa", "3220", True),
    "pm_card_authenticationRequired": ("visa", "3184", True),
    "4000002760003184": ("visa", "3184", True),
    "pm_card_authenticationRequiredOnSetup": ("visa", "3155", True),
    "4000002500003155": ("visa", "3155", True),
}

# Which test cards ask the customer for 3-D Secure (https://docs.stripe.com/testing#regulatory-cards):
# "always": every payment, however the card was set up (3220 "3D Secure 2 authentication must be
# completed for the payment to be successful", 3184 "requires authentication on all transactions");
# "unless_set_up": on-session payments, and off-session ones until a setup (or an authenticated
# payment for future use) set the card up (3155).
AUTHENTICATION: dict[str, str] = {
    "pm_card_threeDSecure2Required": "always",
    "4000000000003220": "always",
    "pm_card_authenticationRequired": "always",
    "4000002760003184": "always",
    "pm_card_authenticationRequiredOnSetup": "unless_set_up",
    "4000002500003155": "unless_set_up",
}


def _new_card(store: Store, source: str, customer: str | None) -> JSON:
    brand, last4, succeeds = TEST_CARDS[source]
    method: JSON = {
        "id": store.new_id("pm"),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": {"address": None, "email": None, "name": None, "phone": None, "tax_id": None},
        "card": {
            "brand": brand,
            "checks": None,
            "country": "US",
            "display_brand": brand,
            "exp_month": 12,
            "exp_year": 2034,
            "fingerprint": source[-8:],
            "funding": "credit",
            "generated_from": None,
            "last4": last4,
            "networks": None,
            "regulated_status": "unregulated",
            "three_d_secure_usage": None,
            "wallet": None,
        },
        "created": store.clock_time(None),
        "customer": customer,
        "livemode": False,
        "metadata": {},
        "type": "card",
        "_succeeds": succeeds,
        "_authentication": AUTHENTICATION.get(source),
        "_set_up": False,
    }
    return store.put(method)


def resolve_method(store: Store, method_id: str, customer: str | None, param: str) -> JSON:
    """An existing payment method, or a fresh one cloned from a magic test id."""
    if method_id in TEST_CARDS:
        return _new_card(store, method_id, customer)
    method = store.get("payment_method", method_id, param=param)
    if customer is not None:
        if method["customer"] not in (None, customer):
            raise invalid(
                "The payment method you provided has already been attached to a customer.",
                param,
                code="payment_method_unexpected_state",
            )
        method["customer"] = customer
    return method


def default_payment_method(store: Store, customer_id: str, subscription: JSON | None = None) -> str | None:
    if subscription is not None and subscription.get("default_payment_method"):
        return subscription["default_payment_method"]
    customer = store.get("customer", customer_id)
    return customer["invoice_settings"]["default_payment_method"]


def _create_customer(call: Call) -> JSON:
    store, p = call.store, call.params
    clock = p.get("test_clock") or None
    if clock is not None:
        store.get("test_helpers.test_clock", clock, param="test_clock")
    now = store.clock_time(clock)
    customer: JSON = {
        "id": store.new_id("cus"),
        "object": "customer",
        "address": None,
        "balance": call.int_param("balance") or 0,
        "created": now,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": p.get("description"),
        "discount": None,
        "email": p.get("email"),
        "invoice_prefix": "EMU" + store.new_id("x")[2:7].upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": p.get("metadata") or dict[str, Any](),
        "name": p.get("name"),
        "next_invoice_sequence": 1,
        "phone": p.get("phone"),
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": clock,
    }
    store.put(customer)
    attached: str | None = None
    if p.get("payment_method"):
        attached = resolve_method(store, p["payment_method"], customer["id"], "payment_method")["id"]
    wanted = (p.get("invoice_settings") or dict[str, Any]()).get("default_payment_method")
    if wanted:
        if attached is not None and wanted == p.get("payment_method"):
            customer["invoice_settings"]["default_payment_method"] = attached
        else:
            customer["invoice_settings"]["default_payment_method"] = resolve_method(
                store, wanted, customer["id"], "invoice_settings[default_payment_method]"
            )["id"]
    emit(store, "customer.created", customer, at=now)
    return customer


def _update_customer(call: Call) -> JSON:
    store, p = call.store, call.params
    customer = store.get("customer", call.path["id"])
    for field in ("email", "name", "description", "phone"):
        if field in p:
            customer[field] = p[field] or None
    if "metadata" in p:
        customer["metadata"] = {**customer["metadata"], **(p["metadata"] or dict[str, Any]())}
    if "balance" in p:
        customer["balance"] = call.int_param("balance") or 0
    wanted = (p.get("invoice_settings") or dict[str, Any]()).get("default_payment_method")
    if wanted:
        customer["invoice_settings"]["default_payment_method"] = resolve_method(
            store, wanted, customer["id"], "invoice_settings[default_payment_method]"
        )["id"]
    emit(store, "customer.updated", customer, at=store.clock_time(customer["test_clock"]))
    return customer


def _create_payment_method(call: Call) -> JSON:
    p = call.params
    if p.get("type") != "card":
        raise invalid("Only `type=card` is emulated.", "type", code="parameter_invalid")
    card = p.get("card") or dict[str, Any]()
    source = card.get("token") or card.get("number")
    if source not in TEST_CARDS:
        raise ApiError(
            402,
            "Your card number is incorrect.",
            type="card_error",
            code="incorrect_number",
            param="card[number]",
        )
    return _new_card(call.store, source, None)


def _attach(call: Call) -> JSON:
    customer = call.params.get("customer")
    if not customer:
        raise invalid("Missing required param: customer.", "customer", code="parameter_missing")
    call.store.get("customer", customer, param="customer")
    return resolve_method(call.store, call.path["id"], customer, "payment_method")


def _get_method(call: Call) -> JSON:
    method_id = call.path["id"]
    if method_id in TEST_CARDS:
        return _new_card(call.store, method_id, None)
    return call.store.get("payment_method", method_id)


def _detach(call: Call) -> JSON:
    """Detach a payment method; a customer that had it as default has none any more."""
    method = call.store.get("payment_method", call.path["id"])
    if method["customer"] is None:
        raise invalid(
            f"The payment method {method['id']} is not attached to a customer.",
            None,
            code="payment_method_unexpected_state",
        )
    customer = call.store.get("customer", method["customer"])
    if customer["invoice_settings"]["default_payment_method"] == method["id"]:
        customer["invoice_settings"]["default_payment_method"] = None
    method["customer"] = None
    return method


ROUTES: list[Route] = [
    route("POST", "/v1/customers", _create_customer, CustomerCreateParams),
    route("POST", "/v1/customers/{id}", _update_customer, CustomerUpdateParams),
    route("GET", "/v1/customers/{id}", lambda call: call.store.get("customer", call.path["id"])),
    route(
        "GET",
        "/v1/customers",
        lambda call: list_response(call.store.all("customer")[::-1], "/v1/customers", call.params),
    ),
    route("POST", "/v1/payment_methods", _create_payment_method, PaymentMethodCreateParams),
    route("POST", "/v1/payment_methods/{id}/attach", _attach, PaymentMethodAttachParams),
    route("POST", "/v1/payment_methods/{id}/detach", _detach, PaymentMethodDetachParams),
    route("GET", "/v1/payment_methods/{id}", _get_method),
]
