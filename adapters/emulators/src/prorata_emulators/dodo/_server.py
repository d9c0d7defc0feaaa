"""The emulator on the kit's keep-alive HTTP server, and its in-process handle."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from prorata_emulators.dodo._app import EmulatorApp, Outcome
from prorata_emulators.dodo._billing import advance
from prorata_emulators.dodo._state import State
from prorata_emulators.kit import EmulatorHTTPServer, Fault, FaultKind, Handle, LoggedRequest, WriteLimit

__all__ = ["DodoEmulator"]


def _dispatcher(app: EmulatorApp) -> Handle:
    def dispatch(method: str, target: str, headers: dict[str, str], body: bytes) -> Outcome:
        parts = urlsplit(target)
        lowered = {key.lower(): value for key, value in headers.items()}
        return app.handle(method, parts.path, dict(parse_qsl(parts.query)), lowered, body)

    return dispatch


class DodoEmulator:
    """A stateful Dodo Payments API on loopback, for the real ``dodopayments`` SDK.

    Use it in-process as a context manager (a server thread on port 0), or serve it with
    ``prorata emulate dodo --port PORT``. Point the SDK at ``emulator.url`` via ``base_url``.
    Time is frozen at ``now`` and moves only through :meth:`advance` (or the emulator-only
    ``POST /_emulator/clock`` route).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, now: datetime | None = None) -> None:
        start = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        self.app = EmulatorApp(state=State(now=start))
        self._server = EmulatorHTTPServer((host, port), _dispatcher(self.app))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def state(self) -> State:
        return self.app.state

    @property
    def now(self) -> datetime:
        return self.app.state.now

    @property
    def webhook_secret(self) -> str:
        """The Standard Webhooks key (``whsec_...``) the emulator signs events with."""
        return self.app.state.webhook_secret

    def advance(self, to: datetime) -> None:
        """Move time forward to ``to``, running renewals and scheduled changes."""
        with self.app.state.lock:
            advance(self.app.state, to.astimezone(UTC).replace(microsecond=0))

    def limit_writes(self, per_second: float | None) -> None:
        """Answer writes over ``per_second`` with 429 and ``retry-after`` (None: no limit)."""
        self.app.write_limit = None if per_second is None else WriteLimit(per_second)

    def inject(
        self,
        route: str | None,
        kind: FaultKind,
        *,
        times: int = 1,
        retry_after: int = 1,
        status: int = 500,
        delay: float = 0.0,
    ) -> None:
        """Fail the next ``times`` requests to ``route`` (``"POST /subscriptions/{id}/change-plan"``)."""
        self.app.faults.arm(
            Fault(route=route, kind=kind, times=times, retry_after=retry_after, status=status, delay=delay)
        )

    def request_counts(self) -> dict[str, int]:
        return self.app.request_counts()

    def reset_counts(self) -> None:
        self.app.reset_counts()

    def requests(self, method: str | None = None, path_prefix: str = "") -> list[LoggedRequest]:
        """Requests received so far, oldest first: method, path, body, response status."""
        return [
            e for e in self._server.log.entries(method, path_prefix) if not e.path.startswith("/_emulator/")
        ]

    def events(self) -> list[dict[str, Any]]:
        """Signed webhook deliveries so far (``id``, ``type``, ``headers``, ``body``)."""
        with self.app.state.lock:
            return list(self.app.state.outbox)

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.1)

    def start(self) -> DodoEmulator:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="dodo-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> DodoEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
