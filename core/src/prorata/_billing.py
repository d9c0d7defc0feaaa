"""Billing: the host app's entry point. Picks the configured provider and guards every call."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from prorata import _event_ops, _migrate, _sync
from prorata._account import journal_namespace
from prorata._capabilities import ProrationTime, check_change, check_items
from prorata._catalog import Catalog
from prorata._change import AtDate, AtPeriodEnd, Immediately, PhasedSchedule, PlanChange
from prorata._config import BillingConfig, beside_config, load_config
from prorata._direction import AutoChange
from prorata._errors import (
    BillingError,
    ConfigurationError,
    ConflictError,
    InvalidChangeError,
    InvalidStateError,
    UnsupportedCapabilityError,
)
from prorata._event_provider import Feed
from prorata._events import BillingEvent, EventOutcome
from prorata._exactly_once import ExactlyOnce
from prorata._freshness import DEFAULT_PREVIEW_TTL, check_fresh, check_still_priced, seal
from prorata._idempotency import derive_key
from prorata._invoice import Invoice, InvoiceStatus
from prorata._items import CollectionMethod, Discount, Item, TaxRate
from prorata._listing import (
    DEFAULT_PAGE_SIZE,
    InvoiceQuery,
    Listing,
    SubscriptionQuery,
    invoice_listing,
    subscription_listing,
)
from prorata._migrate import MigrationReport
from prorata._money import Money
from prorata._payment_ops import check_refund, payment_provider, refund_credit, usable_setup
from prorata._payments import NegativeDuePolicy, PaymentSetup, Refund, RefundReason, RefundRequest
from prorata._preview import ChangePreview, ChangeResult
from prorata._provider import (
    TEST_CARD_SUCCEEDS,
    Customer,
    NewCustomer,
    NewSubscription,
    Provider,
    ProviderSettings,
    TimeControl,
)
from prorata._registry import Registry, get_registry
from prorata._scrub import install_log_scrubbing, safe_cause
from prorata._serialization import structure
from prorata._snapshot import SubscriptionSnapshot
from prorata._subscription import Subscription, SubscriptionStatus
from prorata._trials import during_trial
from prorata.journal import EntryStatus, Journal

__all__ = ["Billing"]


def _preview_matches(preview: ChangePreview, invoice: Invoice | None) -> bool:
    """Whether what apply invoiced is what the preview showed (scheduled changes invoice later)."""
    if isinstance(preview.change.timing, (AtPeriodEnd, AtDate)):
        return invoice is None
    if invoice is None:
        return not preview.lines and preview.totals.total.amount == 0
    return (
        invoice.totals.total == preview.totals.total
        and invoice.totals.amount_due == preview.totals.amount_due
    )


@attrs.define
class Billing:
    """Preview and apply plan changes on whichever provider the configuration names.

    Every change is checked against the subscription, the catalog and the provider's
    capabilities before the provider is called.
    """

    provider: Provider
    """The configured provider every call goes to."""
    catalog: Catalog
    """The plans this billing sells, by app-level key."""
    journal: Journal = attrs.field(factory=Journal.open)
    """Records every change before and after the provider call (see ``prorata.journal``).

    A durable one is seen through the provider's account (``Journal.scoped``): one store may
    serve several accounts without one's records answering another's retries. The default
    here is memory (one process); ``from_config`` defaults to a file (``Journal.default``)."""
    preview_ttl: timedelta = DEFAULT_PREVIEW_TTL
    """How long a preview stays appliable (on the provider's clock)."""
    preview_key: bytes | None = attrs.field(default=None, repr=False)
    """Optional secret that makes preview digests HMACs (share it between workers)."""

    def __attrs_post_init__(self) -> None:
        if self.journal.durable:
            provider = self.provider
            self.journal = self.journal.scoped(lambda: journal_namespace(provider))

    @classmethod
    def from_config(
        cls,
        source: str | Path | Mapping[str, Any] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        registry: Registry | None = None,
    ) -> Billing:
        """Build from a TOML file, a dict, ``$PRORATA_CONFIG``/``./prorata.toml`` or the demo default."""
        return cls.from_parsed(load_config(source, environ=environ), registry=registry)

    @classmethod
    def from_parsed(cls, config: BillingConfig, *, registry: Registry | None = None) -> Billing:
        spec = (registry or get_registry()).provider(config.provider)
        missing = config.catalog.missing_refs(spec.name) if spec.name != "local" else []
        if missing:
            raise ConfigurationError(
                config.source,
                f"plans.{missing[0]}.refs.{spec.name}",
                f"a {spec.name} reference for every plan",
            )
        settings = ProviderSettings(
            name=spec.name,
            catalog=config.catalog,
            options=config.options,
            secrets=config.secrets,
            source=config.source,
        )
        install_log_scrubbing()
        try:
            provider = spec.factory(settings)
        except BillingError:
            raise
        except Exception as exc:
            raise ConfigurationError(
                config.source, f"providers.{spec.name}", "settings the provider accepts", repr(exc)
            ) from safe_cause(exc)
        target = config.journal
        if target is None and spec.name == "local":
            database = config.options.get("database", ":memory:")
            target = ":memory:" if database == ":memory:" else beside_config(str(database), config.source)
        try:
            journal = Journal.default() if target is None else Journal.open(target)
        except BaseException:
            provider.close()
            raise
        return cls(provider=provider, catalog=config.catalog, journal=journal)

    @property
    def _once(self) -> ExactlyOnce:
        return ExactlyOnce(provider=self.provider, journal=self.journal)

    # -- customers and subscriptions ------------------------------------------------------------

    def create_customer(
        self,
        email: str,
        *,
        name: str | None = None,
        payment_method: str = TEST_CARD_SUCCEEDS,
        idempotency_key: str | None = None,
    ) -> Customer:
        """Create a customer; ``payment_method`` is a provider id or a portable ``TEST_CARD_*`` name."""
        request = NewCustomer(email=email, name=name, payment_method=payment_method)
        return self.provider.create_customer(
            request, idempotency_key=idempotency_key or derive_key("customer", request)
        )

    def subscribe(
        self,
        customer_id: str,
        items: Sequence[Item] | str,
        *,
        trial_days: int | None = None,
        discounts: Sequence[Discount] = (),
        tax_rates: Sequence[TaxRate] = (),
        collection_method: CollectionMethod = CollectionMethod.CHARGE_AUTOMATICALLY,
        days_until_due: int | None = None,
        billing_cycle_anchor: datetime | None = None,
        idempotency_key: str | None = None,
        payment_setup: PaymentSetup | str | None = None,
    ) -> Subscription:
        """Subscribe a customer to plan keys (``"pro"`` or a list of Items).

        ``payment_setup``: a setup the customer confirmed; its payment method becomes the
        customer's default before the subscription is created (e.g. for a free trial).
        """
        resolved = (Item(plan=items),) if isinstance(items, str) else tuple(items)
        caps = self.provider.capabilities
        check_items(
            resolved,
            field="NewSubscription.items",
            catalog=self.catalog,
            capabilities=caps,
            provider=self.provider.name,
            currency=None,
        )
        if collection_method not in caps.collection_methods:
            raise UnsupportedCapabilityError(
                "NewSubscription.collection_method",
                collection_method.value,
                capability="that collection method",
                provider=self.provider.name,
            )
        if collection_method is CollectionMethod.SEND_INVOICE and days_until_due is None:
            raise InvalidChangeError(
                "NewSubscription.days_until_due", None, "days until due when collection is by sent invoice"
            )
        if discounts and not caps.discounts:
            raise UnsupportedCapabilityError(
                "NewSubscription.discounts",
                len(discounts),
                capability="discounts",
                provider=self.provider.name,
            )
        currency = self.catalog.get(resolved[0].plan).currency
        for index, discount in enumerate(discounts):
            if discount.amount_off is not None and discount.amount_off.currency != currency:
                raise InvalidChangeError(
                    f"NewSubscription.discounts[{index}].amount_off",
                    discount.amount_off,
                    f"an amount in {currency}",
                )
        if tax_rates and not caps.tax_rates:
            raise UnsupportedCapabilityError(
                "NewSubscription.tax_rates",
                len(tax_rates),
                capability="tax rates",
                provider=self.provider.name,
            )
        if trial_days and not caps.trials:
            raise UnsupportedCapabilityError(
                "NewSubscription.trial_days", trial_days, capability="trials", provider=self.provider.name
            )
        request = NewSubscription(
            customer_id=customer_id,
            items=resolved,
            trial_days=trial_days,
            discounts=tuple(discounts),
            tax_rates=tuple(tax_rates),
            collection_method=collection_method,
            days_until_due=days_until_due,
            billing_cycle_anchor=billing_cycle_anchor,
        )
        if payment_setup is not None:
            self._use_setup(customer_id, payment_setup)
        with self.journal.named_lease(f"customer:{customer_id}"):
            key = idempotency_key or self._subscribe_key(request)
            return self._once.subscribe(request, key=key)

    def _subscribe_key(self, request: NewSubscription) -> str:
        """A key that a retry reuses but a new subscribe after a cancellation does not.

        With a journal that forgets (in memory), the customer's ended subscriptions go into it:
        a key sent before (that the provider may still recognise, natively or by metadata)
        then differs after a cancellation. A durable journal records every key sent, so it
        alone tells a new subscribe from a retry (below), and no list is read.
        """
        recognised_outside = not self.journal.durable
        ended = (
            sorted(
                sub.id
                for sub in self.provider.list_subscriptions(customer_id=request.customer_id)
                if sub.is_canceled
            )
            if recognised_outside
            else []
        )
        key = derive_key("subscribe", request, ended)
        while (entry := self.journal.find(key)) is not None and entry.outcome is not None:
            made = self._replayed_subscription(entry.outcome)
            if made is None or not self.get(made).is_canceled:
                break
            key = derive_key("subscribe-again", key)
        return key

    @staticmethod
    def _replayed_subscription(outcome: str) -> str | None:
        try:
            return str(json.loads(outcome)["id"])
        except (ValueError, KeyError, TypeError):
            return None

    def get(self, subscription_id: str) -> Subscription:
        return self.provider.get_subscription(subscription_id)

    def subscriptions(
        self,
        *,
        customer_id: str | None = None,
        status: SubscriptionStatus | str | Iterable[SubscriptionStatus | str] | None = None,
        plan: str | Iterable[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Listing[Subscription]:
        """Subscriptions matching every filter given, read lazily one page at a time."""
        query = SubscriptionQuery(customer_id=customer_id, statuses=status, plans=plan, page_size=page_size)  # pyright: ignore[reportArgumentType]
        return subscription_listing(self.provider, query)

    def invoices(
        self,
        subscription_id: str | None = None,
        *,
        customer_id: str | None = None,
        newest_first: bool = False,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Listing[Invoice]:
        """A subscription's (or a customer's) invoices, oldest first unless ``newest_first``, read lazily."""
        query = InvoiceQuery(
            subscription_id=subscription_id,
            customer_id=customer_id,
            newest_first=newest_first,
            page_size=page_size,
        )
        return invoice_listing(self.provider, query)

    def migrate(self, **options: Any) -> MigrationReport:
        """Move every selected subscription to a new price, once, at the provider's rate limit.

        Options are those of ``prorata._migrate.migrate``: the selection (``plan``, ``price``,
        ``status``, ``customer_id``), the change (``to_plan``, ``quantity``, ``timing``,
        ``proration``, ``billing_cycle``), ``name`` (resume key), ``dry_run``, ``rate``,
        ``concurrency`` and ``on_outcome``. See docs/migrating-prices.md.
        """
        return _migrate.migrate(self, **options)

    def balance(self, customer: Customer | str, *, currency: str | None = None) -> Money:
        """The customer's credit balance (positive = credit), which pays invoices first.

        ``currency`` defaults to that of the customer's subscriptions.
        """
        customer_id = customer if isinstance(customer, str) else customer.id
        if currency is None:
            held = self.provider.list_subscriptions(customer_id=customer_id)
            if not held:
                raise InvalidChangeError(
                    "currency", None, "a currency (the customer has no subscription to take it from)"
                )
            currency = held[0].currency
        return self.provider.customer_balance(customer_id, currency.upper())

    def _subscription(self, subscription: Subscription | str) -> Subscription:
        return subscription if isinstance(subscription, Subscription) else self.get(subscription)

    # -- plan changes ---------------------------------------------------------------------------

    def check(self, subscription: Subscription, change: PlanChange) -> tuple[Item, ...]:
        """Validate ``change`` for ``subscription`` on this provider; returns the target items."""
        return check_change(
            change,
            subscription,
            capabilities=self.provider.capabilities,
            catalog=self.catalog,
            provider=self.provider.name,
        )

    def resolve(self, subscription: Subscription, change: PlanChange | AutoChange) -> PlanChange:
        """The concrete change: a ``PlanChange.auto`` one resolved by its direction, and the
        billing a change gets during a free trial (docs/proration.md)."""
        concrete = (
            change.resolve(self.catalog, subscription.items) if isinstance(change, AutoChange) else change
        )
        return during_trial(subscription, concrete)

    def preview(self, subscription: Subscription | str, change: PlanChange | AutoChange) -> ChangePreview:
        """What ``change`` will cost now and afterwards. Changes nothing.

        Pass a Subscription you already hold to save a round trip.
        """
        current = self._subscription(subscription)
        change = self.resolve(current, change)
        target = self.check(current, change)
        preview = self.provider.preview_change(current, change, target=target, proration_time=None)
        return self.seal(attrs.evolve(preview, revision=current.revision))

    def seal(self, preview: ChangePreview) -> ChangePreview:
        """Date and bind a preview a provider returned directly, as ``preview`` does.

        Its lifetime starts at the preview's ``created_at`` (the provider's time when it
        priced it), or now when the provider left that out.
        """
        made = preview.created_at or self.now()
        return seal(preview, now=made, ttl=self.preview_ttl, key=self.preview_key)

    def now(self) -> datetime:
        """The provider's time: its clock when it has one (tests, emulators), else the wall clock."""
        control = self.provider.time_control()
        return control.now() if control is not None else datetime.now(tz=UTC)

    def apply(
        self,
        subscription: Subscription | str,
        change: PlanChange | AutoChange,
        *,
        preview: ChangePreview | None = None,
        idempotency_key: str | None = None,
        negative_due: NegativeDuePolicy = NegativeDuePolicy.CREDIT,
    ) -> ChangeResult:
        """Apply ``change``. With the ``preview`` shown to the customer, apply reuses its
        proration time so the charge equals the preview, and reports whether it matched.

        The idempotency key defaults to one derived from the subscription's state and the
        change: retrying the same apply cannot charge twice.

        ``negative_due``: when the change leaves a negative amount due, ``CREDIT`` keeps it on
        the customer's balance; ``REFUND`` refunds it to the subscription's paid invoices
        (newest first) and takes it off the balance again; ``ChangeResult.refunds`` lists them.
        """
        negative_due = NegativeDuePolicy(negative_due)
        if negative_due is NegativeDuePolicy.REFUND:
            payment_provider(self.provider, "refunds", field="negative_due", value=negative_due.value)
        held = subscription if isinstance(subscription, Subscription) else None
        subscription_id = held.id if held is not None else str(subscription)
        if preview is not None:
            check_fresh(preview, now=self.now(), key=self.preview_key)
        read: Subscription | None = None  # the by-id form reads once: this read is the fresh state
        if isinstance(change, AutoChange) or (held is None or held.trial_end is not None):
            read = held or self.get(subscription_id)
            change = self.resolve(read, change)
        else:
            change = self.resolve(held, change)
        if preview is not None:
            if preview.subscription_id != subscription_id:
                raise InvalidChangeError(
                    "preview.subscription_id",
                    preview.subscription_id,
                    f"the preview of subscription {subscription_id}",
                )
            if preview.change != change:
                raise InvalidChangeError(
                    "preview.change", "<different change>", "the change that was previewed"
                )
            if preview.provider != self.provider.name:
                raise InvalidChangeError(
                    "preview.provider", preview.provider, f"a preview made on {self.provider.name}"
                )
        proration_time = preview.proration_time if preview is not None else None

        def validate(current: Subscription) -> tuple[Item, ...]:
            if (
                preview is not None
                and isinstance(change.timing, (Immediately, PhasedSchedule))
                and not (current.current_period_start <= preview.proration_time < current.current_period_end)
            ):
                raise InvalidChangeError(
                    "preview.proration_time",
                    preview.proration_time.isoformat(),
                    "a time within the current period (the preview is stale: preview again)",
                )
            seen = preview.revision if preview is not None else held.revision if held is not None else None
            moved = seen is not None and current.revision is not None and seen != current.revision
            if moved or (held is not None and held.revision is None and held != current):
                raise ConflictError(
                    f"subscription {current.id} changed since it was read (revision {seen}, "
                    f"now {current.revision}); read it again",
                    provider=self.provider.name,
                    code="stale_revision",
                )
            return self.check(current, change)

        if held is not None:
            validate(held)  # refuse what can never apply before any provider call
        with self.journal.lease(subscription_id):
            current = self._fresh(held or read, subscription_id)
            if idempotency_key is not None:
                key = idempotency_key
            elif preview is not None:
                key = derive_key(
                    "change",
                    preview.provider,
                    preview.subscription_id,
                    preview.revision,
                    preview.change,
                    preview.proration_time,
                    preview.created_at,
                )
            else:
                # The whole subscription state as read plus the change: a retry finds the
                # journal record, a new change on the changed subscription gets a new key.
                key = derive_key("change", held or current, change, proration_time)
            if preview is not None and self.provider.capabilities.proration_time is ProrationTime.AT_RECEIPT:
                check_still_priced(self.provider, current, change, self.check(current, change), preview)
            result = self._once.apply(
                current, change, key=key, proration_time=proration_time, validate=validate
            )
        if preview is not None:
            result = attrs.evolve(
                result, preview=preview, matches_preview=_preview_matches(preview, result.invoice)
            )
        if result.payment_action is None and result.subscription.payment_action is not None:
            result = attrs.evolve(result, payment_action=result.subscription.payment_action)
        if negative_due is NegativeDuePolicy.REFUND:
            result = self._refund_negative_due(result, key)
        return result

    def _fresh(self, held: Subscription | None, subscription_id: str) -> Subscription:
        """The subscription to act on, read again unless ``held`` is what the journal's last
        write of it produced (so a worker never acts on a state another worker replaced)."""
        if held is not None:
            last = self.journal.latest(subscription_id)
            if last is None or (last.status is EntryStatus.APPLIED and last.result_revision == held.revision):
                return held
        return self.get(subscription_id)

    def cancel_scheduled_change(
        self, subscription: Subscription | str, *, idempotency_key: str | None = None
    ) -> Subscription:
        """Drop a pending scheduled change or schedule (the subscription stays as it is now).

        Given the subscription (as the change that scheduled it returned), no read is sent
        when the journal's last write of it produced that state; given an id, it is read once.
        """
        held = subscription if isinstance(subscription, Subscription) else None
        subscription_id = held.id if held is not None else str(subscription)
        if not self.provider.capabilities.cancel_scheduled_change:
            raise UnsupportedCapabilityError(
                "cancel_scheduled_change",
                subscription_id,
                capability="cancelling a scheduled change",
                provider=self.provider.name,
            )
        with self.journal.lease(subscription_id):
            current = self._fresh(held, subscription_id)

            def validate() -> None:
                if current.scheduled_change is None and current.schedule is None:
                    raise InvalidChangeError(
                        "subscription.scheduled_change", None, "a pending scheduled change to cancel"
                    )

            key = idempotency_key or derive_key(
                "unschedule", subscription_id, current.revision, current.scheduled_change, current.schedule
            )
            return self._once.subscription_write(
                "unschedule",
                current,
                key=key,
                validate=validate,
                act=lambda k: self.provider.cancel_scheduled_change(subscription_id, idempotency_key=k),
            )

    def cancel_now(self, subscription_id: str, *, idempotency_key: str | None = None) -> Subscription:
        """End the subscription immediately (no refund of the current period)."""
        with self.journal.lease(subscription_id):
            current = self.get(subscription_id)

            # Cancelling is final, so the subscription id alone tells a retry from a new request.
            key = idempotency_key or derive_key("cancel", subscription_id)
            return self._once.subscription_write(
                "cancel",
                current,
                key=key,
                validate=lambda: None,
                act=lambda k: self.provider.cancel_now(subscription_id, idempotency_key=k),
            )

    # -- payments -------------------------------------------------------------------------------

    def _progress_key(self, name: str, operation: str, *parts: object) -> str:
        """A derived key that includes the last write this journal made on ``name``: a retry
        (nothing recorded since) reuses it, the next write gets a new one."""
        return derive_key(operation, *parts, self.journal.get_progress(name))

    def start_payment_setup(self, customer_id: str, *, idempotency_key: str | None = None) -> PaymentSetup:
        """Start collecting a payment method: hand ``client_secret`` or ``url`` to the browser.

        Each call starts a new setup; a retry of one whose answer was lost (same journal, or
        the same ``idempotency_key``) returns that setup.
        """
        payments = payment_provider(self.provider, "payment_setup", field="customer_id", value=customer_id)
        name = f"setup:{customer_id}"
        with self.journal.named_lease(name):
            key = idempotency_key or self._progress_key(name, "setup", customer_id)
            setup = self._once.payment_write(
                "setup",
                key=key,
                inputs=customer_id,
                kind=PaymentSetup,
                request_type=str,
                prepare=lambda: customer_id,
                act=lambda customer, k: payments.start_payment_setup(customer, idempotency_key=k),
            )
            self.journal.set_progress(name, key)
        return setup

    def payment_setup(self, setup_id: str) -> PaymentSetup:
        """Read a payment setup again (its status after the customer confirmed it)."""
        payments = payment_provider(self.provider, "payment_setup", field="setup_id", value=setup_id)
        return payments.get_payment_setup(setup_id)

    def _use_setup(self, customer_id: str, setup: PaymentSetup | str) -> None:
        setup_id = setup if isinstance(setup, str) else setup.id
        method = usable_setup(self.payment_setup(setup_id), customer_id)
        self.set_payment_method(customer_id, method)

    def set_payment_method(
        self, customer_id: str, payment_method: str, *, idempotency_key: str | None = None
    ) -> None:
        """Make ``payment_method`` (a provider id or a portable ``TEST_CARD_*`` name) the default.

        The derived key includes the last payment-method write on this customer, so switching
        A -> B -> A sets A again while a retry of a lost answer is not sent twice.
        """
        if not payment_method:
            raise InvalidChangeError("payment_method", payment_method, "a payment method id")
        payments = payment_provider(
            self.provider, "set_payment_method", field="customer_id", value=customer_id
        )
        name = f"payment-method:{customer_id}"

        def act(method: str, key: str) -> str:
            payments.set_payment_method(customer_id, method, idempotency_key=key)
            return method

        with self.journal.named_lease(name):
            key = idempotency_key or self._progress_key(name, "payment-method", customer_id, payment_method)
            self._once.payment_write(
                "payment-method",
                key=key,
                inputs=(customer_id, payment_method),
                kind=str,
                request_type=str,
                prepare=lambda: payment_method,
                act=act,
            )
            self.journal.set_progress(name, key)

    def invoice(self, invoice_id: str) -> Invoice:
        """One invoice by id (with its hosted page / PDF url where the provider has one)."""
        caps = self.provider.capabilities
        flag = next(
            (f for f in ("pay_invoice", "void_invoice", "refunds") if getattr(caps, f)), "pay_invoice"
        )
        return payment_provider(self.provider, flag, field="invoice_id", value=invoice_id).get_invoice(
            invoice_id
        )

    def _open_invoice_write(
        self, operation: str, flag: str, invoice_id: str, key: str | None, verb: str
    ) -> Invoice:
        """Pay or void an open invoice once, under the invoice's lease. The derived key holds
        the invoice's status and collection attempts: paying again after a decline (and a new
        card) is a new attempt, not the replay of the declined one."""
        payments = payment_provider(self.provider, flag, field="invoice_id", value=invoice_id)
        with self.journal.named_lease(f"invoice:{invoice_id}"):
            current = payments.get_invoice(invoice_id)
            chosen = key or derive_key(operation, invoice_id, current.status, current.attempts)

            def prepare() -> str:
                if current.status is not InvoiceStatus.OPEN:
                    raise InvalidStateError(
                        invoice_id, current.status.value, f"only an open invoice can be {verb}"
                    )
                return invoice_id

            act = payments.pay_invoice if operation == "pay" else payments.void_invoice
            return self._once.payment_write(
                operation,
                key=chosen,
                inputs=invoice_id,
                kind=Invoice,
                request_type=str,
                prepare=prepare,
                act=lambda target, k: act(target, idempotency_key=k),
            )

    def pay_invoice(self, invoice_id: str, *, idempotency_key: str | None = None) -> Invoice:
        """Collect an open invoice again (after the card was replaced); a past-due subscription
        becomes active and takes changes again. Raises PaymentDeclinedError when declined."""
        return self._open_invoice_write("pay", "pay_invoice", invoice_id, idempotency_key, "paid")

    def void_invoice(self, invoice_id: str, *, idempotency_key: str | None = None) -> Invoice:
        """Void an open invoice (nothing will be collected for it)."""
        return self._open_invoice_write("void", "void_invoice", invoice_id, idempotency_key, "voided")

    def refund(
        self,
        invoice: Invoice | str,
        amount: Money | None = None,
        *,
        reason: RefundReason = RefundReason.REQUESTED_BY_CUSTOMER,
        idempotency_key: str | None = None,
    ) -> Refund:
        """Refund a paid invoice's payment, in full (``amount=None``) or in part.

        Refuses, before any call, an amount that is not positive, in another currency, or more
        than what is left to refund. Under the invoice's lease, through the journal: the derived
        key includes the last refund this journal made on the invoice, so a second partial
        refund is a new refund while a retry of a lost answer returns the first.
        """
        invoice_id = invoice if isinstance(invoice, str) else invoice.id
        return self._refund(invoice_id, amount, RefundReason(reason), idempotency_key, from_balance=False)

    def _refund(
        self,
        invoice_id: str,
        amount: Money | None,
        reason: RefundReason,
        idempotency_key: str | None,
        *,
        from_balance: bool,
    ) -> Refund:
        payments = payment_provider(self.provider, "refunds", field="invoice", value=invoice_id)
        name = f"refunds:{invoice_id}"

        def prepare() -> RefundRequest:
            value = check_refund(
                payments.get_invoice(invoice_id),
                payments.refunds(invoice_id),
                amount,
                partial=self.provider.capabilities.partial_refunds,
                provider=self.provider.name,
            )
            return RefundRequest(
                invoice_id=invoice_id, amount=value, reason=reason, from_balance=from_balance
            )

        with self.journal.named_lease(name):
            key = idempotency_key or self._progress_key(name, "refund", invoice_id, amount, reason)
            made = self._once.payment_write(
                "refund",
                key=key,
                inputs=(invoice_id, amount, reason, from_balance),
                kind=Refund,
                request_type=RefundRequest,
                prepare=prepare,
                act=lambda request, k: payments.refund(request, idempotency_key=k),
            )
            self.journal.set_progress(name, key)
        return made

    def refunds(self, invoice_id: str) -> list[Refund]:
        """Refunds made on an invoice's payment, oldest first."""
        return payment_provider(self.provider, "refunds", field="invoice_id", value=invoice_id).refunds(
            invoice_id
        )

    def customer_balance(self, customer_id: str, currency: str) -> Money:
        """The customer's credit balance (positive = credit later invoices will use)."""
        payments = payment_provider(self.provider, "refunds", field="customer_id", value=customer_id)
        return payments.customer_balance(customer_id, currency)

    def _recorded_refund(self, key: str) -> Refund | None:
        entry = self.journal.find(key)
        if entry is None or entry.status is not EntryStatus.APPLIED or entry.outcome is None:
            return None
        return structure(json.loads(entry.outcome), Refund)

    def _refund_negative_due(self, result: ChangeResult, key: str) -> ChangeResult:
        invoice = result.invoice
        if invoice is None or invoice.totals.credited.amount <= 0 or result.refunds:
            return result
        payments = payment_provider(self.provider, "refunds", field="negative_due", value="refund")
        refunds = refund_credit(
            payments,
            self.provider.list_invoices(result.subscription.id),
            invoice.totals.credited,
            exclude=invoice.id,
            key=key,
            make=lambda invoice_id, amount, k: self._refund(
                invoice_id, amount, RefundReason.PLAN_CHANGE, k, from_balance=True
            ),
            recorded=self._recorded_refund,
        )
        return attrs.evolve(result, refunds=refunds)

    def sync(self, subscription_id: str) -> SubscriptionSnapshot:
        """The subscription as the provider has it now, its latest invoice and next payment.

        Reads in a bounded number of requests whatever the history (Stripe 2, Dodo 3).
        Webhook handlers act on this, never on an event's copy (events arrive in any order).
        """
        return _sync.sync(self.provider, self.catalog, subscription_id)

    # -- webhook events -------------------------------------------------------------------------

    def parse_event(self, headers: Mapping[str, str], body: bytes | str) -> BillingEvent:
        """Verify a webhook delivery with the provider's own library and normalize it.

        Raises ``WebhookVerificationError`` (answer HTTP 400) for a forged, tampered, expired
        or wrongly signed delivery. Pass the body exactly as received (bytes).
        """
        return _event_ops.parse(self.provider, headers, body)

    def process_event(
        self, headers: Mapping[str, str], body: bytes | str, handler: Callable[[BillingEvent], Any]
    ) -> EventOutcome:
        """Verify a delivery and run ``handler`` on it at most once per event id (journal).

        A replay (same event id) returns ``duplicate=True`` without calling the handler. In the
        handler, act on ``self.sync(event.subscription_id)``, not on the event's copy.
        """
        return _event_ops.process(self.provider, self.journal, headers, body, handler)

    def event_feed(self, *, replay: bool = False) -> Feed:
        """The provider's events without a public endpoint (``prorata listen``, tests): each call
        returns the signed deliveries made since the last one, for ``process_event``."""
        return _event_ops.event_feed(self.provider, replay=replay)

    def time_control(self) -> TimeControl:
        """The provider's clock for tests and demos (raises when it has none)."""
        control = self.provider.time_control()
        if control is None:
            raise UnsupportedCapabilityError(
                "time_control", self.provider.name, capability="time control", provider=self.provider.name
            )
        return control

    def close(self) -> None:
        self.provider.close()
        self.journal.close()

    def __enter__(self) -> Billing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
