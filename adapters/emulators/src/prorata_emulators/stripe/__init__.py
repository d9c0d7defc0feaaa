"""A stateful emulator of the Stripe API (``2026-10-28.endive``) for tests without an account.

``with StripeEmulator() as emulator:`` serves it on 127.0.0.1 (a free port) for the block;
``prorata emulate stripe --port PORT`` serves it from the command line. Point the real SDK at
it with ``StripeClient(..., base_addresses={"api": emulator.url})``. :class:`StripeApp` is the
emulator without its server (what ``emulator.app`` holds).
"""

from prorata_emulators.kit import Fault, SeedError
from prorata_emulators.stripe._app import API_VERSION, StripeApp
from prorata_emulators.stripe._seeding import Seeder
from prorata_emulators.stripe._server import StripeEmulator, running, start
from prorata_emulators.stripe._webhooks import sign

__all__ = [
    "API_VERSION",
    "Fault",
    "SeedError",
    "Seeder",
    "StripeApp",
    "StripeEmulator",
    "running",
    "sign",
    "start",
]
