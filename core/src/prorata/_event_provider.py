"""What a provider implements to deliver verified, normalized webhook events (optional)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

from prorata._events import BillingEvent

__all__ = ["Delivery", "EventFeed", "EventProvider", "Feed"]

Delivery = tuple[Mapping[str, str], bytes]
"""One signed webhook as an endpoint receives it: headers and body."""

Feed = Callable[[], list[Delivery]]
"""Each call: the deliveries made since the previous call, oldest first."""


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


@runtime_checkable
class EventFeed(Protocol):
    """A provider that can hand out its events without a public endpoint (``prorata listen``).

    Optional. The deliveries are signed so that ``parse_event`` of the same provider verifies them.
    """

    def event_feed(self, *, replay: bool = False) -> Feed:
        """A feed of new events; with ``replay`` the first call also returns the retained ones."""
        ...
