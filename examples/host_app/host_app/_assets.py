"""The entitlements ("assets") table: what each customer may use, kept from sync snapshots."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from typing import Any

from prorata import Catalog, SubscriptionSnapshot

__all__ = ["Assets"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS assets (
    receipt_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    product_id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    expire_time TEXT NOT NULL,
    is_trial_period INTEGER NOT NULL,
    is_auto_renewable INTEGER NOT NULL,
    sub_canceled INTEGER NOT NULL,
    synced_at TEXT NOT NULL
);
"""

_ACTIVE = ("trialing", "active", "past_due")


class Assets:
    """One row per subscription, replaced by each newer snapshot (events may come in any order:
    the row always holds what ``Billing.sync`` read last)."""

    def __init__(self, path: str, catalog: Catalog) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._catalog = catalog

    def record(self, snapshot: SubscriptionSnapshot, *, platform: str, at: datetime) -> None:
        sub = snapshot.subscription
        plan = self._catalog.get(sub.items[0].plan)
        live = sub.status.value in _ACTIVE
        expires = sub.current_period_end if live else (sub.canceled_at or sub.current_period_end)
        with self._lock:
            self._conn.execute(
                "INSERT INTO assets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(receipt_id) DO UPDATE SET "
                "product_id = excluded.product_id, name = excluded.name, status = excluded.status, "
                "expire_time = excluded.expire_time, is_trial_period = excluded.is_trial_period, "
                "is_auto_renewable = excluded.is_auto_renewable, sub_canceled = excluded.sub_canceled, "
                "synced_at = excluded.synced_at",
                (
                    sub.id,
                    sub.customer_id,
                    platform,
                    plan.key,
                    plan.name,
                    sub.status.value,
                    expires.isoformat(),
                    int(sub.status.value == "trialing"),
                    int(live and not sub.cancel_at_period_end),
                    int(not live),
                    at.isoformat(),
                ),
            )

    def of(self, customer_id: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT receipt_id, platform, product_id, name, status, expire_time, is_trial_period, "
                "is_auto_renewable, sub_canceled FROM assets WHERE customer_id = ? ORDER BY receipt_id",
                (customer_id,),
            ).fetchall()
        return [
            {
                "receipt_id": r[0],
                "platform": r[1],
                "product_id": r[2],
                "name": r[3],
                "status": r[4],
                "expire_time": r[5],
                "is_trial_period": bool(r[6]),
                "is_auto_renewable": bool(r[7]),
                "sub_canceled": bool(r[8]),
                "type": "subscription",
            }
            for r in rows
        ]

    def close(self) -> None:
        self._conn.close()
