"""`prorata listen` on the local provider: events of another process's writes, printed,
as JSON lines, or forwarded (signed) to a URL where they verify."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import prorata
from prorata import EventType
from prorata.cli import main
from prorata_emulators.kit import WebhookReceiver


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What `prorata init` writes: the local provider on a database file beside it."""
    monkeypatch.setenv(prorata.provider.AUTOLOAD_ENV, "1")
    path = tmp_path / "prorata.toml"
    assert CliRunner().invoke(main, ["init", str(path)]).exit_code == 0
    return path


@pytest.fixture
def subscribed(config: Path) -> str:
    with prorata.Billing.from_config(config) as billing:
        customer = billing.create_customer("listen@example.com")
        return billing.subscribe(customer.id, "basic").id


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


def test_replay_prints_every_event_as_json_lines(config: Path, subscribed: str) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "listen", "--replay", "--once", "--json"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["type"] for r in records] == [
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "subscription.created",
    ]
    assert {r["subscription_id"] for r in records} == {subscribed}
    assert all(r["forwarded"] is None for r in records)


def test_without_replay_only_new_events(config: Path, subscribed: str) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "listen", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output == ""


def test_forward_to_posts_signed_deliveries(config: Path, subscribed: str, receiver: WebhookReceiver) -> None:
    result = CliRunner().invoke(
        main, ["--config", str(config), "listen", "--replay", "--once", "--forward-to", receiver.url]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("-> 200") == 4
    assert "subscription.created" in result.output
    with prorata.Billing.from_config(config) as billing:
        events = [billing.parse_event(hook.headers, hook.body) for hook in receiver.received]
    assert [e.type for e in events][-1] is EventType.SUBSCRIPTION_CREATED
    assert {e.subscription_id for e in events} == {subscribed}
