"""The Dodo emulator's handle: the kit's loopback server in front of :class:`DodoApp`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prorata_emulators.dodo._app import DodoApp
from prorata_emulators.dodo._billing import advance
from prorata_emulators.dodo._seeding import Seeder
from prorata_emulators.dodo._state import State
from prorata_emulators.kit import Emulator, WebhookDelivery

__all__ = ["DodoEmulator"]


class DodoEmulator(Emulator):
    """A stateful Dodo Payments API on loopback, for the real ``dodopayments`` SDK.

    ``with DodoEmulator() as emulator:`` serves it on a free port for the block (or
    ``prorata emulate dodo --port PORT``); point the SDK at ``emulator.url`` via ``base_url``.
    Time is frozen at ``now`` and moves only through :meth:`advance` (or the emulator-only
    ``POST /_emulator/clock`` route). Beyond the kit's controls (``requests()``, ``inject``,
    ``limit_writes``, ``request_counts``): ``seed`` creates objects without HTTP, ``state`` is
    the state, ``events()`` the signed webhooks so far.
    """

    name = "dodo"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, now: datetime | None = None) -> None:
        start = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        self.app: DodoApp = DodoApp(state=State(now=start))
        super().__init__(self.app, host, port)
        self.seed = Seeder(self.app)

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

    @property
    def webhooks(self) -> WebhookDelivery:
        """The delivery of events to the URL set with ``POST /_emulator/webhooks``."""
        return self.app.state.delivery

    def advance(self, to: datetime) -> None:
        """Move time forward to ``to``, running renewals and scheduled changes."""
        with self.app.state.lock:
            advance(self.app.state, to.astimezone(UTC).replace(microsecond=0))

    def events(self) -> list[dict[str, Any]]:
        """Signed webhook deliveries so far (``id``, ``type``, ``headers``, ``body``)."""
        with self.app.state.lock:
            return list(self.app.state.outbox)

    def stop(self) -> None:
        super().stop()
        self.app.state.delivery.stop()
