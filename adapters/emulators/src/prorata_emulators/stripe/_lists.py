"""List responses with Stripe's cursor pagination (``limit``, ``starting_after``)."""

from __future__ import annotations

from prorata_emulators.stripe._store import JSON

__all__ = ["list_response"]


def list_response(items: list[JSON], url: str, params: JSON) -> JSON:
    limit = int(params.get("limit") or 10)
    after = params.get("starting_after")
    if after:
        ids = [item["id"] for item in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    page = items[:limit]
    return {"object": "list", "data": page, "has_more": len(items) > limit, "url": url}
