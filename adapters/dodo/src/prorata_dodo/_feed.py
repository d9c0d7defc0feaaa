"""``prorata listen`` on the Dodo emulator: its signed deliveries (``GET /_emulator/webhooks``).

Dodo's own API lists no events (it only delivers webhooks to the endpoints registered in
its dashboard), so against the real API there is no feed.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from prorata.provider import Delivery, Feed

__all__ = ["emulator_feed"]


def _deliveries(base_url: str) -> list[dict[str, Any]]:
    request = urllib.request.Request(base_url.rstrip("/") + "/_emulator/webhooks", method="GET")
    with urllib.request.urlopen(request, timeout=30) as response:
        payload: Any = json.loads(response.read())
    return [dict(event) for event in payload["events"]]


def emulator_feed(base_url: str, *, replay: bool) -> Feed:
    """New deliveries of the emulator on each call, oldest first."""
    seen: set[str] = set() if replay else {str(e["id"]) for e in _deliveries(base_url)}

    def take() -> list[Delivery]:
        fresh = [e for e in _deliveries(base_url) if str(e["id"]) not in seen]
        seen.update(str(e["id"]) for e in fresh)
        return [(dict(e["headers"]), str(e["body"]).encode()) for e in fresh]

    return take
