"""``GET /v1/account``: the account the API key belongs to (https://docs.stripe.com/api/accounts/retrieve).

Each emulator is its own account: its id is drawn when the emulator starts, so a restarted
emulator (whose object ids start over) is never taken for the account an earlier run was.
"""

from __future__ import annotations

import secrets

from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._store import JSON

__all__ = ["account_routes"]


def _account(account_id: str) -> JSON:
    return {
        "id": account_id,
        "object": "account",
        "business_profile": None,
        "business_type": None,
        "capabilities": None,
        "charges_enabled": True,
        "controller": None,
        "country": "US",
        "created": None,
        "default_currency": "usd",
        "details_submitted": True,
        "email": None,
        "external_accounts": None,
        "future_requirements": None,
        "metadata": {},
        "payouts_enabled": True,
        "requirements": None,
        "settings": None,
        "tos_acceptance": None,
        "type": "standard",
    }


def account_routes() -> list[Route]:
    """The account route of one emulator instance (a fresh ``acct_`` id per call)."""
    account_id = "acct_" + secrets.token_hex(8)

    def current(call: Call) -> JSON:
        del call
        return _account(account_id)

    return [route("GET", "/v1/account", current)]
