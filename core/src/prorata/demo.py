"""``prorata demo``: a scripted story on the local provider with a temporary database.

It needs no account and no network: a customer subscribes to one product, adds a
second one, compares an upgrade under two proration modes, applies it, schedules a seat
change for a later date keeping a coupon, and lets the clock run through that date and
a renewal. Every figure shown comes from the engine, not from this script.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from prorata._billing import Billing
from prorata._change import AtDate, BillingCycle, PlanChange, ProrationMode
from prorata._config import DEMO_CONFIG, load_config
from prorata._items import Discount, DiscountDuration, Item
from prorata._money import sum_money
from prorata._preview import ChangePreview
from prorata._serialization import unstructure
from prorata._subscription import Subscription
from prorata.cli._render import invoices_table
from prorata.local._provider import LocalProvider

__all__ = ["DEMO_START", "run"]

DEMO_START = datetime(2026, 11, 1, tzinfo=UTC)
"""The demo's clock starts here, so its figures are the same on every run."""


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _preview_table(title: str, previews: dict[str, ChangePreview]) -> Table:
    """Previews side by side: what is charged now, what is credited, what comes next."""
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for label in previews:
        table.add_column(label, justify="right")
    rows = {
        "credits": [
            sum_money([ln.amount for ln in p.lines if ln.amount.amount < 0], p.currency)
            for p in previews.values()
        ],
        "charges": [
            sum_money([ln.amount for ln in p.lines if ln.amount.amount > 0], p.currency)
            for p in previews.values()
        ],
        "due at the change": [p.totals.amount_due for p in previews.values()],
        "left for next invoice": [
            sum_money([ln.amount for ln in p.pending_lines], p.currency) for p in previews.values()
        ],
    }
    for label, cells in rows.items():
        table.add_row(label, *(str(cell) for cell in cells))
    table.add_row("effective", *(_day(p.effective_at) for p in previews.values()))
    table.add_row("period ends", *(_day(p.period_end) for p in previews.values()))
    table.add_row(
        "next invoice",
        *(
            f"{p.next_invoice.totals.total} on {_day(p.next_invoice.at)}" if p.next_invoice else "-"
            for p in previews.values()
        ),
    )
    return table


def _lines_table(title: str, preview: ChangePreview) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("line")
    table.add_column("amount", justify="right")
    for line in preview.lines or preview.pending_lines:
        table.add_row(line.description, str(line.amount))
    table.add_row("[bold]due at the change[/bold]", f"[bold]{preview.totals.amount_due}[/bold]")
    return table


