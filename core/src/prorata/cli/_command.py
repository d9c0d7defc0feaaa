"""The decorator every command uses: ``--json``, the shared state and error reporting."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from prorata._errors import BillingError
from prorata.cli._errors import EXIT_BILLING_ERROR, EXIT_UNEXPECTED, report_error, report_unexpected
from prorata.cli._state import Cli, CliState

__all__ = ["billing_command"]

CommandBody = Callable[..., None]


def billing_command(name: str, **settings: Any) -> Callable[[CommandBody], click.Command]:
    """Make ``body(cli, **params)`` a click command with ``--json`` and one-line errors.

    A BillingError prints one red line (or ``{"error": ...}`` with ``--json``) and exits
    with code 2; any other exception prints one line and exits with code 1. Never a traceback.
    """

    def decorate(body: CommandBody) -> click.Command:
        @functools.wraps(body)
        def run(json_output: bool, **params: Any) -> None:
            ctx = click.get_current_context()
            state = ctx.find_object(CliState) or CliState()
            cli = Cli(state=state, json_output=json_output or state.json_output)
            try:
                body(cli, **params)
            except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
                raise
            except BillingError as exc:
                report_error(cli, exc)
                ctx.exit(EXIT_BILLING_ERROR)
            except Exception as exc:
                report_unexpected(cli, exc)
                ctx.exit(EXIT_UNEXPECTED)

        with_json = click.option(
            "--json", "json_output", is_flag=True, help="Print JSON for scripts instead of tables."
        )(run)
        return click.command(name, **settings)(with_json)

    return decorate
