"""Requests per operation against the emulator, next to the minimum Dodo's API allows.

Run: ``uv run python adapters/dodo/benchmarks/requests_per_operation.py``. Billing runs with an
in-memory journal, which never vouches for a first send, so every write here still reads before
it; ``core/benchmarks/requests_per_operation.py`` counts the same with a durable journal.
"""

from __future__ import annotations

import dodopayments

from prorata import AtPeriodEnd, Billing, Money, PlanChange, ProrationMode
from prorata.provider import ProviderSettings, Secret
from prorata_contract import contract_catalog
from prorata_dodo import DodoProvider, create_catalog_objects
from prorata_emulators.dodo import DodoEmulator

MINIMUM = {
    "preview": 1,
    "apply (immediate, charge)": 1,
    "apply (immediate, credit)": 1,
    "apply (scheduled)": 1,
    "apply (replay, same key)": 1,
    "cancel scheduled change": 1,
    "subscribe (saved card)": 1,
    "subscribe (first payment on the checkout)": 1,
    "refund part of a payment": 1,
}
WHY = {
    "preview": "+1 the customer's wallet (the balance Dodo applies to the charge)",
    "apply (immediate, charge)": "+1 subscription read before the write (replay/key check: Dodo has no idempotency keys); "
    "+1 the payment (Dodo's amount and status; the new subscription is derived, not re-read)",
    "apply (immediate, credit)": "+1 subscription read before the write (replay check); "
    "+1 the wallet ledger entry (Dodo's record of the credit: change_plan returns no id for it)",
    "apply (scheduled)": "+1 subscription read before the write (replay check)",
    "apply (replay, same key)": "+1 the subscription's payments (to find the original), +2 that payment and its line items",
    "cancel scheduled change": "+1 read-back (DELETE returns no body; called on the provider, outside "
    "core's journal, so there is no state read under a lease to derive from), +1 revision bump in "
    "metadata (scheduling the same change again must be a new request)",
    "subscribe (saved card)": "+2 the customer's subscriptions (list + retrieve: the subscribe key), "
    "+1 the key's find, +1 saved payment methods (to name the mandate), +1 read-back",
    "subscribe (first payment on the checkout)": "as above, +1 the waiting payment (the action's amount)",
    "refund part of a payment": "+3 the invoice to check (payment, line items) and its refunds, +1 line items "
    "to split a partial refund, +1 the payment's refunds to find a retried one by its key (no idempotency keys)",
}


def main() -> None:
    with DodoEmulator() as emulator:
        sdk = dodopayments.DodoPayments(
            bearer_token="bench", base_url=emulator.url, _strict_response_validation=True
        )
        catalog = contract_catalog(create_catalog_objects(sdk, contract_catalog()))
        settings = ProviderSettings(
            name="dodo",
            catalog=catalog,
            options={"base_url": emulator.url},
            secrets={"api_key": Secret("bench")},
        )
        billing = Billing(provider=DodoProvider.from_settings(settings), catalog=catalog)
        customer = billing.create_customer("bench@example.com")
        sub = billing.subscribe(customer.id, "basic")
        measured: dict[str, int] = {}

        def count(name: str, call: object) -> None:
            emulator.reset_counts()
            assert callable(call)
            call()
            measured[name] = sum(emulator.request_counts().values())

        change = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)
        count("preview", lambda: billing.preview(sub, change))
        count("apply (immediate, charge)", lambda: billing.apply(sub, change, idempotency_key="bench-up"))
        count("apply (replay, same key)", lambda: billing.apply(sub, change, idempotency_key="bench-up"))
        upgraded = billing.get(sub.id)
        down = PlanChange.swap("pro", "basic", proration=ProrationMode.PRORATE_NOW)
        count("apply (immediate, credit)", lambda: billing.apply(upgraded, down))
        back = billing.get(sub.id)
        count(
            "apply (scheduled)",
            lambda: billing.apply(back, PlanChange.swap("basic", "pro", timing=AtPeriodEnd())),
        )
        count(
            "cancel scheduled change",
            lambda: billing.provider.cancel_scheduled_change(sub.id, idempotency_key="bench"),
        )
        count("subscribe (saved card)", lambda: billing.subscribe(customer.id, "pro"))
        newcomer = billing.create_customer("first@example.com", payment_method="pm_from_checkout")
        count("subscribe (first payment on the checkout)", lambda: billing.subscribe(newcomer.id, "basic"))
        (paid, *_) = billing.invoices(sub.id)
        count("refund part of a payment", lambda: billing.refund(paid, Money.of(100, paid.currency)))
        print(f"{'operation':<44}{'requests':>9}{'minimum':>9}  why above the minimum")
        for name in MINIMUM:
            value = measured[name]
            print(
                f"{name:<44}{value:>9}{MINIMUM[name]:>9}  {WHY.get(name, '') if value > MINIMUM[name] else ''}"
            )
        billing.close()
        sdk.close()


if __name__ == "__main__":
    main()