def _timeline_table(title: str, events: list[tuple[datetime, str, Subscription]]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("when", "event", "items", "status", "period", "scheduled"):
        table.add_column(column)
    for when, event, sub in events:
        change = sub.scheduled_change
        pending = (
            f"{', '.join(f'{i.quantity}x {i.plan}' for i in change.items)} on {_day(change.effective_at)}"
            if change
            else "-"
        )
        table.add_row(
            _day(when),
            event,
            ", ".join(f"{i.quantity}x {i.plan}" for i in sub.items),
            sub.status.value,
            f"{_day(sub.current_period_start)} - {_day(sub.current_period_end)}",
            pending,
        )
    return table


def run(*, console: Console, json_output: bool) -> None:
    """Run the demo story, printing rich tables (or one JSON document with ``json_output``)."""
    with tempfile.TemporaryDirectory(prefix="prorata-demo-") as folder:
        config = load_config(DEMO_CONFIG)
        provider = LocalProvider(config.catalog, database=Path(folder) / "demo.sqlite3", start=DEMO_START)
        try:
            report = _story(Billing(provider=provider, catalog=config.catalog), console, quiet=json_output)
        finally:
            provider.close()
    if json_output:
        console.print_json(data=report)


def _story(billing: Billing, console: Console, *, quiet: bool) -> dict[str, Any]:
    def say(text: str) -> None:
        if not quiet:
            console.print(text)

    def show(table: Table) -> None:
        if not quiet:
            console.print(table)

    clock = billing.time_control()
    say(f"[bold]prorata demo[/bold]: local provider, temporary database, clock at {_day(clock.now())} UTC\n")

    # 1. A customer subscribes to one product ("Verificator").
    alice = billing.create_customer("alice@example.com", name="Alice")
    sub = billing.subscribe(alice.id, "verificator")
    timeline: list[tuple[datetime, str, Subscription]] = [(clock.now(), "subscribed to verificator", sub)]
    say(
        f"1. {alice.name} subscribes to [cyan]verificator[/cyan]: {sub.id}, period {_day(sub.current_period_start)} -> {_day(sub.current_period_end)}"
    )

    # 2. Ten days later she adds product B to the same subscription.
    clock.advance(datetime(2026, 11, 11, tzinfo=UTC))
    add_b = PlanChange.add("formula")
    add_preview = billing.preview(sub, add_b)
    show(
        _preview_table(
            "2. Preview: add the formula add-on to the same subscription", {"prorate now": add_preview}
        )
    )
    added = billing.apply(sub, add_b, preview=add_preview)
    sub = added.subscription
    timeline.append((clock.now(), "added formula", sub))
    say(
        f"   applied: charged {added.invoice.totals.amount_due if added.invoice else 'nothing'}, matches preview: {added.matches_preview}\n"
    )

    # 3. One upgrade, two proration modes, side by side.
    clock.advance(datetime(2026, 11, 16, tzinfo=UTC))
    upgrade_now = PlanChange.swap("verificator", "pro")
    upgrade_reset = PlanChange.swap("verificator", "pro", billing_cycle=BillingCycle.RESET)
    upgrade_later = PlanChange.swap("verificator", "pro", proration=ProrationMode.PRORATE_NEXT_INVOICE)
    previews = {
        "prorate now, keep cycle": billing.preview(sub, upgrade_now),
        "prorate now, new cycle": billing.preview(sub, upgrade_reset),
        "on next invoice": billing.preview(sub, upgrade_later),
    }
    show(_preview_table("3. Preview: verificator -> pro, three ways to bill it", previews))
    show(_lines_table("   Lines of 'prorate now, keep cycle'", previews["prorate now, keep cycle"]))
    upgraded = billing.apply(sub, upgrade_now, preview=previews["prorate now, keep cycle"])
    sub = upgraded.subscription
    timeline.append((clock.now(), "upgraded to pro", sub))
    say(
        f"   applied 'prorate now, keep cycle': charged {upgraded.invoice.totals.amount_due if upgraded.invoice else 'nothing'}, matches preview: {upgraded.matches_preview}\n"
    )

    # 4. A team on 5 seats with a 3-month coupon schedules 10 seats for a later date.
    team = billing.create_customer("team@example.com", name="Team Inc.")
    coupon = Discount(
        coupon="LAUNCH50", percent_off=Decimal(50), duration=DiscountDuration.REPEATING, duration_in_cycles=3
    )
    seats = billing.subscribe(team.id, [Item(plan="team", quantity=5)], discounts=[coupon])
    when = datetime(2026, 12, 10, tzinfo=UTC)
    seat_change = PlanChange.set_quantity("team", 10, timing=AtDate(at=when))
    seat_preview = billing.preview(seats, seat_change)
    show(
        _preview_table(
            f"4. Preview: 5 -> 10 seats on {_day(when)}, keeping the 50% coupon", {"at a date": seat_preview}
        )
    )
    seats = billing.apply(seats, seat_change, preview=seat_preview).subscription
    seat_timeline: list[tuple[datetime, str, Subscription]] = [(clock.now(), "5 seats, 10 scheduled", seats)]

    # 5. Time passes: Alice renews on Dec 1, the team's seats change on Dec 10, the team renews on Dec 16.
    for moment, event in (
        (datetime(2026, 12, 1, tzinfo=UTC), (sub.id, "renewal")),
        (datetime(2026, 12, 10, tzinfo=UTC), (seats.id, "seat change (prorated)")),
        (datetime(2026, 12, 16, tzinfo=UTC), (seats.id, "renewal")),
        (datetime(2027, 1, 1, tzinfo=UTC), (sub.id, "renewal")),
    ):
        clock.advance(moment)
        target = timeline if event[0] == sub.id else seat_timeline
        target.append((moment, event[1], billing.get(event[0])))
    show(_timeline_table(f"5. Timeline of {sub.id} ({alice.email})", timeline))
    show(invoices_table(f"   Invoices of {sub.id}", billing.invoices(sub.id)))
    show(_timeline_table(f"   Timeline of {seats.id} ({team.email})", seat_timeline))
    show(invoices_table(f"   Invoices of {seats.id}", billing.invoices(seats.id)))
    say(
        "Every figure above came from prorata's local engine; run it against Stripe or Dodo by configuration."
    )
    return {
        "subscriptions": [unstructure(billing.get(sub.id)), unstructure(billing.get(seats.id))],
        "previews": {label: unstructure(p) for label, p in previews.items()},
        "invoices": {sid: [unstructure(i) for i in billing.invoices(sid)] for sid in (sub.id, seats.id)},
    }
