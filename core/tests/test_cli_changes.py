"""``prorata subscriptions``, ``preview`` and ``apply`` wired to a configured provider."""

from __future__ import annotations

import json
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import prorata
from prorata import AtPeriodEnd, ChangePreview, ChangeResult, Item, PlanChange
from prorata.cli import main
from prorata.provider import Registry

from .conftest import PREVIEW_AT, T0, T1, FakeStore


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner: CliRunner, fake_registry: Registry, fake_config: Path):
    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(
            main,
            ["--config", str(fake_config), *args],
            obj=fake_registry,
            input=input,
            env={"COLUMNS": "200"},
        )

    return run


def _unused() -> Fraction:
    return Fraction(int((T1 - PREVIEW_AT).total_seconds()), int((T1 - T0).total_seconds()))


def test_subscriptions_json_and_customer_filter(invoke, fake_store: FakeStore) -> None:
    everything = invoke("subscriptions", "--json")
    assert everything.exit_code == 0, everything.output
    loaded = [prorata.structure(entry, prorata.Subscription) for entry in json.loads(everything.stdout)]
    assert {sub.id for sub in loaded} == {"sub_1", "sub_other"}
    assert next(sub for sub in loaded if sub.id == "sub_other") == fake_store.subscriptions["sub_other"]
    one = invoke("subscriptions", "--customer", "cus_2", "--json")
    assert [entry["id"] for entry in json.loads(one.stdout)] == ["sub_other"]
    assert fake_store.closed == 2  # every command closes the provider it opened


def test_subscriptions_table(invoke) -> None:
    result = invoke("subscriptions")
    assert result.exit_code == 0, result.output
    assert "sub_other" in result.stdout
    assert "pro x3" in result.stdout


def test_preview_json_loads_as_change_preview_with_prorated_lines(invoke, fake_store: FakeStore) -> None:
    result = invoke("preview", "sub_1", "--swap", "basic:pro", "--json")
    assert result.exit_code == 0, result.output
    preview = prorata.loads(result.stdout, ChangePreview)
    assert preview.change == PlanChange.swap("basic", "pro")
    assert preview.proration_time == PREVIEW_AT
    assert [line.amount.amount for line in preview.lines] == [
        -round(1000 * _unused()),
        round(2000 * _unused()),
    ]
    assert preview.items == (Item(plan="pro"),)
    assert fake_store.subscriptions["sub_1"].items == (Item(plan="basic"),)  # preview changes nothing


def test_preview_table_shows_lines_and_amount_due(invoke) -> None:
    result = invoke("preview", "sub_1", "--add", "addon:2")
    assert result.exit_code == 0, result.output
    assert "Remaining time on addon" in result.stdout
    expected = prorata.Money.of(1000, "USD").scale(_unused()).format()
    assert expected in result.stdout


def test_preview_saved_then_applied_charges_the_preview(
    invoke, fake_store: FakeStore, tmp_path: Path
) -> None:
    saved = tmp_path / "preview.json"
    shown = invoke("preview", "sub_1", "--swap", "basic:pro", "--json")
    saved.write_text(shown.stdout, encoding="utf-8")
    fake_store.now = PREVIEW_AT + timedelta(minutes=20)  # the customer took 20 minutes to confirm
    applied = invoke("apply", "sub_1", "--preview", f"@{saved}", "--json")
    assert applied.exit_code == 0, applied.output
    result = prorata.loads(applied.stdout, ChangeResult)
    preview = prorata.loads(shown.stdout, ChangePreview)
    assert result.matches_preview is True
    assert result.invoice is not None
    assert result.invoice.totals == preview.totals
    assert result.subscription.items == (Item(plan="pro"),)
    assert fake_store.subscriptions["sub_1"].items == (Item(plan="pro"),)


def test_a_saved_preview_past_its_expiry_is_refused(invoke, fake_store: FakeStore, tmp_path: Path) -> None:
    saved = tmp_path / "preview.json"
    saved.write_text(invoke("preview", "sub_1", "--swap", "basic:pro", "--json").stdout, encoding="utf-8")
    fake_store.now = PREVIEW_AT + timedelta(days=3)  # three days later the preview has expired
    applied = invoke("apply", "sub_1", "--preview", f"@{saved}", "--json")
    assert applied.exit_code != 0
    assert "StalePreviewError" in applied.output
    assert fake_store.subscriptions["sub_1"].items == (Item(plan="basic"),)


def test_apply_without_the_preview_prices_at_the_current_time(invoke, fake_store: FakeStore) -> None:
    shown = prorata.loads(invoke("preview", "sub_1", "--swap", "basic:pro", "--json").stdout, ChangePreview)
    fake_store.now = PREVIEW_AT + timedelta(days=3)
    applied = invoke("apply", "sub_1", "--swap", "basic:pro", "--json")
    result = prorata.loads(applied.stdout, ChangeResult)
    assert result.matches_preview is None
    assert result.invoice is not None
    assert result.invoice.totals.total.amount < shown.totals.total.amount


def test_apply_table_reports_match(invoke, tmp_path: Path) -> None:
    saved = tmp_path / "preview.json"
    saved.write_text(invoke("preview", "sub_1", "--swap", "basic:pro", "--json").stdout, encoding="utf-8")
    applied = invoke("apply", "sub_1", "--preview", f"@{saved}")
    assert applied.exit_code == 0, applied.output
    assert "matches the preview" in applied.stdout
    assert "pro x1" in applied.stdout


