"""`prorata preview` and `prorata apply`: price a change, then apply it."""

from __future__ import annotations

import click

from prorata._errors import InvalidChangeError
from prorata._preview import ChangePreview, ChangeResult
from prorata._serialization import dumps, loads
from prorata.cli._change_options import ChangeOptions, build_change, change_options, read_argument
from prorata.cli._command import billing_command
from prorata.cli._render import render_preview, render_result
from prorata.cli._state import Cli

__all__ = ["apply", "preview", "show_result"]


@billing_command("preview", short_help="Show what a plan change will cost. Changes nothing.")
@click.argument("subscription_id")
@change_options
def preview(cli: Cli, subscription_id: str, change_opts: ChangeOptions) -> None:
    """Preview a change to SUBSCRIPTION_ID.

    The --json output is a ChangePreview: save it and pass it to
    `prorata apply SUB_ID --preview @file` to charge exactly what it shows.
    """
    change = build_change(change_opts)
    if change is None:
        raise InvalidChangeError(
            "--change", None, "a change: --change JSON or --swap/--add/--remove/--quantity"
        )
    with cli.billing() as billing:
        result = billing.preview(subscription_id, change)
    if cli.json_output:
        cli.emit_text(dumps(result, indent=2))
    else:
        render_preview(cli.console, result)


@billing_command("apply", short_help="Apply a plan change (optionally the one previewed).")
@click.argument("subscription_id")
@change_options
@click.option(
    "--preview",
    "preview_arg",
    default=None,
    metavar="JSON|@FILE",
    help="A saved `prorata preview --json` to apply exactly.",
)
@click.option("--idempotency-key", default=None, help="Key that makes a retried apply change nothing twice.")
def apply(
    cli: Cli,
    subscription_id: str,
    change_opts: ChangeOptions,
    preview_arg: str | None,
    idempotency_key: str | None,
) -> None:
    """Apply a change to SUBSCRIPTION_ID with the configured provider.

    With --preview and no change options, the previewed change is applied at the
    preview's proration time, and the result says whether the charge matched.
    """
    saved = None if preview_arg is None else loads(read_argument("--preview", preview_arg), ChangePreview)
    change = build_change(change_opts)
    if change is None:
        if saved is None:
            raise InvalidChangeError(
                "--change", None, "a change: --change JSON, shorthand options, or --preview @file"
            )
        change = saved.change
    with cli.billing() as billing:
        result = billing.apply(subscription_id, change, preview=saved, idempotency_key=idempotency_key)
    show_result(cli, result)


def show_result(cli: Cli, result: ChangeResult) -> None:
    """A ChangeResult as JSON (``--json``) or as tables."""
    if cli.json_output:
        cli.emit_text(dumps(result, indent=2))
    else:
        render_result(cli.console, result)
