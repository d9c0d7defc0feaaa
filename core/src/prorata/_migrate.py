"""Bulk migrations: move every selected subscription to a new price, once, at the provider's rate.

A migration is a selection (plan, provider price, status, customer), a change (swap and/or
quantity, a timing, a proration mode) and a name. ``dry_run()`` previews each subscription;
``run()`` applies them with bounded concurrency through an adaptive rate limiter. Every apply
carries the key ``derive_key("migrate", name, subscription_id)`` and goes through the journal,
so a run killed at any point and started again with the same name applies the rest and never
one subscription twice (a record left pending is replayed with its key, an applied one is
reported, not sent).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from prorata._change import AtDate, AtPeriodEnd, BillingCycle, Immediately, PlanChange, ProrationMode, Timing
from prorata._errors import BillingError, InvalidChangeError, ProviderUnavailableError
from prorata._exactly_once import recorded_subscription
from prorata._idempotency import derive_key
from prorata._listing import Listing, SubscriptionQuery, subscription_listing
from prorata._money import Money
from prorata._preview import ChangePreview, ChangeResult
from prorata._rate_limit import AdaptiveRateLimiter
from prorata._subscription import Subscription, SubscriptionStatus
from prorata.journal import EntryStatus

if TYPE_CHECKING:  # Billing imports this module
    from prorata._billing import Billing

__all__ = [
    "DOCUMENTED_WRITE_LIMITS",
    "Migration",
    "MigrationChange",
    "MigrationOutcome",
    "MigrationReport",
    "MigrationSelection",
    "migrate",
]

DOCUMENTED_WRITE_LIMITS: dict[str, float | None] = {
    "stripe": 25.0,
    "dodo": 10.0,
    "local": None,
}
"""Writes per second a migration sends by default. Stripe: 25 requests/s per endpoint (one
endpoint, ``POST /v1/subscriptions/{id}``, takes every apply) and 25/s globally in a sandbox,
100/s globally live (https://docs.stripe.com/rate-limits). Dodo publishes no figure
(unconfirmed): 10/s is a conservative guess, change it with ``rate=``. Local: no limit."""

MAX_THROTTLES = 8
"""429 answers one subscription may get before it is reported failed."""

LIVE = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE)


@attrs.frozen(kw_only=True, slots=True)
class MigrationSelection:
    """Which subscriptions to migrate (filters combine with AND)."""

    plan: str | None = None
    """Subscriptions with an item on this plan key."""
    price: str | None = None
    """Or: on this provider price (a Stripe ``price_...``, a Dodo ``pdt_...``), mapped to its plan."""
    statuses: tuple[SubscriptionStatus, ...] = attrs.field(
        default=LIVE, converter=lambda v: tuple(SubscriptionStatus(s) for s in v)
    )
    """Statuses to include (default: active, trialing, past due)."""
    customer_id: str | None = None
    """Only this customer's subscriptions."""


@attrs.frozen(kw_only=True, slots=True)
class MigrationChange:
    """What to do to each selected subscription."""

    to_plan: str | None = None
    """Swap the selected plan for this one."""
    quantity: int | None = None
    """Set the (new) plan's quantity."""
    timing: Timing = attrs.field(factory=Immediately)
    """``Immediately()``, ``AtPeriodEnd()`` or ``AtDate(at=...)``."""
    proration: ProrationMode = attrs.field(default=ProrationMode.PRORATE_NOW, converter=ProrationMode)
    """How an immediate change is billed."""
    billing_cycle: BillingCycle = attrs.field(default=BillingCycle.KEEP, converter=BillingCycle)
    """Keep or reset the billing cycle."""

    @classmethod
    def timing_from(cls, text: str) -> Timing:
        """``now``, ``period-end`` or an ISO-8601 instant."""
        if text in ("now", "immediately"):
            return Immediately()
        if text in ("period-end", "period_end", "at-period-end"):
            return AtPeriodEnd()
        try:
            return AtDate(at=datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError as exc:
            raise InvalidChangeError("timing", text, "now, period-end or an ISO-8601 UTC instant") from exc

    def plan_change(self, from_plan: str) -> PlanChange:
        options = {"timing": self.timing, "proration": self.proration, "billing_cycle": self.billing_cycle}
        if self.to_plan is not None:
            return PlanChange.swap(from_plan, self.to_plan, quantity=self.quantity, **options)
        if self.quantity is not None:
            return PlanChange.set_quantity(from_plan, self.quantity, **options)
        raise InvalidChangeError("MigrationChange", None, "a to_plan, a quantity or both")


@attrs.frozen(kw_only=True, slots=True)
class MigrationOutcome:
    """What happened to one subscription."""

    subscription_id: str
    """The subscription."""
    status: str
    """``applied``, ``already_applied`` (an earlier run did it), ``previewed``, ``skipped`` or ``failed``."""
    reason: str | None = None
    """Why it was skipped or failed."""
    error_type: str | None = None
    """The typed error's class name (``ConflictError``...)."""
    amount_due: Money | None = None
    """Due now for the change (dry run: previewed; run: what the apply invoiced)."""
    next_invoice_delta: Money | None = None
    """Dry run: the next invoice after the change minus the current items' recurring price."""

    def as_json(self) -> dict[str, object]:
        def money(value: Money | None) -> dict[str, object] | None:
            return None if value is None else {"amount": value.amount, "currency": value.currency}

        return {
            "subscription_id": self.subscription_id,
            "status": self.status,
            "reason": self.reason,
            "error_type": self.error_type,
            "amount_due": money(self.amount_due),
            "next_invoice_delta": money(self.next_invoice_delta),
        }


@attrs.frozen(kw_only=True, slots=True)
class MigrationReport:
    """The final report of a dry run or a run."""

    name: str
    """The migration's name (its journal key prefix)."""
    dry_run: bool
    """True for previews only."""
    outcomes: tuple[MigrationOutcome, ...]
    """One per selected subscription, in completion order."""
    elapsed: float
    """Seconds the run took."""
    writes_sent: int = 0
    """Applies sent to the provider (retries after a 429 included)."""
    throttled: int = 0
    """429 answers received."""

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def rate(self) -> float:
        """Applies (or previews) per second over the run."""
        done = self.count("applied") + self.count("previewed")
        return done / self.elapsed if self.elapsed > 0 else 0.0

    def totals(self, field: str) -> dict[str, int]:
        """Sum of ``amount_due`` or ``next_invoice_delta`` per currency (minor units)."""
        sums: Counter[str] = Counter()
        for outcome in self.outcomes:
            value: Money | None = getattr(outcome, field)
            if value is not None:
                sums[value.currency] += value.amount
        return dict(sums)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "dry_run": self.dry_run,
            "selected": len(self.outcomes),
            "applied": self.count("applied"),
            "already_applied": self.count("already_applied"),
            "previewed": self.count("previewed"),
            "skipped": [o.as_json() for o in self.outcomes if o.status == "skipped"],
            "failed": [o.as_json() for o in self.outcomes if o.status == "failed"],
            "due_now": self.totals("amount_due"),
            "next_invoice_delta": self.totals("next_invoice_delta"),
            "elapsed_seconds": round(self.elapsed, 3),
            "per_second": round(self.rate, 2),
            "writes_sent": self.writes_sent,
            "throttled": self.throttled,
        }


def _refused(subscription_id: str, status: str, exc: BillingError) -> MigrationOutcome:
    return MigrationOutcome(
        subscription_id=subscription_id, status=status, reason=str(exc), error_type=type(exc).__name__
    )


def _is_throttle(exc: BillingError) -> bool:
    return isinstance(exc, ProviderUnavailableError) and (
        exc.http_status == 429
        or (exc.code or "").lower() in ("rate_limit", "rate_limited", "too_many_requests")
    )


DEFAULT_CONCURRENCY = 8
"""Applies in flight at once by default. The limiter paces the writes whatever the number: this
only has to cover the time one apply takes (``rate x latency`` in flight on average, more when
latency varies; at 25/s, 4 in flight left the limit idle whenever an apply took over 0.16 s)."""


class Migration:
    """One named migration on ``billing`` (see the module docstring).

    Args:
        rate: writes per second (default :data:`DOCUMENTED_WRITE_LIMITS` for the provider;
            None or 0: unlimited).
        concurrency: applies in flight at once.
        on_outcome: called (in the caller's thread) with each outcome as it completes.
    """

    def __init__(
        self,
        billing: Billing,
        selection: MigrationSelection,
        change: MigrationChange,
        *,
        name: str | None = None,
        rate: float | str | None = "documented",
        concurrency: int = DEFAULT_CONCURRENCY,
        on_outcome: Callable[[MigrationOutcome], None] | None = None,
        page_size: int = 100,
    ) -> None:
        self.billing = billing
        self.selection = selection
        self.change = change
        self.name = name or derive_key("migration", selection, change)[:24]
        limit = DOCUMENTED_WRITE_LIMITS.get(billing.provider.name, 10.0) if rate == "documented" else rate
        self.concurrency = max(1, concurrency)
        # The bucket holds a token per worker (at most a second's worth): a token that comes due
        # while every worker is busy, or while a thread oversleeps its wait, is spent when one is
        # free instead of being lost, so the run keeps the limit without sending more than
        # ``rate * t + concurrency`` writes in any ``t`` seconds.
        self.limiter = (
            AdaptiveRateLimiter(float(limit), burst=min(float(self.concurrency), float(limit)))
            if isinstance(limit, (int, float)) and limit
            else None
        )
        self.on_outcome = on_outcome
        self.page_size = page_size
        self._from_plan = self._selected_plan()
        self._writes = 0
        self._lock = threading.Lock()
        self._seen: set[str] = set()

    def _selected_plan(self) -> str:
        catalog = self.billing.catalog
        if self.selection.price is not None:
            plan = catalog.by_ref(self.billing.provider.name, self.selection.price)
            if plan is None:
                raise InvalidChangeError(
                    "selection.price", self.selection.price, "a provider price that a catalog plan refers to"
                )
            if self.selection.plan not in (None, plan.key):
                raise InvalidChangeError(
                    "selection.plan", self.selection.plan, f"{plan.key} (the price's plan)"
                )
            return plan.key
        if self.selection.plan is None:
            raise InvalidChangeError("selection.plan", None, "a plan key or a provider price to migrate from")
        return catalog.get(self.selection.plan, field="selection.plan").key

    def selected(self) -> Listing[Subscription]:
        """The subscriptions the selection matches now (read lazily, page by page)."""
        query = SubscriptionQuery(
            customer_id=self.selection.customer_id,
            statuses=self.selection.statuses,
            plans=(self._from_plan,),
            page_size=self.page_size,
        )
        return subscription_listing(self.billing.provider, query)

    def key(self, subscription_id: str) -> str:
        """The idempotency key of this migration's apply on one subscription."""
        return derive_key("migrate", self.name, subscription_id)

    # -- one subscription -----------------------------------------------------------------------

    def _paced(self, call: Callable[[], object]) -> object:
        """``call`` through the limiter, again after each 429 (adaptive backoff)."""
        throttles = 0
        while True:
            if self.limiter is not None:
                self.limiter.acquire()
            with self._lock:
                self._writes += 1
            try:
                return call()
            except BillingError as exc:
                if not _is_throttle(exc) or throttles >= MAX_THROTTLES:
                    raise
                throttles += 1
                retry_after = exc.retry_after if isinstance(exc, ProviderUnavailableError) else None
                if self.limiter is not None:
                    self.limiter.throttle(retry_after)
                else:
                    time.sleep(retry_after or 0.5 * throttles)

    def _recurring(self, subscription: Subscription) -> Money:
        catalog = self.billing.catalog
        total = 0
        for item in subscription.items:
            total += catalog.get(item.plan).price.amount * item.quantity
        return Money.of(total, subscription.currency)

    def _preview_one(self, subscription: Subscription) -> MigrationOutcome:
        change = self.change.plan_change(self._from_plan)
        try:
            self.billing.check(subscription, change)
            preview = self._paced(lambda: self.billing.preview(subscription, change))
        except BillingError as exc:
            return _refused(subscription.id, "skipped", exc)
        assert isinstance(preview, ChangePreview)
        delta = None
        if preview.next_invoice is not None:
            after = preview.next_invoice.totals.total
            delta = Money.of(after.amount - self._recurring(subscription).amount, after.currency)
        return MigrationOutcome(
            subscription_id=subscription.id,
            status="previewed",
            amount_due=preview.totals.amount_due,
            next_invoice_delta=delta,
        )

    def _apply_one(self, subscription: Subscription) -> MigrationOutcome:
        key = self.key(subscription.id)
        entry = self.billing.journal.find(key)
        if entry is not None and entry.status is EntryStatus.APPLIED:
            return MigrationOutcome(subscription_id=subscription.id, status="already_applied")
        change = self.change.plan_change(self._from_plan)
        if entry is not None and entry.status is EntryStatus.PENDING:
            # Left pending by a run that died: replay it from the state it was recorded with
            # (the journal sends it again with its key; the provider recognises the write).
            subscription = recorded_subscription(entry)
        else:
            try:
                self.billing.check(subscription, change)
            except BillingError as exc:
                return _refused(subscription.id, "skipped", exc)
        try:
            result = self._paced(lambda: self.billing.apply(subscription, change, idempotency_key=key))
        except BillingError as exc:
            return _refused(subscription.id, "failed", exc)
        assert isinstance(result, ChangeResult)
        due = result.invoice.totals.amount_due if result.invoice is not None else None
        return MigrationOutcome(subscription_id=subscription.id, status="applied", amount_due=due)

    # -- the run --------------------------------------------------------------------------------

    def _progress(self, counts: Counter[str]) -> None:
        self.billing.journal.set_progress(
            f"migration:{self.name}", json.dumps({"counts": dict(counts), "at": time.time()}, sort_keys=True)
        )

    def progress(self) -> dict[str, int]:
        """What earlier runs of this migration recorded (status -> count)."""
        stored = self.billing.journal.get_progress(f"migration:{self.name}")
        return {} if stored is None else dict(json.loads(stored)["counts"])

    def _execute(self, one: Callable[[Subscription], MigrationOutcome], dry_run: bool) -> MigrationReport:
        began = time.monotonic()
        outcomes: list[MigrationOutcome] = []
        counts: Counter[str] = Counter(self.progress()) if not dry_run else Counter()
        seen = self._seen = set[str]()

        def finish(future: Future[MigrationOutcome]) -> None:
            outcome = future.result()
            outcomes.append(outcome)
            if not dry_run:
                counts[outcome.status] += 1
                self._progress(counts)
            if self.on_outcome is not None:
                self.on_outcome(outcome)

        pending: set[Future[MigrationOutcome]] = set()
        # A page's worth queued ahead: the workers keep busy while the next page is read.
        window = max(2 * self.concurrency, self.page_size)
        throttled_before = self.limiter.throttled if self.limiter is not None else 0
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="prorata-migrate") as pool:
            try:
                for subscription in self._stream(resume=not dry_run):
                    if subscription.id in seen:  # a page shifted under us: never twice
                        continue
                    seen.add(subscription.id)
                    while len(pending) >= window:  # bounded: memory stays flat
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for future in done:
                            finish(future)
                    pending.add(pool.submit(one, subscription))
                    for future in [f for f in pending if f.done()]:  # report as they complete
                        pending.discard(future)
                        finish(future)
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        finish(future)
            finally:
                for future in pending:  # Ctrl-C: let the in-flight applies finish and record them
                    future.cancel()
        throttled = (self.limiter.throttled if self.limiter is not None else 0) - throttled_before
        return MigrationReport(
            name=self.name,
            dry_run=dry_run,
            outcomes=tuple(outcomes),
            elapsed=time.monotonic() - began,
            writes_sent=self._writes,
            throttled=throttled,
        )

    def _stream(self, resume: bool) -> Iterator[Subscription]:
        """First the subscriptions an earlier run left pending (their apply may have reached
        the provider: replayed with their key, whatever the selection says now), then the
        selection."""
        for entry in list(self.billing.journal.entries()) if resume else []:
            sub_id = entry.subscription_id
            if (
                entry.status is EntryStatus.PENDING
                and sub_id is not None
                and entry.change_id == self.key(sub_id)
            ):
                yield self.billing.get(sub_id)
        # Again until a pass finds nothing new: the run changes the set it lists, and offset
        # pages (Dodo's page numbers) skip rows when earlier rows leave the selection.
        while True:
            fresh = False
            for subscription in self.selected():
                if subscription.id not in self._seen:
                    fresh = True
                    yield subscription
            if not fresh:
                return

    def dry_run(self) -> MigrationReport:
        """Preview every selected subscription: nothing changes."""
        return self._execute(self._preview_one, dry_run=True)

    def run(self) -> MigrationReport:
        """Apply the change to every selected subscription, each exactly once across runs."""
        return self._execute(self._apply_one, dry_run=False)


