"""How the CLI reports a BillingError: one red line, or a JSON document, and exit code 2."""

from __future__ import annotations

import json
from typing import Any

from rich.markup import escape

from prorata._errors import BillingError
from prorata._scrub import scrub
from prorata._secrets import Secret
from prorata._serialization import unstructure
from prorata.cli._state import Cli

__all__ = ["EXIT_BILLING_ERROR", "EXIT_UNEXPECTED", "error_payload", "report_error"]

EXIT_BILLING_ERROR = 2
EXIT_UNEXPECTED = 1

_DETAILS = (
    "field",
    "value",
    "reason",
    "capability",
    "provider",
    "code",
    "provider_type",
    "param",
    "request_id",
    "http_status",
    "retry_after",
    "source",
    "key",
    "expected",
    "subscription_id",
    "status",
    "registered",
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Secret):
        return repr(value)
    try:
        data = unstructure(value)
        json.dumps(data)
    except Exception:
        return repr(value)
    return data


def error_payload(exc: BillingError) -> dict[str, Any]:
    """``{"error": {"type", "message", <the error's own details>}}``."""
    body: dict[str, Any] = {"type": type(exc).__name__, "message": exc.message}
    for name in _DETAILS:
        if hasattr(exc, name):
            body[name] = _jsonable(getattr(exc, name))
    return {"error": body}


def report_error(cli: Cli, exc: BillingError) -> None:
    if cli.json_output:
        cli.emit_json(error_payload(exc))
    else:
        line = " ".join(exc.message.split())
        cli.err_console.print(f"[bold red]error:[/] [red]{escape(line)}[/]", highlight=False)


def report_unexpected(cli: Cli, exc: Exception) -> None:
    """A bug, not a billing error: still one line, never a traceback."""
    message = " ".join(scrub(str(exc)).split()) or "no message"
    if cli.json_output:
        cli.emit_json({"error": {"type": type(exc).__name__, "message": message, "unexpected": True}})
    else:
        cli.err_console.print(
            f"[bold red]unexpected error:[/] [red]{escape(type(exc).__name__)}: {escape(message)}[/]",
            highlight=False,
        )
