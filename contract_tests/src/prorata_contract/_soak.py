"""A fault soak: many changes applied the way a host app retries them, then the books checked.

Each logical change adds one seat with proration now, so it bills exactly once: after ``rounds``
changes the subscription has ``start + rounds`` seats and ``rounds`` more invoices. The caller
points the workers at a provider whose requests fail at random (the emulators' kit faults:
dropped responses after the write, 5xx, 429); every failure is retried as a host app does:

- with the same idempotency key, by subscription id (the change computed once, at the start);
- every third retry from a fresh ``Billing`` (a new process) that shares the change journal.

Counted: changes applied, retries, lost changes (seats short), duplicates (invoices beyond one
per change), half-applied changes (a change reported applied whose seats are not there),
changes applied although the host gave up with an error, and untyped exceptions.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import attrs

from prorata import Billing, PlanChange, ProrationMode
from prorata.errors import BillingError, JournalBusyError, ProviderUnavailableError

__all__ = ["SoakReport", "soak_new_subscription", "soak_seat_changes"]

_RETRYABLE = (ProviderUnavailableError, JournalBusyError)


@attrs.frozen(kw_only=True)
class SoakReport:
    """What the soak measured; every field but ``applied``, ``retries`` and ``seconds`` must be 0."""

    applied: int
    retries: int
    lost: int
    duplicates: int
    half_applied: int
    applied_but_error: int
    untyped: int
    typed_failures: tuple[str, ...]
    seconds: float

    @property
    def clean(self) -> bool:
        return not (
            self.lost
            or self.duplicates
            or self.half_applied
            or self.applied_but_error
            or self.untyped
            or self.typed_failures
        )


def _retry(action: Callable[[], object], *, limit: int = 200) -> object:
    for attempt in range(limit):
        try:
            return action()
        except _RETRYABLE:
            if attempt % 20 == 19:
                time.sleep(0.01)
    raise RuntimeError(f"still failing after {limit} retries")


def soak_seat_changes(
    make_billing: Callable[[], Billing],
    subscription_id: str,
    *,
    plan: str,
    rounds: int,
    faults_off: Callable[[], None],
) -> SoakReport:
    """Apply ``rounds`` seat additions through faults; ``faults_off`` stops them for the audit."""
    started = time.perf_counter()
    billing = make_billing()
    start_seats = int(_retry(lambda: billing.get(subscription_id).plan_quantities[plan]))  # pyright: ignore[reportArgumentType]
    start_invoices = int(_retry(lambda: len(billing.invoices(subscription_id))))  # pyright: ignore[reportArgumentType]
    applied = retries = half_applied = applied_but_error = untyped = 0
    typed: list[str] = []
    for n in range(rounds):
        target = start_seats + n + 1
        change = PlanChange.set_quantity(plan, target, proration=ProrationMode.PRORATE_NOW)
        key = f"soak-{subscription_id}-{n}"
        attempt = 0
        while True:
            try:
                result = billing.apply(subscription_id, change, idempotency_key=key)
            except _RETRYABLE:
                attempt += 1
                retries += 1
                if attempt % 3 == 0:
                    billing.close()
                    billing = make_billing()  # the retry comes from a new process
                if attempt > 200:
                    typed.append(f"change {n}: still unavailable after 200 retries")
                    break
                continue
            except BillingError as exc:
                typed.append(f"change {n}: {type(exc).__name__}: {exc}")
                break
            except Exception as exc:
                untyped += 1
                typed.append(f"change {n}: untyped {type(exc).__name__}: {exc}")
                break
            applied += 1
            if result.subscription.plan_quantities.get(plan) != target:
                half_applied += 1
            break
    billing.close()
    faults_off()
    audit = make_billing()
    seats = audit.get(subscription_id).plan_quantities[plan]
    invoices = len(audit.invoices(subscription_id))
    audit.close()
    expected = start_seats + applied
    if typed and seats > expected:
        applied_but_error = seats - expected
    return SoakReport(
        applied=applied,
        retries=retries,
        lost=max(0, expected - seats),
        duplicates=max(0, invoices - start_invoices - seats + start_seats),
        half_applied=half_applied,
        applied_but_error=applied_but_error,
        untyped=untyped,
        typed_failures=tuple(typed),
        seconds=time.perf_counter() - started,
    )


def soak_new_subscription(
    make_billing: Callable[[], Billing],
    *,
    rounds: int,
    faults_on: Callable[[], None],
    faults_off: Callable[[], None],
    plan: str = "seat",
    **customer: str,
) -> SoakReport:
    """Subscribe a new customer to ``plan`` (no faults yet), then :func:`soak_seat_changes` it."""
    with make_billing() as billing:
        subscription = billing.subscribe(billing.create_customer("soak@example.com", **customer).id, plan)
    faults_on()
    return soak_seat_changes(make_billing, subscription.id, plan=plan, rounds=rounds, faults_off=faults_off)
