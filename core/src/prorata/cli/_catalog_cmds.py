"""``prorata providers`` and ``prorata plans``: what is installed and what is sold."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from prorata._provider import ProviderSpec
from prorata._serialization import unstructure
from prorata.cli._command import billing_command
from prorata.cli._state import Cli

__all__ = ["plans", "providers"]


def provider_json(spec: ProviderSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "description": spec.description,
        "distribution": spec.distribution,
        "capabilities": spec.capabilities.describe(),
    }


def _capability_summary(described: dict[str, Any]) -> str:
    flags = [name for name in ("multi_item", "trials", "discounts", "time_control") if described[name]]
    phases = described["max_phases"]
    lines = [
        "proration:",
        *(f"  {mode}" for mode in described["proration"]),
        "timings: " + ", ".join(described["timings"]),
        f"schedules: up to {phases} phases" if phases else "schedules: no",
    ]
    if flags:
        lines.append(", ".join(flags))
    return "\n".join(lines)


@billing_command("providers", short_help="List the installed providers and their capabilities.")
def providers(cli: Cli) -> None:
    """List every provider registered through plugins, with what it supports."""
    specs = sorted(cli.registry().providers.values(), key=lambda spec: spec.name)
    if cli.json_output:
        cli.emit_json([provider_json(spec) for spec in specs])
        return
    table = Table(title="Providers", show_lines=True)
    table.add_column("provider", ratio=2, overflow="fold")
    table.add_column("distribution", overflow="fold")
    table.add_column("capabilities", ratio=3, overflow="fold")
    for spec in specs:
        table.add_row(
            f"[bold]{escape(spec.name)}[/]\n{escape(spec.description)}",
            spec.distribution or "-",
            _capability_summary(spec.capabilities.describe()),
        )
    if not specs:
        cli.console.print("no providers registered")
        return
    cli.console.print(table)


@billing_command("plans", short_help="List the plans of the configured catalog.")
def plans(cli: Cli) -> None:
    """List the catalog's plans: key, price, interval, trial and provider references."""
    config = cli.config()
    if cli.json_output:
        cli.emit_json([unstructure(plan) for plan in config.catalog])
        return
    table = Table(title=f"Plans ({config.source})")
    for column in ("key", "name", "price", "interval", "trial days", "add-on", "refs"):
        table.add_column(column, overflow="fold")
    for plan in config.catalog:
        refs = ", ".join(f"{provider}={ref}" for provider, ref in sorted(plan.refs.items())) or "-"
        table.add_row(
            plan.key,
            plan.name,
            plan.price.format(),
            str(plan.interval),
            str(plan.trial_days),
            "yes" if plan.addon else "no",
            refs,
        )
    cli.console.print(table)
