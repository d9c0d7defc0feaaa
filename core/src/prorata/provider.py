"""What a plugin implements: the provider protocol, its capabilities, specs and helpers.

A plugin registers a :class:`ProviderSpec` (and optionally an :class:`EmulatorSpec`) from a
function marked :data:`hookimpl`; the provider it builds follows :class:`Provider` and
returns the domain objects re-exported here (:class:`Subscription`, :class:`ChangePreview`,
:class:`Invoice`, ...). The changes it receives (:class:`prorata.PlanChange` and its
operations) are host-app names and live in :mod:`prorata`; errors are in :mod:`prorata.errors`.
"""

from prorata._account import AccountProvider
from prorata._calendar import Interval, IntervalUnit, add_intervals, period_containing
from prorata._capabilities import Capabilities, ProrationSupport, ProrationTime, check_change
from prorata._emulators import EmulatorServer, EmulatorSpec
from prorata._event_provider import Delivery, EventFeed, EventProvider, Feed
from prorata._event_types import EventType
from prorata._events import BillingEvent
from prorata._figures import (
    balance_after,
    discount_total,
    invoice_totals,
    next_invoice,
    recurring_lines,
    settle_balance,
    tax_total,
)
from prorata._idempotency import derive_key
from prorata._invoice import ChargeLine, Invoice, InvoiceStatus, LineKind, Totals, UpcomingInvoice
from prorata._items import CollectionMethod, Discount, DiscountDuration, Item, TaxRate
from prorata._lazy import lazy_attributes
from prorata._listing import (
    InvoiceQuery,
    Page,
    PagedListing,
    SubscriptionQuery,
    invoices_page_of,
    subscription_listing,
    subscriptions_page_of,
)
from prorata._money import Money, currency_exponent, round_half_away_from_zero
from prorata._payment_provider import PaymentProvider
from prorata._payments import (
    TEST_CARD_REQUIRES_ACTION,
    PaymentAction,
    PaymentSetup,
    PaymentSetupStatus,
    Refund,
    RefundReason,
    RefundRequest,
    RefundStatus,
)
from prorata._preview import ChangePreview, ChangeResult
from prorata._provider import (
    TEST_CARD_DECLINES,
    TEST_CARD_SUCCEEDS,
    Customer,
    NewCustomer,
    NewSubscription,
    Provider,
    ProviderFactory,
    ProviderSettings,
    ProviderSpec,
    TimeControl,
)
from prorata._registry import (
    AUTOLOAD_ENV,
    ENTRY_POINT_GROUP,
    PluginManager,
    Registry,
    get_plugin_manager,
    get_registry,
)
from prorata._rounding import settle_rounding
from prorata._schedule import EndBehavior, Phase, Schedule, ScheduledChange
from prorata._scrub import ScrubSecretsFilter, safe_cause, scrub
from prorata._secrets import Secret
from prorata._snapshot import NextPayment, SubscriptionSnapshot
from prorata._subscription import Subscription, SubscriptionStatus
from prorata._sync import SyncProvider, next_payment_of, renews, upcoming_renewal
from prorata._write_context import WriteContext, current_write
from prorata.hookspecs import hookimpl

__all__ = [
    "AUTOLOAD_ENV",
    "ENTRY_POINT_GROUP",
    "TEST_CARD_DECLINES",
    "TEST_CARD_REQUIRES_ACTION",
    "TEST_CARD_SUCCEEDS",
    "AccountProvider",
    "BillingEvent",
    "Capabilities",
    "ChangePreview",
    "ChangeResult",
    "ChargeLine",
    "CollectionMethod",
    "Customer",
    "Delivery",
    "Discount",
    "DiscountDuration",
    "EmulatorServer",
    "EmulatorSpec",
    "EndBehavior",
    "EventFeed",
    "EventProvider",
    "EventType",
    "Feed",
    "Interval",
    "IntervalUnit",
    "Invoice",
    "InvoiceQuery",
    "InvoiceStatus",
    "Item",
    "LineKind",
    "Money",
    "NewCustomer",
    "NewSubscription",
    "NextPayment",
    "Page",
    "PagedListing",
    "PaymentAction",
    "PaymentProvider",
    "PaymentSetup",
    "PaymentSetupStatus",
    "Phase",
    "PluginManager",
    "ProrationSupport",
    "ProrationTime",
    "Provider",
    "ProviderFactory",
    "ProviderSettings",
    "ProviderSpec",
    "Refund",
    "RefundReason",
    "RefundRequest",
    "RefundStatus",
    "Registry",
    "Schedule",
    "ScheduledChange",
    "ScrubSecretsFilter",
    "Secret",
    "Subscription",
    "SubscriptionQuery",
    "SubscriptionSnapshot",
    "SubscriptionStatus",
    "SyncProvider",
    "TaxRate",
    "TimeControl",
    "Totals",
    "UpcomingInvoice",
    "WriteContext",
    "add_intervals",
    "balance_after",
    "check_change",
    "currency_exponent",
    "current_write",
    "derive_key",
    "discount_total",
    "get_plugin_manager",
    "get_registry",
    "hookimpl",
    "invoice_totals",
    "invoices_page_of",
    "lazy_attributes",
    "next_invoice",
    "next_payment_of",
    "period_containing",
    "recurring_lines",
    "renews",
    "round_half_away_from_zero",
    "safe_cause",
    "scrub",
    "settle_balance",
    "settle_rounding",
    "subscription_listing",
    "subscriptions_page_of",
    "tax_total",
    "upcoming_renewal",
]
