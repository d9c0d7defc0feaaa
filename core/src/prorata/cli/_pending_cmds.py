"""`prorata resume` and `prorata cancel-scheduled`: undo what is pending on a subscription."""

from __future__ import annotations

import click

from prorata._change import PlanChange
from prorata._serialization import unstructure
from prorata.cli._change_cmds import show_result
from prorata.cli._command import billing_command
from prorata.cli._state import Cli

__all__ = ["cancel_scheduled", "resume"]


@billing_command("resume", short_help="Undo a pending cancellation at period end.")
@click.argument("subscription_id")
@click.option("--idempotency-key", default=None, help="Key that makes a retry change nothing twice.")
def resume(cli: Cli, subscription_id: str, idempotency_key: str | None) -> None:
    """Keep SUBSCRIPTION_ID going after its period end (applies the change PlanChange.resume())."""
    with cli.billing() as billing:
        result = billing.apply(subscription_id, PlanChange.resume(), idempotency_key=idempotency_key)
    show_result(cli, result)


@billing_command("cancel-scheduled", short_help="Drop a pending scheduled change or schedule.")
@click.argument("subscription_id")
@click.option("--idempotency-key", default=None, help="Key that makes a retry change nothing twice.")
def cancel_scheduled(cli: Cli, subscription_id: str, idempotency_key: str | None) -> None:
    """Drop SUBSCRIPTION_ID's pending change (made with --timing at_period_end or at_date) or schedule.

    The subscription stays on the items it has now.
    """
    with cli.billing() as billing:
        subscription = billing.cancel_scheduled_change(subscription_id, idempotency_key=idempotency_key)
    if cli.json_output:
        cli.emit_json(unstructure(subscription))
        return
    cli.console.print(f"{subscription.id}: no pending change; items stay as they are", highlight=False)
