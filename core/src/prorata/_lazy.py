"""Lazy package attributes (PEP 562), so a plugin can register without importing its SDK."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``names[attribute]`` (a module path) on first use.

    In a plugin's ``__init__``: ``__getattr__ = lazy_attributes(__name__, {"AcmeProvider":
    "prorata_acme._provider"})``, with the same imports under ``if TYPE_CHECKING:`` for type
    checkers.
    """

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__
