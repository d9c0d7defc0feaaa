"""The journal's interface on both stores: entries, leases, processed events, progress values."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from prorata.errors import BillingError
from prorata.journal import EntryStatus, Journal, JournalBusyError, JournalError
from prorata.journal._postgres import hide_password


def _intent(journal: Journal, change_id: str = "chg_1", fingerprint: str = "fp") -> None:
    journal.record_intent(
        change_id,
        operation="change",
        subscription_id="sub_1",
        revision="rev_1",
        request='{"x": 1}',
        fingerprint=fingerprint,
    )


def test_intent_then_outcome_round_trips(journal: Journal) -> None:
    assert journal.find("chg_1") is None
    _intent(journal)
    entry = journal.find("chg_1")
    assert entry is not None
    assert (entry.status, entry.revision, entry.subscription_id, entry.attempts) == (
        EntryStatus.PENDING,
        "rev_1",
        "sub_1",
        1,
    )
    journal.record_applied("chg_1", '{"ok": true}', result_revision="rev_2")
    done = journal.find("chg_1")
    assert done is not None
    assert (done.status, done.outcome, done.result_revision) == (EntryStatus.APPLIED, '{"ok": true}', "rev_2")


def test_a_second_intent_keeps_the_first_record(journal: Journal) -> None:
    _intent(journal)
    journal.record_applied("chg_1", "{}", result_revision="rev_2")
    _intent(journal, fingerprint="other")
    entry = journal.find("chg_1")
    assert entry is not None
    assert (entry.status, entry.fingerprint) == (EntryStatus.APPLIED, "fp")


def test_a_failed_change_is_re_armed_by_its_retry(journal: Journal) -> None:
    _intent(journal)
    journal.record_failed("chg_1", "card declined")
    _intent(journal)
    entry = journal.find("chg_1")
    assert entry is not None
    assert (entry.status, entry.attempts, entry.error) == (EntryStatus.PENDING, 2, None)


def test_latest_and_entries_follow_the_order_of_intents(journal: Journal) -> None:
    for n in range(3):
        _intent(journal, f"chg_{n}")
    latest = journal.latest("sub_1")
    assert latest is not None
    assert latest.change_id == "chg_2"
    assert [e.change_id for e in journal.entries("sub_1")] == ["chg_0", "chg_1", "chg_2"]
    assert journal.latest("sub_other") is None


def test_processed_events_are_recognised_as_replays(journal: Journal) -> None:
    assert not journal.event_processed("stripe", "evt_1")
    assert journal.mark_event_processed("stripe", "evt_1")
    assert not journal.mark_event_processed("stripe", "evt_1")
    assert journal.mark_event_processed("dodo", "evt_1")
    assert journal.event_processed("stripe", "evt_1")


def test_progress_values_are_kept_and_overwritten(journal: Journal) -> None:
    assert journal.get_progress("migration") is None
    journal.set_progress("migration", "sub_10")
    journal.set_progress("migration", "sub_20")
    assert journal.get_progress("migration") == "sub_20"


def test_records_survive_reopening(journal_url: str) -> None:
    first = Journal.open(journal_url)
    _intent(first)
    first.close()
    second = Journal.open(journal_url)
    try:
        assert second.find("chg_1") is not None
    finally:
        second.close()


def test_the_lease_serialises_threads(journal_url: str) -> None:
    journal = Journal.open(journal_url)
    counter = {"n": 0}

    def bump() -> None:
        for _ in range(10):
            with journal.lease("sub_1"):
                seen = counter["n"]
                time.sleep(0.001)
                counter["n"] = seen + 1

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    journal.close()
    assert counter["n"] == 40


BUMP = """
import sys, time
from pathlib import Path
from prorata.journal import Journal
url, path, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
journal = Journal.open(url)
for _ in range(rounds):
    with journal.lease("sub_1"):
        seen = int(Path(path).read_text())
        time.sleep(0.001)
        Path(path).write_text(str(seen + 1))
journal.close()
"""

HOLD = """
import sys, time
from pathlib import Path
from prorata.journal import Journal
journal = Journal.open(sys.argv[1])
with journal.lease("sub_1"):
    Path(sys.argv[2]).write_text("held")
    time.sleep(600)
"""


def test_the_lease_serialises_processes(journal_url: str, tmp_path: Path) -> None:
    counter = tmp_path / "counter"
    counter.write_text("0")
    Journal.open(journal_url).close()
    workers = [
        subprocess.Popen([sys.executable, "-c", BUMP, journal_url, str(counter), "15"]) for _ in range(3)
    ]
    assert [w.wait(120) for w in workers] == [0, 0, 0]
    assert counter.read_text() == "45"


def test_a_killed_holder_releases_its_lease(journal_url: str, tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    Journal.open(journal_url).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, journal_url, str(ready)])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists()
        journal = Journal.open(journal_url, lease_timeout=0.3)
        with pytest.raises(JournalBusyError, match="held by another worker"), journal.lease("sub_1"):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        waiting = Journal.open(journal_url, lease_timeout=20)
        with waiting.lease("sub_1"):
            pass
        waiting.close()
        journal.close()
    finally:
        if holder.poll() is None:
            holder.kill()


def test_leases_of_other_subscriptions_do_not_wait(journal: Journal) -> None:
    with journal.lease("sub_1"), journal.lease("sub_2"), journal.lease("sub_1"):
        pass


def test_errors_are_billing_errors(tmp_path: Path) -> None:
    with pytest.raises(JournalError) as caught:
        Journal.open(tmp_path)  # a directory is not a database
    assert isinstance(caught.value, BillingError)


def test_postgres_urls_hide_their_password() -> None:
    assert hide_password("postgresql://app:s3cret@db:5432/prod") == "postgresql://app:***@db:5432/prod"
    assert "s3cret" not in hide_password("postgresql://db/prod?password=s3cret&sslmode=require")


def test_an_unreachable_postgres_is_a_typed_error() -> None:
    with pytest.raises(JournalError, match=r"cannot connect") as caught:
        Journal.open("postgresql://nobody:hunter2@127.0.0.1:9/none?connect_timeout=2")
    assert "hunter2" not in str(caught.value)
