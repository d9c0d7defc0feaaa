"""What a provider implements to deliver verified, normalized webhook events (optional)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from prorata._events import BillingEvent

__all__ = ["EventProvider"]


@runtime_checkable
class EventProvider(Protocol):
    """Webhook parsing of a provider, beside :class:`prorata.provider.Provider`.

    Declared with ``Capabilities(events=True)``. The provider verifies the delivery with its
    provider's own library and its configured webhook secret (``webhook_secret_env``), then
    maps it onto a :class:`BillingEvent`.
    """

    def parse_event(self, headers: Mapping[str, str], body: bytes) -> BillingEvent:
        """Verify and normalize one delivery. ``headers`` have lower-case names.

        Raises ``WebhookVerificationError`` for a forged, tampered or expired delivery, a
        wrong or missing secret, or a body that is not an event.
        """
        ...
