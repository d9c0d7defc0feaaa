"""Signed webhook delivery: ``Stripe-Signature: t=<ts>,v1=<hmac-sha256(secret, "<ts>.<body>")>``."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
import urllib.request
from typing import Any

import attrs

from prorata_emulators.stripe._store import JSON, Store, public

__all__ = ["WebhookSender", "sign"]


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header value for ``payload``."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


@attrs.define
class WebhookSender:
    """Posts events to the registered endpoints from one background thread, in order."""

    _queue: queue.Queue[tuple[str, str, bytes] | None] = attrs.field(factory=lambda: queue.Queue())  # pyright: ignore[reportUnknownLambdaType]
    _thread: threading.Thread | None = None
    delivered: list[JSON] = attrs.field(factory=list[JSON])
    failures: list[str] = attrs.field(factory=list[str])

    def enqueue(self, store: Store, events: list[JSON]) -> None:
        if not store.real_time:
            return
        for event in events:
            for endpoint in store.scan("webhook_endpoint"):
                enabled: list[str] = endpoint["enabled_events"]
                if "*" in enabled or event["type"] in enabled:
                    body = json.dumps(public(event)).encode()
                    self._queue.put((endpoint["url"], endpoint["secret"], body))

    def flush(self) -> None:
        if self._thread is None and not self._queue.empty():
            self._thread = threading.Thread(target=self._run, name="stripe-emulator-webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            url, secret, body = job
            request = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={"Content-Type": "application/json", "Stripe-Signature": sign(body, secret)},
            )
            try:
                with urllib.request.urlopen(request, timeout=5):
                    pass
                parsed: Any = json.loads(body)
                self.delivered.append(parsed)
            except OSError as exc:
                self.failures.append(f"{url}: {exc}")
            finally:
                self._queue.task_done()

    def join(self) -> None:
        """Wait until every queued event was posted (for tests)."""
        self._queue.join()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
