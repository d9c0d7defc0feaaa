"""The local billing engine: lifecycle, plan changes, invoices and time, on SQLite."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

import attrs

from prorata._calendar import add_intervals, period_containing
from prorata._catalog import Catalog
from prorata._change import (
    AtDate,
    AtPeriodEnd,
    BillingCycle,
    Immediately,
    PhasedSchedule,
    PlanChange,
    ProrationMode,
)
from prorata._errors import (
    ConflictError,
    InvalidChangeError,
    InvalidStateError,
    PaymentDeclinedError,
    ValidationError,
)
from prorata._invoice import ChargeLine, Invoice, InvoiceStatus, Totals, UpcomingInvoice
from prorata._items import CollectionMethod, Discount, DiscountDuration, Item
from prorata._listing import InvoiceQuery, Page, Pages, SubscriptionQuery
from prorata._money import Money
from prorata._payments import PaymentAction
from prorata._preview import ChangePreview, ChangeResult
from prorata._provider import TEST_CARD_DECLINES, Customer, NewCustomer, NewSubscription
from prorata._schedule import EndBehavior, Phase, Schedule, ScheduledChange
from prorata._serialization import dumps, loads
from prorata._subscription import Subscription, SubscriptionStatus
from prorata.local._actions import REQUIRES_ACTION_METHODS, payment_action_for
from prorata.local._maths import (
    ChangeLines,
    change_lines,
    first_period_lines,
    invoice_totals,
    renewal_lines,
)
from prorata.local._state import LocalState, PendingChange
from prorata.local._store import CustomerRow, Store
from prorata.local._trial_notice import notice_at, send_notice
from prorata.local._wall_time import now_utc

__all__ = ["DECLINING_PAYMENT_METHODS", "LocalEngine"]

T = TypeVar("T")

PROVIDER = "local"
DECLINING_PAYMENT_METHODS = frozenset({TEST_CARD_DECLINES, "pm_card_chargeDeclined"})
"""Payment methods whose charges the local engine declines (for tests and demos)."""


@attrs.frozen(kw_only=True, slots=True)
class _Outcome:
    """What a change does, computed without writing anything."""

    state: LocalState
    lines: tuple[ChargeLine, ...]
    effective_at: datetime
    proration_time: datetime
    bill_now: bool = True
    """False for scheduled changes: their lines are billed when the change takes effect."""
    later: tuple[ChargeLine, ...] = ()
    """Prorations a scheduled change will leave for the next invoice after it takes effect."""


def _preview_items(change: PlanChange, target: tuple[Item, ...]) -> tuple[Item, ...]:
    """ChangePreview.items: the target, or for a schedule the phase after the current one."""
    if isinstance(change.timing, PhasedSchedule):
        phases = change.timing.schedule.phases
        following = phases[1:2] or phases[:1]
        return following[0].items
    return target


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256(
        "|".join(dumps(part) if not isinstance(part, str) else part for part in parts).encode()
    ).hexdigest()


def _start_discounts(discounts: Sequence[Discount]) -> tuple[Discount, ...]:
    started: list[Discount] = []
    for discount in discounts:
        if discount.cycles_remaining is None and discount.duration is not DiscountDuration.FOREVER:
            cycles = 1 if discount.duration is DiscountDuration.ONCE else discount.duration_in_cycles
            discount = attrs.evolve(discount, cycles_remaining=cycles)
        started.append(discount)
    return tuple(started)


def _consume_discounts(discounts: Sequence[Discount]) -> tuple[Discount, ...]:
    kept: list[Discount] = []
    for discount in discounts:
        if discount.cycles_remaining is not None:
            discount = attrs.evolve(discount, cycles_remaining=discount.cycles_remaining - 1)
            if discount.cycles_remaining is not None and discount.cycles_remaining <= 0:
                continue
        kept.append(discount)
    return tuple(kept)


ADVANCE_BATCH = 500
"""Due events processed per transaction by ``advance`` (one index range read per batch)."""

MAX_ADVANCE_YEARS = 100
"""How far one ``advance`` may move the clock (renewals past year 9999 cannot be computed)."""


class LocalEngine:
    """A real billing engine on SQLite, with virtual time moved by :meth:`advance`.

    ``fault_hook`` is called with a checkpoint name inside each change's transaction
    (``"after_invoice"``, ``"after_subscription"``); raising there proves that nothing is
    half-applied.
    """

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        *,
        start: datetime | None = None,
        follow_wall_clock: bool = False,
        fault_hook: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.follow_wall_clock = follow_wall_clock
        self.fault_hook = fault_hook
        with store.transaction():
            if store.get_time() is None:
                store.set_time((start or now_utc()).replace(microsecond=0))

    # -- time -------------------------------------------------------------------------------

    def now(self) -> datetime:
        stored = self.store.get_time()
        assert stored is not None
        if self.follow_wall_clock:
            wall = now_utc()
            if wall > stored:
                with contextlib.suppress(ValidationError):  # another process moved it further
                    self.advance(wall)
                stored = self.store.get_time()
                assert stored is not None
        return stored

    def advance(self, to: datetime) -> None:
        """Move time to ``to``, running every renewal, trial end and scheduled change due, in order."""
        to = to.replace(microsecond=0)
        current = self.store.get_time()
        assert current is not None
        if to < current:
            raise ValidationError(
                "advance.to", to.isoformat(), f"a time at or after the clock's {current.isoformat()}"
            )
        if to.year > current.year + MAX_ADVANCE_YEARS:
            raise ValidationError(
                "advance.to", to.isoformat(), f"a time at most {MAX_ADVANCE_YEARS} years after the clock"
            )
        while True:
            with self.store.transaction():
                # Read again inside the transaction: another process may have moved the clock
                # further meanwhile, and time never goes back.
                stored = self.store.get_time()
                assert stored is not None
                due = self.store.due(to, limit=ADVANCE_BATCH)
                if not due:
                    self.store.set_time(max(to, stored))
                    return
                self.store.set_time(max(self._run_batch(due), stored))

    def _run_batch(self, due: list[tuple[str, datetime]]) -> datetime:
        """Process a page of due events in order, in the caller's transaction; returns the last instant.

        It stops before an event that a processed one's next event precedes (or ties), so the
        global order is exactly one-at-a-time order; the next page's query picks that up.
        """
        horizon: datetime | None = None
        last = due[0][1]
        for subscription_id, at in due:
            if horizon is not None and at >= horizon:
                break
            with self.store.outbox.occurring_at(at):
                saved = self._process(self.store.state(subscription_id), at)
            last = at
            following = self._next_event(saved)
            if following is not None and (horizon is None or following < horizon):
                horizon = following
        return last

    def _checkpoint(self, name: str) -> None:
        if self.fault_hook is not None:
            self.fault_hook(name)

    # -- customers ----------------------------------------------------------------------------

    def create_customer(self, request: NewCustomer, key: str) -> Customer:
        def create() -> Customer:
            row = CustomerRow(
                id=self.store.next_id("cus"),
                email=request.email,
                name=request.name,
                payment_method=request.payment_method,
                balance=0,
                currency=None,
            )
            self.store.insert_customer(row)
            return Customer(id=row.id, email=row.email, name=row.name)

        return self._idempotent(key, _fingerprint("customer", request), Customer, create)

    def create_customers(self, requests: Sequence[NewCustomer]) -> list[Customer]:
        """Create many customers in one transaction (the bulk path; no idempotency records)."""
        with self.store.transaction():
            ids = self.store.next_ids("cus", len(requests))
            rows = [
                CustomerRow(
                    id=customer_id,
                    email=request.email,
                    name=request.name,
                    payment_method=request.payment_method,
                    balance=0,
                    currency=None,
                )
                for customer_id, request in zip(ids, requests, strict=True)
            ]
            self.store.insert_customers(rows)
        return [Customer(id=row.id, email=row.email, name=row.name) for row in rows]

    def set_payment_method(self, customer_id: str, payment_method: str | None) -> None:
        with self.store.transaction():
            row = self.store.customer(customer_id)
            self.store.update_customer(attrs.evolve(row, payment_method=payment_method))

    def balance(self, customer_id: str, currency: str | None = None) -> int:
        """The customer's credit balance in minor units (positive = credit), in ``currency``
        (a customer is billed in one currency: the balance in any other is 0)."""
        row = self.store.customer(customer_id)
        return row.balance if currency is None or row.currency in (None, currency) else 0

    # -- idempotency --------------------------------------------------------------------------

    def _idempotent(self, key: str, fingerprint: str, kind: type[T], action: Callable[[], T]) -> T:
        with self.store.transaction():
            recalled = self.store.recall(key)
            if recalled is not None:
                if recalled[0] != fingerprint:
                    raise ConflictError(
                        "idempotency key reused with a different request",
                        provider=PROVIDER,
                        code="idempotency_key_in_use",
                    )
                result = loads(recalled[1], kind)
                if isinstance(result, ChangeResult):
                    return attrs.evolve(result, replayed=True)  # pyright: ignore[reportReturnType]
                return result
            result = action()
            self.store.remember(key, fingerprint, dumps(result))
            return result

    # -- subscriptions ------------------------------------------------------------------------

    def create_subscription(self, request: NewSubscription, key: str) -> Subscription:
        return self._idempotent(
            key, _fingerprint("subscribe", request), Subscription, lambda: self._create(request)
        )

    def _create(self, request: NewSubscription) -> Subscription:
        return self._save(self._new_state(request)).subscription

    def _new_state(self, request: NewSubscription) -> LocalState:
        """A new subscription, its first invoice settled; the caller stores the state."""
        now = self.now()
        customer = self.store.customer(request.customer_id)
        plans = [
            self.catalog.get(item.plan, field=f"NewSubscription.items[{i}].plan")
            for i, item in enumerate(request.items)
        ]
        currency = plans[0].currency
        if customer.currency not in (None, currency):
            raise InvalidChangeError(
                "NewSubscription.items", currency, f"the customer's currency {customer.currency}"
            )
        trial_days = (
            max(plan.trial_days for plan in plans) if request.trial_days is None else request.trial_days
        )
        interval = plans[0].interval
        subscription_id = self.store.next_id("sub")
        trial_end = now + timedelta(days=trial_days) if trial_days else None
        anchor = trial_end or request.billing_cycle_anchor or now
        if anchor < now:
            raise InvalidChangeError(
                "NewSubscription.billing_cycle_anchor", anchor.isoformat(), "a time not in the past"
            )
        end = anchor if anchor > now else add_intervals(now, interval, 1)
        subscription = Subscription(
            id=subscription_id,
            customer_id=customer.id,
            provider=PROVIDER,
            status=SubscriptionStatus.TRIALING if trial_end else SubscriptionStatus.ACTIVE,
            items=request.items,
            currency=currency,
            current_period_start=now,
            current_period_end=end,
            billing_cycle_anchor=anchor,
            trial_end=trial_end,
            discounts=_start_discounts(request.discounts),
            tax_rates=request.tax_rates,
            collection_method=request.collection_method,
            days_until_due=request.days_until_due,
        )
        self.store.update_customer(attrs.evolve(customer, currency=currency))
        state = LocalState(subscription=subscription)
        if trial_end is None:
            lines = first_period_lines(self.catalog, request.items, now, end, anchor)
            invoice, paid = self._settle(state, lines, now, reason="subscription_create")
            state = attrs.evolve(
                state,
                subscription=attrs.evolve(
                    subscription,
                    discounts=_consume_discounts(subscription.discounts),
                    status=SubscriptionStatus.ACTIVE if paid else SubscriptionStatus.INCOMPLETE,
                    payment_action=self._action(customer.payment_method, invoice, paid),
                ),
            )
        return state

    def get(self, subscription_id: str) -> Subscription:
        self.now()
        return self.store.state(subscription_id).subscription

    def list(self, customer_id: str | None) -> list[Subscription]:
        return list(
            Pages(
                lambda cursor: self.subscriptions_page(
                    SubscriptionQuery(customer_id=customer_id, cursor=cursor)
                )
            )
        )

    def subscriptions_page(self, query: SubscriptionQuery) -> Page[Subscription]:
        """One page by id (keyset: the cursor is the last id of the previous page)."""
        self.now()
        states = self.store.states_page(query, after=query.cursor, limit=query.page_size + 1)
        more = len(states) > query.page_size
        items = tuple(state.subscription for state in states[: query.page_size])
        return Page(items=items, next_cursor=items[-1].id if more else None)

    def invoices(self, subscription_id: str) -> list[Invoice]:
        self.store.state(subscription_id)
        return list(
            Pages(
                lambda cursor: self.invoices_page(
                    InvoiceQuery(subscription_id=subscription_id, cursor=cursor)
                )
            )
        )

    def invoices_page(self, query: InvoiceQuery) -> Page[Invoice]:
        """One page, oldest first (the cursor is the last invoice's sequence number)."""
        after = None if query.cursor is None else int(query.cursor)
        invoices = self.store.invoices_page(
            subscription_id=query.subscription_id,
            customer_id=query.customer_id,
            after=after,
            limit=query.page_size + 1,
            newest_first=query.newest_first,
        )
        more = len(invoices) > query.page_size
        items = tuple(invoices[: query.page_size])
        return Page(items=items, next_cursor=items[-1].id.rsplit("_", 1)[-1] if more else None)

    def create_subscriptions(self, requests: Sequence[NewSubscription]) -> list[Subscription]:
        """Create many subscriptions in one transaction, billed as one by one would bill them.

        The bulk path for imports and benchmarks: no idempotency records (the whole batch
        commits or nothing does) and one ``executemany`` for the rows.
        """
        with self.store.transaction():
            states = [self._new_state(request) for request in requests]
            revised = [state.evolve_subscription(revision=self.store.next_id("rev")) for state in states]
            self.store.put_states([(state, self._next_event(state)) for state in revised])
            return [state.subscription for state in revised]

    # -- invoices and payments ----------------------------------------------------------------

    def _settle(
        self, state: LocalState, lines: Sequence[ChargeLine], at: datetime, *, reason: str
    ) -> tuple[Invoice, bool]:
        """Issue an invoice for ``lines`` and collect it. Returns it and whether it is paid."""
        sub = state.subscription
        customer = self.store.customer(sub.customer_id)
        totals = invoice_totals(
            lines,
            currency=sub.currency,
            discounts=sub.discounts,
            tax_rates=sub.tax_rates,
            balance=Money.of(customer.balance, sub.currency),
        )
        send = sub.collection_method is CollectionMethod.SEND_INVOICE
        if totals.amount_due.amount == 0:
            status, paid = InvoiceStatus.PAID, True
        elif (
            send
            or customer.payment_method is None
            or customer.payment_method in DECLINING_PAYMENT_METHODS
            or customer.payment_method in REQUIRES_ACTION_METHODS
        ):
            status, paid = InvoiceStatus.OPEN, False
        else:
            status, paid = InvoiceStatus.PAID, True
        invoice = Invoice(
            id=self.store.next_id("in"),
            subscription_id=sub.id,
            status=status,
            currency=sub.currency,
            lines=tuple(lines),
            totals=totals,
            created=at,
            collection_method=sub.collection_method,
            due_date=at + timedelta(days=sub.days_until_due or 0) if send else None,
            reason=reason,
        )
        balance = customer.balance - totals.balance_applied.amount + totals.credited.amount
        self.store.update_customer(attrs.evolve(customer, balance=balance))
        self.store.put_invoice(invoice, sub.customer_id)
        return invoice, paid or send

    @staticmethod
    def _action(method: str | None, invoice: Invoice, paid: bool) -> PaymentAction | None:
        """The customer's action for an unpaid invoice, when their card requires one."""
        return None if paid or method not in REQUIRES_ACTION_METHODS else payment_action_for(invoice)

    def pay_invoice(self, invoice_id: str) -> Invoice:
        """Collect an open invoice with the customer's current payment method."""
        with self.store.transaction():
            invoice = self.store.invoice(invoice_id)
            if invoice.status is not InvoiceStatus.OPEN:
                raise InvalidStateError(invoice_id, invoice.status.value, "only an open invoice can be paid")
            assert invoice.subscription_id is not None
            state = self.store.state(invoice.subscription_id)
            customer = self.store.customer(state.subscription.customer_id)
            if customer.payment_method is None or customer.payment_method in DECLINING_PAYMENT_METHODS:
                raise PaymentDeclinedError(
                    f"payment for {invoice_id} was declined", provider=PROVIDER, code="card_declined"
                )
            if customer.payment_method in REQUIRES_ACTION_METHODS:
                raise PaymentDeclinedError(
                    f"payment for {invoice_id} needs the customer (see Subscription.payment_action)",
                    provider=PROVIDER,
                    code="authentication_required",
                )
            paid = attrs.evolve(invoice, status=InvoiceStatus.PAID)
            self.store.put_invoice(paid, customer.id)
            if state.subscription.status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.INCOMPLETE):
                state = state.evolve_subscription(status=SubscriptionStatus.ACTIVE, payment_action=None)
                self._save(state)
            return paid

    # -- plan changes -------------------------------------------------------------------------

    def _proration_time(self, sub: Subscription, requested: datetime | None) -> datetime:
        now = self.now()
        if requested is None:
            return now
        if requested > now or requested < sub.current_period_start:
            raise InvalidChangeError(
                "proration_time",
                requested.isoformat(),
                "a time within the current period and not in the future (the preview is stale: preview again)",
            )
        return requested

    def _immediate(
        self,
        state: LocalState,
        target: tuple[Item, ...],
        at: datetime,
        mode: ProrationMode,
        cycle: BillingCycle,
    ) -> tuple[LocalState, tuple[ChargeLine, ...]]:
        sub = state.subscription
        ends_trial = sub.status is SubscriptionStatus.TRIALING and cycle is BillingCycle.RESET
        if ends_trial:  # the trial ends now: the new items' full first period, no credit for trial time
            mode = ProrationMode.FULL_PRICE_NOW
        elif sub.status is SubscriptionStatus.TRIALING:
            mode, cycle = ProrationMode.NO_BILLING, BillingCycle.KEEP  # nothing is billed during a trial
        computed = change_lines(
            self.catalog,
            sub.items,
            target,
            period_start=sub.current_period_start,
            period_end=sub.current_period_end,
            at=at,
            mode=mode,
            cycle=cycle,
        )
        updated = attrs.evolve(
            sub,
            items=target,
            current_period_start=computed.period_start,
            current_period_end=computed.period_end,
            billing_cycle_anchor=computed.anchor or sub.billing_cycle_anchor,
        )
        if ends_trial:
            updated = attrs.evolve(updated, status=SubscriptionStatus.ACTIVE, trial_end=at)
        return attrs.evolve(
            state, subscription=updated, pending_lines=state.pending_lines + computed.pending
        ), computed.now

    def _outcome(
        self, state: LocalState, change: PlanChange, target: tuple[Item, ...], proration_time: datetime | None
    ) -> _Outcome:
        sub = state.subscription
        timing = change.timing
        if change.replace_pending:
            state = attrs.evolve(
                state,
                pending_change=None,
                phase_index=0,
                subscription=attrs.evolve(sub, scheduled_change=None, schedule=None),
            )
        if change.resumes:
            state = state.evolve_subscription(cancel_at_period_end=False)
        if change.cancels_at_period_end:
            state = state.evolve_subscription(cancel_at_period_end=True)
        match timing:
            case Immediately():
                at = self._proration_time(sub, proration_time)
                lines: tuple[ChargeLine, ...] = ()
                if change.changes_items:
                    state, lines = self._immediate(state, target, at, change.proration, change.billing_cycle)
                return _Outcome(state=state, lines=lines, effective_at=at, proration_time=at)
            case AtPeriodEnd() | AtDate():
                when = sub.current_period_end if isinstance(timing, AtPeriodEnd) else timing.at
                if when <= self.now():
                    raise InvalidChangeError("PlanChange.timing.at", when.isoformat(), "a time in the future")
                mode = ProrationMode.NO_BILLING if when == sub.current_period_end else change.proration
                pending = PendingChange(items=target, effective_at=when, proration=mode)
                state = attrs.evolve(
                    state,
                    pending_change=pending,
                    subscription=attrs.evolve(
                        state.subscription,
                        scheduled_change=ScheduledChange(
                            items=target, effective_at=when, id=f"{sub.id}:change"
                        ),
                    ),
                )
                at_change = self._lines_at(sub, target, when, mode)
                return _Outcome(
                    state=state,
                    lines=at_change.now,
                    later=at_change.pending,
                    effective_at=when,
                    proration_time=when,
                    bill_now=False,
                )
            case PhasedSchedule(schedule=schedule):
                at = self._proration_time(sub, proration_time)
                resolved = self._resolve(schedule, sub, at)
                first = resolved.phases[0]
                lines = ()
                if {i.plan: i.quantity for i in first.items} != sub.plan_quantities:
                    state, lines = self._immediate(
                        state, first.items, at, change.proration, BillingCycle.KEEP
                    )
                state = self._enter_phase(state, first)
                state = attrs.evolve(
                    state, phase_index=0, subscription=attrs.evolve(state.subscription, schedule=resolved)
                )
                state = self._release_if_open_ended(state)
                return _Outcome(state=state, lines=lines, effective_at=at, proration_time=at)

    def _lines_at(
        self, sub: Subscription, target: tuple[Item, ...], when: datetime, mode: ProrationMode
    ) -> ChangeLines:
        """What a change scheduled for ``when`` will invoice then (if nothing else changes first)."""
        if sub.status is SubscriptionStatus.TRIALING and sub.trial_end is not None and when < sub.trial_end:
            return ChangeLines(
                now=(),
                pending=(),
                period_start=sub.current_period_start,
                period_end=sub.current_period_end,
                anchor=None,
            )
        interval = self.catalog.get(sub.items[0].plan).interval
        if when < sub.current_period_end:
            start, end = sub.current_period_start, sub.current_period_end
        else:
            start, end = period_containing(sub.billing_cycle_anchor, interval, when)
        if when == start:
            return ChangeLines(
                now=(),
                pending=(),
                period_start=sub.current_period_start,
                period_end=sub.current_period_end,
                anchor=None,
            )
        return change_lines(
            self.catalog,
            sub.items,
            target,
            period_start=start,
            period_end=end,
            at=when,
            mode=mode,
            cycle=BillingCycle.KEEP,
        )

    def _resolve(self, schedule: Schedule, sub: Subscription, now: datetime) -> Schedule:
        """Give every phase its start and end (cycles are counted in the phase's interval)."""
        phases: list[Phase] = []
        start = schedule.phases[0].start or sub.current_period_start
        if start > now:
            raise InvalidChangeError(
                "PlanChange.timing.schedule.phases[0].start",
                start.isoformat(),
                "a start at or before now (the first phase is the current one)",
            )
        for index, phase in enumerate(schedule.phases):
            if phase.start is not None and index and phase.start != start:
                raise InvalidChangeError(
                    f"PlanChange.timing.schedule.phases[{index}].start",
                    phase.start.isoformat(),
                    f"the previous phase's end {start.isoformat()}",
                )
            end = phase.end
            if end is None and phase.cycles is not None:
                end = add_intervals(start, self.catalog.get(phase.items[0].plan).interval, phase.cycles)
            if end is not None and end <= now:
                raise InvalidChangeError(
                    f"PlanChange.timing.schedule.phases[{index}].end", end.isoformat(), "an end in the future"
                )
            phases.append(attrs.evolve(phase, start=start, end=end, cycles=None))
            if end is None:
                break
            start = end
        return Schedule(
            phases=tuple(phases), end_behavior=schedule.end_behavior, id=schedule.id or f"{sub.id}:schedule"
        )

    def _enter_phase(self, state: LocalState, phase: Phase) -> LocalState:
        sub = state.subscription
        discounts = sub.discounts if phase.discounts is None else _start_discounts(phase.discounts)
        taxes = sub.tax_rates if phase.tax_rates is None else phase.tax_rates
        return state.evolve_subscription(discounts=discounts, tax_rates=taxes)

    def _release_if_open_ended(self, state: LocalState) -> LocalState:
        schedule = state.subscription.schedule
        if schedule is None:
            return state
        current = schedule.phases[state.phase_index]
        if state.phase_index == len(schedule.phases) - 1 and current.end is None:
            return attrs.evolve(
                state, phase_index=0, subscription=attrs.evolve(state.subscription, schedule=None)
            )
        return state

    def preview(
        self, sub: Subscription, change: PlanChange, target: tuple[Item, ...], proration_time: datetime | None
    ) -> ChangePreview:
        state = self.store.state(sub.id)
        outcome = self._outcome(state, change, target, proration_time)
        customer = self.store.customer(sub.customer_id)
        after = outcome.state.subscription
        totals = invoice_totals(
            outcome.lines,
            currency=sub.currency,
            discounts=after.discounts,
            tax_rates=after.tax_rates,
            balance=Money.of(customer.balance, sub.currency),
        )
        balance_after = customer.balance - totals.balance_applied.amount + totals.credited.amount
        return ChangePreview(
            provider=PROVIDER,
            subscription_id=sub.id,
            change=change,
            currency=sub.currency,
            lines=outcome.lines,
            totals=totals if outcome.lines else Totals.zero(sub.currency),
            pending_lines=outcome.state.pending_lines + outcome.later,
            items=_preview_items(change, target),
            effective_at=outcome.effective_at,
            proration_time=outcome.proration_time,
            period_end=after.current_period_end,
            next_invoice=self._upcoming(outcome.state, balance_after, outcome.later),
            schedule=after.schedule,
            created_at=self.now(),
        )

    def _upcoming(
        self, state: LocalState, balance: int, later: tuple[ChargeLine, ...] = ()
    ) -> UpcomingInvoice | None:
        """The next regular invoice as things would stand (pending changes at the boundary included)."""
        sub = state.subscription
        if sub.cancel_at_period_end or sub.status is SubscriptionStatus.CANCELED:
            return None
        at = sub.current_period_end
        items = sub.items
        if state.pending_change is not None and state.pending_change.effective_at <= at:
            items = state.pending_change.items
        start, end = (
            at,
            period_containing(sub.billing_cycle_anchor, self.catalog.get(items[0].plan).interval, at)[1],
        )
        if state.pending_change is not None and state.pending_change.effective_at > at:
            later = ()  # the scheduled change happens after this invoice
        lines = state.pending_lines + later + renewal_lines(self.catalog, items, start, end)
        totals = invoice_totals(
            lines,
            currency=sub.currency,
            discounts=sub.discounts,
            tax_rates=sub.tax_rates,
            balance=Money.of(balance, sub.currency),
        )
        return UpcomingInvoice(at=at, lines=lines, totals=totals)

    def apply(
        self,
        sub: Subscription,
        change: PlanChange,
        target: tuple[Item, ...],
        proration_time: datetime | None,
        key: str,
    ) -> ChangeResult:
        fingerprint = _fingerprint(
            "change", sub.id, change, target, proration_time.isoformat() if proration_time else "now"
        )
        declined: list[PaymentDeclinedError] = []

        def run() -> ChangeResult:
            state = self.store.state(sub.id)
            stored = state.subscription
            if (sub.revision is not None and stored.revision != sub.revision) or (
                stored.plan_quantities != sub.plan_quantities or stored.status != sub.status
            ):
                raise ConflictError(
                    f"subscription {sub.id} changed since it was read (revision {sub.revision}, "
                    f"now {stored.revision}); read it again",
                    provider=PROVIDER,
                    code="stale_subscription",
                )
            if (
                (stored.scheduled_change is not None or stored.schedule is not None)
                and change.changes_items
                and not change.replace_pending
            ):
                raise ConflictError(
                    f"subscription {sub.id} already has a pending scheduled change; "
                    "cancel it or pass replace_pending=True to replace it explicitly",
                    provider=PROVIDER,
                    code="pending_change",
                )
            outcome = self._outcome(state, change, target, proration_time)
            new_state, invoice = outcome.state, None
            if outcome.lines and outcome.bill_now:
                invoice, paid = self._settle(
                    new_state, outcome.lines, outcome.effective_at, reason="subscription_update"
                )
                self._checkpoint("after_invoice")
                if not paid:
                    if change.on_payment_failure.value == "keep_old_plan":
                        voided = attrs.evolve(invoice, status=InvoiceStatus.VOID)
                        self.store.put_invoice(voided, sub.customer_id)
                        customer = self.store.customer(sub.customer_id)
                        restored = (
                            customer.balance
                            + invoice.totals.balance_applied.amount
                            - invoice.totals.credited.amount
                        )
                        self.store.update_customer(attrs.evolve(customer, balance=restored))
                        declined.append(
                            PaymentDeclinedError(
                                f"the payment for this change was declined (invoice {invoice.id} voided); the subscription is unchanged",
                                provider=PROVIDER,
                                code="card_declined",
                            )
                        )
                        return ChangeResult(subscription=state.subscription, invoice=voided)
                    customer = self.store.customer(sub.customer_id)
                    new_state = new_state.evolve_subscription(
                        status=SubscriptionStatus.PAST_DUE,
                        payment_action=self._action(customer.payment_method, invoice, paid),
                    )
            new_state = self._save(new_state)
            self._checkpoint("after_subscription")
            return ChangeResult(
                subscription=new_state.subscription,
                invoice=invoice,
                schedule=new_state.subscription.schedule,
                payment_action=new_state.subscription.payment_action,
            )

        result = self._idempotent(key, fingerprint, ChangeResult, run)
        if declined or (result.invoice is not None and result.invoice.status is InvoiceStatus.VOID):
            raise (
                declined[0]
                if declined
                else PaymentDeclinedError(
                    f"the payment for this change was declined (invoice {result.invoice.id if result.invoice else '?'} voided)",
                    provider=PROVIDER,
                    code="card_declined",
                )
            )
        return result

    def cancel_scheduled_change(self, subscription_id: str, key: str) -> Subscription:
        def run() -> Subscription:
            state = self.store.state(subscription_id)
            state = attrs.evolve(
                state,
                pending_change=None,
                phase_index=0,
                subscription=attrs.evolve(state.subscription, scheduled_change=None, schedule=None),
            )
            return self._save(state).subscription

        return self._idempotent(key, _fingerprint("unschedule", subscription_id), Subscription, run)

    def cancel_now(self, subscription_id: str, key: str) -> Subscription:
        def run() -> Subscription:
            state = self.store.state(subscription_id)
            if state.subscription.is_canceled:
                raise InvalidStateError(subscription_id, "canceled", "already canceled")
            return self._save(self._cancel(state, self.now())).subscription

        return self._idempotent(key, _fingerprint("cancel", subscription_id), Subscription, run)

    # -- time-driven events -------------------------------------------------------------------

    def _cancel(self, state: LocalState, at: datetime) -> LocalState:
        sub = attrs.evolve(
            state.subscription,
            status=SubscriptionStatus.CANCELED,
            canceled_at=at,
            cancel_at_period_end=False,
            scheduled_change=None,
            schedule=None,
        )
        return attrs.evolve(state, subscription=sub, pending_change=None)

    def _next_event(self, state: LocalState) -> datetime | None:
        sub = state.subscription
        if sub.is_canceled:
            return None
        times = [sub.current_period_end]
        if state.pending_change is not None:
            times.append(state.pending_change.effective_at)
        if sub.schedule is not None:
            current = sub.schedule.phases[state.phase_index]
            if current.end is not None:
                times.append(current.end)
        notice = notice_at(state)
        if notice is not None and notice < min(times):
            return notice
        return min(times)

    def _save(self, state: LocalState) -> LocalState:
        """Store ``state`` with a new revision; returns what was stored."""
        state = state.evolve_subscription(revision=self.store.next_id("rev"))
        self.store.put_state(state, self._next_event(state))
        return state

    def _bill_due_change(self, state: LocalState, lines: tuple[ChargeLine, ...], at: datetime) -> LocalState:
        """Invoice a change that time brought due; an unpaid invoice leaves the subscription past due."""
        if not lines:
            return state
        _, paid = self._settle(state, lines, at, reason="subscription_update")
        return state if paid else state.evolve_subscription(status=SubscriptionStatus.PAST_DUE)

    def _process(self, state: LocalState, at: datetime) -> LocalState:
        """Run everything due at ``at`` for one subscription: changes, phases, then renewal."""
        if notice_at(state) == at:
            state = send_notice(self.store.outbox, state)
            if self._next_event(state) != at:  # only the notice was due: no new revision
                self.store.put_state(state, self._next_event(state))
                return state
        pending = state.pending_change
        if pending is not None and pending.effective_at == at:
            state, lines = self._immediate(
                attrs.evolve(state, pending_change=None),
                pending.items,
                at,
                pending.proration,
                BillingCycle.KEEP,
            )
            state = self._bill_due_change(state.evolve_subscription(scheduled_change=None), lines, at)
        schedule = state.subscription.schedule
        if schedule is not None:
            current = schedule.phases[state.phase_index]
            if current.end == at:
                if state.phase_index + 1 < len(schedule.phases):
                    following = schedule.phases[state.phase_index + 1]
                    mode = (
                        ProrationMode.PRORATE_NOW if following.prorate_at_start else ProrationMode.NO_BILLING
                    )
                    state, lines = self._immediate(state, following.items, at, mode, BillingCycle.KEEP)
                    state = self._enter_phase(
                        attrs.evolve(state, phase_index=state.phase_index + 1), following
                    )
                    state = self._bill_due_change(self._release_if_open_ended(state), lines, at)
                elif schedule.end_behavior is EndBehavior.CANCEL:
                    return self._save(self._cancel(state, at))
                else:
                    state = attrs.evolve(
                        state, phase_index=0, subscription=attrs.evolve(state.subscription, schedule=None)
                    )
        sub = state.subscription
        if sub.current_period_end == at:
            if sub.cancel_at_period_end:
                state = self._cancel(state, at)
            else:
                state = self._renew(state, at)
        return self._save(state)

    def _renew(self, state: LocalState, at: datetime) -> LocalState:
        sub = state.subscription
        interval = self.catalog.get(sub.items[0].plan).interval
        end = period_containing(sub.billing_cycle_anchor, interval, at)[1]
        renewed = attrs.evolve(
            state,
            pending_lines=(),
            subscription=attrs.evolve(sub, current_period_start=at, current_period_end=end),
        )
        lines = state.pending_lines + renewal_lines(self.catalog, sub.items, at, end)
        _, paid = self._settle(renewed, lines, at, reason="subscription_cycle")
        status = SubscriptionStatus.ACTIVE if paid else SubscriptionStatus.PAST_DUE
        return renewed.evolve_subscription(status=status, discounts=_consume_discounts(sub.discounts))
