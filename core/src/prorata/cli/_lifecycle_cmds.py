"""``prorata subscribe``, ``invoices``, ``cancel`` and ``advance``: the rest of a lifecycle.

With these the CLI alone can take a subscription from creation through changes and
renewals (``advance`` needs a provider with time control: local, or an emulator).
"""

from __future__ import annotations

from datetime import datetime

import click

from prorata._calendar import ensure_utc
from prorata._errors import ValidationError
from prorata._pricing import Item
from prorata._serialization import unstructure
from prorata.cli._change_options import quantity_after_colon
from prorata.cli._command import billing_command
from prorata.cli._render import invoices_table
from prorata.cli._state import Cli

__all__ = ["advance", "cancel", "invoices", "subscribe"]


def _item(text: str) -> Item:
    plan, _, quantity = text.partition(":")
    return Item(plan=plan, quantity=quantity_after_colon("PLAN[:QTY]", text, quantity) if quantity else 1)


def _moment(text: str) -> datetime:
    try:
        return ensure_utc(datetime.fromisoformat(text.replace("Z", "+00:00")), "TIME")
    except ValueError as exc:
        raise ValidationError(
            "TIME", text, "an ISO-8601 time with an offset, e.g. 2026-12-01T00:00:00Z"
        ) from exc


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
        found = billing.invoices(subscription_id)
    if cli.json_output:
        cli.emit_json([unstructure(invoice) for invoice in found])
        return
    table = invoices_table(f"Invoices of {subscription_id}", found)
    cli.console.print(table if found else "no invoices")


@billing_command("cancel", short_help="Cancel a subscription now.")
@click.argument("subscription_id")
def cancel(cli: Cli, subscription_id: str) -> None:
    """End SUBSCRIPTION_ID immediately (use ``apply`` with a cancel-at-period-end change to wait)."""
    with cli.billing() as billing:
        subscription = billing.cancel_now(subscription_id)
    if cli.json_output:
        cli.emit_json(unstructure(subscription))
        return
    cli.console.print(f"{subscription.id}: {subscription.status.value}")


@billing_command("advance", short_help="Move the provider's clock forward (local, emulators).")
@click.argument("to", metavar="TIME")
def advance(cli: Cli, to: str) -> None:
    """Move time to TIME (ISO-8601), running renewals and scheduled changes that fall due."""
    moment = _moment(to)
    with cli.billing() as billing:
        clock = billing.time_control()
        clock.advance(moment)
        now = clock.now()
    if cli.json_output:
        cli.emit_json({"now": unstructure(now)})
        return
    cli.console.print(f"clock at {now:%Y-%m-%d %H:%M:%S} UTC")
