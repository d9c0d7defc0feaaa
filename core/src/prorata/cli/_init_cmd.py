"""`prorata init`: write a prorata.toml that keeps state between commands.

The embedded demo configuration lives in memory, so each command would start from nothing.
The file written here names a SQLite database beside it and a fixed starting instant for
the local clock, so separate `prorata` processes share one billing history whose dates are
the same on every machine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from prorata._config import DEMO_CONFIG
from prorata._errors import ValidationError
from prorata.cli._command import billing_command
from prorata.cli._state import Cli

__all__ = ["INIT_DATABASE", "INIT_START", "init", "init_config_text"]

INIT_START = "2026-11-01T00:00:00Z"
"""Where the local clock of a new database starts (the demo's first day)."""

INIT_DATABASE = "prorata.sqlite3"
"""The database file, relative to the configuration file."""


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)  # a TOML basic string for str, a TOML integer for int


def init_config_text(*, database: str = INIT_DATABASE, start: str = INIT_START) -> str:
    """The TOML `prorata init` writes: the local provider on a file and the demo catalog."""
    lines = [
        "# Written by `prorata init`. The local provider keeps its state in a SQLite file",
        "# beside this one; its clock starts at `start` and moves only with `prorata advance`.",
        'provider = "local"',
        "",
        "[providers.local]",
        f"database = {_toml_value(database)}",
        f"start = {_toml_value(start)}",
    ]
    plans: dict[str, dict[str, Any]] = DEMO_CONFIG["plans"]
    for key, plan in plans.items():
        lines += ["", f"[plans.{key}]", *(f"{name} = {_toml_value(value)}" for name, value in plan.items())]
    return "\n".join(lines) + "\n"


@billing_command("init", short_help="Write a prorata.toml for the local provider on a file.")
@click.argument("path", default="prorata.toml", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file (its database is kept).")
@click.option(
    "--start",
    default=INIT_START,
    show_default=True,
    metavar="ISO",
    help="Where a new database's clock starts.",
)
def init(cli: Cli, path: str, force: bool, start: str) -> None:
    """Write PATH (default prorata.toml): the local provider on a SQLite file, a fixed clock, the demo plans.

    Every later command in this directory uses it, so a subscription created by one
    command is there for the next.
    """
    target = Path(path)
    if target.exists() and not force:
        raise ValidationError("PATH", path, "a file that does not exist yet (or --force to overwrite it)")
    target.write_text(init_config_text(start=start), encoding="utf-8")
    if cli.json_output:
        cli.emit_json({"config": str(target), "database": INIT_DATABASE, "start": start})
        return
    cli.console.print(
        f"wrote {target}: local provider on {INIT_DATABASE}, clock from {start}", highlight=False
    )
