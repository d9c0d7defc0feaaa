"""Secrets that never show up in reprs, logs, exceptions or test output."""

from __future__ import annotations

import attrs

__all__ = ["Secret"]


@attrs.frozen(slots=True, repr=False, eq=False)
class Secret:
    """A secret value (API key, webhook secret). ``str()`` and ``repr()`` hide it."""

    _value: str
    source: str = "value"
    """Where it came from, e.g. ``env:STRIPE_SECRET_KEY`` (safe to show)."""

    def reveal(self) -> str:
        """The secret itself; pass it straight to the SDK, never to a log."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret(<hidden>, source={self.source!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))
