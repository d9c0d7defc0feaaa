"""Idempotency keys derived from what a call does, so a retried call cannot act twice."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

__all__ = ["derive_key"]


def derive_key(operation: str, *parts: Any) -> str:
    """A stable key from an operation name and JSON-able parts (``prorata-<op>-<sha256>``)."""
    from prorata._serialization import unstructure

    def default(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        return unstructure(value)

    payload = json.dumps([operation, *parts], sort_keys=True, default=default, separators=(",", ":"))
    digest = hashlib.sha256(payload.encode()).hexdigest()[:40]
    return f"prorata-{operation}-{digest}"
