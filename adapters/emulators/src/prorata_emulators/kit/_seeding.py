"""What both emulators' ``seed`` helpers share: the error a refused seeding request raises."""

from __future__ import annotations

import json
from typing import Any

from prorata_emulators.kit._server import Reply

__all__ = ["SeedError", "seeded"]


class SeedError(Exception):
    """A seeding request the emulator refused: ``status`` and the provider's error ``body``."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"seeding refused ({status}): {body}")
        self.status = status
        self.body = body


def seeded(reply: Reply) -> Any:
    """The JSON answer of a seeding request; :class:`SeedError` when the emulator refused it."""
    parsed: Any = json.loads(reply.body) if reply.body else None
    if reply.status >= 400:
        raise SeedError(reply.status, parsed)
    return parsed
