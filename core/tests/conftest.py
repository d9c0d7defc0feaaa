"""Shared fixtures: a small catalog, subscriptions, and an in-memory fake provider.

The fake prices changes with the reference ``prorate_now/keep`` formula (to the second)
so that tests can tell whether apply reused the preview's proration time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest

import prorata
from prorata import (
    BillingCycle,
    Catalog,
    ChangePreview,
    ChangeResult,
    ChargeLine,
    Customer,
    Interval,
    Invoice,
    Item,
    LineKind,
    Money,
    Plan,
    PlanChange,
    ProrationMode,
    Subscription,
    SubscriptionStatus,
    TimingKind,
    Totals,
)
from prorata.provider import (
    Capabilities,
    EmulatorSpec,
    NewCustomer,
    NewSubscription,
    ProrationSupport,
    ProviderSettings,
    ProviderSpec,
    Registry,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 2, 1, tzinfo=UTC)
PREVIEW_AT = datetime(2026, 1, 16, 12, tzinfo=UTC)


def make_catalog() -> Catalog:
    return Catalog(
        plans=[
            Plan(key="basic", name="Basic", price=Money.of(1000, "USD")),
            Plan(key="pro", name="Pro", price=Money.of(2000, "USD")),
            Plan(key="addon", name="Add-on", price=Money.of(500, "USD"), addon=True),
            Plan(key="euro", name="Euro", price=Money.of(900, "EUR")),
            Plan(key="yearly", name="Yearly", price=Money.of(10000, "USD"), interval=Interval.yearly()),
        ]
    )


def make_subscription(**overrides: Any) -> Subscription:
    fields: dict[str, Any] = {
        "id": "sub_1",
        "customer_id": "cus_1",
        "provider": "fake",
        "status": SubscriptionStatus.ACTIVE,
        "items": (Item(plan="basic"),),
        "currency": "USD",
        "current_period_start": T0,
        "current_period_end": T1,
        "billing_cycle_anchor": T0,
    }
    fields.update(overrides)
    return Subscription(**fields)


FAKE_CAPABILITIES = Capabilities(
    proration={
        ProrationSupport(mode=ProrationMode.PRORATE_NOW, cycle=BillingCycle.KEEP),
        ProrationSupport(mode=ProrationMode.NO_BILLING, cycle=BillingCycle.KEEP),
    },
    timings={TimingKind.IMMEDIATELY, TimingKind.AT_PERIOD_END},
)


@attrs.define
class FakeStore:
    """State shared by every FakeProvider built from one registry (one per test)."""

    subscriptions: dict[str, Subscription] = attrs.field(factory=dict)
    now: datetime = PREVIEW_AT
    idempotency_keys: list[str] = attrs.field(factory=list)
    closed: int = 0


@attrs.define
class FakeClock:
    """The fake provider's time: whatever the test sets ``FakeStore.now`` to."""

    store: FakeStore

    def now(self) -> datetime:
        return self.store.now

    def advance(self, to: datetime) -> None:
        self.store.now = to


