"""Rich renderings of previews and results (the JSON forms are ``prorata.dumps``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.console import Console
from rich.table import Table

from prorata._invoice import ChargeLine, Invoice, Totals
from prorata._items import Item
from prorata._preview import ChangePreview, ChangeResult

__all__ = ["render_preview", "render_result"]


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def _items(items: Iterable[Item]) -> str:
    return ", ".join(f"{item.plan} x{item.quantity}" for item in items)


def lines_table(title: str, lines: Iterable[ChargeLine]) -> Table:
    table = Table(title=title)
    table.add_column("description", overflow="fold")
    table.add_column("kind")
    table.add_column("period", overflow="fold")
    table.add_column("amount", justify="right")
    for line in lines:
        period = (
            "-" if line.period_start is None else f"{_when(line.period_start)} -> {_when(line.period_end)}"
        )
        table.add_row(line.description, line.kind.value, period, line.amount.format())
    return table


def totals_table(totals: Totals) -> Table:
    table = Table(show_header=False, box=None)
    table.add_column("figure")
    table.add_column("amount", justify="right")
    for label, value in (
        ("subtotal", totals.subtotal),
        ("discount", -totals.discount if totals.discount.amount else totals.discount),
        ("tax", totals.tax),
        ("total", totals.total),
        ("paid from balance", totals.balance_applied),
        ("credited to balance", totals.credited),
    ):
        table.add_row(label, value.format())
    table.add_row("[bold]amount due[/]", f"[bold]{totals.amount_due.format()}[/]")
    return table


def render_preview(console: Console, preview: ChangePreview) -> None:
    console.print(
        f"[bold]Preview[/] of {preview.subscription_id} on {preview.provider}: "
        f"effective {_when(preview.effective_at)}, prorated at {_when(preview.proration_time)}",
        highlight=False,
    )
    console.print(
        f"items after: {_items(preview.items)}; period ends {_when(preview.period_end)}", highlight=False
    )
    if preview.lines:
        console.print(lines_table("Charged at the change", preview.lines))
    else:
        console.print("nothing is invoiced at the change")
    console.print(totals_table(preview.totals))
    if preview.pending_lines:
        console.print(lines_table("Left for the next invoice", preview.pending_lines))
    if preview.next_invoice is not None:
        upcoming = preview.next_invoice
        console.print(f"next invoice {_when(upcoming.at)}: {upcoming.totals.total.format()}", highlight=False)
    if preview.schedule is not None:
        table = Table(title=f"Schedule (then {preview.schedule.end_behavior.value})")
        for column in ("phase", "start", "end", "items"):
            table.add_column(column, overflow="fold")
        for index, phase in enumerate(preview.schedule.phases):
            end = _when(phase.end) if phase.end else (f"{phase.cycles} cycles" if phase.cycles else "open")
            table.add_row(str(index), _when(phase.start), end, _items(phase.items))
        console.print(table)


def render_result(console: Console, result: ChangeResult) -> None:
    subscription = result.subscription
    console.print(
        f"[bold]Applied[/] to {subscription.id}: {subscription.status.value}, items {_items(subscription.items)}"
        + (" (replayed: already applied with this idempotency key)" if result.replayed else ""),
        highlight=False,
    )
    if result.invoice is not None:
        invoice = result.invoice
        console.print(
            f"invoice {invoice.id}: {invoice.status.value}, total {invoice.total.format()}, "
            f"due {invoice.amount_due.format()}",
            highlight=False,
        )
        console.print(lines_table("Invoice lines", invoice.lines))
    else:
        console.print("no invoice now")
    if subscription.scheduled_change is not None:
        change = subscription.scheduled_change
        console.print(f"scheduled: {_items(change.items)} at {_when(change.effective_at)}", highlight=False)
    if result.matches_preview is not None:
        verdict = (
            "[green]matches the preview[/]" if result.matches_preview else "[red]DIFFERS from the preview[/]"
        )
        console.print(verdict)


def invoices_table(title: str, invoices: Iterable[Invoice]) -> Table:
    """Invoices with one row per line, then discount, tax and the total with its status."""
    table = Table(title=title, title_justify="left")
    for column in ("invoice", "date", "line", "amount", "status"):
        table.add_column(column, justify="right" if column == "amount" else "left", overflow="fold")
    for invoice in invoices:
        for index, line in enumerate(invoice.lines):
            first = index == 0
            table.add_row(
                invoice.id if first else "",
                f"{invoice.created:%Y-%m-%d}" if first else "",
                line.description,
                str(line.amount),
                "",
            )
        if invoice.totals.discount:
            table.add_row("", "", "discount", str(-invoice.totals.discount), "")
        if invoice.totals.tax:
            table.add_row("", "", "tax", str(invoice.totals.tax), "")
        table.add_row(
            "",
            "",
            f"[bold]total ({invoice.reason})[/bold]",
            f"[bold]{invoice.totals.total}[/bold]",
            invoice.status.value,
            end_section=True,
        )
    return table
