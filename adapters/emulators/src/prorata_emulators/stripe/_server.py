"""The emulator over HTTP (the kit's keep-alive server); the real SDK reaches it via ``base_addresses``."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Generator
from typing import Any

from prorata_emulators.kit import EmulatorHTTPServer, LoggedRequest, fault_from_json
from prorata_emulators.stripe._app import Response, StripeEmulator

__all__ = ["StripeEmulatorServer", "running", "start"]

_THROUGH_THE_API = re.compile(r"^/_emulator/(payment|setup)_intents/[^/]+/authenticate$")
"""Control routes that act on API state, served by the emulator's own routes (``_routes_payments``)."""


def _json(status: int, payload: Any) -> Response:
    return Response(
        status=status, body=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )


def _control(emulator: StripeEmulator, method: str, path: str, body: bytes) -> Response:
    """Emulator-only routes: ``GET|DELETE /_emulator/requests`` (counts per route),
    ``POST /_emulator/faults`` (arm one, JSON as ``kit.Fault``), ``DELETE /_emulator/faults``."""
    if path == "/_emulator/requests" and method == "GET":
        return _json(200, emulator.request_counts())
    if path == "/_emulator/requests" and method == "DELETE":
        emulator.reset_counts()
        return _json(200, {})
    if path == "/_emulator/faults" and method == "DELETE":
        emulator.faults.clear()
        return _json(200, {"cleared": True})
    if path == "/_emulator/faults" and method == "POST":
        try:
            emulator.inject(fault_from_json(json.loads(body or b"{}")))
        except (ValueError, TypeError) as error:
            return _json(400, {"error": {"type": "invalid_request_error", "message": f"bad fault: {error}"}})
        return _json(200, {"ok": True})
    return _json(
        404, {"error": {"type": "invalid_request_error", "message": f"no control route {method} {path}"}}
    )


class StripeEmulatorServer(EmulatorHTTPServer):
    """A running emulator: ``url``, ``serve_forever()`` and ``stop()``; ``emulator`` for controls.

    ``requests()`` lists what was received (method, path, body, response status).
    """

    def __init__(self, host: str, port: int, emulator: StripeEmulator | None = None) -> None:
        self.emulator = emulator or StripeEmulator.create()
        super().__init__((host, port), self._dispatch)

    def _dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        if target.startswith("/_emulator/") and not _THROUGH_THE_API.match(target.split("?", 1)[0]):
            return _control(self.emulator, method, target, body)
        return self.emulator.handle(method, target, headers, body)

    def requests(self, method: str | None = None, path_prefix: str = "/v1/") -> list[LoggedRequest]:
        """The API requests received so far, oldest first (control routes left out by default)."""
        return self.log.entries(method, path_prefix)

    def stop(self) -> None:
        super().stop()
        self.emulator.webhooks.stop()


def start(host: str = "127.0.0.1", port: int = 0) -> StripeEmulatorServer:
    """Bind an emulator server (call ``serve_forever`` to run it)."""
    return StripeEmulatorServer(host, port)


@contextlib.contextmanager
def running(host: str = "127.0.0.1", port: int = 0) -> Generator[StripeEmulatorServer]:
    """Serve an emulator in a background thread for the ``with`` block (tests use this)."""
    server = start(host, port)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="stripe-emulator", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.stop()
        thread.join(timeout=5)
