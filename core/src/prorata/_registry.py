"""The plugin manager and the registry of providers and emulators it collects."""

from __future__ import annotations

import functools
import importlib.metadata
import os
import sys
import types
from typing import Any

import attrs
import pluggy

from prorata import hookspecs
from prorata._emulators import EmulatorSpec
from prorata._errors import ConfigurationError, UnknownProviderError
from prorata._provider import ProviderSpec

__all__ = [
    "AUTOLOAD_ENV",
    "ENTRY_POINT_GROUP",
    "PluginManager",
    "Registry",
    "get_plugin_manager",
    "get_registry",
]

ENTRY_POINT_GROUP = "prorata"
AUTOLOAD_ENV = "PRORATA_DISABLE_PLUGIN_AUTOLOAD"
"""Set to 1/true/yes to skip loading plugins from entry points (only built-ins remain)."""


def _autoload_disabled() -> bool:
    return os.environ.get(AUTOLOAD_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


class PluginManager(pluggy.PluginManager):
    """pluggy's plugin manager with prorata's hookspecs, what loading found, and a cached Registry.

    ``broken`` and ``distributions`` are filled while entry points load; ``registry()``
    collects the hooks once and again only after a plugin is registered or unregistered.
    """

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT_NAME)
        self.add_hookspecs(hookspecs)
        self.broken: dict[str, str] = {}
        """Entry points that failed to import: name -> the error."""
        self.distributions: dict[str, str] = {"prorata": "prorata"}
        """Top-level package of each loaded plugin -> the distribution that installed it."""
        self._registry: Registry | None = None

    def register(self, plugin: object, name: str | None = None) -> str | None:
        self._registry = None
        return super().register(plugin, name)

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any | None:
        self._registry = None
        return super().unregister(plugin, name)

    def registry(self) -> Registry:
        """What every plugin registers (collected once per set of plugins)."""
        if self._registry is None:
            self._registry = Registry.collect(self)
        return self._registry

    def load_entry_points(self) -> None:
        """Register the plugins of the ``prorata`` entry-point group; a broken one is recorded."""
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if self.get_plugin(entry_point.name) is not None or self.is_blocked(entry_point.name):
                continue
            try:
                plugin = entry_point.load()
            except Exception as exc:  # one broken plugin must not take the others down
                self.broken[entry_point.name] = f"{entry_point.value}: {exc!r}"
                continue
            self.register(plugin, name=entry_point.name)
            if entry_point.dist is not None:
                self.distributions[entry_point.module.split(".")[0]] = entry_point.dist.name


def get_plugin_manager(*, autoload: bool | None = None) -> PluginManager:
    """A new plugin manager with prorata's hookspecs, the built-in local provider, and plugins.

    Plugins load from the ``prorata`` entry-point group unless ``autoload`` is False or
    the ``PRORATA_DISABLE_PLUGIN_AUTOLOAD`` environment variable is set.
    """
    from prorata.local import plugin as local_plugin

    manager = PluginManager()
    manager.register(local_plugin, name="prorata.local")
    if autoload is None:
        autoload = not _autoload_disabled()
    if autoload:
        manager.load_entry_points()
    return manager


@functools.cache
def _cached_plugin_manager(autoload: bool) -> PluginManager:
    return get_plugin_manager(autoload=autoload)


def _imported_anew(manager: PluginManager) -> bool:
    """Whether a plugin module was dropped from ``sys.modules`` and imported again since.

    In-process test runners (pytester) restore ``sys.modules`` between runs: a manager
    kept from before would build providers from the old modules' classes.
    """
    for plugin in manager.get_plugins():
        module = getattr(plugin, "__name__", None)
        if isinstance(plugin, types.ModuleType) and sys.modules.get(str(module)) is not plugin:
            return True
    return False


def _shared_plugin_manager(autoload: bool) -> PluginManager:
    manager = _cached_plugin_manager(autoload)
    if _imported_anew(manager):
        _cached_plugin_manager.cache_clear()
        manager = _cached_plugin_manager(autoload)
    return manager


@attrs.define
class Registry:
    """Providers and emulators registered through the hooks, by name."""

    providers: dict[str, ProviderSpec] = attrs.field(factory=dict[str, ProviderSpec])
    """Registered providers by name."""
    emulators: dict[str, EmulatorSpec] = attrs.field(factory=dict[str, EmulatorSpec])
    """Registered emulators by name."""
    broken: dict[str, str] = attrs.field(factory=dict[str, str])
    """Plugins that failed to load: entry-point name -> error."""
    distributions: dict[str, str] = attrs.field(factory=dict[str, str])
    """Top-level package of each loaded plugin -> the distribution that installed it."""

    @classmethod
    def collect(cls, manager: pluggy.PluginManager) -> Registry:
        """Call the registration hooks of ``manager`` (a prorata PluginManager adds its load report)."""
        registry = (
            cls(broken=dict(manager.broken), distributions=dict(manager.distributions))
            if isinstance(manager, PluginManager)
            else cls()
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
    """What every plugin of ``manager`` registers.

    Without a manager: the process's shared one (built on first use, per autoload setting),
    so repeated calls load entry points and collect hooks once.
    """
    if manager is None:
        manager = _shared_plugin_manager(not _autoload_disabled())
    return manager.registry() if isinstance(manager, PluginManager) else Registry.collect(manager)
