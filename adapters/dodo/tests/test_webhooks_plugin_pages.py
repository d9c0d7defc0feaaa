"""Signed webhooks, plugin registration, explicit pagination."""

from __future__ import annotations

import dodopayments
import pytest

from prorata import Billing, PlanChange, ProrationMode
from prorata.provider import ProviderSpec
from prorata_dodo import CAPABILITIES, plugin
from prorata_emulators.dodo import DodoEmulator


def test_events_are_signed_standard_webhooks(
    billing: Billing, emulator: DodoEmulator, sdk: dodopayments.DodoPayments
) -> None:
    customer = billing.create_customer("hooks@example.com")
    sub = billing.subscribe(customer.id, "basic")
    billing.apply(sub, PlanChange.swap("basic", "pro", proration=ProrationMode.NO_BILLING))
    events = emulator.events()
    changed = [e for e in events if e["type"] == "subscription.plan_changed"]
    assert len(changed) == 1
    event = sdk.webhooks.unwrap(
        changed[0]["body"], headers=changed[0]["headers"], key=emulator.webhook_secret
    )
    assert event.type == "subscription.plan_changed"
    assert event.data.subscription_id == sub.id  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
    tampered = changed[0]["body"].replace(sub.id, "sub_other")
    with pytest.raises(Exception, match=r"(?i)signature"):
        sdk.webhooks.unwrap(tampered, headers=changed[0]["headers"], key=emulator.webhook_secret)
    assert len({e["id"] for e in events}) == len(events)


def test_plugin_registers_the_provider_only() -> None:
    providers: list[ProviderSpec] = []
    plugin.prorata_register_providers(providers.append)
    assert [p.name for p in providers] == ["dodo"]
    assert providers[0].capabilities == CAPABILITIES
    assert not hasattr(plugin, "prorata_register_emulators")


def test_registry_finds_dodo_through_the_entry_point() -> None:
    from prorata.provider import get_registry

    registry = get_registry()
    assert registry.provider("dodo").capabilities.max_base_items == 1


def test_explicit_pages_see_every_row(
    billing: Billing, monkeypatch: pytest.MonkeyPatch, emulator: DodoEmulator
) -> None:
    customer = billing.create_customer("many@example.com")
    created = {billing.subscribe(customer.id, "basic", idempotency_key=f"s{i}").id for i in range(5)}
    emulator.reset_counts()
    listed = {s.id for s in billing.subscriptions(customer_id=customer.id, page_size=2)}
    assert listed == created
    counts = emulator.request_counts()
    assert counts["GET /subscriptions"] == 3  # pages 0, 1, 2
    assert counts.get("GET /subscriptions/{id}", 0) == 0  # plain rows map from the list: no N+1


def test_sdk_auto_paging_skips_page_one(billing: Billing, sdk: dodopayments.DodoPayments) -> None:
    """Why we paginate ourselves: the SDK asks page 2 after page 0."""
    customer = billing.create_customer("paging@example.com")
    created = {billing.subscribe(customer.id, "basic", idempotency_key=f"p{i}").id for i in range(6)}
    seen = {
        row.subscription_id
        for row in sdk.subscriptions.list(customer_id=customer.id, page_size=2, page_number=0)
    }
    assert len(seen) < len(created)
