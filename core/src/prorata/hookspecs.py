"""pluggy hook specifications: how plugins add providers and emulators to prorata.

A plugin is a module (or object) with functions marked ``@prorata.provider.hookimpl``, exposed
through the ``prorata`` entry-point group::

    [project.entry-points.prorata]
    acme = "prorata_acme.plugin"

Both hooks are called for every plugin (none is ``firstresult``): each plugin calls
``register`` once per thing it provides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from prorata._emulators import EmulatorSpec
    from prorata._provider import ProviderSpec

PROJECT_NAME = "prorata"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def prorata_register_providers(register: Callable[[ProviderSpec], None]) -> None:  # pyright: ignore[reportUnusedParameter]
    """Register billing providers: call ``register(ProviderSpec(...))`` for each."""


@hookspec
def prorata_register_emulators(register: Callable[[EmulatorSpec], None]) -> None:  # pyright: ignore[reportUnusedParameter]
    """Register local emulators of provider APIs (served by ``prorata emulate NAME``)."""
