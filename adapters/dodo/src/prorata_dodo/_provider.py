"""DodoProvider: prorata's Provider on the official ``dodopayments`` SDK."""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import attrs
import dodopayments
from dodopayments.types import Payment, PaymentListResponse
from dodopayments.types.customers.wallets import CustomerWalletTransaction

from prorata import Catalog, PlanChange
from prorata.errors import ConflictError, InvalidStateError, UnsupportedCapabilityError, ValidationError
from prorata.provider import (
    TEST_CARD_DECLINES,
    TEST_CARD_REQUIRES_ACTION,
    TEST_CARD_SUCCEEDS,
    BillingEvent,
    ChangePreview,
    ChangeResult,
    Customer,
    Feed,
    Invoice,
    InvoiceQuery,
    InvoiceStatus,
    Item,
    Money,
    NewCustomer,
    NewSubscription,
    Page,
    PaymentAction,
    ProviderSettings,
    ScheduledChange,
    Secret,
    Subscription,
    SubscriptionQuery,
    SubscriptionSnapshot,
    SubscriptionStatus,
    TimeControl,
    Totals,
    add_intervals,
    current_write,
    subscription_listing,
)
from prorata_dodo import _listing, _mapping, _modes, semantics
from prorata_dodo._capabilities import CAPABILITIES
from prorata_dodo._client import build_client, is_emulator
from prorata_dodo._clock import EmulatorClock
from prorata_dodo._errors import PROVIDER
from prorata_dodo._events import parse_event
from prorata_dodo._feed import emulator_feed
from prorata_dodo._pages import all_pages
from prorata_dodo._payments import DodoPayments
from prorata_dodo._reconcile import Attempts, write
from prorata_dodo._sync import sync_subscription

__all__ = ["DodoProvider"]

KEY = _mapping.REVISION_KEY
"""Metadata key holding the idempotency key of the write that made an object (or the last change)."""
FINGERPRINT = "prorata_change"
"""Metadata key holding a digest of the last change's parameters (a reused key must match it)."""
REPLAY_PAGE_SIZE = 10
"""Payments read per page when a replay looks for its change's payment (normally the newest)."""
T = TypeVar("T")

_TEST_CARDS = {
    TEST_CARD_SUCCEEDS: "succeeds",
    TEST_CARD_DECLINES: "declines",
    TEST_CARD_REQUIRES_ACTION: "requires_action",
}


def _metadata(subscription: Subscription) -> dict[str, str]:
    """The subscription's Dodo metadata as strings (from its raw wire form)."""
    raw = cast(Mapping[str, Any], subscription.raw.get("metadata") or {})
    return {str(k): str(v) for k, v in raw.items()}


