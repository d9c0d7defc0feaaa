"""Previews that cannot go stale silently: an expiry, and a digest binding them to their figures."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

import attrs

from prorata._capabilities import ProrationTime
from prorata._change import Immediately, PlanChange
from prorata._errors import BillingError, InvalidChangeError, StalePreviewError
from prorata._items import Item
from prorata._preview import ChangePreview
from prorata._provider import Provider
from prorata._serialization import dumps
from prorata._subscription import Subscription

__all__ = ["DEFAULT_PREVIEW_TTL", "check_fresh", "check_still_priced", "preview_digest", "seal"]

DEFAULT_PREVIEW_TTL = timedelta(minutes=30)
"""How long a preview may be applied after it was made, unless configured otherwise."""


def preview_digest(preview: ChangePreview, key: bytes | None = None) -> str:
    """A digest of everything the preview says (its own digest left out).

    With ``key`` it is an HMAC, so only a holder of the key can re-seal an edited preview;
    without, it still refuses a preview edited by mistake or by a careless client.
    """
    body = dumps(attrs.evolve(preview, digest=None)).encode()
    if key is None:
        return "sha256:" + hashlib.sha256(body).hexdigest()
    return "hmac-sha256:" + hmac.new(key, body, hashlib.sha256).hexdigest()


def seal(preview: ChangePreview, *, now: datetime, ttl: timedelta, key: bytes | None = None) -> ChangePreview:
    """The preview with ``expires_at = now + ttl`` and its digest."""
    dated = attrs.evolve(preview, expires_at=now + ttl, digest=None)
    return attrs.evolve(dated, digest=preview_digest(dated, key))


def check_fresh(preview: ChangePreview, *, now: datetime, key: bytes | None = None) -> None:
    """Refuse an edited preview (InvalidChangeError) or an expired one (StalePreviewError).

    A preview without a digest (one built by hand or by a provider directly) is refused:
    only what ``Billing.preview`` returned can be applied as a preview.
    """
    if preview.digest is None or not hmac.compare_digest(preview.digest, preview_digest(preview, key)):
        raise InvalidChangeError(
            "preview.digest",
            "<missing>" if preview.digest is None else "<does not match>",
            "the preview exactly as Billing.preview returned it (it was edited or not sealed)",
        )
    if preview.expires_at is not None and now >= preview.expires_at:
        raise StalePreviewError(f"it expired at {preview.expires_at.isoformat()} (now {now.isoformat()})")


def check_still_priced(
    provider: Provider,
    current: Subscription,
    change: PlanChange,
    target: tuple[Item, ...],
    preview: ChangePreview,
) -> None:
    """On a provider that prices at receipt, refuse an immediate change whose price moved.

    Such a provider cannot be told the preview's proration time, so apply prices the change
    again first (one more preview request) and raises StalePreviewError, with both
    figures, when what would be charged or credited differs from what the customer saw.
    """
    if provider.capabilities.proration_time is not ProrationTime.AT_RECEIPT:
        return
    if not isinstance(change.timing, Immediately) or not change.changes_items:
        return
    try:
        again = provider.preview_change(current, change, target=target, proration_time=None)
    except BillingError:
        if _already_applied(provider, current, target):
            return
        raise
    for label, shown, now in (
        ("amount due", preview.totals.amount_due, again.totals.amount_due),
        ("total", preview.totals.total, again.totals.total),
    ):
        if shown != now and not _already_applied(provider, current, target):
            raise StalePreviewError(
                f"the {label} changed since the preview (the provider prices when it receives the change)",
                previewed=shown,
                current=now,
            )


def _already_applied(provider: Provider, current: Subscription, target: tuple[Item, ...]) -> bool:
    """A retry of an apply that went through: the provider's replay handling answers it."""
    fresh = provider.get_subscription(current.id)
    return fresh.plan_quantities == {item.plan: item.quantity for item in target} != current.plan_quantities
