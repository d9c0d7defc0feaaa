"""prorata: provider-agnostic subscription billing with previewable plan changes.

This package is the host-app surface: :class:`Billing`, the catalog, the changes you preview
and apply, and the objects they return. What a plugin implements is in :mod:`prorata.provider`;
the errors are in :mod:`prorata.errors`.
"""

from prorata import errors, provider
from prorata._billing import Billing
from prorata._calendar import Interval, IntervalUnit
from prorata._catalog import Catalog, Plan
from prorata._change import (
    AddItem,
    AtDate,
    AtPeriodEnd,
    BillingCycle,
    CancelAtPeriodEnd,
    Immediately,
    Operation,
    PaymentFailurePolicy,
    PhasedSchedule,
    PlanChange,
    ProrationMode,
    RemoveItem,
    Resume,
    SetItems,
    SetQuantity,
    Swap,
    Timing,
    TimingKind,
)
from prorata._config import BillingConfig, load_config
from prorata._direction import AutoChange, Direction, direction_of, price_per_day
from prorata._event_types import EventType
from prorata._events import BillingEvent, EventOutcome
from prorata._invoice import ChargeLine, Invoice, InvoiceStatus, LineKind, Totals, UpcomingInvoice
from prorata._items import CollectionMethod, Discount, DiscountDuration, Item, TaxRate
from prorata._listing import Listing
from prorata._migrate import MigrationOutcome, MigrationReport
from prorata._money import Money
from prorata._payments import (
    NegativeDuePolicy,
    PaymentAction,
    PaymentSetup,
    PaymentSetupStatus,
    Refund,
    RefundReason,
    RefundStatus,
)
from prorata._preview import ChangePreview, ChangeResult
from prorata._provider import Customer
from prorata._schedule import EndBehavior, Phase, Schedule, ScheduledChange
from prorata._serialization import dumps, loads, structure, unstructure
from prorata._snapshot import NextPayment, SubscriptionSnapshot
from prorata._subscription import Subscription, SubscriptionStatus

__version__ = "0.1.0"

__all__ = [
    "AddItem",
    "AtDate",
    "AtPeriodEnd",
    "AutoChange",
    "Billing",
    "BillingConfig",
    "BillingCycle",
    "BillingEvent",
    "CancelAtPeriodEnd",
    "Catalog",
    "ChangePreview",
    "ChangeResult",
    "ChargeLine",
    "CollectionMethod",
    "Customer",
    "Direction",
    "Discount",
    "DiscountDuration",
    "EndBehavior",
    "EventOutcome",
    "EventType",
    "Immediately",
    "Interval",
    "IntervalUnit",
    "Invoice",
    "InvoiceStatus",
    "Item",
    "LineKind",
    "Listing",
    "MigrationOutcome",
    "MigrationReport",
    "Money",
    "NegativeDuePolicy",
    "NextPayment",
    "Operation",
    "PaymentAction",
    "PaymentFailurePolicy",
    "PaymentSetup",
    "PaymentSetupStatus",
    "Phase",
    "PhasedSchedule",
    "Plan",
    "PlanChange",
    "ProrationMode",
    "Refund",
    "RefundReason",
    "RefundStatus",
    "RemoveItem",
    "Resume",
    "Schedule",
    "ScheduledChange",
    "SetItems",
    "SetQuantity",
    "Subscription",
    "SubscriptionSnapshot",
    "SubscriptionStatus",
    "Swap",
    "TaxRate",
    "Timing",
    "TimingKind",
    "Totals",
    "UpcomingInvoice",
    "direction_of",
    "dumps",
    "errors",
    "load_config",
    "loads",
    "price_per_day",
    "provider",
    "structure",
    "unstructure",
]
