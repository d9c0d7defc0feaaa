"""prorata plugin: registers the ``dodo`` provider and the ``dodo`` emulator."""

from __future__ import annotations

from collections.abc import Callable

from prorata.provider import EmulatorSpec, ProviderSpec, hookimpl
from prorata_dodo._capabilities import CAPABILITIES
from prorata_dodo._provider import DodoProvider

__all__ = ["prorata_register_emulators", "prorata_register_providers"]


@hookimpl
def prorata_register_providers(register: Callable[[ProviderSpec], None]) -> None:
    """Register ``dodo`` (options: base_url or environment, strict, timeout; secret api_key)."""
    register(
        ProviderSpec(
            name="dodo",
            factory=DodoProvider.from_settings,
            capabilities=CAPABILITIES,
            description="Dodo Payments (dodopayments SDK): change_plan with every proration_billing_mode",
        )
    )


@hookimpl
def prorata_register_emulators(register: Callable[[EmulatorSpec], None]) -> None:
    """Register the stateful Dodo API emulator (``prorata emulate dodo --port PORT``)."""
    from prorata_dodo.emulator import start

    register(
        EmulatorSpec(
            name="dodo", start=start, description="Stateful Dodo Payments API emulator with a clock route"
        )
    )
