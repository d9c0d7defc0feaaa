"""The emulator over HTTP: a stdlib ``ThreadingHTTPServer`` the real SDK reaches via ``base_addresses``."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Generator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prorata_emulators.stripe._app import StripeEmulator

__all__ = ["StripeEmulatorServer", "running", "start"]


class _Handler(BaseHTTPRequestHandler):
    server: StripeEmulatorServer  # pyright: ignore[reportIncompatibleVariableOverride]

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/_emulator/"):
            self._control(body)
            return
        response = self.server.emulator.handle(self.command, self.path, dict(self.headers.items()), body)
        if response.drop:
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def _control(self, body: bytes) -> None:
        """Emulator-only routes: ``GET /_emulator/requests`` (counts per route), ``POST /_emulator/faults``."""
        from prorata_emulators.stripe._app import Fault

        emulator = self.server.emulator
        payload: Any
        if self.path == "/_emulator/requests" and self.command == "GET":
            payload = emulator.request_counts()
        elif self.path == "/_emulator/requests" and self.command == "DELETE":
            emulator.reset_counts()
            payload = {}
        elif self.path == "/_emulator/faults" and self.command == "POST":
            spec: dict[str, Any] = json.loads(body or b"{}")
            emulator.inject(Fault(**spec))
            payload = {"ok": True}
        else:
            self.send_error(404)
            return
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = _serve
    do_POST = _serve
    do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        return


class StripeEmulatorServer(ThreadingHTTPServer):
    """A running emulator: ``url``, ``serve_forever()`` and ``stop()``; ``emulator`` for controls."""

    daemon_threads = True

    def __init__(self, host: str, port: int, emulator: StripeEmulator | None = None) -> None:
        super().__init__((host, port), _Handler)
        self.emulator = emulator or StripeEmulator.create()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
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
