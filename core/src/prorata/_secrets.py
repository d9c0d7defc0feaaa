"""Secrets that never show up in reprs, logs, exceptions or test output."""

from __future__ import annotations

import attrs

__all__ = ["Secret", "known_secret_values"]

_KNOWN: dict[str, None] = {}
_KNOWN_LIMIT = 256


def _strip(value: str) -> str:
    """File-mounted secrets usually end in a newline; no SDK wants it in a header."""
    return value.strip() if isinstance(value, str) else value  # pyright: ignore[reportUnnecessaryIsInstance]


@attrs.frozen(slots=True, repr=False, eq=False)
class Secret:
    """A secret value (API key, webhook secret). ``str()`` and ``repr()`` hide it.

    Surrounding whitespace is stripped. Every value seen is remembered (in this process
    only) so that :func:`prorata.errors.scrub` can take it out of messages and logs.
    """

    _value: str = attrs.field(converter=_strip)
    source: str = "value"
    """Where it came from, e.g. ``env:STRIPE_SECRET_KEY`` (safe to show)."""

    def __attrs_post_init__(self) -> None:
        if len(self._value) >= 6:
            _KNOWN[self._value] = None
            while len(_KNOWN) > _KNOWN_LIMIT:
                del _KNOWN[next(iter(_KNOWN))]

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


def known_secret_values() -> tuple[str, ...]:
    """Secret values created in this process, longest first (for scrubbing)."""
    return tuple(sorted(_KNOWN, key=len, reverse=True))
