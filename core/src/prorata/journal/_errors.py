"""Errors of the change journal (both are :class:`~prorata.BillingError` subclasses)."""

from __future__ import annotations

from prorata._errors import BillingError

__all__ = ["JournalBusyError", "JournalError"]


class JournalError(BillingError):
    """The journal's store failed (unreachable, corrupt, misconfigured); ``store`` says which."""

    def __init__(self, store: str, reason: str) -> None:
        super().__init__(f"change journal {store}: {reason}")
        self.store = store
        self.reason = reason


class JournalBusyError(JournalError):
    """Another worker holds the lease or the store is locked; retry later with the same key.

    Nothing was changed, unless the message says the change was applied but not recorded
    yet (the store was locked right after the provider call): the retry then returns it.
    """

    def __init__(self, store: str, reason: str, *, retry_after: float = 0.5) -> None:
        super().__init__(store, reason)
        self.retry_after = retry_after
