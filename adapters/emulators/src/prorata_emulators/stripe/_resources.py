"""Every route the emulator serves, one resource family per module."""

from __future__ import annotations

from prorata_emulators.stripe import (
    _account,
    _cancellation,
    _catalog,
    _clocks,
    _customers,
    _events,
    _invoice_items,
    _invoices,
    _previews,
    _routes_payments,
    _schedules,
    _setup_intents,
    _subscription_items,
    _subscriptions,
)
from prorata_emulators.stripe._routing import Route

__all__ = ["all_routes"]


def all_routes() -> list[Route]:
    # create_preview must be matched before /v1/invoices/{id}.
    return [
        *_previews.ROUTES,
        *_account.account_routes(),
        *_catalog.ROUTES,
        *_customers.ROUTES,
        *_setup_intents.ROUTES,
        *_routes_payments.ROUTES,
        *_subscriptions.ROUTES,
        *_cancellation.ROUTES,
        *_subscription_items.ROUTES,
        *_invoices.ROUTES,
        *_invoice_items.ROUTES,
        *_schedules.ROUTES,
        *_clocks.ROUTES,
        *_events.ROUTES,
    ]