@attrs.define
class FakeProvider:
    """Just enough of a provider to exercise Billing and the CLI end to end."""

    settings: ProviderSettings
    store: FakeStore
    name: str = "fake"
    capabilities: Capabilities = FAKE_CAPABILITIES

    def create_customer(self, customer: NewCustomer, *, idempotency_key: str) -> Customer:
        return Customer(id="cus_1", email=customer.email)

    def create_subscription(self, request: NewSubscription, *, idempotency_key: str) -> Subscription:
        sub = make_subscription(id=f"sub_{len(self.store.subscriptions) + 1}", items=request.items)
        self.store.subscriptions[sub.id] = sub
        return sub

    def get_subscription(self, subscription_id: str) -> Subscription:
        try:
            return self.store.subscriptions[subscription_id]
        except KeyError:
            raise prorata.errors.NotFoundError(
                f"no subscription {subscription_id}", provider=self.name
            ) from None

    def list_subscriptions(self, *, customer_id: str | None = None) -> list[Subscription]:
        return [s for s in self.store.subscriptions.values() if customer_id in (None, s.customer_id)]

    def _lines(
        self, sub: Subscription, target: tuple[Item, ...], at: datetime, mode: ProrationMode
    ) -> list[ChargeLine]:
        if mode is ProrationMode.NO_BILLING:
            return []
        start, end = sub.current_period_start, sub.current_period_end
        unused = Fraction(int((end - at).total_seconds()), int((end - start).total_seconds()))
        before, after = sub.plan_quantities, {i.plan: i.quantity for i in target}
        lines: list[ChargeLine] = []
        for plan_key in sorted(set(before) | set(after)):
            old, new = before.get(plan_key, 0), after.get(plan_key, 0)
            if old == new:
                continue
            price = self.settings.catalog.get(plan_key).price
            if old:
                lines.append(
                    ChargeLine(
                        description=f"Unused time on {plan_key}",
                        amount=-(price * old).scale(unused),
                        kind=LineKind.PRORATION_CREDIT,
                        plan=plan_key,
                        quantity=old,
                        period_start=at,
                        period_end=end,
                    )
                )
            if new:
                lines.append(
                    ChargeLine(
                        description=f"Remaining time on {plan_key}",
                        amount=(price * new).scale(unused),
                        kind=LineKind.PRORATION_DEBIT,
                        plan=plan_key,
                        quantity=new,
                        period_start=at,
                        period_end=end,
                    )
                )
        return lines

    @staticmethod
    def _totals(lines: list[ChargeLine], currency: str) -> Totals:
        total = sum((line.amount for line in lines), Money.zero(currency))
        nothing = Money.zero(currency)
        return Totals(
            subtotal=total,
            discount=nothing,
            tax=nothing,
            total=total,
            amount_due=total if total.amount > 0 else nothing,
            balance_applied=nothing,
            credited=-total if total.amount < 0 else nothing,
        )

    def preview_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
    ) -> ChangePreview:
        at = proration_time or self.store.now
        immediate = change.timing.kind is TimingKind.IMMEDIATELY
        lines = self._lines(subscription, target, at, change.proration) if immediate else []
        return ChangePreview(
            provider=self.name,
            subscription_id=subscription.id,
            change=change,
            currency=subscription.currency,
            lines=lines,
            totals=self._totals(lines, subscription.currency),
            items=target,
            effective_at=at if immediate else subscription.current_period_end,
            proration_time=at,
            period_end=subscription.current_period_end,
            created_at=self.store.now,
        )

    def apply_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
        idempotency_key: str,
    ) -> ChangeResult:
        self.store.idempotency_keys.append(idempotency_key)
        preview = self.preview_change(subscription, change, target=target, proration_time=proration_time)
        invoice = None
        if preview.lines:
            invoice = Invoice(
                id=f"in_{len(self.store.idempotency_keys)}",
                subscription_id=subscription.id,
                status="paid",
                currency=subscription.currency,
                lines=preview.lines,
                totals=preview.totals,
                created=preview.proration_time,
            )
        updated = attrs.evolve(subscription, items=target)
        self.store.subscriptions[subscription.id] = updated
        return ChangeResult(subscription=updated, invoice=invoice)

    def cancel_scheduled_change(self, subscription_id: str, *, idempotency_key: str) -> Subscription:
        return self.get_subscription(subscription_id)

    def cancel_now(self, subscription_id: str, *, idempotency_key: str) -> Subscription:
        return self.get_subscription(subscription_id)

    def list_invoices(self, subscription_id: str) -> list[Invoice]:
        return []

    def customer_balance(self, customer_id: str, currency: str) -> prorata.Money:
        return prorata.Money.zero(currency)

    def time_control(self) -> FakeClock:
        return FakeClock(self.store)

    def close(self) -> None:
        self.store.closed += 1


@attrs.define
class FakeEmulator:
    """Records how it was started and stopped; ``serve_forever`` returns via Ctrl-C."""

    host: str
    port: int
    events: list[str]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        self.events.append("serve")
        raise KeyboardInterrupt

    def stop(self) -> None:
        self.events.append("stop")


@pytest.fixture
def catalog() -> Catalog:
    return make_catalog()


@pytest.fixture
def fake_store() -> FakeStore:
    store = FakeStore()
    sub = make_subscription()
    store.subscriptions[sub.id] = sub
    store.subscriptions["sub_other"] = make_subscription(
        id="sub_other", customer_id="cus_2", items=(Item(plan="pro", quantity=3),)
    )
    return store


@pytest.fixture
def emulator_events() -> list[str]:
    return []


@pytest.fixture
def fake_registry(fake_store: FakeStore, emulator_events: list[str]) -> Registry:
    registry = Registry()
    registry.add_provider(
        ProviderSpec(
            name="fake",
            factory=lambda settings: FakeProvider(settings=settings, store=fake_store),
            capabilities=FAKE_CAPABILITIES,
            description="In-test fake provider",
            distribution="prorata-tests",
        )
    )
    registry.add_emulator(
        EmulatorSpec(
            name="fakeapi",
            start=lambda host, port: FakeEmulator(host=host, port=port, events=emulator_events),
            description="fake",
        )
    )
    return registry


CATALOG_TOML = """
provider = "fake"

[plans.basic]
refs = { fake = "fake_basic" }
name = "Basic"
price = "10.00"
currency = "USD"

[plans.pro]
refs = { fake = "fake_pro" }
name = "Pro"
price = "20.00"
currency = "USD"

[plans.addon]
refs = { fake = "fake_addon" }
name = "Add-on"
price = "5.00"
currency = "USD"
addon = true
"""


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "prorata.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def fake_config(write_config: Callable[[str], Path]) -> Path:
    return write_config(CATALOG_TOML)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's prorata configuration or provider override."""
    for name in ("PRORATA_CONFIG", "PRORATA_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return
