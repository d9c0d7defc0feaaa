"""``Billing.sync`` on the local provider: one consistent read inside one transaction."""

from __future__ import annotations

from prorata._snapshot import SubscriptionSnapshot
from prorata._sync import next_payment_of, renews
from prorata.local._engine import LocalEngine

__all__ = ["local_snapshot"]


def local_snapshot(engine: LocalEngine, subscription_id: str) -> SubscriptionSnapshot:
    engine.now()  # runs what is due first when the clock follows the wall clock
    with engine.store.transaction():
        state = engine.store.state(subscription_id)
        sub = state.subscription
        invoices = engine.store.invoices(subscription_id)
        balance = engine.balance(sub.customer_id, sub.currency)
        upcoming = engine._upcoming(state, balance)  # pyright: ignore[reportPrivateUsage]  # the engine's own figures
    return SubscriptionSnapshot(
        subscription=sub,
        latest_invoice=invoices[-1] if invoices else None,
        next_payment=next_payment_of(upcoming) if renews(sub) else None,
    )
