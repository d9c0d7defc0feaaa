"""Previews cannot go stale silently: they expire, and an edited preview is refused."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from prorata import (
    Billing,
    ChangePreview,
    PlanChange,
    ProrationMode,
    Totals,
    dumps,
    loads,
)
from prorata.errors import InvalidChangeError, StalePreviewError
from prorata.local import LocalProvider

from .conftest import START


def _subscribed(billing: Billing) -> str:
    customer = billing.create_customer("fresh@example.com")
    sub = billing.subscribe(customer.id, "basic")
    billing.time_control().advance(START + timedelta(days=10))
    return sub.id


def test_a_preview_expires_after_thirty_minutes_by_default(billing: Billing) -> None:
    sub_id = _subscribed(billing)
    change = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)
    preview = billing.preview(sub_id, change)
    assert preview.expires_at == billing.now() + timedelta(minutes=30)
    billing.time_control().advance(billing.now() + timedelta(minutes=31))
    with pytest.raises(StalePreviewError):
        billing.apply(sub_id, change, preview=preview)
    assert billing.get(sub_id).plan_quantities == {"basic": 1}, "an expired preview changed nothing"


def test_a_preview_applied_before_it_expires_charges_its_figures(billing: Billing) -> None:
    sub_id = _subscribed(billing)
    change = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)
    preview = billing.preview(sub_id, change)
    billing.time_control().advance(billing.now() + timedelta(minutes=29))
    result = billing.apply(sub_id, change, preview=preview)
    assert result.invoice is not None
    assert result.invoice.amount_due == preview.amount_due_now, (
        f"charged {result.invoice.amount_due}, previewed {preview.amount_due_now}"
    )


def test_the_lifetime_is_configurable(provider: LocalProvider) -> None:
    billing = Billing(provider=provider, catalog=provider.catalog, preview_ttl=timedelta(minutes=5))
    sub_id = _subscribed(billing)
    change = PlanChange.swap("basic", "pro")
    preview = billing.preview(sub_id, change)
    assert preview.expires_at == billing.now() + timedelta(minutes=5)


def test_an_edited_preview_is_refused(billing: Billing) -> None:
    sub_id = _subscribed(billing)
    change = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)
    preview = billing.preview(sub_id, change)
    earlier = attrs.evolve(preview, proration_time=preview.proration_time - timedelta(days=9))
    cheaper = attrs.evolve(preview, totals=Totals.zero("USD"))
    for edited in (
        earlier,
        cheaper,
        attrs.evolve(preview, expires_at=preview.expires_at + timedelta(days=9)),
    ):
        with pytest.raises(InvalidChangeError, match="edited"):
            billing.apply(sub_id, change, preview=edited)
    assert billing.get(sub_id).plan_quantities == {"basic": 1}


def test_a_stored_preview_round_trips_and_still_applies(billing: Billing) -> None:
    sub_id = _subscribed(billing)
    change = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)
    stored = dumps(billing.preview(sub_id, change))
    result = billing.apply(sub_id, change, preview=loads(stored, ChangePreview))
    assert result.matches_preview is True


def test_a_keyed_digest_needs_the_key(provider: LocalProvider) -> None:
    keyed = Billing(provider=provider, catalog=provider.catalog, preview_key=b"s3cret")
    other = Billing(provider=provider, catalog=provider.catalog, preview_key=b"other")
    sub_id = _subscribed(keyed)
    change = PlanChange.swap("basic", "pro")
    preview = keyed.preview(sub_id, change)
    assert preview.digest is not None
    assert preview.digest.startswith("hmac-sha256:")
    assert "s3cret" not in repr(keyed)
    with pytest.raises(InvalidChangeError):
        other.apply(sub_id, change, preview=preview)
    assert keyed.apply(sub_id, change, preview=preview).invoice is not None
