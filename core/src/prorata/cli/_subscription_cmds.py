"""``prorata subscriptions``: the subscriptions the configured provider holds."""

from __future__ import annotations

import click
from rich.table import Table

from prorata._serialization import unstructure
from prorata._subscription import Subscription
from prorata.cli._command import billing_command
from prorata.cli._state import Cli

__all__ = ["subscriptions"]


def _pending(subscription: Subscription) -> str:
    if subscription.scheduled_change is not None:
        items = ", ".join(f"{i.plan} x{i.quantity}" for i in subscription.scheduled_change.items)
        return f"{items} at {subscription.scheduled_change.effective_at:%Y-%m-%d %H:%M}"
    if subscription.schedule is not None:
        return f"schedule of {len(subscription.schedule.phases)} phases"
    if subscription.cancel_at_period_end:
        return "cancels at period end"
    return "-"


@billing_command("subscriptions", short_help="List subscriptions (optionally one customer's).")
@click.option("--customer", "customer_id", default=None, help="Only this customer's subscriptions.")
def subscriptions(cli: Cli, customer_id: str | None) -> None:
    """List the configured provider's subscriptions."""
    with cli.billing() as billing:
        found = list(billing.subscriptions(customer_id=customer_id))
    if cli.json_output:
        cli.emit_json([unstructure(subscription) for subscription in found])
        return
    if not found:
        cli.console.print("no subscriptions" + (f" for customer {customer_id}" if customer_id else ""))
        return
    table = Table(title="Subscriptions")
    for column in ("id", "customer", "status", "items", "current period", "pending"):
        table.add_column(column, overflow="fold")
    for subscription in found:
        table.add_row(
            subscription.id,
            subscription.customer_id,
            subscription.status.value,
            ", ".join(f"{item.plan} x{item.quantity}" for item in subscription.items),
            f"{subscription.current_period_start:%Y-%m-%d} -> {subscription.current_period_end:%Y-%m-%d}",
            _pending(subscription),
        )
    cli.console.print(table)
