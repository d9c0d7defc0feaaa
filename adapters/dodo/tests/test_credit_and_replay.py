"""Net credits are reported from Dodo's wallet ledger; the same key twice is a replay."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import dodopayments
import pytest

from prorata import (
    AtPeriodEnd,
    Billing,
    BillingCycle,
    Discount,
    InvoiceStatus,
    Item,
    PlanChange,
    ProrationMode,
)
from prorata.errors import ConflictError
from prorata_dodo import create_discount_codes
from prorata_emulators.dodo import DodoEmulator

CHANGE = "POST /subscriptions/{id}/change-plan"
LEDGER = "GET /customers/{id}/wallets/ledger-entries"


def mid_cycle(billing: Billing, emulator: DodoEmulator, items: list[Item] | str) -> str:
    customer = billing.create_customer("credit@example.com")
    sub = billing.subscribe(customer.id, items)
    emulator.advance(sub.current_period_start + (sub.current_period_end - sub.current_period_start) / 2)
    return sub.id


def test_downgrade_reports_the_wallet_credit_as_a_paid_credit_note(
    billing: Billing, emulator: DodoEmulator, sdk: dodopayments.DodoPayments
) -> None:
    sub_id = mid_cycle(billing, emulator, "premium")
    before = billing.get(sub_id)
    change = PlanChange.swap("premium", "basic", proration=ProrationMode.PRORATE_NOW)
    preview = billing.preview(before, change)
    emulator.reset_counts()
    result = billing.apply(before, change, preview=preview)
    # Dodo prices at receipt: apply prices the change again (and reads the wallet) first.
    assert emulator.request_counts() == {
        "GET /subscriptions/{id}": 1,
        "POST /subscriptions/{id}/change-plan/preview": 1,
        "GET /customers/{id}/wallets": 1,
        CHANGE: 1,
        LEDGER: 1,
    }
    invoice = result.invoice
    assert invoice is not None
    assert result.matches_preview is True
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.totals.total.amount == -1000  # (3000 - 1000) x 1/2, credited
    assert invoice.totals.credited.amount == 1000
    assert invoice.totals.amount_due.amount == 0
    assert invoice.totals == preview.totals
    assert [(line.plan, line.amount.amount) for line in invoice.lines] == [
        (line.plan, line.amount.amount) for line in preview.lines
    ]
    (entry,) = sdk.customers.wallets.ledger_entries.list(before.customer_id).items
    assert (entry.id, entry.amount, entry.is_credit) == (invoice.id, 1000, True)
    assert entry.reference_object_id == sub_id
    (wallet,) = sdk.customers.wallets.list(before.customer_id).items
    assert wallet.balance == 1000
    assert invoice.id in [i.id for i in billing.invoices(sub_id)]


def test_wallet_pays_the_next_charge_and_is_debited(
    billing: Billing, emulator: DodoEmulator, sdk: dodopayments.DodoPayments
) -> None:
    sub_id = mid_cycle(billing, emulator, "premium")
    billing.apply(sub_id, PlanChange.swap("premium", "basic", proration=ProrationMode.PRORATE_NOW))
    current = billing.get(sub_id)
    up = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)
    preview = billing.preview(current, up)
    assert preview.totals.total.amount == 500
    result = billing.apply(current, up, preview=preview)
    assert result.matches_preview is True
    assert result.invoice is not None
    assert (result.invoice.totals.balance_applied.amount, result.invoice.totals.amount_due.amount) == (500, 0)
    debit, credit = sdk.customers.wallets.ledger_entries.list(current.customer_id).items
    assert (debit.is_credit, debit.amount, debit.reference_object_id) == (False, 500, result.invoice.id)
    assert (credit.is_credit, debit.after_balance) == (True, 500)


def test_manual_ledger_entry_is_strictly_valid_and_idempotent(
    billing: Billing, sdk: dodopayments.DodoPayments
) -> None:
    customer = billing.create_customer("manual@example.com")
    for _ in range(2):
        wallet = sdk.customers.wallets.ledger_entries.create(
            customer.id, amount=700, currency="USD", entry_type="credit", idempotency_key="once"
        )
        assert wallet.balance == 700
    with pytest.raises(dodopayments.UnprocessableEntityError):
        sdk.customers.wallets.ledger_entries.create(
            customer.id, amount=701, currency="USD", entry_type="debit"
        )


@pytest.mark.parametrize(
    ("mode", "cycle", "billed"),
    [
        (ProrationMode.PRORATE_NOW, BillingCycle.KEEP, {"premium", "basic"}),
        (ProrationMode.PRORATE_NOW, BillingCycle.RESET, {"premium", "basic", "addon"}),
        (ProrationMode.PRICE_DIFFERENCE_NOW, BillingCycle.RESET, {"premium", "basic"}),
    ],
)
def test_unchanged_addon_gets_lines_only_when_the_cycle_restarts(
    billing: Billing, emulator: DodoEmulator, mode: ProrationMode, cycle: BillingCycle, billed: set[str]
) -> None:
    sub_id = mid_cycle(billing, emulator, [Item(plan="basic"), Item(plan="addon", quantity=2)])
    change = PlanChange.swap("basic", "premium", proration=mode, billing_cycle=cycle)
    preview = billing.preview(sub_id, change)
    assert {line.plan for line in preview.lines} == billed
    result = billing.apply(sub_id, change, preview=preview)
    assert result.invoice is not None
    assert {line.plan for line in result.invoice.lines} == billed
    assert result.invoice.totals == preview.totals


def test_same_key_twice_is_a_replay_with_the_original_invoice(
    billing: Billing, emulator: DodoEmulator
) -> None:
    sub_id = mid_cycle(billing, emulator, "basic")
    stale = billing.get(sub_id)
    change = PlanChange.swap(
        "basic", "premium", proration=ProrationMode.FULL_PRICE_NOW, billing_cycle="reset"
    )
    first = billing.apply(stale, change, idempotency_key="k-1")
    emulator.reset_counts()
    second = billing.apply(stale, change, idempotency_key="k-1")  # the caller's copy is stale
    assert emulator.request_counts().get(CHANGE, 0) == 0
    assert (first.replayed, second.replayed) == (False, True)
    assert first.invoice is not None
    assert second.invoice is not None
    assert second.invoice.id == first.invoice.id
    assert second.invoice.totals == first.invoice.totals
    assert second.subscription.plan_quantities == {"premium": 1}
    assert sum(1 for i in billing.invoices(sub_id) if i.reason == "subscription_update") == 1


def test_replay_of_a_credit_returns_its_credit_note(billing: Billing, emulator: DodoEmulator) -> None:
    sub_id = mid_cycle(billing, emulator, "premium")
    stale = billing.get(sub_id)
    change = PlanChange.swap("premium", "basic", proration=ProrationMode.PRORATE_NOW)
    first = billing.apply(stale, change, idempotency_key="down")
    second = billing.apply(stale, change, idempotency_key="down")
    assert second.replayed is True
    assert first.invoice is not None
    assert second.invoice is not None
    assert (second.invoice.id, second.invoice.total) == (first.invoice.id, first.invoice.total)


def test_key_reused_for_another_change_is_a_conflict(billing: Billing, emulator: DodoEmulator) -> None:
    sub_id = mid_cycle(billing, emulator, "basic")
    billing.apply(
        sub_id, PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW), idempotency_key="k"
    )
    emulator.reset_counts()
    with pytest.raises(ConflictError) as caught:
        billing.apply(
            billing.get(sub_id),
            PlanChange.swap("pro", "premium", proration=ProrationMode.PRORATE_NOW),
            idempotency_key="k",
        )
    assert caught.value.code == "idempotency_key_in_use"  # the change journal refuses it first
    assert emulator.request_counts().get(CHANGE, 0) == 0


def test_stale_subscription_with_a_new_key_is_refused(billing: Billing, emulator: DodoEmulator) -> None:
    sub_id = mid_cycle(billing, emulator, "basic")
    stale = billing.get(sub_id)
    billing.apply(stale, PlanChange.swap("basic", "pro", proration=ProrationMode.NO_BILLING))
    with pytest.raises(ConflictError):
        billing.apply(stale, PlanChange.swap("basic", "premium", proration=ProrationMode.NO_BILLING))
    assert billing.get(sub_id).plan_quantities == {"pro": 1}


def test_scheduled_apply_is_one_read_and_one_write(billing: Billing, emulator: DodoEmulator) -> None:
    sub_id = mid_cycle(billing, emulator, "premium")
    current = billing.get(sub_id)
    emulator.reset_counts()
    result = billing.apply(current, PlanChange.swap("premium", "basic", timing=AtPeriodEnd()))
    assert emulator.request_counts() == {"GET /subscriptions/{id}": 1, CHANGE: 1}
    assert result.subscription == billing.get(sub_id)


@pytest.mark.parametrize("preserve", [True, False])
def test_discount_kept_across_a_change_only_when_preserved(
    billing: Billing, emulator: DodoEmulator, sdk: dodopayments.DodoPayments, preserve: bool
) -> None:
    from decimal import Decimal

    create_discount_codes(
        sdk, [Discount(coupon="TENOFF", percent_off=Decimal(10))], preserve_on_plan_change=preserve
    )
    customer = billing.create_customer("disc@example.com")
    sub = billing.subscribe(
        customer.id, "basic", discounts=[Discount(coupon="TENOFF", percent_off=Decimal(10))]
    )
    result = billing.apply(sub, PlanChange.swap("basic", "pro", proration=ProrationMode.NO_BILLING))
    kept = [d.coupon for d in billing.get(sub.id).discounts]
    assert kept == (["TENOFF"] if preserve else [])
    assert [d.coupon for d in result.subscription.discounts] == kept
    billing.time_control().advance(sub.current_period_end + timedelta(hours=1))
    renewal = billing.invoices(sub.id)[-1]
    assert renewal.totals.discount.amount == (200 if preserve else 0)


PAYMENTS = "GET /payments"


def _payment_rows_asked(emulator: DodoEmulator) -> int:
    """How many payment rows the logged ``GET /payments`` requests asked for, in all."""
    urls = [urlsplit(r.path) for r in emulator.requests("GET", "/payments")]
    return sum(int(parse_qs(url.query)["page_size"][0]) for url in urls if url.path == "/payments")


def _unjournaled(billing: Billing) -> Billing:
    """The same provider behind an empty change journal: the retry Dodo itself must recognise."""
    return Billing(provider=billing.provider, catalog=billing.catalog)


def test_replay_reads_one_page_of_payments_however_long_the_history(
    billing: Billing, emulator: DodoEmulator
) -> None:
    sub_id = mid_cycle(billing, emulator, "basic")
    for n in range(12):  # more payments than a replay page holds
        billing.apply(sub_id, PlanChange.set_quantity("basic", n + 2), idempotency_key=f"seat-{n}")
    last = billing.get(sub_id)
    change = PlanChange.set_quantity("basic", 20, proration=ProrationMode.PRORATE_NOW)
    first = billing.apply(last, change, idempotency_key="seat-last")
    emulator.reset_counts()
    again = _unjournaled(billing).apply(last, change, idempotency_key="seat-last")
    counts = emulator.request_counts()
    assert (counts.get(CHANGE, 0), counts[PAYMENTS]) == (0, 1)
    assert _payment_rows_asked(emulator) <= 10  # one short page, not the 14 payments so far
    assert again.replayed is True
    assert first.invoice is not None
    assert again.invoice is not None
    assert (again.invoice.id, again.invoice.totals) == (first.invoice.id, first.invoice.totals)


def test_replay_of_a_credit_after_paid_changes_stops_at_the_earlier_payment(
    billing: Billing, emulator: DodoEmulator
) -> None:
    sub_id = mid_cycle(billing, emulator, "basic")
    for n in range(12):
        billing.apply(sub_id, PlanChange.set_quantity("basic", n + 2), idempotency_key=f"seat-{n}")
    last = billing.get(sub_id)
    change = PlanChange.set_quantity("basic", 1, proration=ProrationMode.PRORATE_NOW)
    first = billing.apply(last, change, idempotency_key="seats-down")
    emulator.reset_counts()
    again = _unjournaled(billing).apply(last, change, idempotency_key="seats-down")
    assert emulator.request_counts()[PAYMENTS] == 1  # the newest payment is an earlier change's
    assert _payment_rows_asked(emulator) <= 10
    assert first.invoice is not None
    assert again.invoice is not None
    assert (again.invoice.id, again.invoice.total) == (first.invoice.id, first.invoice.total)
    assert again.invoice.total.amount < 0
