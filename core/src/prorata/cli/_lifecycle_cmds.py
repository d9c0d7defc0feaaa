"""`prorata subscribe`, `invoices` and `cancel`: creating and ending subscriptions.

With these, `preview`/`apply`, `resume`/`cancel-scheduled` and `advance`, the CLI alone can
take a subscription from creation through changes and renewals.
"""

from __future__ import annotations

import click

from prorata._items import Item
from prorata._serialization import unstructure
from prorata.cli._change_options import quantity_after_colon
from prorata.cli._command import billing_command
from prorata.cli._render import invoices_table
from prorata.cli._state import Cli

__all__ = ["cancel", "invoices", "subscribe"]


def _item(text: str) -> Item:
    plan, _, quantity = text.partition(":")
    return Item(plan=plan, quantity=quantity_after_colon("PLAN[:QTY]", text, quantity) if quantity else 1)


@billing_command("subscribe", short_help="Create a customer (by email) and subscribe them to plans.")
@click.argument("email")
@click.argument("plans", nargs=-1, required=True, metavar="PLAN[:QTY]...")
@click.option("--trial-days", type=int, default=None, help="Trial length (default: the plans' own).")
def subscribe(cli: Cli, email: str, plans: tuple[str, ...], trial_days: int | None) -> None:
    """Create a customer with EMAIL and subscribe them to PLAN[:QTY]..."""
    items = [_item(text) for text in plans]
    with cli.billing() as billing:
        customer = billing.create_customer(email)
        subscription = billing.subscribe(customer.id, items, trial_days=trial_days)
    if cli.json_output:
        cli.emit_json(unstructure(subscription))
        return
    cli.console.print(
        f"{subscription.id} for {customer.id} ({email}): {subscription.status.value}, "
        f"period {subscription.current_period_start:%Y-%m-%d} -> {subscription.current_period_end:%Y-%m-%d}"
    )


@billing_command("invoices", short_help="List a subscription's invoices, oldest first.")
@click.argument("subscription_id")
def invoices(cli: Cli, subscription_id: str) -> None:
    """List SUBSCRIPTION_ID's invoices with their lines and totals."""
    with cli.billing() as billing:
        found = list(billing.invoices(subscription_id))
    if cli.json_output:
        cli.emit_json([unstructure(invoice) for invoice in found])
        return
    table = invoices_table(f"Invoices of {subscription_id}", found)
    cli.console.print(table if found else "no invoices")


@billing_command("cancel", short_help="Cancel a subscription now.")
@click.argument("subscription_id")
def cancel(cli: Cli, subscription_id: str) -> None:
    """End SUBSCRIPTION_ID immediately.

    To stop at the period end instead, apply a cancel-at-period-end change
    (undo it with `prorata resume`).
    """
    with cli.billing() as billing:
        subscription = billing.cancel_now(subscription_id)
    if cli.json_output:
        cli.emit_json(unstructure(subscription))
        return
    cli.console.print(f"{subscription.id}: {subscription.status.value}")
