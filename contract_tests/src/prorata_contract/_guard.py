"""The guard against silently dropping a standard contract test.

A composed test class must keep every standard test of the mixins it inherits. Replacing
one is allowed only with an explicit, reasoned marker: ``@override(reason=...)`` (the
provider tests the same promise its own way) or ``@pytest.mark.xfail(strict=True, ...)``
(it should work and does not yet). Expected failures are better declared without
overriding, in the class attribute ``contract_xfail = {"test_name": "reason"}`` (a key may
name one parametrized case, ``"test_name[param-id]"``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

__all__ = ["OVERRIDE_ATTR", "STANDARD_ATTR", "override", "standard", "standard_tests", "violations"]

STANDARD_ATTR = "__prorata_contract_area__"
OVERRIDE_ATTR = "__prorata_contract_override__"

_C = TypeVar("_C", bound=type)
_F = TypeVar("_F", bound=Callable[..., Any])


def standard(area: str) -> Callable[[_C], _C]:
    """Mark a mixin class as a standard contract area (its ``test_*`` methods are guarded)."""

    def mark(cls: _C) -> _C:
        setattr(cls, STANDARD_ATTR, area)
        return cls

    return mark


def override(*, reason: str) -> Callable[[_F], _F]:
    """Allow a provider's test class to replace one standard test, saying why.

    Args:
        reason: why this provider tests the promise differently (shown by the guard).
    """
    if not reason.strip():
        raise ValueError("override(reason=...) needs a reason")

    def mark(func: _F) -> _F:
        setattr(func, OVERRIDE_ATTR, reason)
        return func

    return mark


def _areas(cls: type) -> Iterator[type]:
    for base in cls.__mro__:
        if STANDARD_ATTR in base.__dict__:
            yield base


def standard_tests(cls: type) -> dict[str, tuple[str, object]]:
    """``{test name: (area, the standard function)}`` for every standard area ``cls`` composes."""
    found: dict[str, tuple[str, object]] = {}
    for base in _areas(cls):
        area: str = base.__dict__[STANDARD_ATTR]
        for name, value in base.__dict__.items():
            if name.startswith("test") and callable(value):
                found.setdefault(name, (area, value))
    return found


def _explicit_xfail(func: object) -> bool:
    marks: list[Any] = list(getattr(func, "pytestmark", []))
    return any(
        mark.name == "xfail" and mark.kwargs.get("strict") is True and mark.kwargs.get("reason")
        for mark in marks
    )


def violations(cls: type) -> list[str]:
    """Why ``cls`` breaks the contract's guard (empty when it keeps every standard test)."""
    problems: list[str] = []
    standards = standard_tests(cls)
    for name, (area, func) in sorted(standards.items()):
        current = inspect.getattr_static(cls, name, None)
        if current is func:
            continue
        if current is None or not callable(current):
            problems.append(f"{name} ({area}) was deleted; mark it xfail in contract_xfail instead")
        elif not (getattr(current, OVERRIDE_ATTR, None) or _explicit_xfail(current)):
            problems.append(
                f"{name} ({area}) is overridden without @prorata_contract.override(reason=...) "
                "or @pytest.mark.xfail(strict=True, reason=...)"
            )
    declared: object = getattr(cls, "contract_xfail", {})
    if not isinstance(declared, dict):
        problems.append("contract_xfail must be a dict of {standard test name: reason}")
        return problems
    entries: dict[object, object] = dict(declared)  # pyright: ignore[reportUnknownArgumentType]
    for name, reason in entries.items():
        if str(name).split("[", 1)[0] not in standards:
            problems.append(f"contract_xfail names {name!r}, which is not a standard test of this class")
        elif not isinstance(reason, str) or not reason.strip():
            problems.append(f"contract_xfail[{name!r}] needs a reason")
    return problems
