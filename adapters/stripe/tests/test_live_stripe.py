"""The same adapter against real Stripe test mode, when ``STRIPE_TEST_SECRET_KEY`` is set.

Skipped otherwise (with that reason). Creates its own products, prices and a test clock,
and deletes the clock (and with it the clock's customers) afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import stripe

from prorata import AtPeriodEnd, Billing, InvoiceStatus, PlanChange
from prorata_contract import CONTRACT_PLANS, contract_catalog
from prorata_stripe import StripeProvider

KEY = os.environ.get("STRIPE_TEST_SECRET_KEY", "")

pytestmark = pytest.mark.skipif(
    not KEY.startswith("sk_test_"), reason="STRIPE_TEST_SECRET_KEY (an sk_test_ key) is not set"
)


@pytest.fixture
def live_billing() -> Iterator[Billing]:
    client = stripe.StripeClient(KEY, max_network_retries=2)
    run = uuid.uuid4().hex[:8]
    refs: dict[str, dict[str, str]] = {}
    for key, name, amount, currency, unit, _ in CONTRACT_PLANS:
        price = client.v1.prices.create(
            {
                "currency": currency.lower(),
                "unit_amount": amount,
                "recurring": {"interval": unit.value},
                "product_data": {"name": f"prorata {name} {run}"},
            }
        )
        refs[key] = {"stripe": price.id}
    catalog = contract_catalog(refs)
    frozen = int((datetime.now(tz=UTC) - timedelta(minutes=5)).timestamp())
    provider = StripeProvider(client=client, catalog=catalog, create_test_clock=True, frozen_time=frozen)
    try:
        yield Billing(provider=provider, catalog=catalog)
    finally:
        if provider.test_clock is not None:
            client.v1.test_helpers.test_clocks.delete(provider.test_clock)


def test_live_upgrade_charges_the_previewed_amount(live_billing: Billing) -> None:
    customer = live_billing.create_customer(f"prorata-{uuid.uuid4().hex[:6]}@example.com")
    sub = live_billing.subscribe(customer.id, "basic")
    clock = live_billing.time_control()
    clock.advance(sub.current_period_start + (sub.current_period_end - sub.current_period_start) / 2)
    sub = live_billing.get(sub.id)
    change = PlanChange.swap("basic", "pro")
    preview = live_billing.preview(sub, change)
    assert sorted(line.amount.amount for line in preview.lines) == [-500, 1000]
    result = live_billing.apply(sub, change, preview=preview)
    assert result.matches_preview is True
    assert result.invoice is not None
    assert result.invoice.status is InvoiceStatus.PAID


def test_live_downgrade_at_period_end_uses_a_schedule(live_billing: Billing) -> None:
    customer = live_billing.create_customer(f"prorata-{uuid.uuid4().hex[:6]}@example.com")
    sub = live_billing.subscribe(customer.id, "premium")
    result = live_billing.apply(sub, PlanChange.swap("premium", "basic", timing=AtPeriodEnd()))
    assert result.schedule is not None
    assert result.subscription.scheduled_change is not None
    assert result.subscription.scheduled_change.effective_at == sub.current_period_end
    live_billing.time_control().advance(sub.current_period_end + timedelta(hours=1))
    assert live_billing.get(sub.id).plan_quantities == {"basic": 1}
