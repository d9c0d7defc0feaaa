"""Routes: a method, a path template, a handler and the SDK params type it accepts."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs

from prorata_emulators.stripe._store import JSON, Store

__all__ = ["Call", "Route", "route"]


@attrs.define
class Call:
    """One request as a handler sees it: decoded params, path ids and the store."""

    store: Store
    params: JSON
    path: dict[str, str]

    def int_param(self, name: str, value: Any = None) -> int | None:
        raw = self.params.get(name) if value is None else value
        if raw is None or raw == "":
            return None
        try:
            return int(raw)
        except (TypeError, ValueError):
            from prorata_emulators.stripe._errors import invalid

            raise invalid(f"Invalid integer: {raw}", name, code="parameter_invalid_integer") from None


Handler = Callable[[Call], JSON]


@attrs.frozen
class Route:
    method: str
    template: str
    handler: Handler
    params_type: type | None = None
    """The SDK ``TypedDict`` of accepted params; unknown params are refused like Stripe does."""
    pattern: re.Pattern[str] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"


def route(method: str, template: str, handler: Handler, params_type: type | None = None) -> Route:
    return Route(method=method, template=template, handler=handler, params_type=params_type)
