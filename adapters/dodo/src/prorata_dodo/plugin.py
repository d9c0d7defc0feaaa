"""prorata plugin: registers the ``dodo`` provider (its emulator lives in ``prorata-emulators``).

Registering imports no SDK: ``dodopayments`` loads when the provider is built.
"""

from __future__ import annotations

from collections.abc import Callable

from prorata.provider import Provider, ProviderSettings, ProviderSpec, hookimpl
from prorata_dodo._capabilities import CAPABILITIES

__all__ = ["build_provider", "prorata_register_providers"]


def build_provider(settings: ProviderSettings) -> Provider:
    """The factory registered for ``provider = "dodo"`` (imports the SDK)."""
    from prorata_dodo._provider import DodoProvider

    return DodoProvider.from_settings(settings)


@hookimpl
def prorata_register_providers(register: Callable[[ProviderSpec], None]) -> None:
    """Register ``dodo`` (options: base_url or environment, strict, timeout; secret api_key)."""
    register(
        ProviderSpec(
            name="dodo",
            factory=build_provider,
            capabilities=CAPABILITIES,
            description="Dodo Payments (dodopayments SDK): change_plan with every proration_billing_mode",
        )
    )
