"""Options that describe a plan change, and turning them into a PlanChange.

Either `--change` (a PlanChange as JSON, inline or `@file`) or the shorthand options
(`--swap`, `--add`, `--remove`, `--quantity` with `--timing`, `--at`, `--proration`,
`--cycle`). Shorthand operations apply in the order swaps, removals, additions, quantities.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click

from prorata._change import (
    AddItem,
    AtDate,
    AtPeriodEnd,
    BillingCycle,
    Immediately,
    Operation,
    PaymentFailurePolicy,
    PlanChange,
    ProrationMode,
    RemoveItem,
    SetQuantity,
    Swap,
    Timing,
    TimingKind,
)
from prorata._errors import InvalidChangeError, ValidationError
from prorata._serialization import loads
from prorata.cli._values import parse_time

__all__ = ["ChangeOptions", "build_change", "change_options", "quantity_after_colon", "read_argument"]

F = TypeVar("F", bound=Callable[..., Any])

_SHORTHAND_TIMINGS = [TimingKind.IMMEDIATELY.value, TimingKind.AT_PERIOD_END.value, TimingKind.AT_DATE.value]


def read_argument(option: str, text: str) -> str:
    """`text` itself, or the content of the file after `@` (`@-` reads stdin)."""
    if text == "@-":
        return sys.stdin.read()
    if text.startswith("@"):
        try:
            return Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValidationError(option, text, f"a readable file after @ ({exc.strerror or exc})") from exc
    return text


def _split(option: str, text: str, expected: str) -> tuple[str, str]:
    head, sep, tail = text.partition(":")
    if not sep or not head or not tail:
        raise InvalidChangeError(option, text, expected)
    return head, tail


def quantity_after_colon(option: str, text: str, raw: str) -> int:
    """The ``QTY`` of ``PLAN:QTY``: ASCII digits only (``int()`` would also take ``²`` or ``٣``)."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise InvalidChangeError(option, text, "a whole quantity from 1 to 999999999 after ':'")
    return int(raw)


@attrs.frozen(kw_only=True, slots=True)
class ChangeOptions:
    """The raw change options of one invocation."""

    change: str | None = None
    swap: tuple[str, ...] = ()
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    quantity: tuple[str, ...] = ()
    timing: str | None = None
    at: str | None = None
    proration: str | None = None
    cycle: str | None = None
    on_payment_failure: str | None = None
    replace_pending: bool = False

    @property
    def has_shorthand(self) -> bool:
        return bool(
            self.swap
            or self.add
            or self.remove
            or self.quantity
            or self.timing
            or self.at
            or self.proration
            or self.cycle
            or self.on_payment_failure
            or self.replace_pending
        )

    def operations(self) -> tuple[Operation, ...]:
        ops: list[Operation] = []
        for text in self.swap:
            old, new = _split("--swap", text, "FROM:TO plan keys")
            ops.append(Swap(from_plan=old, to_plan=new))
        ops.extend(RemoveItem(plan=plan) for plan in self.remove)
        for text in self.add:
            plan, sep, raw = text.partition(":")
            ops.append(AddItem(plan=plan, quantity=quantity_after_colon("--add", text, raw) if sep else 1))
        for text in self.quantity:
            plan, raw = _split("--quantity", text, "PLAN:QTY")
            ops.append(SetQuantity(plan=plan, quantity=quantity_after_colon("--quantity", text, raw)))
        return tuple(ops)

    def timing_value(self) -> Timing:
        kind = self.timing or (TimingKind.AT_DATE.value if self.at else TimingKind.IMMEDIATELY.value)
        if kind != TimingKind.AT_DATE.value and self.at:
            raise InvalidChangeError("--at", self.at, "--at only with --timing at_date")
        if kind == TimingKind.AT_DATE.value:
            if not self.at:
                raise InvalidChangeError("--timing", kind, "an --at time with --timing at_date")
            return AtDate(at=parse_time("--at", self.at, InvalidChangeError))
        return AtPeriodEnd() if kind == TimingKind.AT_PERIOD_END.value else Immediately()


def build_change(options: ChangeOptions) -> PlanChange | None:
    """The PlanChange the options describe, or None when they describe none."""
    if options.change is not None:
        if options.has_shorthand:
            raise InvalidChangeError(
                "--change", "<json>", "either --change or the shorthand options, not both"
            )
        return loads(read_argument("--change", options.change), PlanChange)
    if not options.has_shorthand:
        return None
    extra: dict[str, Any] = {}
    if options.proration:
        extra["proration"] = ProrationMode(options.proration)
    if options.cycle:
        extra["billing_cycle"] = BillingCycle(options.cycle)
    if options.on_payment_failure:
        extra["on_payment_failure"] = PaymentFailurePolicy(options.on_payment_failure)
    return PlanChange(
        operations=options.operations(),
        timing=options.timing_value(),
        replace_pending=options.replace_pending,
        **extra,
    )


def change_options(func: F) -> F:
    """Add the change options to a command (they arrive as `change_opts: ChangeOptions`)."""
    decorators = [
        click.option(
            "--change",
            "change",
            default=None,
            metavar="JSON|@FILE",
            help="The PlanChange as JSON, inline or @file (@- for stdin).",
        ),
        click.option(
            "--swap", multiple=True, metavar="FROM:TO", help="Swap plan FROM for plan TO (repeatable)."
        ),
        click.option("--add", multiple=True, metavar="PLAN[:QTY]", help="Add a plan (repeatable)."),
        click.option("--remove", multiple=True, metavar="PLAN", help="Remove a plan (repeatable)."),
        click.option(
            "--quantity", multiple=True, metavar="PLAN:QTY", help="Set a plan's quantity (repeatable)."
        ),
        click.option(
            "--timing",
            type=click.Choice(_SHORTHAND_TIMINGS),
            default=None,
            help="When the change takes effect (default immediately).",
        ),
        click.option("--at", default=None, metavar="ISO", help="The time for --timing at_date (implies it)."),
        click.option(
            "--proration",
            type=click.Choice([m.value for m in ProrationMode]),
            default=None,
            help="How the change is billed (default prorate_now).",
        ),
        click.option(
            "--cycle",
            type=click.Choice([c.value for c in BillingCycle]),
            default=None,
            help="Keep the billing date or start a new cycle now.",
        ),
        click.option(
            "--on-payment-failure",
            type=click.Choice([p.value for p in PaymentFailurePolicy]),
            default=None,
            help="Keep the old plan (default) or apply and go past due.",
        ),
        click.option(
            "--replace-pending", is_flag=True, help="Replace a pending scheduled change explicitly."
        ),
    ]

    def collect(*args: Any, **params: Any) -> Any:
        names = [field.name for field in attrs.fields(ChangeOptions)]
        options = ChangeOptions(**{name: params.pop(name) for name in names})
        return func(*args, change_opts=options, **params)

    wrapped: Any = functools.wraps(func)(collect)
    for decorator in reversed(decorators):
        wrapped = decorator(wrapped)
    return wrapped
