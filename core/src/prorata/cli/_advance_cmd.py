"""`prorata advance TIME`: move the provider's clock, with a progress bar on a terminal.

Advancing years over many subscriptions runs every renewal on the way, which can take a
while; on a terminal the clock moves in up to `MAX_STEPS` steps and a bar shows how far it
got. Piped (or with `--json`) it is one call and no bar.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

import click

from prorata._provider import TimeControl
from prorata._serialization import unstructure
from prorata.cli._command import billing_command
from prorata.cli._state import Cli
from prorata.cli._values import parse_time

__all__ = ["MAX_STEPS", "advance", "advance_in_steps"]

MAX_STEPS = 100
"""At most this many clock moves for one `advance` on a terminal (one per day below that)."""


def advance_in_steps(
    clock: TimeControl, to: datetime, *, on_step: Callable[[int, int], None] = lambda done, total: None
) -> None:
    """Move ``clock`` to ``to`` in evenly spaced steps (one per day, at most MAX_STEPS).

    Each step runs what fell due up to it, so the outcome is the one of a single move;
    ``on_step(done, total)`` is called after each.
    """
    start = clock.now()
    span = to - start
    steps = 1 if span <= timedelta(0) else min(MAX_STEPS, max(1, math.ceil(span / timedelta(days=1))))
    for done in range(1, steps + 1):
        moment = to if done == steps else (start + span * done / steps).replace(microsecond=0)
        clock.advance(moment)
        on_step(done, steps)


@billing_command("advance", short_help="Move the provider's clock forward (local, emulators).")
@click.argument("to", metavar="TIME")
def advance(cli: Cli, to: str) -> None:
    """Move time to TIME (ISO-8601), running renewals and scheduled changes that fall due."""
    moment = parse_time("TIME", to)
    with cli.billing() as billing:
        clock = billing.time_control()
        if cli.json_output or not cli.err_console.is_terminal:
            clock.advance(moment)
        else:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn  # terminals only

            with Progress(
                TextColumn(f"advancing to {moment:%Y-%m-%d}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TimeElapsedColumn(),
                console=cli.err_console,
                transient=True,
            ) as progress:
                task = progress.add_task("advance", total=None)
                advance_in_steps(
                    clock,
                    moment,
                    on_step=lambda done, total: progress.update(task, completed=done, total=total),
                )
        now = clock.now()
    if cli.json_output:
        cli.emit_json({"now": unstructure(now)})
        return
    cli.console.print(f"clock at {now:%Y-%m-%d %H:%M:%S} UTC")
