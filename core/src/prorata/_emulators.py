"""Registration record for provider API emulators (``prorata emulate NAME``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import attrs

from prorata._validators import non_empty_str

__all__ = ["EmulatorServer", "EmulatorSpec"]


class EmulatorServer(Protocol):
    """A running emulator: serves until ``stop`` is called."""

    @property
    def url(self) -> str: ...

    def serve_forever(self) -> None: ...

    def stop(self) -> None: ...


@attrs.frozen(kw_only=True, slots=True)
class EmulatorSpec:
    """An emulator a plugin ships: ``start(host, port)`` returns a server bound to that port."""

    name: str = attrs.field(validator=non_empty_str)
    """The name ``prorata emulate NAME`` takes."""
    start: Callable[[str, int], EmulatorServer] = attrs.field(eq=False)
    """Starts a server on ``(host, port)`` and returns it (port 0: any free port)."""
    description: str = ""
    """One line for ``prorata emulate`` and listings."""
