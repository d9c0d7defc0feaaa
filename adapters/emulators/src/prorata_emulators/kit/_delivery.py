"""Webhook delivery: signed POSTs to the endpoints a test registered, in order, with retries.

Stripe retries a failed delivery for up to three days in live mode and three times over a few
hours in a sandbox (https://docs.stripe.com/webhooks#automatic-retries); Dodo Payments retries
with exponential backoff (https://docs.dodopayments.com/developer-resources/webhooks). An
emulator compresses that into ``retry_delays`` seconds of real time (default 0.1, 0.5 and 2 s:
four attempts), so a test can watch a failing endpoint receive the event again.
"""

from __future__ import annotations

import queue
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping

import attrs

__all__ = ["Delivery", "WebhookDelivery"]


@attrs.frozen(kw_only=True, slots=True)
class Delivery:
    """One webhook: where it goes, its signed headers and its body."""

    url: str
    headers: Mapping[str, str]
    body: bytes = attrs.field(repr=False)


class WebhookDelivery:
    """Posts deliveries from one background thread, oldest first; retries non-2xx answers."""

    def __init__(self, retry_delays: tuple[float, ...] = (0.1, 0.5, 2.0), timeout: float = 5.0) -> None:
        self.retry_delays = retry_delays
        self.timeout = timeout
        self.delivered: list[Delivery] = []
        """Deliveries the endpoint accepted (2xx), in order."""
        self.failures: list[str] = []
        """One line per failed attempt (``url: reason``)."""
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def send(self, delivery: Delivery) -> None:
        """Queue ``delivery``; the sender thread starts on the first one."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="emulator-webhooks", daemon=True)
                self._thread.start()
        self._queue.put(delivery)

    def join(self) -> None:
        """Wait until every queued delivery was accepted or gave up (for tests)."""
        self._queue.join()

    def stop(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._queue.put(None)
                self._thread = None

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                self._queue.task_done()
                return
            try:
                self._attempt_all(job)
            finally:
                self._queue.task_done()

    def _attempt_all(self, job: Delivery) -> None:
        for delay in (0.0, *self.retry_delays):
            time.sleep(delay)
            reason = self._attempt(job)
            if reason is None:
                self.delivered.append(job)
                return
            self.failures.append(f"{job.url}: {reason}")

    def _attempt(self, job: Delivery) -> str | None:
        request = urllib.request.Request(job.url, data=job.body, method="POST", headers=dict(job.headers))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout):
                return None
        except urllib.error.HTTPError as error:
            return f"HTTP {error.code}"
        except OSError as error:
            return str(error)
