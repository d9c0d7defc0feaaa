"""Stripe idempotency keys are kept 24 hours, then a reused key is a new request
(https://docs.stripe.com/api/idempotent_requests: keys "are eligible to be removed from the
system automatically after they're at least 24 hours old, and a new request is generated if a
key is reused after the original has been pruned")."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from prorata_emulators.stripe import StripeApp
from prorata_emulators.stripe._idempotency import KEPT_SECONDS, IdempotencyRecords, Record
from prorata_emulators.stripe._store import Store

HEADERS = {"Authorization": "Bearer sk_test_keys", "Content-Type": "application/x-www-form-urlencoded"}


def _record(at: int) -> Record:
    return Record(fingerprint="f", status=200, body=b"{}", headers={}, at=at)


def test_records_are_pruned_at_24_hours_oldest_first() -> None:
    records = IdempotencyRecords()
    records.put("old", _record(1_000))
    records.put("new", _record(5_000))
    assert records.get("old", 1_000 + KEPT_SECONDS - 1) is not None
    assert records.get("old", 1_000 + KEPT_SECONDS) is None
    assert records.get("new", 1_000 + KEPT_SECONDS) is not None
    assert len(records) == 1


def _create_customer(emulator: StripeApp, key: str) -> tuple[str, dict[str, str]]:
    headers = {**HEADERS, "Idempotency-Key": key}
    response = emulator.handle(
        "POST", "/v1/customers", headers, urlencode({"email": "a@example.test"}).encode()
    )
    assert response.status == 200
    return json.loads(response.body)["id"], dict(response.headers)


def test_a_key_reused_after_24_hours_creates_again(monkeypatch: pytest.MonkeyPatch) -> None:
    emulator = StripeApp.create()
    start = int(time.time())
    monkeypatch.setattr(Store, "clock_time", lambda self, clock_id: start)  # pyright: ignore[reportUnknownLambdaType]
    first, _ = _create_customer(emulator, "k1")
    monkeypatch.setattr(Store, "clock_time", lambda self, clock_id: start + KEPT_SECONDS - 1)  # pyright: ignore[reportUnknownLambdaType]
    replayed, headers = _create_customer(emulator, "k1")
    assert (replayed, headers.get("Idempotent-Replayed")) == (first, "true")
    monkeypatch.setattr(Store, "clock_time", lambda self, clock_id: start + KEPT_SECONDS)  # pyright: ignore[reportUnknownLambdaType]
    again, headers = _create_customer(emulator, "k1")
    assert again != first
    assert "Idempotent-Replayed" not in headers
