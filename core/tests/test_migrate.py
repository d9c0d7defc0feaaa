"""Bulk migrations on the local provider: dry run, run, refusals, resume after a kill, pacing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

import prorata
from prorata import Billing, Item, PlanChange
from prorata._migrate import Migration, MigrationChange, MigrationSelection
from prorata._rate_limit import AdaptiveRateLimiter
from prorata.cli import main
from prorata.local import LocalProvider
from prorata.provider import NewCustomer, NewSubscription

START = datetime(2026, 1, 1, tzinfo=UTC)

CONFIG = """
provider = "local"
[providers.local]
database = "{database}"
start = "2026-01-01T00:00:00Z"
[plans.basic]
price = "10.00"
currency = "USD"
[plans.pro]
price = "20.00"
currency = "USD"
"""


def _populate(billing: Billing, count: int, plan: str = "basic") -> list[str]:
    provider = billing.provider
    assert isinstance(provider, LocalProvider)
    customers = provider.create_customers([NewCustomer(email=f"m{i}@example.com") for i in range(count)])
    subs = provider.create_subscriptions(
        [NewSubscription(customer_id=c.id, items=[Item(plan=plan)]) for c in customers]
    )
    return [sub.id for sub in subs]


@pytest.fixture
def billing(tmp_path: Path) -> Billing:
    config = tmp_path / "prorata.toml"
    config.write_text(CONFIG.format(database=tmp_path / "billing.sqlite3"))
    return Billing.from_config(config)


def _updates(billing: Billing, subscription_id: str) -> int:
    return sum(1 for invoice in billing.invoices(subscription_id) if invoice.reason == "subscription_update")


def test_dry_run_previews_changes_nothing_and_reports_refusals(billing: Billing) -> None:
    ids = _populate(billing, 6)
    billing.time_control().advance(START + timedelta(days=15))
    held = billing.get(ids[0])
    billing.apply(held, PlanChange.swap("basic", "pro", timing=prorata.AtPeriodEnd()))  # a pending change
    report = billing.migrate(plan="basic", to_plan="pro", dry_run=True, rate=None)
    assert report.dry_run
    assert report.count("previewed") == 5
    (refused,) = [o for o in report.outcomes if o.status == "skipped"]
    assert refused.subscription_id == ids[0]
    assert refused.error_type == "ConflictError"
    assert report.totals("next_invoice_delta") == {"USD": 5 * 1000}  # +$10 a month each
    due = report.totals("amount_due")["USD"]
    assert 0 < due < 5 * 1000  # half a month's difference, prorated
    assert all(billing.get(i).plan_quantities == {"basic": 1} for i in ids)


def test_run_applies_each_once_and_a_second_run_finds_nothing(billing: Billing) -> None:
    ids = _populate(billing, 12)
    report = billing.migrate(plan="basic", to_plan="pro", rate=None, concurrency=3)
    assert report.count("applied") == 12
    assert report.count("failed") == 0
    assert all(billing.get(i).plan_quantities == {"pro": 1} for i in ids)
    assert all(_updates(billing, i) == 1 for i in ids)
    again = billing.migrate(plan="basic", to_plan="pro", rate=None)
    assert again.outcomes == ()


def test_quantity_migration_replays_instead_of_applying_twice(billing: Billing) -> None:
    ids = _populate(billing, 3)
    first = billing.migrate(plan="basic", quantity=4, name="seats", rate=None)
    assert first.count("applied") == 3
    second = billing.migrate(plan="basic", quantity=4, name="seats", rate=None)
    assert second.count("already_applied") == 3  # still selected (same plan), never re-sent
    assert all(_updates(billing, i) == 1 for i in ids)


def test_price_selection_and_unknown_price(billing: Billing) -> None:
    _populate(billing, 2)
    with pytest.raises(prorata.errors.InvalidChangeError):
        billing.migrate(price="price_nobody", to_plan="pro", dry_run=True)


def test_rate_limiter_paces_and_backs_off() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = AdaptiveRateLimiter(10, clock=lambda: now[0], sleep=sleep)
    for _ in range(21):
        limiter.acquire()
    assert now[0] == pytest.approx(2.0)  # one at once, then ten a second
    limiter.throttle(3)
    assert limiter.rate == pytest.approx(5.0)
    limiter.acquire()
    assert now[0] >= 5.0  # everyone waited out Retry-After
    for _ in range(100):
        limiter.acquire()
    assert limiter.rate == pytest.approx(10.0)  # grown back to the ceiling


@pytest.mark.parametrize(("burst", "late"), [(1.0, True), (4.0, False)])
def test_rate_limiter_makes_up_an_overslept_wait_only_with_room_in_the_bucket(
    burst: float, late: bool
) -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds + 0.01  # every wake-up 10 ms late, as under a busy interpreter

    limiter = AdaptiveRateLimiter(10, burst=burst, clock=lambda: now[0], sleep=sleep)
    for _ in range(int(burst)):  # the full bucket
        limiter.acquire()
    start = now[0]
    for _ in range(100):
        limiter.acquire()
    # 100 at 10/s take 10 s; a one-token bucket loses each wake-up's 10 ms (10.9 s in all)
    assert (now[0] - start > 10.5) is late
    assert now[0] - start >= 9.6  # never faster than the rate allows (plus the bucket)


def test_migration_bucket_holds_a_token_per_worker(billing: Billing) -> None:
    def burst(rate: float, concurrency: int) -> float | None:
        selection, change = MigrationSelection(plan="basic"), MigrationChange(to_plan="pro")
        limiter = Migration(billing, selection, change, rate=rate, concurrency=concurrency).limiter
        return None if limiter is None else limiter.burst

    assert burst(25, 4) == 4.0
    assert burst(2, 8) == 2.0  # at most a second's worth


def test_cli_dry_run_and_run_in_json_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(prorata.provider.AUTOLOAD_ENV, "1")
    config = tmp_path / "prorata.toml"
    config.write_text(CONFIG.format(database=tmp_path / "billing.sqlite3"))
    with Billing.from_config(config) as billing:
        _populate(billing, 4)
    runner = CliRunner()
    dry = runner.invoke(
        main,
        ["--config", str(config), "migrate", "--plan", "basic", "--to-plan", "pro", "--dry-run", "--json"],
    )
    assert dry.exit_code == 0, dry.output
    lines = [json.loads(line) for line in dry.output.splitlines()]
    assert [line["status"] for line in lines[:-1]] == ["previewed"] * 4
    assert lines[-1]["report"]["previewed"] == 4
    run = runner.invoke(
        main,
        ["--config", str(config), "migrate", "--plan", "basic", "--to-plan", "pro", "--json", "--rate", "0"],
    )
    assert run.exit_code == 0, run.output
    assert json.loads(run.output.splitlines()[-1])["report"]["applied"] == 4


def test_a_run_killed_mid_way_resumes_and_applies_the_rest_exactly_once(tmp_path: Path) -> None:
    config = tmp_path / "prorata.toml"
    config.write_text(CONFIG.format(database=tmp_path / "billing.sqlite3"))
    count = 60
    with Billing.from_config(config) as billing:
        ids = _populate(billing, count)
    command = [
        sys.executable,
        "-c",
        "from prorata.cli import main; main()",
        "--config",
        str(config),
        "migrate",
    ]
    command += ["--plan", "basic", "--to-plan", "pro", "--name", "resume-test", "--rate", "30", "--json"]
    env = {**os.environ, prorata.provider.AUTOLOAD_ENV: "1"}
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    applied_before = 0
    for line in child.stdout:
        if json.loads(line).get("status") == "applied":
            applied_before += 1
        if applied_before == 20:
            break
    child.send_signal(signal.SIGKILL)  # a crash: no cleanup, whatever is in flight stays in flight
    child.wait()
    with Billing.from_config(config) as billing:
        assert 20 <= sum(1 for i in ids if billing.get(i).plan_quantities == {"pro": 1}) < count
    finished = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    report = json.loads(finished.stdout.splitlines()[-1])["report"]
    assert report["failed"] == []
    with Billing.from_config(config) as billing:
        assert all(billing.get(i).plan_quantities == {"pro": 1} for i in ids)
        assert [_updates(billing, i) for i in ids] == [1] * count  # never applied twice
    assert 0 < report["applied"] < count  # the first run did its part, the second the rest
