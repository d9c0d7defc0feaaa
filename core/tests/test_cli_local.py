"""The CLI end to end on the built-in local provider (a real engine on a SQLite file)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

import prorata
from prorata import ChangePreview, ChangeResult, Item
from prorata.cli import main


@pytest.fixture
def local_config(write_config: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(prorata.provider.AUTOLOAD_ENV, "1")  # only the built-in provider
    database = tmp_path / "billing.sqlite"
    return write_config(
        f"""
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
    )


@pytest.fixture
def subscription_id(local_config: Path) -> str:
    with prorata.Billing.from_config(local_config) as billing:
        customer = billing.create_customer("ada@example.com")
        subscription = billing.subscribe(customer.id, "basic")
        clock = billing.time_control()
        clock.advance(clock.now() + timedelta(days=15))
        return subscription.id


def test_preview_then_apply_the_saved_preview_on_local(
    local_config: Path, subscription_id: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["--config", str(local_config)]
    listed = runner.invoke(main, [*base, "subscriptions", "--json"])
    assert [entry["id"] for entry in json.loads(listed.stdout)] == [subscription_id]

    shown = runner.invoke(main, [*base, "preview", subscription_id, "--swap", "basic:pro", "--json"])
    assert shown.exit_code == 0, shown.output
    preview = prorata.loads(shown.stdout, ChangePreview)
    assert preview.provider == "local"
    assert preview.totals.amount_due.amount > 0
    saved = tmp_path / "preview.json"
    saved.write_text(shown.stdout, encoding="utf-8")

    with prorata.Billing.from_config(local_config) as billing:  # 20 minutes pass before the customer confirms
        clock = billing.time_control()
        clock.advance(clock.now() + timedelta(minutes=20))

    applied = runner.invoke(main, [*base, "apply", subscription_id, "--preview", f"@{saved}", "--json"])
    assert applied.exit_code == 0, applied.output
    result = prorata.loads(applied.stdout, ChangeResult)
    assert result.matches_preview is True
    assert result.invoice is not None
    assert result.invoice.totals.amount_due == preview.totals.amount_due
    assert result.subscription.items == (Item(plan="pro"),)


def test_local_refuses_an_unknown_plan_before_anything_changes(
    local_config: Path, subscription_id: str
) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["--config", str(local_config), "apply", subscription_id, "--add", "gold", "--json"]
    )
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert (error["type"], error["field"], error["value"]) == (
        "InvalidChangeError",
        "PlanChange.operations[1].plan",
        "gold",
    )
    listed = runner.invoke(main, ["--config", str(local_config), "subscriptions", "--json"])
    items = json.loads(listed.stdout)[0]["items"]
    assert [(item["plan"], item["quantity"]) for item in items] == [("basic", 1)]


def test_a_whole_lifecycle_from_the_command_line(local_config: Path) -> None:
    runner = CliRunner()
    base = ["--config", str(local_config)]
    created = runner.invoke(main, [*base, "subscribe", "grace@example.com", "basic", "pro:2", "--json"])
    assert created.exit_code == 0, created.output
    subscription = json.loads(created.stdout)
    assert [(i["plan"], i["quantity"]) for i in subscription["items"]] == [("basic", 1), ("pro", 2)]

    moved = runner.invoke(main, [*base, "advance", "2026-02-01T00:00:00Z", "--json"])
    assert json.loads(moved.stdout) == {"now": "2026-02-01T00:00:00Z"}
    listed = runner.invoke(main, [*base, "invoices", subscription["id"], "--json"])
    totals = [invoice["totals"]["total"]["amount"] for invoice in json.loads(listed.stdout)]
    assert totals == [5000, 5000]  # the first period and the renewal, at 10 + 2 x 20 dollars

    backwards = runner.invoke(main, [*base, "advance", "2026-01-15T00:00:00Z"])
    assert backwards.exit_code == 2
    assert "advance.to" in backwards.output

    ended = runner.invoke(main, [*base, "cancel", subscription["id"], "--json"])
    assert json.loads(ended.stdout)["status"] == "canceled"
    again = runner.invoke(main, [*base, "cancel", subscription["id"], "--json"])  # a retry: same key
    assert again.exit_code == 0
    assert json.loads(again.stdout)["canceled_at"] == json.loads(ended.stdout)["canceled_at"]


