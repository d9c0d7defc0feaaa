"""List responses with Stripe's cursor pagination (https://docs.stripe.com/api/pagination).

``limit`` "ranging between 1 and 100" (default 10); ``starting_after`` returns the objects listed
after the named one, ``ending_before`` the ones listed before it (the page keeps the list's
order, newest first), and the two "are mutually exclusive". ``has_more`` says whether more
objects lie beyond the page in the direction of travel.
"""

from __future__ import annotations

from prorata_emulators.stripe._errors import invalid, only_one_of
from prorata_emulators.stripe._store import JSON

__all__ = ["MAX_LIMIT", "list_response"]

MAX_LIMIT = 100


def _limit(params: JSON) -> int:
    raw = params.get("limit")
    if raw in (None, ""):
        return 10
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        raise invalid(f"Invalid integer: {raw}", "limit", code="parameter_invalid_integer") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid(
            f"Invalid limit: must be between 1 and {MAX_LIMIT}.", "limit", code="parameter_invalid_integer"
        )
    return limit


def list_response(items: list[JSON], url: str, params: JSON) -> JSON:
    limit = _limit(params)
    only_one_of(params, "starting_after", "ending_before")
    after, before = params.get("starting_after"), params.get("ending_before")
    ids = [item["id"] for item in items]
    if before:
        earlier = items[: ids.index(before)] if before in ids else []
        return {"object": "list", "data": earlier[-limit:], "has_more": len(earlier) > limit, "url": url}
    if after:
        items = items[ids.index(after) + 1 :] if after in ids else []
    return {"object": "list", "data": items[:limit], "has_more": len(items) > limit, "url": url}
