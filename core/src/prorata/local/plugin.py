"""Registers the built-in local provider (placeholder until the engine lands)."""

from __future__ import annotations

from collections.abc import Callable

from prorata._provider import ProviderSpec
from prorata.hookspecs import hookimpl


@hookimpl
def prorata_register_providers(register: Callable[[ProviderSpec], None]) -> None:
    _ = register
