"""prorata plugin: registers the ``stripe`` and ``dodo`` emulators (``prorata emulate NAME``).

Registration imports no emulator code; an emulator's modules load only when it starts.
"""

from __future__ import annotations

from collections.abc import Callable

from prorata.provider import EmulatorServer, EmulatorSpec, hookimpl

__all__ = ["prorata_register_emulators"]


def _start_stripe(host: str, port: int) -> EmulatorServer:
    from prorata_emulators.stripe import start

    return start(host, port)


def _start_dodo(host: str, port: int) -> EmulatorServer:
    from prorata_emulators.dodo import start

    return start(host, port)


@hookimpl
def prorata_register_emulators(register: Callable[[EmulatorSpec], None]) -> None:
    """Register the stateful Stripe and Dodo API emulators."""
    register(
        EmulatorSpec(
            name="stripe",
            start=_start_stripe,
            description="Stateful Stripe API emulator (2026-10-28.endive)",
        )
    )
    register(
        EmulatorSpec(
            name="dodo",
            start=_start_dodo,
            description="Stateful Dodo Payments API emulator with a clock route",
        )
    )
