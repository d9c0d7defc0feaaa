"""What every command shares: where the configuration comes from and how to report."""

from __future__ import annotations

import json
import os
from typing import Any

import attrs
from rich.console import Console

from prorata._billing import Billing
from prorata._config import BillingConfig, load_config
from prorata._registry import Registry, get_registry

__all__ = ["Cli", "CliState", "stdout_console"]

_PIPED_WIDTH = 160
"""Tables are as wide as their content up to this, piped (a terminal uses its own width)."""


def stdout_console() -> Console:
    """Rich on a terminal; piped, plain text whose lines are never wrapped at 80 columns."""
    console = Console()
    if not console.is_terminal:
        console.soft_wrap = True
        if "COLUMNS" not in os.environ:
            console.width = _PIPED_WIDTH
    return console


@attrs.frozen(kw_only=True, slots=True)
class CliState:
    """Global options of `prorata`; `registry` may be injected by embedding code or tests."""

    config: str | None = None
    json_output: bool = False
    registry: Registry | None = None


@attrs.frozen(kw_only=True, slots=True)
class Cli:
    """One command's view: configuration, provider registry and output (rich or JSON)."""

    state: CliState
    json_output: bool
    console: Console = attrs.field(factory=lambda: stdout_console())
    err_console: Console = attrs.field(factory=lambda: Console(stderr=True, soft_wrap=True))

    def registry(self) -> Registry:
        return self.state.registry if self.state.registry is not None else get_registry()

    def config(self) -> BillingConfig:
        """``--config PATH``, else ``$PRORATA_CONFIG``, ``./prorata.toml`` or the demo config."""
        return load_config(self.state.config)

    def billing(self) -> Billing:
        """A Billing for the configured provider (close it, or use it in a ``with`` block)."""
        return Billing.from_parsed(self.config(), registry=self.registry())

    def emit_json(self, data: Any) -> None:
        """Print plain data as one JSON document on stdout (stable key order)."""
        self.console.file.write(json.dumps(data, sort_keys=True, indent=2) + "\n")
        self.console.file.flush()

    def emit_text(self, text: str) -> None:
        """Print pre-serialized JSON text as is."""
        self.console.file.write(text.rstrip("\n") + "\n")
        self.console.file.flush()
