"""The handle every emulator shares: a loopback server thread, the request log, faults, the
write limit and the shared ``/_emulator/*`` control routes.

Shared control routes (JSON in and out; never part of a provider's API):

- ``GET /_emulator/requests``: ``{"counts": {route: n}, "data": [{"method", "path",
  "body", "status"}, ...]}`` (the API requests received, oldest first, bodies as text);
  ``DELETE /_emulator/requests`` forgets both.
- ``POST /_emulator/faults`` (a :class:`~prorata_emulators.kit.Fault` as JSON) arms a fault;
  ``DELETE /_emulator/faults`` disarms them all.
- ``POST /_emulator/write_limit {"per_second": 25}`` (``null``: no limit) sets the write limit.

Every other path goes to the emulator's own app (its API and its own control routes).
"""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol, Self, cast

from prorata_emulators.kit._faults import Fault, Faults, fault_from_json
from prorata_emulators.kit._gate import Gate
from prorata_emulators.kit._log import LoggedRequest
from prorata_emulators.kit._server import EmulatorHTTPServer, JsonReply, Reply

__all__ = ["App", "Emulator"]

CONTROL_PREFIX = "/_emulator/"


class App(Protocol):
    """What an emulator's app gives the kit: its gate and its request handler."""

    @property
    def gate(self) -> Gate: ...

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply: ...


def _logged(entry: LoggedRequest) -> dict[str, Any]:
    return {"method": entry.method, "path": entry.path, "body": entry.text(), "status": entry.status}


class Emulator:
    """A provider emulator on loopback: ``with XEmulator() as emulator:`` serves on a free port.

    ``url`` is where the SDK points; ``requests()`` is what it sent; ``inject(Fault(...))``,
    ``limit_writes(n)`` and ``request_counts()`` control and observe the gate.
    """

    name = "emulator"

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server = EmulatorHTTPServer((host, port), self._dispatch)
        self._thread: threading.Thread | None = None

    # -- serving ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._server.url

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.05)

    def start(self) -> Self:
        """Serve in a daemon thread (``with`` does this and ``stop`` at the end)."""
        self._thread = threading.Thread(target=self.serve_forever, name=f"{self.name}-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- observing and controlling -----------------------------------------------------------

    def requests(self, method: str | None = None, path_prefix: str = "") -> list[LoggedRequest]:
        """API requests received so far, oldest first: method, path, body, response status
        (control routes left out)."""
        return [e for e in self._server.log.entries(method, path_prefix) if not _is_control(e.path)]

    def clear_requests(self) -> None:
        """Forget the request log and the counts."""
        self._server.log.clear()
        self.app.gate.reset_counts()

    def request_counts(self) -> dict[str, int]:
        """API requests served per route name (``"POST /v1/subscriptions/{id}": 1``)."""
        return self.app.gate.request_counts()

    def reset_counts(self) -> None:
        self.app.gate.reset_counts()

    @property
    def faults(self) -> Faults:
        """The armed faults (``faults.randomly(...)`` for soak tests, ``faults.injected``)."""
        return self.app.gate.faults

    def inject(self, fault: Fault) -> None:
        """Arm ``fault`` for the next ``fault.times`` matching requests."""
        self.app.gate.faults.arm(fault)

    def clear_faults(self) -> None:
        self.app.gate.faults.clear()

    def limit_writes(self, per_second: float | None) -> None:
        """Answer writes over ``per_second`` with 429 and Retry-After (None: no limit)."""
        self.app.gate.limit_writes(per_second)

    # -- HTTP ----------------------------------------------------------------------------------

    def _dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        path = target.split("?", 1)[0]
        shared = _shared_control(self, method, path, body)
        return shared if shared is not None else self.app.handle(method, target, headers, body)


def _is_control(path: str) -> bool:
    return path.startswith(CONTROL_PREFIX)


def _shared_control(emulator: Emulator, method: str, path: str, body: bytes) -> Reply | None:
    route = f"{method} {path}"
    if route == "GET /_emulator/requests":
        return JsonReply.of(
            200,
            {"counts": emulator.request_counts(), "data": [_logged(e) for e in emulator.requests()]},
        )
    if route == "DELETE /_emulator/requests":
        emulator.clear_requests()
        return JsonReply.of(200, {"cleared": True})
    if route == "DELETE /_emulator/faults":
        emulator.clear_faults()
        return JsonReply.of(200, {"cleared": True})
    if route not in ("POST /_emulator/faults", "POST /_emulator/write_limit"):
        return None
    try:
        parsed: Any = json.loads(body or b"{}")
        if route == "POST /_emulator/faults":
            emulator.inject(fault_from_json(parsed))
            return JsonReply.of(200, {"armed": True})
        return _write_limit(emulator, parsed)
    except ValueError as error:
        return JsonReply.of(400, {"error": {"type": "invalid_request_error", "message": f"{path}: {error}"}})


def _write_limit(emulator: Emulator, parsed: Any) -> Reply:
    if not isinstance(parsed, dict) or "per_second" not in parsed:
        raise ValueError('a JSON object {"per_second": <number or null>}')
    per_second: Any = cast("dict[str, Any]", parsed)["per_second"]
    if per_second is not None and (
        isinstance(per_second, bool) or not isinstance(per_second, (int, float)) or per_second <= 0
    ):
        raise ValueError("per_second is a positive number or null")
    emulator.limit_writes(per_second)
    return JsonReply.of(200, {"per_second": per_second})
