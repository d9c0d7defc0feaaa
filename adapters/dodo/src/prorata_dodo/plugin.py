"""prorata plugin: registers the ``dodo`` provider (its emulator lives in ``prorata-emulators``)."""

from __future__ import annotations

from collections.abc import Callable

from prorata.provider import ProviderSpec, hookimpl
from prorata_dodo._capabilities import CAPABILITIES
from prorata_dodo._provider import DodoProvider

__all__ = ["prorata_register_providers"]


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
