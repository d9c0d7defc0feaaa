"""Registers the built-in local provider with prorata's plugin manager."""

from __future__ import annotations

from collections.abc import Callable

from prorata._provider import ProviderSpec
from prorata.hookspecs import hookimpl
from prorata.local._provider import LOCAL_CAPABILITIES, LocalProvider


@hookimpl
def prorata_register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(
        ProviderSpec(
            name="local",
            factory=LocalProvider.from_settings,
            capabilities=LOCAL_CAPABILITIES,
            description="Built-in billing engine on SQLite; no account needed.",
            distribution="prorata",
        )
    )
