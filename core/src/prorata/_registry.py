"""The plugin manager and the registry of providers and emulators it collects."""

from __future__ import annotations

import importlib.metadata
import os

import attrs
import pluggy

from prorata import hookspecs
from prorata._emulators import EmulatorSpec
from prorata._errors import ConfigurationError, UnknownProviderError
from prorata._provider import ProviderSpec

__all__ = ["AUTOLOAD_ENV", "ENTRY_POINT_GROUP", "Registry", "get_plugin_manager", "get_registry"]

ENTRY_POINT_GROUP = "prorata"
AUTOLOAD_ENV = "PRORATA_DISABLE_PLUGIN_AUTOLOAD"
"""Set to 1/true/yes to skip loading plugins from entry points (only built-ins remain)."""


def _autoload_disabled() -> bool:
    return os.environ.get(AUTOLOAD_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def get_plugin_manager(*, autoload: bool | None = None) -> pluggy.PluginManager:
    """A plugin manager with prorata's hookspecs, the built-in local provider, and plugins.

    Plugins load from the ``prorata`` entry-point group unless ``autoload`` is False or
    the ``PRORATA_DISABLE_PLUGIN_AUTOLOAD`` environment variable is set.
    """
    from prorata.local import plugin as local_plugin

    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    manager.register(local_plugin, name="prorata.local")
    if autoload is None:
        autoload = not _autoload_disabled()
    broken: dict[str, str] = {}
    distributions: dict[str, str] = {"prorata": "prorata"}
    if autoload:
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if manager.get_plugin(entry_point.name) is not None or manager.is_blocked(entry_point.name):
                continue
            try:
                plugin = entry_point.load()
            except Exception as exc:  # one broken plugin must not take the others down
                broken[entry_point.name] = f"{entry_point.value}: {exc!r}"
                continue
            manager.register(plugin, name=entry_point.name)
            if entry_point.dist is not None:
                distributions[entry_point.module.split(".")[0]] = entry_point.dist.name
    _BROKEN[id(manager)] = broken
    _DISTRIBUTIONS[id(manager)] = distributions
    return manager


_BROKEN: dict[int, dict[str, str]] = {}
_DISTRIBUTIONS: dict[int, dict[str, str]] = {}


def broken_plugins(manager: pluggy.PluginManager) -> dict[str, str]:
    """Entry points of ``manager`` that failed to import, with the error (name -> text)."""
    return dict(_BROKEN.get(id(manager), {}))


@attrs.define
class Registry:
    """Providers and emulators registered through the hooks, by name."""

    providers: dict[str, ProviderSpec] = attrs.field(factory=dict[str, ProviderSpec])
    emulators: dict[str, EmulatorSpec] = attrs.field(factory=dict[str, EmulatorSpec])
    broken: dict[str, str] = attrs.field(factory=dict[str, str])
    """Plugins that failed to load: entry-point name -> error."""
    distributions: dict[str, str] = attrs.field(factory=dict[str, str])
    """Top-level package of each loaded plugin -> the distribution that installed it."""

    @classmethod
    def collect(cls, manager: pluggy.PluginManager) -> Registry:
        registry = cls(
            broken=broken_plugins(manager), distributions=dict(_DISTRIBUTIONS.get(id(manager), {}))
        )
        manager.hook.prorata_register_providers(register=registry.add_provider)
        manager.hook.prorata_register_emulators(register=registry.add_emulator)
        return registry

    def add_provider(self, spec: ProviderSpec) -> None:
        if not spec.distribution:
            package = (getattr(spec.factory, "__module__", None) or "").split(".")[0]
            spec = attrs.evolve(spec, distribution=self.distributions.get(package, ""))
        if spec.name in self.providers:
            raise ConfigurationError("provider registry", spec.name, "a provider name registered only once")
        self.providers[spec.name] = spec

    def add_emulator(self, spec: EmulatorSpec) -> None:
        if spec.name in self.emulators:
            raise ConfigurationError("emulator registry", spec.name, "an emulator name registered only once")
        self.emulators[spec.name] = spec

    def provider(self, name: str) -> ProviderSpec:
        try:
            return self.providers[name]
        except KeyError:
            error = UnknownProviderError(name, list(self.providers))
            if name in self.broken:
                error.message += f" (plugin {name!r} failed to load: {self.broken[name]})"
            raise error from None

    def emulator(self, name: str) -> EmulatorSpec:
        try:
            return self.emulators[name]
        except KeyError:
            raise ConfigurationError(
                "emulator registry", "emulator", f"one of {sorted(self.emulators) or 'none'}", name
            ) from None


def get_registry(manager: pluggy.PluginManager | None = None) -> Registry:
    """Collect what every plugin registers (building a plugin manager when none is given)."""
    return Registry.collect(manager or get_plugin_manager())
