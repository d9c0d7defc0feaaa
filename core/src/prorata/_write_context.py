"""What core knows about the write a provider is making, so an adapter can skip reads.

``ExactlyOnce`` sets it around each provider call: the idempotency key, whether this is the
first time any request with that key is sent (the durable journal recorded the intent just
now: no earlier attempt can have reached the provider), and the subscription as read under
the lease. An adapter without native idempotency keys (Dodo) then needs no read-before-write
replay check, and one that must re-read to build its answer can start from this state.
An in-memory journal forgets across processes, so it never vouches for a first attempt.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from contextvars import ContextVar

import attrs

from prorata._subscription import Subscription

__all__ = ["WriteContext", "current_write", "writing"]


@attrs.frozen(kw_only=True, slots=True)
class WriteContext:
    """The write in progress, as the journal knows it."""

    idempotency_key: str
    """The key the provider call carries."""
    first_attempt: bool
    """True when no request with this key was ever sent (a durable journal says so)."""
    subscription: Subscription | None = None
    """The subscription as read under its lease before the write (None for creations)."""


_CURRENT: ContextVar[WriteContext | None] = ContextVar("prorata_write_context", default=None)


def current_write(idempotency_key: str) -> WriteContext | None:
    """The context of the write carrying ``idempotency_key``, or None (called outside core)."""
    context = _CURRENT.get()
    return context if context is not None and context.idempotency_key == idempotency_key else None


@contextmanager
def writing(context: WriteContext) -> Generator[None]:
    token = _CURRENT.set(context)
    try:
        yield
    finally:
        _CURRENT.reset(token)
