"""``Journal.scoped``: one store, records kept apart per namespace (a provider account)."""

from __future__ import annotations

from pathlib import Path

import pytest

from prorata.journal import DATA_DIR_ENV, EntryStatus, Journal, default_journal_path


def _record(journal: Journal, change_id: str, subscription_id: str = "sub_1") -> None:
    journal.record_intent(
        change_id,
        operation="change",
        subscription_id=subscription_id,
        revision="1",
        request="{}",
        fingerprint="f",
    )


def test_namespaces_share_a_store_but_no_record(tmp_path: Path) -> None:
    base = Journal.open(tmp_path / "j.sqlite3")
    first, second = base.scoped("stripe:acct_1:test"), base.scoped("stripe:acct_2:test")
    _record(first, "order-1")
    first.record_applied("order-1", "{}", result_revision="2")
    first.set_progress("migration:x", "sub_9")
    assert first.mark_event_processed("stripe", "evt_1") is True

    found = first.find("order-1")
    assert found is not None
    assert (found.change_id, found.subscription_id, found.status) == ("order-1", "sub_1", EntryStatus.APPLIED)
    latest = first.latest("sub_1")
    assert latest is not None
    assert latest.change_id == "order-1"
    assert [e.change_id for e in first.entries()] == ["order-1"]
    assert [e.change_id for e in first.entries("sub_1")] == ["order-1"]

    assert second.find("order-1") is None
    assert second.latest("sub_1") is None
    assert list(second.entries()) == []
    assert second.get_progress("migration:x") is None
    assert second.mark_event_processed("stripe", "evt_1") is True  # not a replay in another account
    with first.lease("sub_1"), second.lease("sub_1"):  # different leases: no wait
        pass
    assert [e.change_id for e in base.entries()] == ["stripe:acct_1:test/order-1"]
    base.close()


def test_a_callable_namespace_is_resolved_once_and_retried_after_a_failure() -> None:
    calls: list[int] = []

    def resolve() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("provider unreachable")
        return "dodo:bus_1:test"

    journal = Journal.open().scoped(resolve)
    with pytest.raises(RuntimeError):
        journal.find("k")
    assert journal.find("k") is None
    _record(journal, "k")
    assert journal.namespace == "dodo:bus_1:test"
    assert len(calls) == 2


def test_default_path_follows_the_data_directory(tmp_path: Path) -> None:
    assert default_journal_path({DATA_DIR_ENV: str(tmp_path)}) == tmp_path / "journal.sqlite3"
    linux = default_journal_path({"HOME": "/home/ann", "XDG_DATA_HOME": "/data/ann"})
    assert linux.name == "journal.sqlite3"
    assert linux.parent.name == "prorata"
