"""Requests per operation on the Stripe and Dodo emulators next to the documented minimum.

Run: ``uv run python core/benchmarks/requests_per_operation.py [--paths]``.
Billing runs with a durable (file) journal, as in production; the emulators' request logs
count what the official SDKs sent. Every extra request over the minimum is printed with its
reason (``--paths`` also prints the requests). Asserts nothing: figures only.
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dodopayments

from prorata import AtPeriodEnd, Billing, Catalog, PlanChange, ProrationMode
from prorata.journal import Journal
from prorata.provider import ProviderSettings, Secret
from prorata_contract import contract_catalog
from prorata_dodo import DodoProvider, create_catalog_objects
from prorata_emulators.dodo import DodoEmulator
from prorata_emulators.stripe import StripeEmulator, running

START = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)  # the Stripe benchmark's clock start too

Row = tuple[str, int, int, str, list[str]]

REASONS: dict[tuple[str, str], tuple[int, str]] = {
    ("stripe", "create customer"): (
        1,
        "+1 the test clock prorata puts customers on (the first call only; none in live mode)",
    ),
    ("stripe", "subscribe"): (
        1,
        "+1 list of the customer's subscriptions: a subscribe after a cancellation gets a new key",
    ),
    ("stripe", "get subscription"): (1, ""),
    ("stripe", "preview (held subscription)"): (1, ""),
    ("stripe", "preview(<id>)"): (2, ""),
    ("stripe", "apply immediate (held)"): (
        1,
        "+1 the invoice the change produced (the update answers the subscription only)",
    ),
    ("stripe", "apply(<id>)"): (2, "+1 the invoice the change produced"),
    ("stripe", "apply at period end"): (2, ""),
    ("stripe", "cancel scheduled change (held)"): (
        1,
        "+1 revision bump in metadata (its answer is the result): scheduling the same change again is a new request",
    ),
    ("stripe", "apply at period end, again"): (2, ""),
    ("stripe", "cancel_scheduled_change(<id>)"): (2, "+1 revision bump in metadata"),
    ("stripe", "list one page of subscriptions"): (1, ""),
    ("stripe", "list the subscription's invoices"): (1, ""),
    ("dodo", "create customer"): (
        1,
        "+1 find by email and key: Dodo has no idempotency keys and a customer is not journaled",
    ),
    ("dodo", "subscribe"): (
        1,
        "+1 saved payment methods (charge a mandate or hand out a payment link); +1 read back "
        "(the create answer has no period dates); +1 the brands, once per process (the journal's "
        "account identity, read at the first journaled write)",
    ),
    ("dodo", "get subscription"): (1, ""),
    ("dodo", "preview (held subscription)"): (
        1,
        "+1 the customer's wallet (the balance Dodo applies to the charge)",
    ),
    ("dodo", "preview(<id>)"): (2, "+1 the customer's wallet"),
    ("dodo", "apply immediate (held)"): (
        1,
        "+1 the payment (Dodo's amount and status; the subscription is derived)",
    ),
    ("dodo", "apply(<id>)"): (2, "+1 the wallet ledger entry (Dodo's record of a credit)"),
    ("dodo", "apply at period end"): (1, ""),
    ("dodo", "cancel scheduled change (held)"): (
        1,
        "+1 revision bump in metadata (its answer is the result; the DELETE answers no body)",
    ),
    ("dodo", "apply at period end, again"): (1, ""),
    ("dodo", "cancel_scheduled_change(<id>)"): (2, "+1 revision bump in metadata"),
    ("dodo", "list one page of subscriptions"): (1, ""),
    ("dodo", "list the subscription's invoices"): (
        4,
        "(the payment list, each payment's line items (2), the wallet ledger; a payment with tax, a "
        "discount or wallet balance in it +1: its tax and discounts are only on the payment)",
    ),
}
"""(provider, operation) -> (documented minimum, why each request above it is sent)."""


def stripe_billing(server: StripeEmulator, journal: Journal) -> Billing:
    """The Stripe adapter's own benchmark setup (prices for the contract plans, a test clock)."""
    path = Path(__file__).parents[2] / "adapters" / "stripe" / "benchmarks" / "requests_per_operation.py"
    spec = importlib.util.spec_from_file_location("stripe_requests_benchmark", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built: Billing = module._billing(server)
    return Billing(provider=built.provider, catalog=built.catalog, journal=journal)


def dodo_billing(url: str, journal: Journal) -> Billing:
    sdk = dodopayments.DodoPayments(bearer_token="bench", base_url=url)
    catalog: Catalog = contract_catalog(create_catalog_objects(sdk, contract_catalog()))
    sdk.close()
    settings = ProviderSettings(
        name="dodo", catalog=catalog, options={"base_url": url}, secrets={"api_key": Secret("bench")}
    )
    return Billing(provider=DodoProvider.from_settings(settings), catalog=catalog, journal=journal)


@contextmanager
def _providers(folder: Path) -> Iterator[list[tuple[str, Billing, Callable[[], list[str]]]]]:
    with running() as stripe_server, DodoEmulator(now=START) as dodo_server:

        def stripe_log() -> list[str]:
            return [f"{r.method} {r.path.split('?')[0]}" for r in stripe_server.requests()]

        def dodo_log() -> list[str]:
            return [f"{r.method} {r.path.split('?')[0]}" for r in dodo_server.requests()]

        yield [
            (
                "stripe",
                stripe_billing(stripe_server, Journal.open(folder / "stripe.journal")),
                stripe_log,
            ),
            ("dodo", dodo_billing(dodo_server.url, Journal.open(folder / "dodo.journal")), dodo_log),
        ]


def _operations(billing: Billing) -> Iterator[tuple[str, Callable[[], Any]]]:
    state: dict[str, Any] = {}
    up = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)
    down = PlanChange.swap("pro", "basic", proration=ProrationMode.PRORATE_NOW)
    yield "create customer", lambda: state.update(customer=billing.create_customer("bench@example.test"))
    yield (
        "subscribe",
        lambda: state.update(sub=billing.subscribe(state["customer"].id, "basic", trial_days=0)),
    )
    yield "get subscription", lambda: state.update(sub=billing.get(state["sub"].id))
    yield "preview (held subscription)", lambda: billing.preview(state["sub"], up)
    yield "preview(<id>)", lambda: billing.preview(state["sub"].id, up)
    yield "apply immediate (held)", lambda: state.update(sub=billing.apply(state["sub"], up).subscription)
    yield "apply(<id>)", lambda: state.update(sub=billing.apply(state["sub"].id, down).subscription)
    later = PlanChange.swap("basic", "premium", timing=AtPeriodEnd())
    yield "apply at period end", lambda: state.update(sub=billing.apply(state["sub"], later).subscription)
    yield (
        "cancel scheduled change (held)",
        lambda: state.update(sub=billing.cancel_scheduled_change(state["sub"])),
    )
    yield (
        "apply at period end, again",
        lambda: state.update(sub=billing.apply(state["sub"], later).subscription),
    )
    yield "cancel_scheduled_change(<id>)", lambda: billing.cancel_scheduled_change(state["sub"].id)
    yield "list one page of subscriptions", lambda: billing.subscriptions(page_size=100).first()
    yield "list the subscription's invoices", lambda: list(billing.invoices(state["sub"].id))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paths", action="store_true", help="print the requests of every operation")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder, _providers(Path(folder)) as providers:
        for name, billing, log in providers:
            for operation, action in _operations(billing):
                before = len(log())
                action()
                sent = log()[before:]
                minimum = REASONS[(name, operation)][0]
                rows.append((name, len(sent), minimum, operation, sent))
            billing.close()
    width = max(len(row[3]) for row in rows)
    print(f"{'provider':<8} {'operation':<{width}} {'sent':>4} {'min':>4}  why above the minimum")
    for name, sent, minimum, operation, paths in rows:
        why = REASONS[(name, operation)][1] if sent > minimum else ""
        print(f"{name:<8} {operation:<{width}} {sent:>4} {minimum:>4}  {why}")
        if args.paths:
            for path in paths:
                print(f"{'':<8}   {path}")


if __name__ == "__main__":
    main()