def migrate(
    billing: Billing,
    *,
    plan: str | None = None,
    price: str | None = None,
    status: tuple[SubscriptionStatus | str, ...] = LIVE,
    customer_id: str | None = None,
    to_plan: str | None = None,
    quantity: int | None = None,
    timing: Timing | str = "now",
    proration: ProrationMode | str = ProrationMode.PRORATE_NOW,
    billing_cycle: BillingCycle | str = BillingCycle.KEEP,
    name: str | None = None,
    dry_run: bool = False,
    rate: float | str | None = "documented",
    concurrency: int = 4,
    on_outcome: Callable[[MigrationOutcome], None] | None = None,
) -> MigrationReport:
    """Build a :class:`Migration` from plain arguments and dry-run or run it."""
    migration = Migration(
        billing,
        MigrationSelection(plan=plan, price=price, statuses=status, customer_id=customer_id),  # pyright: ignore[reportArgumentType]
        MigrationChange(
            to_plan=to_plan,
            quantity=quantity,
            timing=MigrationChange.timing_from(timing) if isinstance(timing, str) else timing,
            proration=proration,  # pyright: ignore[reportArgumentType]
            billing_cycle=billing_cycle,  # pyright: ignore[reportArgumentType]
        ),
        name=name,
        rate=rate,
        concurrency=concurrency,
        on_outcome=on_outcome,
    )
    return migration.dry_run() if dry_run else migration.run()
