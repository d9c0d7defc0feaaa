"""The Stripe emulator's handle: the kit's loopback server in front of :class:`StripeApp`.

The real SDK reaches it through ``StripeClient(key, base_addresses={"api": emulator.url})``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator

from prorata_emulators.kit import Emulator, WebhookDelivery
from prorata_emulators.stripe._app import StripeApp
from prorata_emulators.stripe._seeding import Seeder
from prorata_emulators.stripe._store import Store

__all__ = ["StripeEmulator", "running", "start"]


class StripeEmulator(Emulator):
    """A stateful Stripe API on loopback (``with StripeEmulator() as stripe_emulator:``).

    Beyond the kit's controls (``requests()``, ``inject``, ``limit_writes``, ``request_counts``):
    ``seed`` creates objects without HTTP (through the same rules), ``store`` is the state,
    ``webhooks`` the delivery of events to the webhook endpoints created through the API.
    """

    name = "stripe"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, app: StripeApp | None = None) -> None:
        self.app: StripeApp = app or StripeApp.create()
        super().__init__(self.app, host, port)
        self.seed = Seeder(self.app)

    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def webhooks(self) -> WebhookDelivery:
        return self.app.webhooks

    def stop(self) -> None:
        super().stop()
        self.app.webhooks.stop()


def start(host: str = "127.0.0.1", port: int = 0) -> StripeEmulator:
    """Bind an emulator (``prorata emulate stripe``); call ``serve_forever`` to run it."""
    return StripeEmulator(host, port)


@contextlib.contextmanager
def running(host: str = "127.0.0.1", port: int = 0) -> Generator[StripeEmulator]:
    """Serve an emulator in a background thread for the ``with`` block."""
    with StripeEmulator(host, port) as emulator:
        yield emulator
