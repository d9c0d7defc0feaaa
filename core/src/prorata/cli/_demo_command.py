"""``prorata demo``: the guided tour on the local provider (``prorata.demo.run``)."""

from __future__ import annotations

import importlib

from prorata._errors import ConfigurationError
from prorata.cli._command import billing_command
from prorata.cli._state import Cli

__all__ = ["demo"]


@billing_command("demo", short_help="Walk through plan changes on the local provider.")
def demo(cli: Cli) -> None:
    """Run the demo: subscribe, upgrade, add a product, schedule a downgrade, renew."""
    try:
        module = importlib.import_module("prorata.demo")
    except ModuleNotFoundError as exc:
        if exc.name != "prorata.demo":
            raise
        raise ConfigurationError("prorata", "demo", "the prorata.demo module (not installed)") from exc
    module.run(console=cli.console, json_output=cli.json_output)
