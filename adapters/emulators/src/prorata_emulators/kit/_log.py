"""The request log: every request an emulator answered, with its body and response status."""

from __future__ import annotations

import collections
import json
import threading
from typing import Any

import attrs

__all__ = ["LoggedRequest", "RequestLog"]


@attrs.frozen(kw_only=True, slots=True)
class LoggedRequest:
    """One request as received: ``method``, ``path`` (with its query), raw ``body``, ``status``.

    ``status`` is ``None`` when the response was dropped on purpose (an injected fault).
    """

    method: str
    path: str
    body: bytes
    status: int | None

    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON (for JSON APIs such as Dodo's)."""
        return json.loads(self.body)


@attrs.define
class RequestLog:
    """A thread-safe, bounded log (the oldest entries go first beyond ``limit``)."""

    limit: int = 10_000
    _entries: collections.deque[LoggedRequest] = attrs.field(init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    def __attrs_post_init__(self) -> None:
        self._entries = collections.deque(maxlen=self.limit)

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, method: str | None = None, path_prefix: str = "") -> list[LoggedRequest]:
        """Logged requests, oldest first, optionally of one ``method`` and under ``path_prefix``."""
        with self._lock:
            return [
                e
                for e in self._entries
                if (method is None or e.method == method) and e.path.startswith(path_prefix)
            ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
