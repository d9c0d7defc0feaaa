"""Safe writes without idempotency keys: no SDK retries, and re-read before every retry.

Dodo takes no idempotency key and the SDK retries POSTs, so a retried ``change_plan`` could
apply twice. Writes go through a client with ``max_retries=0``; when an attempt fails in a
way that may have committed (no response, 5xx), the caller's ``reconcile`` re-reads the
subscription and reports the change as done instead of sending it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

import attrs
import dodopayments

from prorata.provider import safe_cause
from prorata_dodo._errors import is_ambiguous, is_retryable, retry_after, translate

__all__ = ["Attempts", "Written", "write"]

T = TypeVar("T")
R = TypeVar("R")


@attrs.frozen(kw_only=True, slots=True)
class Attempts:
    """How hard to try: attempts in all, and the backoff between them."""

    attempts: int = 3
    backoff: float = 0.2
    max_wait: float = 5.0
    sleep: Callable[[float], None] = attrs.field(default=time.sleep, eq=False)


@attrs.frozen(kw_only=True, slots=True)
class Written(Generic[T, R]):
    """The write's response, or what the re-read found when it had already applied."""

    response: T | None = None
    reconciled: R | None = None
    attempts: int = 1


def write(
    action: str, send: Callable[[], T], reconcile: Callable[[], R | None], policy: Attempts
) -> Written[T, R]:
    """Send a non-idempotent write at most once in effect."""
    last: dodopayments.DodoPaymentsError | None = None
    for attempt in range(1, policy.attempts + 1):
        if last is not None and is_ambiguous(last):
            done = reconcile()
            if done is not None:
                return Written(reconciled=done, attempts=attempt)
        try:
            return Written(response=send(), attempts=attempt)
        except dodopayments.DodoPaymentsError as exc:
            if not is_retryable(exc) or attempt == policy.attempts:
                if is_ambiguous(exc):
                    done = reconcile()
                    if done is not None:
                        return Written(reconciled=done, attempts=attempt)
                raise translate(exc, action) from safe_cause(exc)
            last = exc
            policy.sleep(min(policy.max_wait, retry_after(exc) or policy.backoff * 2 ** (attempt - 1)))
    raise AssertionError("unreachable")  # pragma: no cover
