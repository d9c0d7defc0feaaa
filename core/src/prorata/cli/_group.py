"""The ``prorata`` group class: with ``--json``, usage errors are JSON on stdout too."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

__all__ = ["JsonErrorsGroup", "usage_error_payload"]

_WANTS_JSON = "prorata.wants_json"


def _wants_json(args: Sequence[str]) -> bool:
    """Whether ``--json`` appears among the options (before a ``--`` separator)."""
    words = list(args)
    if "--" in words:
        words = words[: words.index("--")]
    return "--json" in words


def usage_error_payload(exc: click.ClickException) -> dict[str, Any]:
    """``{"error": {"type": "UsageError", "message": ..., "usage": true}}`` (the click class name)."""
    return {"error": {"type": type(exc).__name__, "message": exc.format_message(), "usage": True}}


def _report(exc: click.ClickException) -> click.exceptions.Exit:
    click.echo(json.dumps(usage_error_payload(exc), sort_keys=True, indent=2))
    return click.exceptions.Exit(exc.exit_code)


class JsonErrorsGroup(click.Group):
    """A click group whose usage errors follow ``--json`` (one JSON document, exit code 2)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        wants_json = _wants_json(args)
        try:
            ctx = super().make_context(info_name, args, parent, **extra)
        except click.ClickException as exc:
            if not wants_json:
                raise
            raise _report(exc) from exc
        ctx.meta[_WANTS_JSON] = wants_json
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            if not ctx.meta.get(_WANTS_JSON):
                raise
            raise _report(exc) from exc
