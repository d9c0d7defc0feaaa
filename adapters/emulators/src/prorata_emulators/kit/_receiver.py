"""A webhook endpoint for tests: records every POST (headers and body), can fail the first ones."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import attrs

__all__ = ["ReceivedWebhook", "WebhookReceiver"]


@attrs.frozen(kw_only=True, slots=True)
class ReceivedWebhook:
    path: str
    headers: dict[str, str]
    body: bytes = attrs.field(repr=False)


class WebhookReceiver(ThreadingHTTPServer):
    """``with WebhookReceiver() as hooks:`` serves on a free loopback port until the block ends.

    ``fail_first``: answer that many POSTs with 500 first (to test redelivery).
    """

    def __init__(self, *, fail_first: int = 0) -> None:
        self.received: list[ReceivedWebhook] = []
        self.fail_left = fail_first
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:  # pyright: ignore[reportPrivateUsage]
                    failing = receiver.fail_left > 0
                    if failing:
                        receiver.fail_left -= 1
                    else:
                        headers = {k.lower(): v for k, v in self.headers.items()}
                        receiver.received.append(ReceivedWebhook(path=self.path, headers=headers, body=body))
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        super().__init__(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self.serve_forever, name="webhook-receiver", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/webhooks"

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
