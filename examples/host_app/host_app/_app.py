"""A subscription backend's endpoints on prorata alone: the provider comes from configuration, never from code.

Every decision that differs between providers is read from ``Capabilities`` (can it collect a
card up front, refund a negative difference); the app has no provider-specific line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from host_app._assets import Assets
from host_app._errors import (
    INVALID_OPERATION,
    INVALID_PARAMETER,
    UNSUPPORTED_UPGRADE,
    AppError,
    app_error,
    billing_error,
    request_error,
)
from host_app._views import setup_view, subscription_view
from prorata import (
    Billing,
    BillingCycle,
    BillingEvent,
    NegativeDuePolicy,
    PlanChange,
    ProrationMode,
    Subscription,
    SubscriptionSnapshot,
    SubscriptionStatus,
)
from prorata.errors import BillingError, UnsupportedCapabilityError

__all__ = ["create_app"]

_CHANGEABLE = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)


class SetupRequest(BaseModel):
    email: str
    product_id: str | None = None


class SubscribeRequest(BaseModel):
    product_id: str
    email: str | None = None
    setup_intent_id: str | None = None


class ProductRequest(BaseModel):
    new_product_id: str


def create_app(billing: Billing, assets_path: str = ":memory:") -> FastAPI:
    """The app on ``billing`` (any provider); entitlements kept in the SQLite ``assets_path``."""
    app = FastAPI(title="prorata reference host app")
    assets = Assets(assets_path, billing.catalog)
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(BillingError, billing_error)
    app.add_exception_handler(RequestValidationError, request_error)

    def plan(product_id: str) -> str:
        if product_id not in billing.catalog:
            raise AppError(INVALID_PARAMETER, f"unknown product_id {product_id!r}")
        return product_id

    def synced(subscription_id: str) -> SubscriptionSnapshot:
        """Read the subscription and keep the customer's entitlements up to date."""
        snapshot = billing.sync(subscription_id)
        assets.record(snapshot, platform=billing.provider.name, at=datetime.now(tz=UTC))
        return snapshot

    def answer(snapshot: SubscriptionSnapshot) -> dict[str, Any]:
        return {
            "subscription": subscription_view(snapshot),
            "assets": assets.of(snapshot.subscription.customer_id),
        }

    def changeable(subscription: Subscription) -> Subscription:
        if subscription.status not in _CHANGEABLE:
            raise AppError(INVALID_OPERATION, f"the subscription is {subscription.status.value}")
        return subscription

    @app.post("/subscriptions/setup_intent")
    def start_setup(body: SetupRequest) -> dict[str, Any]:
        """1. Collect a card before a free trial: hand ``client_secret`` (or ``url``) to the browser."""
        if body.product_id is not None:
            plan(body.product_id)
        customer = billing.create_customer(body.email)
        return {"setup_intent": setup_view(billing.start_payment_setup(customer.id))}

    @app.post("/subscriptions")
    def subscribe(body: SubscribeRequest) -> dict[str, Any]:
        """2. Subscribe: email + product (paid at once), or a confirmed setup + product (trial)."""
        key = plan(body.product_id)
        if body.setup_intent_id is not None:
            setup = billing.payment_setup(body.setup_intent_id)
            subscription = billing.subscribe(setup.customer_id, key, payment_setup=setup)
        elif body.email is not None:
            customer = billing.create_customer(body.email)
            subscription = billing.subscribe(customer.id, key)
        else:
            raise AppError(INVALID_PARAMETER, "email or setup_intent_id is required")
        return answer(synced(subscription.id))

    @app.get("/subscriptions/{subscription_id}/sync")
    def sync(subscription_id: str) -> dict[str, Any]:
        """3. The subscription after a payment, with the customer's entitlements updated."""
        return answer(synced(subscription_id))

    @app.get("/subscriptions/{subscription_id}/fetch")
    def fetch(subscription_id: str) -> dict[str, Any]:
        """4. The subscription and its next payment (entitlements untouched)."""
        snapshot = billing.sync(subscription_id)
        return {"subscription": subscription_view(snapshot)}

    @app.post("/subscriptions/{subscription_id}/upgrade")
    def upgrade(subscription_id: str, body: ProductRequest) -> dict[str, Any]:
        """5. A new plan from now: a new cycle starts, the difference is charged (or refunded)."""
        target = plan(body.new_product_id)
        current = changeable(billing.get(subscription_id))
        if billing.catalog.get(target).trial_days:
            raise AppError(UNSUPPORTED_UPGRADE, f"{target} has a trial: it cannot be upgraded to")
        if current.scheduled_change is not None or current.schedule is not None:
            raise AppError(INVALID_OPERATION, "a change is already scheduled for this subscription")
        held = current.items[0].plan
        if held == target:
            raise AppError(INVALID_PARAMETER, f"the subscription is already on {target}")
        change = PlanChange.swap(
            held, target, proration=ProrationMode.PRORATE_NOW, billing_cycle=BillingCycle.RESET
        )
        refunds = billing.provider.capabilities.refunds
        try:
            preview = billing.preview(current, change)
        except UnsupportedCapabilityError as exc:
            raise AppError(UNSUPPORTED_UPGRADE, str(exc)) from exc
        billing.apply(
            current,
            change,
            preview=preview,
            negative_due=NegativeDuePolicy.REFUND if refunds else NegativeDuePolicy.CREDIT,
        )
        return answer(synced(subscription_id))

    @app.get("/subscriptions/{subscription_id}/sync_upgrade")
    def sync_upgrade(subscription_id: str) -> dict[str, Any]:
        """6. The subscription after an upgrade's payment, entitlements updated."""
        return answer(synced(subscription_id))

    @app.post("/subscriptions/{subscription_id}/recover_and_update")
    def recover_and_update(subscription_id: str, body: ProductRequest) -> dict[str, Any]:
        """7. Undo a cancellation at the period end, keeping, upgrading or downgrading the plan."""
        target = plan(body.new_product_id)
        current = changeable(billing.get(subscription_id))
        if not current.cancel_at_period_end:
            raise AppError(INVALID_OPERATION, "the subscription is not cancelling at the period end")
        held = current.items[0].plan
        change = (
            PlanChange.resume()
            if held == target
            else PlanChange.resume(switch_to=(held, target), proration=ProrationMode.PRORATE_NOW)
        )
        billing.apply(current, change)
        return answer(synced(subscription_id))

    @app.post("/webhooks")
    async def webhook(request: Request) -> dict[str, Any]:
        """Provider webhooks: verified, deduplicated, entitlements kept from ``sync``."""
        body = await request.body()
        headers: Mapping[str, str] = dict(request.headers.items())

        def handle(event: BillingEvent) -> str | None:
            if event.subscription_id is not None:
                synced(event.subscription_id)
            return event.subscription_id

        outcome = billing.process_event(headers, body, handle)
        return {
            "received": outcome.event.id,
            "type": outcome.event.type.value,
            "duplicate": outcome.duplicate,
        }

    @app.get("/customers/{customer_id}/assets")
    def customer_assets(customer_id: str) -> dict[str, Any]:
        return {"assets": assets.of(customer_id)}

    app.state.assets = assets
    return app
