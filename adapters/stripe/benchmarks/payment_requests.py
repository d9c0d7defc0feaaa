"""Requests per payment operation of the Stripe adapter on the emulator, next to the minimum.

Run: ``uv run python adapters/stripe/benchmarks/payment_requests.py``. Prints one row per
operation: the requests sent (counted by the emulator), the minimum Stripe's API allows for
what prorata checks before writing, and the wall time over loopback HTTP.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from prorata import Money, NegativeDuePolicy, PlanChange, ProrationMode
from prorata.provider import TEST_CARD_DECLINES, TEST_CARD_REQUIRES_ACTION, TEST_CARD_SUCCEEDS
from prorata_emulators.stripe import running

sys.path.insert(0, str(Path(__file__).parent))
from requests_per_operation import _billing, _measure  # pyright: ignore[reportMissingImports, reportUnknownVariableType]

WHY = {
    "start payment setup": "",
    "subscribe with a confirmed setup": "setup read (confirmed, this customer's), attach + default, "
    "the subscribe key's list of ended subscriptions, create",
    "refund part of an invoice": "invoice read with its payments (the PaymentIntent is remembered), "
    "refunds list for what is left, create",
    "pay an open invoice": "invoice read (open, attempts for the key), pay",
    "downgrade refunding the difference": "apply's update, the invoice list, then per refunded "
    "invoice: its payments, what is left, the refund, the balance debit",
}
MINIMUM = {
    "start payment setup": 1,
    "subscribe with a confirmed setup": 3,
    "refund part of an invoice": 2,
    "pay an open invoice": 2,
    "downgrade refunding the difference": 4,
}


def main() -> None:
    rows: list[tuple[str, int, float]] = []
    with running() as server:
        billing = _billing(server)  # pyright: ignore[reportUnknownVariableType]
        customer = billing.create_customer("pay@example.test", payment_method=TEST_CARD_DECLINES)
        count, seconds, setup = _measure(server, lambda: billing.start_payment_setup(customer.id))
        rows.append(("start payment setup", count, seconds))
        billing.provider.client.v1.setup_intents.confirm(setup.id, {"payment_method": "pm_card_visa"})
        count, seconds, subscription = _measure(
            server, lambda: billing.subscribe(customer.id, "premium", trial_days=0, payment_setup=setup.id)
        )
        rows.append(("subscribe with a confirmed setup", count, seconds))
        (invoice,) = billing.invoices(subscription.id)
        count, seconds, _ = _measure(server, lambda: billing.refund(invoice, Money.of(100, invoice.currency)))
        rows.append(("refund part of an invoice", count, seconds))
        payer = billing.create_customer("3ds@example.test", payment_method=TEST_CARD_REQUIRES_ACTION)
        waiting = billing.subscribe(payer.id, "basic", trial_days=0)
        assert waiting.payment_action is not None
        billing.set_payment_method(payer.id, TEST_CARD_SUCCEEDS)
        action = waiting.payment_action
        count, seconds, _ = _measure(server, lambda: billing.pay_invoice(action.invoice_id))
        rows.append(("pay an open invoice", count, seconds))
        billing.time_control().advance(subscription.current_period_start + timedelta(days=10))
        down = PlanChange.swap("premium", "basic", proration=ProrationMode.PRORATE_NOW)
        count, seconds, _ = _measure(
            server, lambda: billing.apply(subscription.id, down, negative_due=NegativeDuePolicy.REFUND)
        )
        rows.append(("downgrade refunding the difference", count, seconds))
    width = max(len(name) for name, *_ in rows)
    print(f"{'operation':<{width}}  requests  minimum  ms     why")
    for name, count, seconds in rows:
        print(f"{name:<{width}}  {count:>8}  {MINIMUM[name]:>7}  {seconds * 1000:6.1f} {WHY[name]}")


if __name__ == "__main__":
    main()
