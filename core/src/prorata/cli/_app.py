"""The ``prorata`` command group and its global options."""

from __future__ import annotations

import click

from prorata._registry import Registry
from prorata.cli._group import JsonErrorsGroup
from prorata.cli._state import CliState

__all__ = ["main"]


@click.group(cls=JsonErrorsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    default=None,
    help="prorata.toml to use (else $PRORATA_CONFIG, ./prorata.toml, or the embedded demo config).",
)
@click.option("--json", "json_output", is_flag=True, help="Print JSON for scripts (every command).")
@click.version_option(package_name="prorata", prog_name="prorata")
@click.pass_context
def main(ctx: click.Context, config: str | None, json_output: bool) -> None:
    """prorata: preview and apply subscription plan changes on any provider."""
    injected = ctx.obj
    registry = injected if isinstance(injected, Registry) else None
    if isinstance(injected, CliState):
        registry = injected.registry
    ctx.obj = CliState(config=config, json_output=json_output, registry=registry)
