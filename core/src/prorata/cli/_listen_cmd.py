"""`prorata listen`: print, or forward to a local URL, the provider's events as they happen."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping

import click

from prorata._events import BillingEvent
from prorata.cli._command import billing_command
from prorata.cli._state import Cli

__all__ = ["listen"]


def _forward(url: str, headers: Mapping[str, str], body: bytes) -> str:
    """POST the delivery as the provider sent it; returns the HTTP status (or why it failed)."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return str(response.status)
    except urllib.error.HTTPError as exc:
        return str(exc.code)
    except OSError as exc:
        return f"failed: {exc}"


def _line(event: BillingEvent, forwarded: str | None) -> str:
    ids = " ".join(x for x in (event.subscription_id, event.invoice_id) if x)
    arrow = "" if forwarded is None else f"  -> {forwarded}"
    return f"{event.occurred_at:%Y-%m-%d %H:%M:%S}  {event.type.value:<38} {event.id}  {ids}  [{event.provider_type}]{arrow}"


@billing_command("listen", short_help="Print (or forward) the provider's events as they happen.")
@click.option("--forward-to", default=None, metavar="URL", help="POST each delivery, signed, to URL.")
@click.option("--replay", is_flag=True, help="Start with the events the provider still keeps.")
@click.option("--once", is_flag=True, help="Take what is there once and exit.")
@click.option(
    "--interval", type=click.FloatRange(0.05), default=1.0, show_default=True, help="Seconds between polls."
)
def listen(cli: Cli, forward_to: str | None, replay: bool, once: bool, interval: float) -> None:
    """Follow the configured provider's events, normalized (like `stripe listen`).

    Every delivery is verified as a webhook would be; with --json each event is one JSON
    line. Local provider: use a database file (the events of another process's writes are
    read from it). Stripe: new events of GET /v1/events, signed with webhook_secret_env
    (configure it for --forward-to). Dodo: its emulator only (Dodo lists no events).
    """
    with cli.billing() as billing:
        feed = billing.event_feed(replay=replay)
        if not cli.json_output and not once:
            cli.err_console.print(f"listening for {billing.provider.name} events (Ctrl-C to stop)")
        try:
            while True:
                for headers, body in feed():
                    event = billing.parse_event(headers, body)
                    forwarded = _forward(forward_to, headers, body) if forward_to else None
                    if cli.json_output:
                        record = {
                            "id": event.id,
                            "type": event.type.value,
                            "provider_type": event.provider_type,
                            "occurred_at": event.occurred_at.isoformat(),
                            "subscription_id": event.subscription_id,
                            "invoice_id": event.invoice_id,
                            "customer_id": event.customer_id,
                            "forwarded": forwarded,
                        }
                        cli.emit_text(json.dumps(record, sort_keys=True))
                    else:
                        cli.console.print(_line(event, forwarded), highlight=False, markup=False)
                if once:
                    return
                time.sleep(interval)
        except KeyboardInterrupt:
            cli.err_console.print("stopped")
