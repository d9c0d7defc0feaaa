"""The Stripe provider: prorata's Provider protocol on the official ``stripe`` SDK."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

import attrs
import stripe
from stripe.params import (
    CouponCreateParams,
    CustomerCreateParams,
    InvoiceCreatePreviewParams,
    SubscriptionCreateParams,
    SubscriptionScheduleCreateParams,
    SubscriptionScheduleReleaseParams,
    SubscriptionScheduleUpdateParams,
    SubscriptionUpdateParams,
    TaxRateCreateParams,
)

from prorata import AtDate, AtPeriodEnd, Catalog, PhasedSchedule, PlanChange, ProrationMode
from prorata.provider import (
    BillingEvent,
    Capabilities,
    ChangePreview,
    ChangeResult,
    Customer,
    Discount,
    EndBehavior,
    Feed,
    Invoice,
    InvoiceQuery,
    Item,
    Money,
    NewCustomer,
    NewSubscription,
    Page,
    Phase,
    Schedule,
    Secret,
    Subscription,
    SubscriptionQuery,
    SubscriptionSnapshot,
    SubscriptionStatus,
    TaxRate,
    Totals,
    UpcomingInvoice,
    add_intervals,
    balance_after,
    current_write,
)
from prorata_stripe import _listing as listing
from prorata_stripe import _mapping as mapping
from prorata_stripe._amounts import to_stripe
from prorata_stripe._capabilities import STRIPE_CAPABILITIES
from prorata_stripe._errors import stripe_errors
from prorata_stripe._events import DEFAULT_TOLERANCE, parse_event
from prorata_stripe._feed import event_feed
from prorata_stripe._payments import StripePayments, payment_method_id
from prorata_stripe._recurring import credit_balance, recurring_invoice
from prorata_stripe._sync import sync_subscription
from prorata_stripe._time import TestClockControl

__all__ = ["SUBSCRIPTION_EXPAND", "StripeProvider"]

SUBSCRIPTION_EXPAND = ["schedule", "discounts.source.coupon", "latest_invoice.confirmation_secret"]
"""Expanded on every subscription read so one request yields the whole domain object (the
latest invoice's confirmation secret is the payment action while the customer must act)."""

Recorder = Callable[[type, Mapping[str, Any]], None]


def _dict(obj: Any) -> dict[str, Any]:
    return obj.to_dict()


def _replayed(obj: Any) -> bool:
    response = getattr(obj, "last_response", None)
    headers: Any = getattr(response, "headers", None) or {}
    return (
        str(headers.get("idempotent-replayed") or headers.get("Idempotent-Replayed") or "").lower() == "true"
    )


@attrs.define
class StripeProvider(StripePayments):
    """Stripe through ``client.v1``. Every POST carries an idempotency key derived from the call.

    ``recorder`` (tests) receives each request's SDK params type and params before it is sent.
    """

    client: stripe.StripeClient = attrs.field(repr=False)
    catalog: Catalog = attrs.field(repr=False)
    test_clock: str | None = None
    """A test clock id: customers are created on it and ``time_control()`` moves it."""
    create_test_clock: bool = False
    """Create a test clock at the first customer (test mode and the emulator)."""
    test_clock_name: str | None = None
    """With ``create_test_clock``: first look for a test clock of this name and reuse it, so
    separate processes on one configuration share one clock (``test_clock = true``)."""
    frozen_time: int | None = None
    recorder: Recorder | None = attrs.field(default=None, repr=False)
    webhook_secret: Secret | None = attrs.field(default=None, repr=False)
    """The endpoint's signing secret (``whsec_...``) that webhook deliveries are verified with."""
    webhook_tolerance: int = DEFAULT_TOLERANCE
    livemode: bool | None = None
    """Whether the key is a live key (``sk_live_``/``rk_live_``); the factory sets it. It
    keeps test and live records of one account apart in the change journal."""
    name: str = "stripe"
    capabilities: Capabilities = attrs.field(default=STRIPE_CAPABILITIES, repr=False)
    _account_id: str | None = attrs.field(default=None, init=False, repr=False, eq=False)
    _paid_intents: dict[str, tuple[str, str]] = attrs.field(
        factory=dict[str, tuple[str, str]], init=False, repr=False, eq=False
    )

    def account_identity(self) -> str:
        """The key's account (``GET /v1/account``, read once:
        https://docs.stripe.com/api/accounts/retrieve) and mode, e.g. ``acct_1Nv0FG:test``.

        The account id, not the key: every key of an account (rolled or restricted ones)
        shares its records and leases, and an emulator restarted with ids starting over is
        another account. A restricted key needs read access to the account for this.
        """
        if self._account_id is None:
            with stripe_errors("retrieve the account"):
                self._account_id = self.client.v1.accounts.retrieve_current().id
        mode = "" if self.livemode is None else ":live" if self.livemode else ":test"
        return self._account_id + mode

    def sync_subscription(self, subscription_id: str) -> SubscriptionSnapshot:
        """Subscription, latest invoice and next payment in at most two requests."""
        return sync_subscription(self.client, self.catalog, subscription_id, expand=SUBSCRIPTION_EXPAND)

    def event_feed(self, *, replay: bool = False) -> Feed:
        """New events from ``GET /v1/events``, signed with the webhook secret (``prorata listen``)."""

        def set_secret(secret: Secret) -> None:
            self.webhook_secret = secret

        return event_feed(self.client, lambda: self.webhook_secret, set_secret, replay=replay)

    def parse_event(self, headers: Mapping[str, str], body: bytes) -> BillingEvent:
        """Verify a delivery with ``stripe.Webhook.construct_event`` and normalize it."""
        return parse_event(self.catalog, headers, body, self.webhook_secret, tolerance=self.webhook_tolerance)

    def _record(self, params_type: type, params: Mapping[str, Any]) -> None:
        if self.recorder is not None:
            self.recorder(params_type, params)

    @staticmethod
    def _options(key: str) -> Any:
        return {"idempotency_key": key}

    # -- customers and subscriptions -------------------------------------------------------------

    def _named_clock(self) -> str | None:
        """The newest usable test clock called ``test_clock_name``, if there is one."""
        if self.test_clock_name is None:
            return None
        with stripe_errors("list test clocks"):
            clocks = self.client.v1.test_helpers.test_clocks.list({"limit": 100})
            named = [
                clock
                for clock in clocks.auto_paging_iter()
                if clock.name == self.test_clock_name and clock.status != "internal_failure"
            ]
        return max(named, key=lambda clock: clock.created).id if named else None

    def _clock(self) -> str | None:
        if self.test_clock is None and self.create_test_clock:
            self.test_clock = self._named_clock()
        if self.test_clock is None and self.create_test_clock:
            frozen = (
                self.frozen_time if self.frozen_time is not None else int(datetime.now(tz=UTC).timestamp())
            )
            with stripe_errors("create test clock"):
                clock = self.client.v1.test_helpers.test_clocks.create(
                    {"frozen_time": frozen, "name": self.test_clock_name or "prorata"},
                    self._options(f"prorata-test-clock-{uuid.uuid4()}"),
                )
            self.test_clock = clock.id
        return self.test_clock

    def create_customer(self, customer: NewCustomer, *, idempotency_key: str) -> Customer:
        params: CustomerCreateParams = {"email": customer.email}
        if customer.name is not None:
            params["name"] = customer.name
        if customer.metadata:
            params["metadata"] = dict(customer.metadata)
        if customer.payment_method is not None:
            method = payment_method_id(customer.payment_method)
            params["payment_method"] = method
            params["invoice_settings"] = {"default_payment_method": method}
        clock = self._clock()
        if clock is not None:
            params["test_clock"] = clock
        self._record(CustomerCreateParams, params)
        with stripe_errors("create customer"):
            created = self.client.v1.customers.create(params, self._options(idempotency_key))
        return Customer(id=created.id, email=created.email or customer.email, name=created.name)

    def _ensure_discounts(
        self, discounts: tuple[Discount, ...], currency: str, key: str
    ) -> list[dict[str, str]]:
        """Discounts for a new subscription; coupons that do not exist yet are created first."""
        for discount in discounts:
            if discount.id is not None:
                continue
            try:
                self.client.v1.coupons.retrieve(discount.coupon)
                continue
            except stripe.InvalidRequestError as exc:
                if exc.http_status != 404:
                    raise
            params: CouponCreateParams = {"id": discount.coupon, "duration": discount.duration.value}
            if discount.percent_off is not None:
                params["percent_off"] = float(discount.percent_off)
            elif discount.amount_off is not None:
                params.update(
                    amount_off=to_stripe(discount.amount_off), currency=discount.amount_off.currency.lower()
                )
            if discount.duration_in_cycles is not None:
                params["duration_in_months"] = discount.duration_in_cycles
            self._record(CouponCreateParams, params)
            self.client.v1.coupons.create(params, self._options(f"{key}:coupon:{discount.coupon}"))
        return mapping.discount_params(discounts)

    def _ensure_tax_rates(self, rates: tuple[TaxRate, ...], key: str) -> list[str]:
        ids: list[str] = []
        for index, rate in enumerate(rates):
            if rate.id is not None:
                ids.append(rate.id)
                continue
            params: TaxRateCreateParams = {
                "display_name": rate.display_name,
                "percentage": float(rate.percentage),
                "inclusive": rate.inclusive,
            }
            self._record(TaxRateCreateParams, params)
            ids.append(self.client.v1.tax_rates.create(params, self._options(f"{key}:tax-rate:{index}")).id)
        return ids

    def create_subscription(self, request: NewSubscription, *, idempotency_key: str) -> Subscription:
        items = [
            {
                "price": mapping.price_ref(self.catalog, item.plan, f"NewSubscription.items[{n}].plan"),
                "quantity": item.quantity,
            }
            for n, item in enumerate(request.items)
        ]
        trial_days = request.trial_days
        if trial_days is None:
            trial_days = max(self.catalog.get(item.plan).trial_days for item in request.items)
        currency = self.catalog.get(request.items[0].plan).currency
        params: SubscriptionCreateParams = {
            "customer": request.customer_id,
            "items": items,  # pyright: ignore[reportAssignmentType]
            "collection_method": request.collection_method.value,
            # A first payment that needs the customer (3-D Secure) or a new card leaves the
            # subscription incomplete with its open invoice; Subscription.payment_action carries
            # the invoice's confirmation secret (https://docs.stripe.com/billing/subscriptions/overview#payment-status).
            "payment_behavior": "allow_incomplete",
            "expand": list(SUBSCRIPTION_EXPAND),
        }
        if request.days_until_due is not None:
            params["days_until_due"] = request.days_until_due
        if trial_days:
            params["trial_period_days"] = trial_days
        if request.billing_cycle_anchor is not None:
            params["billing_cycle_anchor"] = mapping.timestamp(request.billing_cycle_anchor)
        with stripe_errors("create subscription"):
            if request.discounts:
                params["discounts"] = self._ensure_discounts(request.discounts, currency, idempotency_key)  # pyright: ignore[reportGeneralTypeIssues]
            if request.tax_rates:
                params["default_tax_rates"] = self._ensure_tax_rates(request.tax_rates, idempotency_key)
            self._record(SubscriptionCreateParams, params)
            created = self.client.v1.subscriptions.create(params, self._options(idempotency_key))
        return mapping.subscription_from_stripe(self.catalog, _dict(created))

    def get_subscription(self, subscription_id: str) -> Subscription:
        with stripe_errors("retrieve subscription"):
            found = self.client.v1.subscriptions.retrieve(
                subscription_id, {"expand": list(SUBSCRIPTION_EXPAND)}
            )
        return mapping.subscription_from_stripe(self.catalog, _dict(found))

    def list_subscriptions(self, *, customer_id: str | None = None) -> list[Subscription]:
        params: dict[str, Any] = {
            "status": "all",
            "limit": 100,
            "expand": [f"data.{path}" for path in SUBSCRIPTION_EXPAND],
        }
        if customer_id is not None:
            params["customer"] = customer_id
        with stripe_errors("list subscriptions"):
            page = self.client.v1.subscriptions.list(params)  # pyright: ignore[reportArgumentType]
            return [mapping.subscription_from_stripe(self.catalog, _dict(s)) for s in page.auto_paging_iter()]

    def subscriptions_page(self, query: SubscriptionQuery) -> Page[Subscription]:
        return listing.subscriptions_page(self.client, self.catalog, query, SUBSCRIPTION_EXPAND)

    def invoices_page(self, query: InvoiceQuery) -> Page[Invoice]:
        return listing.invoices_page(self.client, self.catalog, query)

    def list_invoices(self, subscription_id: str) -> list[Invoice]:
        """The subscription's invoices, oldest first."""
        with stripe_errors("list invoices"):
            page = self.client.v1.invoices.list({"subscription": subscription_id, "limit": 100})
            found = [mapping.invoice_from_stripe(self.catalog, _dict(i)) for i in page.auto_paging_iter()]
        found.reverse()  # Stripe lists newest first; prorata lists in the order they were issued
        return found

    # -- plan changes ------------------------------------------------------------------------------

    def _update_params(
        self, subscription: Subscription, change: PlanChange, target: tuple[Item, ...]
    ) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if change.cancels_at_period_end:
            params["cancel_at_period_end"] = True
        if change.resumes:
            params["cancel_at_period_end"] = False
        if change.changes_items:
            behavior, anchor = mapping.proration_params(change.proration, change.billing_cycle)
            params["items"] = mapping.item_changes(self.catalog, subscription.items, target)
            params["proration_behavior"] = behavior
            params["billing_cycle_anchor"] = {"type": anchor}
            if change.end_trial and subscription.status is SubscriptionStatus.TRIALING:
                # Stripe ends a trial with trial_end=now (a new cycle starts and the new items'
                # first period is invoiced); it refuses billing_cycle_anchor=now on a trial.
                # https://docs.stripe.com/billing/subscriptions/trials#end-trial-early
                params["trial_end"] = "now"
                params["proration_behavior"] = "none"
                del params["billing_cycle_anchor"]
        return params

    def _phases(
        self, subscription: Subscription, change: PlanChange, target: tuple[Item, ...], current_start: int
    ) -> tuple[list[dict[str, Any]], EndBehavior, Schedule]:
        """The full phase list: the current phase with its exact start, then the change."""
        kept_discounts = subscription.discounts
        kept_taxes = subscription.tax_rates
        behavior = mapping.proration_params(change.proration, change.billing_cycle)[0]
        timing = change.timing
        if isinstance(timing, PhasedSchedule):
            schedule = timing.schedule
            phases = list(schedule.phases)
        else:
            effective = (
                subscription.current_period_end
                if isinstance(timing, AtPeriodEnd)
                else timing.at
                if isinstance(timing, AtDate)
                else subscription.current_period_end
            )
            current_phase = Phase(
                items=subscription.items, end=effective, discounts=None, tax_rates=subscription.tax_rates
            )
            phases = [
                current_phase,
                Phase(
                    items=target,
                    discounts=None,
                    tax_rates=subscription.tax_rates,
                    prorate_at_start=change.proration is not ProrationMode.NO_BILLING,
                ),
            ]
            schedule = Schedule(phases=tuple(phases), end_behavior=EndBehavior.RELEASE)
        built: list[dict[str, Any]] = []
        for index, phase in enumerate(phases):
            proration = (
                behavior
                if phase.prorate_at_start and behavior != "none"
                else ("create_prorations" if phase.prorate_at_start else "none")
            )
            built.append(
                mapping.phase_params(
                    self.catalog,
                    phase,
                    field=f"PlanChange.timing.schedule.phases[{index}]",
                    start_date=current_start if index == 0 else None,
                    end_date=None,
                    kept_discounts=kept_discounts,
                    kept_tax_rates=kept_taxes,
                    proration_behavior="none" if index == 0 else proration,
                )
            )
        if subscription.status is SubscriptionStatus.TRIALING and subscription.trial_end is not None:
            _keep_trial(built, mapping.timestamp(subscription.trial_end))
        return built, schedule.end_behavior, schedule

    @staticmethod
    def _current_phase_start(subscription: Subscription) -> int:
        raw_schedule = subscription.raw.get("schedule")
        if isinstance(raw_schedule, Mapping):
            current: Any = raw_schedule.get("current_phase")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
            if isinstance(current, Mapping) and current.get("start_date") is not None:  # pyright: ignore[reportUnknownMemberType]
                return int(current["start_date"])  # pyright: ignore[reportUnknownArgumentType]
        return mapping.timestamp(subscription.current_period_start)

    def _release_finished_schedule(self, subscription: Subscription, idempotency_key: str) -> Subscription:
        """Release a schedule whose last phase has started before writing: it holds nothing
        pending, but Stripe refuses cancellation changes and new schedules while it is attached."""
        finished = mapping.finished_schedule_id(subscription.raw)
        if finished is None:
            return subscription
        params: SubscriptionScheduleReleaseParams = {}
        self._record(SubscriptionScheduleReleaseParams, params)
        with stripe_errors("release finished schedule"):
            self.client.v1.subscription_schedules.release(
                finished, params, self._options(idempotency_key + ":release-finished")
            )
        raw = {**subscription.raw, "schedule": None}
        return attrs.evolve(subscription, raw=raw)

    @staticmethod
    def _schedule_id(subscription: Subscription) -> str | None:
        raw = subscription.raw.get("schedule")
        if mapping.finished_schedule_id(subscription.raw) is not None:
            return None
        if isinstance(raw, Mapping):
            return str(raw["id"])  # pyright: ignore[reportUnknownArgumentType]
        return raw if isinstance(raw, str) else None

    def preview_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
    ) -> ChangePreview:
        """One ``invoices.create_preview`` request (none for a cancel or resume)."""
        currency = subscription.currency
        if isinstance(change.timing, (AtPeriodEnd, AtDate, PhasedSchedule)):
            return self._preview_scheduled(subscription, change, target)
        if not change.changes_items:
            moment = proration_time or datetime.now(tz=UTC)
            return ChangePreview(
                provider=self.name,
                subscription_id=subscription.id,
                change=change,
                currency=currency,
                lines=(),
                totals=Totals.zero(currency),
                items=subscription.items,
                effective_at=moment,
                proration_time=moment,
                period_end=subscription.current_period_end,
                next_invoice=None
                if change.cancels_at_period_end
                else self._recurring(
                    subscription,
                    subscription.items,
                    subscription.current_period_end,
                    self.customer_balance(subscription.customer_id, currency),
                ),
            )
        details = self._update_params(subscription, change, target)
        if proration_time is not None:
            details["proration_date"] = mapping.timestamp(proration_time)
        params: dict[str, Any] = {
            "customer": subscription.customer_id,
            "subscription": subscription.id,
            "subscription_details": details,
        }
        self._record(InvoiceCreatePreviewParams, params)
        with stripe_errors("preview change"):
            invoice = _dict(self.client.v1.invoices.create_preview(params))  # pyright: ignore[reportArgumentType]
        moment = (
            mapping.at(invoice["parent"]["subscription_details"].get("subscription_proration_date"))
            or proration_time
            or datetime.now(tz=UTC)
        )
        period_end = subscription.current_period_end
        if mapping.proration_params(change.proration, change.billing_cycle)[1] == "now":
            period_end = add_intervals(moment, self.catalog.get(target[0].plan).interval, 1)
        return self._preview_from(
            subscription, change, target, invoice, effective=moment, period_end=period_end, schedule=None
        )

    def _preview_scheduled(
        self, subscription: Subscription, change: PlanChange, target: tuple[Item, ...]
    ) -> ChangePreview:
        phases, end_behavior, schedule = self._phases(
            subscription, change, target, self._current_phase_start(subscription)
        )
        params: dict[str, Any] = {
            "customer": subscription.customer_id,
            "subscription": subscription.id,
            "schedule_details": {
                "phases": phases,
                "end_behavior": end_behavior.value,
                "proration_behavior": "none",
            },
        }
        existing = self._schedule_id(subscription)
        if existing is not None:
            params["schedule"] = existing
        self._record(InvoiceCreatePreviewParams, params)
        with stripe_errors("preview scheduled change"):
            invoice = _dict(self.client.v1.invoices.create_preview(params))  # pyright: ignore[reportArgumentType]
        effective = self._effective_at(subscription, change, phases)
        items = (
            schedule.phases[1].items
            if len(schedule.phases) > 1 and isinstance(change.timing, PhasedSchedule)
            else target
        )
        return self._preview_from(
            subscription,
            change,
            items,
            invoice,
            effective=effective,
            period_end=subscription.current_period_end,
            schedule=schedule,
        )

    def _preview_from(
        self,
        subscription: Subscription,
        change: PlanChange,
        target: tuple[Item, ...],
        invoice: dict[str, Any],
        *,
        effective: datetime,
        period_end: datetime,
        schedule: Schedule | None,
    ) -> ChangePreview:
        """Split Stripe's preview invoice into what is billed at the change and the next regular invoice.

        Stripe previews the first invoice the change produces: an invoice at the change
        (``billing_reason=subscription_update``), or else the next regular invoice with any
        pending prorations. The other one is the regular invoice of the new items, computed
        from the catalog so that a preview stays one request.
        """
        currency = subscription.currency
        mapped = mapping.invoice_from_stripe(
            self.catalog, {**invoice, "status": invoice.get("status") or "draft"}
        )
        if invoice.get("billing_reason") == "subscription_update":
            lines, totals, pending = mapped.lines, mapped.totals, ()
            before = credit_balance(invoice.get("starting_balance"), currency)
            upcoming = self._recurring(subscription, target, period_end, balance_after(before, totals))
        else:
            lines, totals = (), Totals.zero(currency)
            pending = tuple(line for line in mapped.lines if line.is_proration)
            upcoming = UpcomingInvoice(
                at=mapping.at(int(invoice["period_start"])) or period_end,
                lines=mapped.lines,
                totals=mapped.totals,
            )
        return ChangePreview(
            provider=self.name,
            subscription_id=subscription.id,
            change=change,
            currency=currency,
            lines=lines,
            totals=totals,
            pending_lines=pending,
            items=target,
            effective_at=effective,
            proration_time=effective,
            period_end=period_end,
            next_invoice=upcoming,
            schedule=schedule,
            # Stripe's time when it priced an immediate change (its test clock's, if any).
            created_at=effective if schedule is None and change.timing.kind == "immediately" else None,
        )

    def _recurring(
        self, subscription: Subscription, items: tuple[Item, ...], at: datetime, balance: Money
    ) -> UpcomingInvoice:
        """The regular invoice of ``items`` at ``at``, with the subscription's discounts and taxes,
        paid first from the customer's credit ``balance`` as it will stand then."""
        return recurring_invoice(
            self.catalog,
            items,
            at,
            subscription.discounts,
            subscription.tax_rates,
            subscription.currency,
            balance,
        )

    def customer_balance(self, customer_id: str, currency: str) -> Money:
        """The customer's credit balance (one ``customers.retrieve`` request)."""
        with stripe_errors("retrieve customer"):
            customer = _dict(self.client.v1.customers.retrieve(customer_id))
        if customer.get("currency") not in (None, currency.lower()):
            return Money.zero(currency)
        return credit_balance(customer.get("balance"), currency)

    @staticmethod
    def _effective_at(
        subscription: Subscription, change: PlanChange, phases: list[dict[str, Any]]
    ) -> datetime:
        timing = change.timing
        if isinstance(timing, AtDate):
            return timing.at
        if isinstance(timing, AtPeriodEnd):
            return subscription.current_period_end
        end = phases[0].get("end_date")
        return mapping.at(int(end)) if end is not None else subscription.current_period_end  # type: ignore[return-value]

    def apply_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
        idempotency_key: str,
    ) -> ChangeResult:
        subscription = self._release_finished_schedule(subscription, idempotency_key)
        if isinstance(change.timing, (AtPeriodEnd, AtDate, PhasedSchedule)):
            return self._apply_scheduled(subscription, change, target, idempotency_key)
        params = self._update_params(subscription, change, target)
        if change.changes_items:
            params["payment_behavior"] = mapping.payment_behavior(change.on_payment_failure)
            if proration_time is not None:
                params["proration_date"] = mapping.timestamp(proration_time)
        params["metadata"] = {mapping.REVISION_KEY: mapping.next_revision(subscription.raw)}
        params["expand"] = list(SUBSCRIPTION_EXPAND)
        self._record(SubscriptionUpdateParams, params)
        with stripe_errors("apply change"):
            updated = self.client.v1.subscriptions.update(
                subscription.id, cast(Any, params), self._options(idempotency_key)
            )
        data = _dict(updated)
        latest = data.get("latest_invoice")
        before = subscription.raw.get("latest_invoice")
        before_id = before.get("id") if isinstance(before, Mapping) else before  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        invoice = None
        if isinstance(latest, Mapping) and latest.get("id") != before_id:  # pyright: ignore[reportUnknownMemberType]
            invoice = mapping.invoice_from_stripe(self.catalog, latest)  # pyright: ignore[reportUnknownArgumentType]
        return ChangeResult(
            subscription=mapping.subscription_from_stripe(self.catalog, data),
            invoice=invoice,
            replayed=_replayed(updated),
        )

    def _apply_scheduled(
        self, subscription: Subscription, change: PlanChange, target: tuple[Item, ...], key: str
    ) -> ChangeResult:
        existing = self._schedule_id(subscription)
        with stripe_errors("schedule change"):
            if existing is None:
                create: SubscriptionScheduleCreateParams = {"from_subscription": subscription.id}
                self._record(SubscriptionScheduleCreateParams, create)
                created = self.client.v1.subscription_schedules.create(
                    create, self._options(key + ":schedule-create")
                )
                existing = created.id
                current_start = int(created.phases[0].start_date)
            else:
                current_start = self._current_phase_start(subscription)
            phases, end_behavior, _ = self._phases(subscription, change, target, current_start)
            update: dict[str, Any] = {
                "phases": phases,
                "end_behavior": end_behavior.value,
                "proration_behavior": "none",
                "expand": [
                    "subscription",
                    *(f"subscription.{path}" for path in SUBSCRIPTION_EXPAND if path != "schedule"),
                ],
            }
            self._record(SubscriptionScheduleUpdateParams, update)
            updated = self.client.v1.subscription_schedules.update(
                existing, cast(Any, update), self._options(key + ":schedule-update")
            )
        data = _dict(updated)
        subscription_data = data.pop("subscription")
        result = mapping.subscription_from_stripe(
            self.catalog, {**subscription_data, "schedule": {**data, "subscription": subscription_data["id"]}}
        )
        return ChangeResult(subscription=result, schedule=result.schedule, replayed=_replayed(updated))

    def cancel_scheduled_change(self, subscription_id: str, *, idempotency_key: str) -> Subscription:
        """Release the schedule, then bump the revision (that answer is the result). The state
        core read under the lease (``current_write``) saves a read first: releasing changes
        nothing on the subscription but its ``schedule``
        (https://docs.stripe.com/api/subscription_schedules/release)."""
        context = current_write(idempotency_key)
        held = context.subscription if context is not None else None
        current = (
            held
            if held is not None and held.id == subscription_id
            else self.get_subscription(subscription_id)
        )
        schedule_id = self._schedule_id(current)
        if schedule_id is not None:
            params: SubscriptionScheduleReleaseParams = {}
            self._record(SubscriptionScheduleReleaseParams, params)
            with stripe_errors("release schedule"):
                self.client.v1.subscription_schedules.release(
                    schedule_id, params, self._options(idempotency_key + ":schedule-release")
                )
        # Releasing a schedule leaves the subscription untouched: bump its revision (and read it
        # back in the same request) so that scheduling the same change again is a new request.
        bump: SubscriptionUpdateParams = {
            "metadata": {mapping.REVISION_KEY: mapping.next_revision(current.raw)},
            "expand": list(SUBSCRIPTION_EXPAND),
        }
        self._record(SubscriptionUpdateParams, bump)
        with stripe_errors("bump revision"):
            bumped = self.client.v1.subscriptions.update(
                subscription_id, bump, self._options(idempotency_key + ":revision")
            )
        return mapping.subscription_from_stripe(self.catalog, _dict(bumped))

    def cancel_now(self, subscription_id: str, *, idempotency_key: str) -> Subscription:
        with stripe_errors("cancel subscription"):
            canceled = self.client.v1.subscriptions.cancel(
                subscription_id, {"expand": list(SUBSCRIPTION_EXPAND)}, self._options(idempotency_key)
            )
        return mapping.subscription_from_stripe(self.catalog, _dict(canceled))

    def time_control(self) -> TestClockControl | None:
        if self.test_clock is None and self.create_test_clock:
            self._clock()
        return (
            None
            if self.test_clock is None
            else TestClockControl(
                client=self.client,
                clock_id=self.test_clock,
                intervals=tuple({plan.interval for plan in self.catalog.plans}),
            )
        )

    def close(self) -> None:
        return None


def _keep_trial(phases: list[dict[str, Any]], trial_end: int) -> None:
    """A phase is a trial only when it says so: without ``trial_end`` a schedule ends the trial
    (https://docs.stripe.com/api/subscription_schedules/update#update_subscription_schedule-phases-trial_end).
    The trial runs on through the phases it covers, each up to its own end."""
    for phase in phases:
        end = phase.get("end_date")
        phase["trial_end"] = trial_end if end is None else min(trial_end, end)
        if end is None or trial_end <= end:
            return
