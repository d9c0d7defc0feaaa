"""A stateful emulator of the Stripe API (``2026-10-28.endive``) for tests without an account.

Start it in-process with :func:`running` (a context manager serving on 127.0.0.1, port 0)
or from the command line with ``prorata emulate stripe --port PORT``; point the real SDK
at ``server.url`` through ``StripeClient(..., base_addresses={"api": server.url})``.
"""

from prorata_emulators.kit import Fault
from prorata_emulators.stripe._app import API_VERSION, StripeEmulator
from prorata_emulators.stripe._server import StripeEmulatorServer, running, start
from prorata_emulators.stripe._webhooks import sign

__all__ = ["API_VERSION", "Fault", "StripeEmulator", "StripeEmulatorServer", "running", "sign", "start"]