def test_apply_refuses_a_preview_of_another_change(invoke, fake_store: FakeStore, tmp_path: Path) -> None:
    saved = tmp_path / "preview.json"
    saved.write_text(invoke("preview", "sub_1", "--swap", "basic:pro", "--json").stdout, encoding="utf-8")
    applied = invoke("apply", "sub_1", "--add", "addon", "--preview", f"@{saved}", "--json")
    assert applied.exit_code == 2
    assert json.loads(applied.stdout)["error"]["field"] == "preview.change"
    assert fake_store.subscriptions["sub_1"].items == (Item(plan="basic"),)


def test_change_json_inline_file_and_stdin_equal_shorthand(invoke, tmp_path: Path) -> None:
    change = PlanChange.set_quantity("basic", 4, timing=AtPeriodEnd())
    text = prorata.dumps(change)
    (tmp_path / "change.json").write_text(text, encoding="utf-8")
    outputs = [
        invoke("preview", "sub_1", "--change", text, "--json"),
        invoke("preview", "sub_1", "--change", f"@{tmp_path / 'change.json'}", "--json"),
        invoke("preview", "sub_1", "--change", "@-", "--json", input=text),
        invoke("preview", "sub_1", "--quantity", "basic:4", "--timing", "at_period_end", "--json"),
    ]
    previews = []
    for output in outputs:
        assert output.exit_code == 0, output.output
        previews.append(prorata.loads(output.stdout, ChangePreview))
    assert all(preview.change == change for preview in previews)
    assert previews[0].items == (Item(plan="basic", quantity=4),)
    assert previews[0].effective_at == T1


def test_shorthand_options_build_the_change(invoke) -> None:
    result = invoke(
        "preview",
        "sub_1",
        "--swap",
        "basic:pro",
        "--add",
        "addon:2",
        "--proration",
        "no_billing",
        "--cycle",
        "keep",
        "--json",
    )
    assert result.exit_code == 0, result.output
    preview = prorata.loads(result.stdout, ChangePreview)
    assert preview.change.proration is prorata.ProrationMode.NO_BILLING
    assert preview.items == (Item(plan="pro"), Item(plan="addon", quantity=2))
    assert preview.lines == ()


def test_idempotency_key_reaches_the_provider(invoke, fake_store: FakeStore) -> None:
    result = invoke("apply", "sub_1", "--swap", "basic:pro", "--idempotency-key", "order-42")
    assert result.exit_code == 0, result.output
    assert fake_store.idempotency_keys == ["order-42"]


@pytest.mark.parametrize(
    ("args", "error_type", "field", "value"),
    [
        (["--swap", "basic:platinum"], "InvalidChangeError", "PlanChange.operations[0].plan", "platinum"),
        (["--swap", "basic"], "InvalidChangeError", "--swap", "basic"),
        (["--quantity", "basic:many"], "InvalidChangeError", "--quantity", "basic:many"),
        (["--quantity", "basic:0"], "ValidationError", "SetQuantity.quantity", 0),
        (
            ["--swap", "basic:pro", "--at", "2026-01-20T00:00:00Z"],
            "UnsupportedCapabilityError",
            "PlanChange.timing",
            "at_date",
        ),
        (["--swap", "basic:pro", "--timing", "at_date"], "InvalidChangeError", "--timing", "at_date"),
        (
            ["--swap", "basic:pro", "--at", "2026-01-20T00:00:00"],
            "InvalidChangeError",
            "--at",
            "2026-01-20T00:00:00",
        ),
        (
            ["--swap", "basic:pro", "--proration", "full_price_now", "--cycle", "reset"],
            "UnsupportedCapabilityError",
            "PlanChange.proration",
            "full_price_now/reset",
        ),
        (["--change", "{}", "--swap", "basic:pro"], "InvalidChangeError", "--change", "<json>"),
        (
            ["--change", "@/nonexistent/change.json"],
            "ValidationError",
            "--change",
            "@/nonexistent/change.json",
        ),
        ([], "InvalidChangeError", "--change", None),
    ],
)
def test_bad_changes_exit_2_with_a_typed_json_error(
    invoke, args: list[str], error_type: str, field: str, value: object
) -> None:
    result = invoke("preview", "sub_1", *args, "--json")
    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)["error"]
    assert error["type"] == error_type
    assert error["field"] == field
    assert error["value"] == value


def test_unknown_plan_is_one_red_line_without_traceback(invoke) -> None:
    result = invoke("preview", "sub_1", "--swap", "basic:platinum")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "platinum" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_subscription_is_provider_not_found(invoke) -> None:
    result = invoke("apply", "sub_missing", "--swap", "basic:pro", "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "NotFoundError"
    assert error["provider"] == "fake"


def test_unexpected_errors_are_one_line_exit_1(invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest import FakeProvider

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(FakeProvider, "list_subscriptions", boom)
    result = invoke("subscriptions")
    assert result.exit_code == 1
    assert "RuntimeError: engine exploded" in result.stderr
    assert "Traceback" not in result.output