def _fingerprint(params: Mapping[str, Any]) -> str:
    """A digest of what a change asks for: the same key must come with the same change."""
    fields = ("product_id", "quantity", "addons", "proration_billing_mode", "effective_at")
    body = json.dumps({name: params[name] for name in fields}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def _raw_discounts(subscription: Subscription) -> list[Mapping[str, Any]]:
    return cast(list[Mapping[str, Any]], list(subscription.raw.get("discounts") or []))


class DodoProvider(DodoPayments):
    """Dodo Payments through the official SDK. Writes are never retried by the SDK."""

    name = PROVIDER
    capabilities = CAPABILITIES

    def __init__(
        self,
        client: dodopayments.DodoPayments,
        catalog: Catalog,
        *,
        clock: TimeControl | None = None,
        attempts: Attempts | None = None,
        billing_country: str = "US",
        webhook_secret: Secret | None = None,
    ) -> None:
        self.catalog = catalog
        self.webhook_secret = webhook_secret
        """The endpoint's Standard Webhooks key (``whsec_...``) deliveries are verified with."""
        self._client = client
        self._writer = client.with_options(max_retries=0)
        self._clock = clock
        self._attempts = attempts or Attempts()
        self._country = billing_country
        self._account: str | None = None

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> DodoProvider:
        """The factory registered for ``provider = "dodo"``."""
        client = build_client(settings)
        base_url = settings.options.get("base_url")
        clock = (
            EmulatorClock(base_url=str(base_url))
            if is_emulator(None if base_url is None else str(base_url))
            else None
        )
        return cls(
            client,
            settings.catalog,
            clock=clock,
            billing_country=str(settings.options.get("billing_country", "US")),
            webhook_secret=settings.secrets.get("webhook_secret"),
        )

    def account_identity(self) -> str:
        """The business the key acts for and the mode, e.g. ``bus_P9kk:test``, read once from
        ``GET /brands`` (every brand names its ``business_id``:
        https://docs.dodopayments.com/api-reference/brands/list-brands). Test and live mode
        are separate hosts with separate data; an emulator counts as test mode.

        A business without a brand (Dodo's docs do not say whether that can be) is named by
        a digest of the key and the host instead; the key itself is never kept.
        """
        if self._account is None:
            brands = self._read("list brands", lambda: self._client.brands.list())
            live = str(self._client.base_url).rstrip("/") == dodopayments.ENVIRONMENTS["live_mode"]
            mode = "live" if live else "test"
            if brands.items:
                self._account = f"{brands.items[0].business_id}:{mode}"
            else:
                seen = f"{self._client.base_url}\n{self._client.bearer_token}".encode()
                self._account = f"key-{hashlib.sha256(seen).hexdigest()[:16]}:{mode}"
        return self._account

    def sync_subscription(self, subscription_id: str) -> SubscriptionSnapshot:
        """Subscription, newest payment and wallet balance: three requests."""
        return sync_subscription(
            self._client, self.catalog, self._read, subscription_id, waiting_action=self._waiting_action
        )

    def _waiting_action(self, payment_id: str) -> PaymentAction | None:
        payment = self._payment(payment_id)
        return self._action_for(payment) if (payment.status or "").startswith("requires_") else None

    def event_feed(self, *, replay: bool = False) -> Feed:
        """The emulator's deliveries (``prorata listen``); Dodo's API itself lists no events."""
        base_url = str(self._client.base_url)
        if not is_emulator(base_url):
            raise UnsupportedCapabilityError(
                "listen",
                base_url,
                capability="listing events (Dodo only delivers webhooks: register an endpoint)",
                provider=PROVIDER,
            )
        return emulator_feed(base_url, replay=replay)

    def parse_event(self, headers: Mapping[str, str], body: bytes) -> BillingEvent:
        """Verify a delivery with ``standardwebhooks`` and normalize it."""
        return parse_event(self.catalog, headers, body, self.webhook_secret)

    def __repr__(self) -> str:
        return f"DodoProvider(base_url={str(self._client.base_url)!r})"

    # -- helpers -------------------------------------------------------------------------------

    def _retrieve(self, subscription_id: str) -> Subscription:
        found = self._read(
            f"retrieve subscription {subscription_id}",
            lambda: self._client.subscriptions.retrieve(subscription_id),
        )
        return _mapping.subscription_from(self.catalog, found)

    # -- customers and subscriptions -------------------------------------------------------------

    def create_customer(self, customer: NewCustomer, *, idempotency_key: str) -> Customer:
        metadata: dict[str, str | float | bool] = {**customer.metadata, KEY: idempotency_key}
        if customer.payment_method in _TEST_CARDS:
            # Emulator-only: the card an earlier checkout saved (real Dodo ignores it).
            metadata["test_card"] = _TEST_CARDS[customer.payment_method]
        name = customer.name or customer.email

        def find() -> Any:
            rows = all_pages(self._client.customers.list, email=customer.email)
            return next((row for row in rows if (row.metadata or {}).get(KEY) == idempotency_key), None)  # pyright: ignore

        found = self._read("find customer", find)
        if found is None:
            written = write(
                "create customer",
                lambda: self._writer.customers.create(email=customer.email, name=name, metadata=metadata),
                find,
                self._attempts,
            )
            found = written.response or written.reconciled
        return Customer(id=found.customer_id, email=found.email, name=found.name)  # pyright: ignore

    def create_subscription(self, request: NewSubscription, *, idempotency_key: str) -> Subscription:
        if request.billing_cycle_anchor is not None:
            raise UnsupportedCapabilityError(
                "NewSubscription.billing_cycle_anchor",
                request.billing_cycle_anchor.isoformat(),
                capability="a billing cycle anchor",
                provider=PROVIDER,
            )
        plan, quantity, addons = _mapping.split_items(self.catalog, request.items)
        product_id = _mapping.ref(plan)
        options: dict[str, Any] = {}
        if request.trial_days is not None:
            options["trial_period_days"] = request.trial_days
        if request.discounts:
            options["discount_codes"] = [d.coupon for d in request.discounts]
        saved = self.saved_payment_method(request.customer_id)
        if saved is not None:
            options["payment_method_id"] = saved  # charged now (a mandate from an earlier checkout)
        else:
            # The first payment is the customer's, on Dodo's checkout: keep its link and
            # client secret as Subscription.payment_action.
            options["payment_link"] = True

        def send() -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter(
                    "ignore", DeprecationWarning
                )  # create is deprecated for checkout sessions
                return self._writer.subscriptions.create(  # pyright: ignore
                    billing={"country": self._country},  # pyright: ignore[reportArgumentType]
                    customer={"customer_id": request.customer_id},
                    product_id=product_id,
                    quantity=quantity,
                    addons=addons,  # pyright: ignore
                    metadata={KEY: idempotency_key},
                    **options,
                )

        def find() -> str | None:
            rows = all_pages(self._client.subscriptions.list, customer_id=request.customer_id)
            return next(
                (row.subscription_id for row in rows if row.metadata.get(KEY) == idempotency_key), None
            )

        context = current_write(idempotency_key)
        first = context is not None and context.first_attempt
        # the same key twice creates one (not needed on a first send the durable journal vouches for)
        existing = None if first else self._read("find subscription", find)
        if existing is not None:
            return self._retrieve(existing)
        written = write("create subscription", send, find, self._attempts)
        subscription_id = written.reconciled or written.response.subscription_id  # pyright: ignore[reportOptionalMemberAccess]
        return self.with_payment_action(self._retrieve(subscription_id), written.response)

    def get_subscription(self, subscription_id: str) -> Subscription:
        return self.with_payment_action(self._retrieve(subscription_id))

    def list_subscriptions(self, *, customer_id: str | None = None) -> list[Subscription]:
        """Every subscription (of a customer): pages of the list, details only where a row lacks them."""
        return list(subscription_listing(self, SubscriptionQuery(customer_id=customer_id)))

    def subscriptions_page(self, query: SubscriptionQuery) -> Page[Subscription]:
        return _listing.subscriptions_page(self._client, self.catalog, query, self._read, self._retrieve)  # pyright: ignore[reportArgumentType]

    def invoices_page(self, query: InvoiceQuery) -> Page[Invoice]:
        """Dodo's payment list lacks tax, discounts and lines, and credit notes come from the
        wallet ledger: the subscription's invoices are read whole, as one page."""
        if query.subscription_id is None:
            raise ValidationError(
                "InvoiceQuery.subscription_id", None, "a subscription id (Dodo lists per subscription)"
            )
        found = self.list_invoices(query.subscription_id)
        return Page(items=tuple(reversed(found) if query.newest_first else found))

    # -- plan changes ----------------------------------------------------------------------------

    def _change_params(self, change: PlanChange, target: tuple[Item, ...]) -> dict[str, Any]:
        plan, quantity, addons = _mapping.split_items(self.catalog, target)
        params: dict[str, Any] = {
            "product_id": _mapping.ref(plan),
            "quantity": quantity,
            "addons": addons,  # always in full: an omitted list removes the add-ons
            "proration_billing_mode": _modes.dodo_mode(change),
            "effective_at": _modes.effective_at(change),
            "on_payment_failure": _modes.on_payment_failure(change),
        }
        if change.replace_pending:
            params["cancel_scheduled_change_plan"] = True
        return params

    def _now(self) -> datetime:
        return self._clock.now() if self._clock is not None else datetime.now(UTC).replace(microsecond=0)

    def preview_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
    ) -> ChangePreview:
        """One ``preview_change_plan`` request. Dodo takes no proration time: it prices now."""
        if not change.changes_items:
            now = self._now()
            effective = subscription.current_period_end if change.cancels_at_period_end else now
            return ChangePreview(
                provider=PROVIDER,
                subscription_id=subscription.id,
                change=change,
                currency=subscription.currency,
                lines=(),
                totals=Totals.zero(subscription.currency),
                items=subscription.items,
                effective_at=effective,
                proration_time=now,
                period_end=subscription.current_period_end,
            )
        params = self._change_params(change, target)
        response = self._read(
            f"preview plan change of {subscription.id}",
            lambda: self._client.subscriptions.preview_change_plan(subscription.id, **params),
        )
        wallet = self.customer_balance(subscription.customer_id, subscription.currency)
        return _mapping.preview_from(
            self.catalog, subscription, change, params["proration_billing_mode"], response, wallet
        )

    def customer_balance(self, customer_id: str, currency: str) -> Money:
        """The customer's wallet balance in ``currency`` (one ``wallets.list`` request)."""
        found = self._read(
            f"list wallets of {customer_id}", lambda: self._client.customers.wallets.list(customer_id)
        )
        amount = sum(w.balance for w in found.items if str(w.currency).upper() == currency.upper())
        return Money.of(amount, currency)

    def _set_cancel_flag(self, subscription_id: str, value: bool) -> Subscription:
        def find() -> Subscription | None:
            current = self._retrieve(subscription_id)
            return current if current.cancel_at_period_end == value else None

        written = write(
            "update cancel_at_next_billing_date",
            lambda: self._writer.subscriptions.update(subscription_id, cancel_at_next_billing_date=value),
            find,
            self._attempts,
        )
        if written.response is not None:
            return _mapping.subscription_from(self.catalog, written.response)
        assert written.reconciled is not None
        return written.reconciled

    def apply_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
        idempotency_key: str,
    ) -> ChangeResult:
        """A read (replay check), one ``change_plan`` and, when Dodo recorded one, the payment
        or wallet credit that settled it. The resulting subscription is derived, not re-read.
        On the first send of a key through a durable journal the read is skipped
        (``prorata.provider.current_write``): one write plus at most one read.

        Dodo has no idempotency keys: the key (and a digest of the change) travel in the
        subscription's metadata. A subscription already carrying the key has had this
        change: the call is a replay and returns the original invoice without a second
        change; the same key with another change is a ConflictError.
        """
        current = subscription
        if change.resumes:
            current = self._set_cancel_flag(subscription.id, False)
        if change.cancels_at_period_end:
            current = self._set_cancel_flag(subscription.id, True)
        if not change.changes_items:
            return ChangeResult(subscription=current)
        params = self._change_params(change, target)
        mode: str = params["proration_billing_mode"]
        scheduled = params["effective_at"] == "next_billing_date"
        fingerprint = _fingerprint(params)
        context = current_write(idempotency_key)
        if context is not None and context.first_attempt and context.subscription is not None:
            # The durable journal says no request with this key was ever sent, and the state
            # was read under the lease: no replay to detect, nothing to re-read.
            fresh = context.subscription
        else:
            fresh = self._retrieve(subscription.id)
        seen = _metadata(fresh)
        if seen.get(KEY) == idempotency_key:
            if seen.get(FINGERPRINT) != fingerprint:
                raise ConflictError(
                    f"change plan of {subscription.id}: idempotency key {idempotency_key!r} was used "
                    "for another change",
                    provider=PROVIDER,
                    code="IDEMPOTENCY_KEY_REUSED",
                )
            return self._replayed(fresh, idempotency_key, mode, scheduled)
        if fresh.plan_quantities != subscription.plan_quantities or (fresh.scheduled_change is None) != (
            subscription.scheduled_change is None
        ):
            raise ConflictError(
                f"change plan of {subscription.id}: the subscription changed since it was read "
                "(read it again and retry)",
                provider=PROVIDER,
                code="SUBSCRIPTION_CHANGED",
            )
        metadata = {**seen, KEY: idempotency_key, FINGERPRINT: fingerprint}
        params["metadata"] = metadata

        def find() -> Subscription | None:
            now = self._retrieve(subscription.id)
            return now if _metadata(now).get(KEY) == idempotency_key else None

        written = write(
            f"change plan of {subscription.id}",
            lambda: self._writer.subscriptions.change_plan(subscription.id, **params),
            find,
            self._attempts,
        )
        if written.reconciled is not None:
            return self._replayed(written.reconciled, idempotency_key, mode, scheduled)
        assert written.response is not None
        if scheduled:
            pending = ScheduledChange(items=target, effective_at=fresh.current_period_end)
            return ChangeResult(subscription=self._derived(fresh, target, metadata, pending=pending))
        payment_id = written.response.payment_id
        if payment_id:
            payment = self._payment(payment_id)
            invoice = self._change_invoice(fresh, target, mode, payment)
            after = self._derived(
                fresh, target, metadata, mode=mode, at=payment.created_at, failed=payment.status == "failed"
            )
            return ChangeResult(subscription=after, invoice=invoice)
        credit = None
        if mode != "do_not_bill" and self._expects_credit(fresh, target, mode):
            credit = self._latest_credit(fresh)
        if credit is None:
            return ChangeResult(subscription=self._derived(fresh, target, metadata, mode=mode, at=None))
        at = credit.created_at
        lines = _mapping.change_lines(
            self.catalog, fresh, target, mode, at, self._period_end(fresh, target, mode, at)
        )
        rules = [
            semantics.DiscountRule(type=d["type"], amount=int(d["amount"]))
            for d in _raw_discounts(fresh)
            if d.get("preserve_on_plan_change")
            and (d.get("cycles_remaining") is None or d["cycles_remaining"] > 0)
        ]
        invoice = _mapping.credit_note(credit, fresh.id, lines, rules)
        return ChangeResult(
            subscription=self._derived(fresh, target, metadata, mode=mode, at=at), invoice=invoice
        )

    # -- apply helpers ---------------------------------------------------------------------------

    def _period_end(self, fresh: Subscription, target: tuple[Item, ...], mode: str, at: datetime) -> datetime:
        if not semantics.MODES[mode].resets_cycle:
            return fresh.current_period_end
        base = next(i for i in target if not self.catalog.get(i.plan).addon)
        return add_intervals(at, self.catalog.get(base.plan).interval, 1)

    def _derived(
        self,
        fresh: Subscription,
        target: tuple[Item, ...],
        metadata: dict[str, str],
        *,
        mode: str | None = None,
        at: datetime | None = None,
        failed: bool = False,
        pending: ScheduledChange | None = None,
    ) -> Subscription:
        """The subscription after the change, from the one read before it and the mode's rule.

        Only a cycle-restarting change that Dodo left no dated record of (no payment, no
        credit) needs a re-read: its new period starts when Dodo applied it.
        """
        raw = dict(fresh.raw)
        raw["metadata"] = dict(metadata)
        if pending is not None:
            return attrs.evolve(fresh, scheduled_change=pending, revision=metadata[KEY], raw=raw)
        assert mode is not None
        start, end = fresh.current_period_start, fresh.current_period_end
        if semantics.MODES[mode].resets_cycle:
            if at is None:
                return self._retrieve(fresh.id)
            start, end = at, self._period_end(fresh, target, mode, at)
        kept = [d for d in _raw_discounts(fresh) if d.get("preserve_on_plan_change")]
        raw["discounts"] = kept
        codes = {str(d["code"]) for d in kept}
        status = fresh.status
        if failed:
            status = SubscriptionStatus.PAST_DUE
        elif start != fresh.current_period_start and status is SubscriptionStatus.TRIALING:
            status = SubscriptionStatus.ACTIVE
        return attrs.evolve(
            fresh,
            items=target,
            status=status,
            current_period_start=start,
            current_period_end=end,
            billing_cycle_anchor=start,
            discounts=tuple(d for d in fresh.discounts if d.coupon in codes),
            scheduled_change=None,
            revision=metadata[KEY],
            raw=raw,
        )

    def _change_invoice(
        self, fresh: Subscription, target: tuple[Item, ...], mode: str, payment: Payment
    ) -> Invoice:
        """The payment as an invoice, its lines priced by the semantics module at Dodo's time.

        Dodo's own line items are fetched only when they disagree with Dodo's figures.
        """
        at = payment.created_at
        lines = _mapping.change_lines(
            self.catalog, fresh, target, mode, at, self._period_end(fresh, target, mode, at)
        )
        invoice = _mapping.invoice_from_payment(self.catalog, payment, None, lines=lines)
        totals = invoice.totals
        if totals.amount_due.amount + totals.balance_applied.amount != max(totals.total.amount, 0):
            invoice = _mapping.invoice_from_payment(
                self.catalog, payment, self._line_items(payment.payment_id)
            )
        return invoice

    def _expects_credit(self, fresh: Subscription, target: tuple[Item, ...], mode: str) -> bool:
        """Whether the change nets to a credit (its sign; the amount is Dodo's ledger entry)."""
        billed = semantics.change_charge(
            mode,
            _mapping.priced_items(self.catalog, fresh.items),
            _mapping.priced_items(self.catalog, target),
            period_start=fresh.current_period_start,
            period_end=fresh.current_period_end,
            at=min(max(self._now(), fresh.current_period_start), fresh.current_period_end),
        )
        return billed.subtotal < 0

    def _credits(self, subscription: Subscription) -> Iterator[CustomerWalletTransaction]:
        """Wallet credits Dodo recorded for ``subscription``'s changes, newest first."""
        return self._credits_of(subscription.customer_id, subscription.id)

    def _credits_of(self, customer_id: str, subscription_id: str) -> Iterator[CustomerWalletTransaction]:
        rows: Iterator[CustomerWalletTransaction] = all_pages(
            self._client.customers.wallets.ledger_entries.list, customer_id=customer_id
        )
        return (row for row in rows if row.is_credit and row.reference_object_id == subscription_id)

    def _latest_credit(self, subscription: Subscription) -> CustomerWalletTransaction | None:
        return self._read(
            f"list wallet ledger entries of {subscription.customer_id}",
            lambda: next(self._credits(subscription), None),
        )

    def _replayed(self, current: Subscription, key: str, mode: str, scheduled: bool) -> ChangeResult:
        """The change already applied under ``key``: report it with its original invoice."""
        if scheduled or mode == "do_not_bill":
            return ChangeResult(subscription=current, replayed=True)
        match = self._read("list payments", lambda: self._change_payment(current.id, key))
        invoice: Invoice | None = None
        if match is not None:
            payment = self._payment(match.payment_id)
            failed = (
                InvoiceStatus.OPEN if current.status is SubscriptionStatus.PAST_DUE else InvoiceStatus.VOID
            )
            invoice = _mapping.invoice_from_payment(
                self.catalog, payment, self._line_items(match.payment_id), failed_status=failed
            )
        else:
            credit = self._latest_credit(current)
            if credit is not None:
                invoice = _mapping.credit_note(credit, current.id)
        return ChangeResult(subscription=current, invoice=invoice, replayed=True)

    def _change_payment(self, subscription_id: str, key: str) -> PaymentListResponse | None:
        """The payment that settled the change written under ``key``, the subscription's last.

        Payments list newest first (https://docs.dodopayments.com/api-reference/payments), so
        the scan reads pages lazily and stops at the first payment carrying a change key: this
        change's, or an earlier write's (this change made no payment, e.g. a credit). It reads
        the payments made since the change, never the whole history.
        """
        rows: Iterator[PaymentListResponse] = all_pages(
            self._client.payments.list, page_size=REPLAY_PAGE_SIZE, subscription_id=subscription_id
        )
        for row in rows:
            tag = row.metadata.get(KEY)
            if tag is not None:
                return row if tag == key else None
        return None

    def cancel_scheduled_change(self, subscription_id: str, *, idempotency_key: str) -> Subscription:
        def find() -> Subscription | None:
            current = self._retrieve(subscription_id)
            return current if current.scheduled_change is None else None

        written = write(
            f"cancel the scheduled change of {subscription_id}",
            lambda: self._writer.subscriptions.cancel_change_plan(subscription_id),
            find,
            self._attempts,
        )
        # The DELETE answers no body; dropping the pending change is all it does, so the state
        # core read under the lease minus that change is the state now (else read it back).
        context = current_write(idempotency_key)
        held = context.subscription if context is not None else None
        current = written.reconciled or (
            attrs.evolve(held, scheduled_change=None, raw={**held.raw, "scheduled_change": None})
            if held is not None and held.id == subscription_id
            else self._retrieve(subscription_id)
        )
        if _metadata(current).get(KEY) == idempotency_key:
            return current
        # Cancelling leaves the subscription's metadata as it was: record this write's key, the
        # revision, so that scheduling the same change again is a new request, not a replay.
        metadata: dict[str, str | float | bool] = {**_metadata(current), KEY: idempotency_key}

        def recorded() -> Subscription | None:
            now = self._retrieve(subscription_id)
            return now if _metadata(now).get(KEY) == idempotency_key else None

        bumped = write(
            f"record the revision of {subscription_id}",
            lambda: self._writer.subscriptions.update(subscription_id, metadata=metadata),
            recorded,
            self._attempts,
        )
        if bumped.response is not None:
            return _mapping.subscription_from(self.catalog, bumped.response)
        assert bumped.reconciled is not None
        return bumped.reconciled

    def cancel_now(self, subscription_id: str, *, idempotency_key: str) -> Subscription:
        def find() -> Subscription | None:
            current = self._retrieve(subscription_id)
            return current if current.status is SubscriptionStatus.CANCELED else None

        written = write(
            f"cancel {subscription_id}",
            lambda: self._writer.subscriptions.update(subscription_id, status="cancelled"),
            find,
            self._attempts,
        )
        if written.response is not None:
            return _mapping.subscription_from(self.catalog, written.response)
        assert written.reconciled is not None
        return written.reconciled

    def pause(self, subscription_id: str) -> Subscription:
        """Pause an active subscription (Dodo ``status: paused``)."""
        return self._set_status(subscription_id, "paused", SubscriptionStatus.PAUSED)

    def unpause(self, subscription_id: str) -> Subscription:
        """Resume a paused subscription (Dodo ``status: active``)."""
        return self._set_status(subscription_id, "active", SubscriptionStatus.ACTIVE)

    def _set_status(self, subscription_id: str, status: str, expected: SubscriptionStatus) -> Subscription:
        current = self._retrieve(subscription_id)
        if current.status is SubscriptionStatus.CANCELED:
            raise InvalidStateError(
                subscription_id, current.status.value, f"a canceled subscription cannot become {status}"
            )

        def find() -> Subscription | None:
            now = self._retrieve(subscription_id)
            return now if now.status is expected else None

        written = write(
            f"set {subscription_id} {status}",
            lambda: self._writer.subscriptions.update(subscription_id, status=status),  # pyright: ignore[reportArgumentType]
            find,
            self._attempts,
        )
        if written.response is not None:
            return _mapping.subscription_from(self.catalog, written.response)
        assert written.reconciled is not None
        return written.reconciled

    def list_invoices(self, subscription_id: str) -> list[Invoice]:
        """The subscription's payments as invoices, and the wallet credits its changes made
        as credit notes, oldest first (explicit pages from 0)."""
        rows = self._read(
            "list payments",
            lambda: list(all_pages(self._client.payments.list, subscription_id=subscription_id)),
        )
        # The subscription is read only for what the rows do not say: whether a failed payment
        # is still owed (past due), and the customer when there is no payment yet.
        current = (
            self._retrieve(subscription_id)
            if not rows or any(row.status == "failed" for row in rows)
            else None
        )
        customer_id = rows[0].customer.customer_id if current is None else current.customer_id
        owed = current is not None and current.status is SubscriptionStatus.PAST_DUE
        failed = InvoiceStatus.OPEN if owed else InvoiceStatus.VOID
        invoices = [
            self._listed_invoice(row, failed)
            for row in sorted(rows, key=lambda r: (r.created_at, r.payment_id))
        ]
        credits = self._read(
            f"list wallet ledger entries of {customer_id}",
            lambda: list(self._credits_of(customer_id, subscription_id)),
        )
        notes = [_mapping.credit_note(entry, subscription_id) for entry in credits]
        # stable: at one instant, payments (in id order) before the credit notes (oldest first)
        return sorted(invoices + sorted(notes, key=lambda i: (i.created, i.id)), key=lambda i: i.created)

    def _listed_invoice(self, row: PaymentListResponse, failed: InvoiceStatus) -> Invoice:
        """A listed payment as an invoice: its line items, and the payment itself only when
        the list row and the items do not say it all.

        The list row has the amount paid, status, dates and periods but no tax, discounts or
        payment link. When the items add up to exactly what was paid, with no tax on them, the
        payment carried no tax, discount or wallet balance (each would make them differ), so
        the row and the items are the invoice: one read. Otherwise (and for a payment that is
        not settled, whose link is on the payment) the payment is retrieved too.
        """
        items = self._line_items(row.payment_id)
        settled = row.status == "succeeded"
        if (
            settled
            and sum(item.tax for item in items.items) == 0
            and sum(item.amount for item in items.items) == row.total_amount
        ):
            return _mapping.invoice_from_payment(self.catalog, row, items, failed_status=failed)
        return _mapping.invoice_from_payment(
            self.catalog, self._payment(row.payment_id), items, failed_status=failed
        )

    def time_control(self) -> TimeControl | None:
        """The emulator's clock, or None against Dodo's real API (it has no test clocks)."""
        return self._clock

    def close(self) -> None:
        self._client.close()
