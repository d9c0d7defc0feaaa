"""A stateful emulator of the Dodo Payments API for tests and demos.

See :class:`DodoEmulator`. The ``/_emulator/...`` control routes (clock, faults, request
counts, webhooks) exist only here, never on Dodo's API.
"""

from prorata_emulators.dodo._app import EmulatorApp
from prorata_emulators.dodo._server import DodoEmulator
from prorata_emulators.dodo._webhooks import sign

__all__ = ["DodoEmulator", "EmulatorApp", "sign", "start"]


def start(host: str, port: int) -> DodoEmulator:
    """Bind an emulator to ``host:port`` (``prorata emulate dodo``); call ``serve_forever``."""
    return DodoEmulator(host, port)
