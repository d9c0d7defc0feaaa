"""``prorata migrate``: move selected subscriptions to a new price, with dry run, progress and resume."""

from __future__ import annotations

import json
import sys

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from prorata._change import BillingCycle, ProrationMode
from prorata._migrate import DEFAULT_CONCURRENCY, LIVE, MigrationOutcome, MigrationReport
from prorata._subscription import SubscriptionStatus
from prorata.cli._command import billing_command
from prorata.cli._state import Cli

__all__ = ["migrate"]

EXIT_INTERRUPTED = 130


def _money_line(totals: dict[str, int]) -> str:
    return (
        ", ".join(f"{amount} {currency} (minor units)" for currency, amount in sorted(totals.items())) or "0"
    )


def _print_report(cli: Cli, report: MigrationReport) -> None:
    data = report.as_json()
    table = Table(
        title=f"Migration {report.name}" + (" (dry run)" if report.dry_run else ""), title_justify="left"
    )
    table.add_column("figure")
    table.add_column("value", overflow="fold")
    table.add_row("selected", str(data["selected"]))
    if report.dry_run:
        table.add_row("would apply", str(data["previewed"]))
        table.add_row("total due now", _money_line(report.totals("amount_due")))
        table.add_row("next invoices change by", _money_line(report.totals("next_invoice_delta")))
    else:
        table.add_row("applied", str(data["applied"]))
        table.add_row("applied by an earlier run", str(data["already_applied"]))
        table.add_row("charged now", _money_line(report.totals("amount_due")))
        table.add_row("rate", f"{report.rate:.1f}/s ({report.throttled} throttled)")
    table.add_row("skipped", str(report.count("skipped")))
    table.add_row("failed", str(report.count("failed")))
    cli.console.print(table)
    for outcome in report.outcomes:
        if outcome.status in ("skipped", "failed"):
            cli.console.print(
                f"  {outcome.status} {outcome.subscription_id}: {outcome.error_type}: {outcome.reason}"
            )


@billing_command("migrate", short_help="Move selected subscriptions to a new price (dry run, resume).")
@click.option("--plan", "plan", default=None, help="Select subscriptions with an item on this plan key.")
@click.option("--price", "price", default=None, help="Or on this provider price id (mapped to its plan).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([s.value for s in SubscriptionStatus]),
    help="Statuses to select (repeatable; default: active, trialing, past_due).",
)
@click.option("--customer", "customer_id", default=None, help="Only this customer's subscriptions.")
@click.option("--to-plan", "to_plan", default=None, help="Swap the selected plan for this one.")
@click.option("--quantity", type=int, default=None, help="Set the (new) plan's quantity.")
@click.option(
    "--at", "timing", default="now", show_default=True, help="now, period-end or an ISO-8601 instant."
)
@click.option(
    "--proration",
    type=click.Choice([m.value for m in ProrationMode]),
    default=ProrationMode.PRORATE_NOW.value,
    show_default=True,
)
@click.option("--reset-cycle", is_flag=True, help="Restart the billing cycle now (default: keep it).")
@click.option("--dry-run", is_flag=True, help="Preview every selected subscription; change nothing.")
@click.option("--name", default=None, help="The migration's name: run again with it to resume.")
@click.option(
    "--rate",
    type=float,
    default=None,
    help="Writes per second (default: the provider's documented limit; 0: none).",
)
@click.option(
    "--concurrency",
    type=int,
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Applies in flight at once.",
)
def migrate(
    cli: Cli,
    plan: str | None,
    price: str | None,
    statuses: tuple[str, ...],
    customer_id: str | None,
    to_plan: str | None,
    quantity: int | None,
    timing: str,
    proration: str,
    reset_cycle: bool,
    dry_run: bool,
    name: str | None,
    rate: float | None,
    concurrency: int,
) -> None:
    """Select subscriptions and change each once, at the provider's rate limit.

    With --json each outcome is one JSON line, then the report. Interrupted (Ctrl-C, a kill),
    run it again with the same --name (or the same options): what was applied is not applied
    again, and what was in flight is finished with its recorded key.
    """
    done = [0]
    progress: Progress | None = None
    task = None
    if not cli.json_output and sys.stderr.isatty():
        progress = Progress(
            TextColumn("[bold]migrate"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[last]}"),
            TimeElapsedColumn(),
            console=cli.err_console,
            transient=True,
        )
        task = progress.add_task("migrate", total=None, last="")

    def on_outcome(outcome: MigrationOutcome) -> None:
        done[0] += 1
        if cli.json_output:
            cli.emit_text(json.dumps(outcome.as_json(), sort_keys=True))
        elif progress is not None and task is not None:
            progress.update(task, completed=done[0], last=f"{outcome.status} {outcome.subscription_id}")

    with cli.billing() as billing:
        options: dict[str, object] = {
            "plan": plan,
            "price": price,
            "status": tuple(statuses) or LIVE,
            "customer_id": customer_id,
            "to_plan": to_plan,
            "quantity": quantity,
            "timing": timing,
            "proration": proration,
            "billing_cycle": BillingCycle.RESET if reset_cycle else BillingCycle.KEEP,
            "name": name,
            "dry_run": dry_run,
            "concurrency": concurrency,
            "on_outcome": on_outcome,
        }
        if rate is not None:
            options["rate"] = rate or None
        try:
            if progress is not None:
                with progress:
                    report = billing.migrate(**options)
            else:
                report = billing.migrate(**options)
        except KeyboardInterrupt:
            message = f"interrupted after {done[0]} subscriptions: run the same command again to resume"
            if cli.json_output:
                cli.emit_text(json.dumps({"interrupted": True, "done": done[0]}))
            else:
                cli.err_console.print(f"[yellow]{message}[/]")
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    if cli.json_output:
        cli.emit_text(json.dumps({"report": report.as_json()}, sort_keys=True))
    else:
        _print_report(cli, report)
