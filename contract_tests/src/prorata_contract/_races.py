"""Concurrent workers changing one subscription: a helper any adapter's tests can run.

Each worker is its own :class:`prorata.Billing` (its own provider client), as separate
processes of a host app are; they share one change journal. Every worker adds seats one at a
time: it reads the subscription, asks for one more seat than it read, and on a
``ConflictError`` (someone changed it first) reads again and retries, as a host app does.
No update may be lost: the final quantity is the start plus every worker's rounds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import attrs

from prorata import Billing, PlanChange, ProrationMode
from prorata.errors import ConflictError, JournalBusyError

__all__ = ["RaceOutcome", "race_seat_changes"]


@attrs.frozen(kw_only=True)
class RaceOutcome:
    """What the race left: the seats counted at the end and what workers met on the way."""

    expected: int
    seats: int
    conflicts: int
    errors: tuple[BaseException, ...]

    @property
    def lost_updates(self) -> int:
        return self.expected - self.seats


def _add_seat(billing: Billing, subscription_id: str, plan: str, request: str) -> int:
    conflicts = 0
    while True:
        current = billing.get(subscription_id)
        seats = current.plan_quantities[plan]
        try:
            billing.apply(
                current,
                PlanChange.set_quantity(plan, seats + 1, proration=ProrationMode.NO_BILLING),
                idempotency_key=f"{request}-{conflicts}",
            )
        except (ConflictError, JournalBusyError):
            conflicts += 1
            continue
        return conflicts


def race_seat_changes(
    make_worker: Callable[[], Billing],
    subscription_id: str,
    *,
    plan: str,
    workers: int = 4,
    rounds: int = 3,
) -> RaceOutcome:
    """Run ``workers`` threads, each adding ``rounds`` seats of ``plan`` to one subscription."""
    billings = [make_worker() for _ in range(workers)]
    start = billings[0].get(subscription_id).plan_quantities[plan]
    errors: list[BaseException] = []
    conflicts: list[int] = []
    barrier = threading.Barrier(workers)

    def run(billing: Billing, worker: int) -> None:
        barrier.wait()
        try:
            for n in range(rounds):
                conflicts.append(_add_seat(billing, subscription_id, plan, f"race-w{worker}-{n}"))
        except BaseException as exc:  # reported, not swallowed: the test asserts none happened
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(billing, n)) for n, billing in enumerate(billings)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    seats = billings[0].get(subscription_id).plan_quantities[plan]
    for billing in billings:
        billing.close()
    return RaceOutcome(
        expected=start + workers * rounds, seats=seats, conflicts=sum(conflicts), errors=tuple(errors)
    )
