"""The steps behind ``Billing.parse_event`` / ``process_event``: verify, normalize, dedupe."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from prorata._errors import UnsupportedCapabilityError
from prorata._event_provider import EventFeed, EventProvider, Feed
from prorata._events import BillingEvent, EventOutcome
from prorata._provider import Provider
from prorata.journal import Journal

__all__ = ["event_feed", "event_provider", "parse", "process"]


def event_provider(provider: Provider) -> EventProvider:
    """The provider's webhook parsing, when its capabilities declare ``events``."""
    if not provider.capabilities.events or not isinstance(provider, EventProvider):
        raise UnsupportedCapabilityError(
            "headers", "<webhook>", capability="webhook events", provider=provider.name
        )
    return provider


def parse(provider: Provider, headers: Mapping[str, str], body: bytes | str) -> BillingEvent:
    """Verify one delivery with the provider's library and normalize it."""
    events = event_provider(provider)
    lowered = {str(name).lower(): str(value) for name, value in headers.items()}
    raw = body.encode() if isinstance(body, str) else bytes(body)
    return events.parse_event(lowered, raw)


def process(
    provider: Provider,
    journal: Journal,
    headers: Mapping[str, str],
    body: bytes | str,
    handler: Callable[[BillingEvent], Any],
) -> EventOutcome:
    """Verify, then run ``handler`` once per event id across retries, workers and restarts.

    The event id is remembered only after the handler returned: a handler that raises leaves
    the event unprocessed, so the provider's redelivery runs it again. A lease on the id
    keeps two workers receiving the same delivery from both running it.
    """
    event = parse(provider, headers, body)
    source = f"{provider.name}:webhook"
    with journal.named_lease(f"event:{provider.name}:{event.id}"):
        if journal.event_processed(source, event.id):
            return EventOutcome(event=event, duplicate=True)
        result = handler(event)
        journal.mark_event_processed(source, event.id)
    return EventOutcome(event=event, duplicate=False, result=result)


def event_feed(provider: Provider, *, replay: bool = False) -> Feed:
    """The provider's feed of signed deliveries (``prorata listen``), when it has one."""
    event_provider(provider)
    if not isinstance(provider, EventFeed):
        raise UnsupportedCapabilityError(
            "listen",
            provider.name,
            capability="listing its events (use a webhook endpoint)",
            provider=provider.name,
        )
    return provider.event_feed(replay=replay)
