"""Which account a provider acts on: the change journal keeps each account's records apart.

One journal file may serve several accounts (the default file in the user's data directory
serves every configuration of that user) and an emulator restarted with ids starting over
(``sub_1`` again) is another account. A record found under another account's identity would
be "replayed" wrongly, so every journal key carries the provider's account identity.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from prorata._provider import Provider

__all__ = ["AccountProvider", "journal_namespace"]


@runtime_checkable
class AccountProvider(Protocol):
    """A provider that can name the account it reads and writes (optional, recommended).

    Without it, the journal namespace is the provider's name alone: one account per journal.
    """

    def account_identity(self) -> str:
        """A stable, non-secret name of the account and mode (test or live) every request
        goes to, e.g. ``acct_1Nv0FG:test``. Called once per ``Billing``, at the first use of
        a durable journal; never the API key itself (the journal is not a secret store)."""
        ...


def journal_namespace(provider: Provider) -> str:
    """The prefix of every journal key written for ``provider``."""
    if isinstance(provider, AccountProvider):
        return f"{provider.name}:{provider.account_identity()}"
    return provider.name
