"""A change never applies twice: no SDK retries on writes, re-read before retrying."""

from __future__ import annotations

import pytest

from prorata import Billing, PlanChange, ProrationMode
from prorata.errors import ProviderUnavailableError
from prorata_emulators.dodo import DodoEmulator, Fault

ROUTE = "POST /subscriptions/{id}/change-plan"


def setup(billing: Billing) -> str:
    customer = billing.create_customer("retry@example.com")
    return billing.subscribe(customer.id, "basic").id


def plan_change_payments(billing: Billing, sub_id: str) -> int:
    return sum(1 for inv in billing.invoices(sub_id) if inv.reason == "subscription_update")


@pytest.mark.parametrize("kind", ["drop_after_commit", "error_after_commit"])
def test_committed_but_unanswered_change_is_reconciled_not_resent(
    billing: Billing, emulator: DodoEmulator, kind: str
) -> None:
    sub_id = setup(billing)
    emulator.inject(Fault(route=ROUTE, kind=kind))  # pyright: ignore[reportArgumentType]
    emulator.reset_counts()
    result = billing.apply(
        sub_id, PlanChange.swap("basic", "pro", proration=ProrationMode.FULL_PRICE_NOW, billing_cycle="reset")
    )
    assert result.replayed is True
    assert result.subscription.plan_quantities == {"pro": 1}
    assert emulator.request_counts()[ROUTE] == 1
    assert plan_change_payments(billing, sub_id) == 1


def test_failure_before_commit_is_retried_once(billing: Billing, emulator: DodoEmulator) -> None:
    sub_id = setup(billing)
    emulator.inject(Fault(route=ROUTE, kind="error_before_commit"))
    emulator.reset_counts()
    result = billing.apply(
        sub_id, PlanChange.swap("basic", "pro", proration=ProrationMode.FULL_PRICE_NOW, billing_cycle="reset")
    )
    assert result.replayed is False
    counts = emulator.request_counts()
    assert counts[ROUTE] == 2
    assert counts["GET /subscriptions/{id}"] >= 2  # the re-read before the retry, then the read-back
    assert plan_change_payments(billing, sub_id) == 1


def test_rate_limit_waits_and_retries_without_reread(billing: Billing, emulator: DodoEmulator) -> None:
    sub_id = setup(billing)
    emulator.inject(Fault(route=ROUTE, kind="rate_limit", retry_after=2))
    waits: list[float] = []
    billing.provider._attempts = type(billing.provider._attempts)(sleep=waits.append)  # type: ignore[attr-defined]  # pyright: ignore
    current = billing.get(sub_id)
    emulator.reset_counts()
    billing.apply(current, PlanChange.swap("basic", "pro", proration=ProrationMode.NO_BILLING))
    assert waits == [2.0]
    counts = emulator.request_counts()
    assert counts[ROUTE] == 2
    assert counts["GET /subscriptions/{id}"] == 1  # only the read-back: a 429 never commits


def test_gives_up_with_a_typed_error(billing: Billing, emulator: DodoEmulator) -> None:
    sub_id = setup(billing)
    # More failures than the adapter's retries and the journal's immediate replays together.
    emulator.inject(Fault(route=ROUTE, kind="error_before_commit", times=50))
    with pytest.raises(ProviderUnavailableError) as caught:
        billing.apply(sub_id, PlanChange.swap("basic", "pro", proration=ProrationMode.NO_BILLING))
    assert caught.value.code == "INTERNAL_SERVER_ERROR"
    assert caught.value.__cause__ is not None
    assert billing.get(sub_id).plan_quantities == {"basic": 1}


def test_create_subscription_is_not_duplicated(billing: Billing, emulator: DodoEmulator) -> None:
    customer = billing.create_customer("dup@example.com")
    emulator.inject(Fault(route="POST /subscriptions", kind="drop_after_commit"))
    sub = billing.subscribe(customer.id, "pro")
    assert [s.id for s in billing.subscriptions(customer_id=customer.id)] == [sub.id]
    again = billing.subscribe(customer.id, "pro", idempotency_key="k1")
    assert again.id != sub.id


def test_create_customer_same_key_returns_the_same_customer(billing: Billing, emulator: DodoEmulator) -> None:
    emulator.inject(Fault(route="POST /customers", kind="error_after_commit"))
    first = billing.create_customer("same@example.com", idempotency_key="cust-1")
    second = billing.create_customer("same@example.com", idempotency_key="cust-1")
    assert first.id == second.id
    assert emulator.request_counts()["POST /customers"] == 1
