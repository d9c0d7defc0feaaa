"""Fault soak on the local provider: another connection holds the database's write lock 30 %
of the time (SQLite busy), every change lands exactly once.

The local provider keeps its change journal in its own database, so the lock falls on the
engine's writes and on the journal's (lease, intent, outcome) alike: before a change commits
or between its commit and the record of its outcome. The full-size run is
``adapters/emulators/benchmarks/soak_faults.py --provider local``.
"""

from __future__ import annotations

from pathlib import Path

from prorata_contract import SQLiteBusy, local_busy_workers, soak_new_subscription


def test_thirty_percent_busy_database_leaves_the_books_exact(tmp_path: Path) -> None:
    database = tmp_path / "local.sqlite3"
    busy = SQLiteBusy(database, chance=0.3, seed=3)
    report = soak_new_subscription(
        local_busy_workers(database, busy), rounds=40, faults_on=busy.start, faults_off=busy.stop
    )
    assert report.clean, report
    assert report.applied == 40
    assert busy.holds >= 10
    assert report.retries > 0, "no write met the lock: the soak tested nothing"