def test_subscribe_refuses_a_malformed_item_before_anything_is_created(local_config: Path) -> None:
    runner = CliRunner()
    base = ["--config", str(local_config)]
    refused = runner.invoke(main, [*base, "subscribe", "h@example.com", "basic:two", "--json"])
    assert refused.exit_code == 2
    assert json.loads(refused.stdout)["error"]["field"] == "PLAN[:QTY]"
    assert json.loads(runner.invoke(main, [*base, "subscriptions", "--json"]).stdout) == []


def test_subscribe_refuses_an_invalid_email_before_anything_is_created(local_config: Path) -> None:
    runner = CliRunner()
    base = ["--config", str(local_config)]
    refused = runner.invoke(main, [*base, "subscribe", "not-an-email", "basic", "--json"])
    assert refused.exit_code == 2
    error = json.loads(refused.stdout)["error"]
    assert (error["type"], error["field"], error["value"]) == (
        "ValidationError",
        "NewCustomer.email",
        "not-an-email",
    )
    assert json.loads(runner.invoke(main, [*base, "subscriptions", "--json"]).stdout) == []


def test_resume_undoes_a_cancellation_and_cancel_scheduled_drops_a_pending_change(
    local_config: Path, subscription_id: str
) -> None:
    runner = CliRunner()
    base = ["--config", str(local_config)]

    def show() -> dict[str, object]:
        listed = runner.invoke(main, [*base, "subscriptions", "--json"])
        return json.loads(listed.stdout)[0]

    cancel_later = '{"operations": [{"type": "cancel_at_period_end"}], "proration": "no_billing"}'
    assert runner.invoke(main, [*base, "apply", subscription_id, "--change", cancel_later]).exit_code == 0
    assert show()["cancel_at_period_end"] is True
    resumed = runner.invoke(main, [*base, "resume", subscription_id, "--json"])
    assert resumed.exit_code == 0, resumed.output
    assert prorata.loads(resumed.stdout, ChangeResult).subscription.cancel_at_period_end is False
    assert show()["cancel_at_period_end"] is False

    later = runner.invoke(
        main, [*base, "apply", subscription_id, "--swap", "basic:pro", "--timing", "at_period_end"]
    )
    assert later.exit_code == 0, later.output
    assert show()["scheduled_change"] is not None
    dropped = runner.invoke(main, [*base, "cancel-scheduled", subscription_id])
    assert dropped.exit_code == 0, dropped.output
    assert "no pending change" in dropped.stdout
    assert show()["scheduled_change"] is None
    again = runner.invoke(main, [*base, "cancel-scheduled", subscription_id, "--json"])
    assert again.exit_code == 2
    assert json.loads(again.stdout)["error"]["field"] == "subscription.scheduled_change"


def test_init_writes_a_config_whose_state_outlives_each_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(prorata.provider.AUTOLOAD_ENV, "1")
    monkeypatch.delenv("PRORATA_CONFIG", raising=False)
    monkeypatch.delenv("PRORATA_PROVIDER", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    written = runner.invoke(main, ["init", "--json"])
    assert written.exit_code == 0, written.output
    assert json.loads(written.stdout) == {
        "config": "prorata.toml",
        "database": "prorata.sqlite3",
        "start": "2026-11-01T00:00:00Z",
    }
    assert runner.invoke(main, ["subscribe", "ada@example.com", "basic"]).exit_code == 0
    # another directory, the same file: the database is found beside the configuration
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    listed = runner.invoke(main, ["--config", "../prorata.toml", "subscriptions", "--json"])
    [subscription] = json.loads(listed.stdout)
    assert subscription["current_period_start"] == "2026-11-01T00:00:00Z"
    assert not (elsewhere / "prorata.sqlite3").exists()
    monkeypatch.chdir(tmp_path)
    refused = runner.invoke(main, ["init", "--json"])
    assert refused.exit_code == 2
    assert "--force" in json.loads(refused.stdout)["error"]["reason"]
    assert runner.invoke(main, ["init", "--force"]).exit_code == 0
