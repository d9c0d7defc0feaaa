"""The emulator's clock as a prorata TimeControl (Dodo itself has no test clocks)."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime

import attrs

__all__ = ["EmulatorClock"]


@attrs.frozen(kw_only=True, slots=True)
class EmulatorClock:
    """Reads and moves the emulator's time through its ``/_emulator/clock`` route."""

    base_url: str

    def _call(self, method: str, body: dict[str, str] | None = None) -> datetime:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url.rstrip("/") + "/_emulator/clock",
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = json.loads(response.read())
        return datetime.fromisoformat(str(payload["now"]).replace("Z", "+00:00"))

    def now(self) -> datetime:
        return self._call("GET")

    def advance(self, to: datetime) -> None:
        """Move the emulator to ``to``, running renewals and scheduled changes due."""
        self._call("POST", {"now": to.astimezone(UTC).isoformat()})
