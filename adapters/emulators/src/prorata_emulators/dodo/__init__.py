"""A stateful emulator of the Dodo Payments API for tests and demos.

See :class:`DodoEmulator`; :class:`DodoApp` is the emulator without its server (what
``emulator.app`` holds). The ``/_emulator/...`` control routes (clock, faults, requests,
webhooks) exist only here, never on Dodo's API.
"""

from prorata_emulators.dodo._app import DodoApp
from prorata_emulators.dodo._seeding import Seeder
from prorata_emulators.dodo._server import DodoEmulator
from prorata_emulators.dodo._webhooks import sign
from prorata_emulators.kit import Fault, SeedError

__all__ = ["DodoApp", "DodoEmulator", "Fault", "SeedError", "Seeder", "sign", "start"]


def start(host: str, port: int) -> DodoEmulator:
    """Bind an emulator to ``host:port`` (``prorata emulate dodo``); call ``serve_forever``."""
    return DodoEmulator(host, port)
