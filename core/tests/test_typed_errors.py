"""Bad input gets a typed ``BillingError`` naming the field and value, never a raw Python error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import prorata
from prorata import ChangePreview, Interval, Money, Plan, PlanChange
from prorata.cli import main
from prorata.errors import ConfigurationError, ValidationError
from prorata.provider import NewSubscription


@pytest.mark.parametrize(
    "options",
    [
        {"proration": "bogus"},
        {"billing_cycle": "sometimes"},
        {"on_payment_failure": 3},
    ],
)
def test_plan_change_refuses_unknown_enum_values(options: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as caught:
        PlanChange.swap("basic", "pro", **options)
    (field,) = options
    assert caught.value.field == f"PlanChange.{field}"
    assert "one of" in caught.value.reason


def test_interval_unit_is_typed() -> None:
    with pytest.raises(ValidationError, match=r"Interval\.unit"):
        Interval(unit="fortnight")


@pytest.mark.parametrize("amount", [2**63, -(2**63), 10**30])
def test_money_outside_64_bits_is_refused(amount: int) -> None:
    with pytest.raises(ValidationError, match="2\\*\\*63"):
        Money(amount=amount, currency="USD")


def test_money_arithmetic_cannot_overflow_silently() -> None:
    largest = Money(amount=2**63 - 1, currency="USD")
    with pytest.raises(ValidationError):
        largest + Money(amount=1, currency="USD")


@pytest.mark.parametrize("text", ["1e999999", "-1e999999", "9" * 40])
def test_money_parse_of_huge_numbers_is_quick_and_typed(text: str) -> None:
    with pytest.raises(ValidationError, match=r"Money\.amount"):
        Money.parse(text, "USD")


def test_negative_plan_price_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"Plan\.price"):
        Plan(key="free", name="Free", price=Money(amount=-1, currency="USD"))


@pytest.mark.parametrize("days", [-1, 731, 99_999_999])
def test_trial_days_outside_what_providers_accept(days: int) -> None:
    with pytest.raises(ValidationError, match="trial_days"):
        NewSubscription(customer_id="cus_1", items=(), trial_days=days)
    with pytest.raises(ValidationError, match="trial_days"):
        Plan(key="p", name="P", price=Money(amount=100, currency="USD"), trial_days=days)


def test_load_config_of_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not a directory"):
        prorata.load_config(tmp_path)


def test_load_config_of_non_utf8_bytes(tmp_path: Path) -> None:
    path = tmp_path / "prorata.toml"
    path.write_bytes(b"\xff\xfe[provider]")
    with pytest.raises(ConfigurationError, match="UTF-8"):
        prorata.load_config(path)


@pytest.mark.parametrize("text", ["", "{not json", b"\xff\xfe", "[1, 2]", "null"])
def test_loads_of_anything_but_a_preview(text: str | bytes) -> None:
    with pytest.raises(ValidationError, match=r"ChangePreview"):
        prorata.loads(text, ChangePreview)


def _run(tmp_path: Path, *args: str) -> tuple[int, dict[str, object]]:
    config = tmp_path / "prorata.toml"
    if not config.exists():
        config.write_text(
            'provider = "local"\n'
            f'[providers.local]\ndatabase = "{tmp_path / "billing.db"}"\n'
            '[plans.basic]\nname = "Basic"\nprice = "10.00"\ncurrency = "USD"\ninterval = "month"\n'
        )
    result = CliRunner().invoke(main, ["--config", str(config), "--json", *args], env={"COLUMNS": "200"})
    payload = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, payload


@pytest.mark.parametrize(
    "args",
    [
        ("subscribe", "a@example.com", "basic:²"),
        ("subscribe", "a@example.com", "basic:٣"),
        ("subscribe", "--trial-days", "99999999", "a@example.com", "basic"),
        ("apply", "sub_000001", "--preview", "@/dev/null"),
        ("apply", "sub_000001", "--preview", "{not json"),
    ],
)
def test_cli_reports_a_typed_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    code, payload = _run(tmp_path, *args)
    assert code != 0
    error = payload["error"]
    assert isinstance(error, dict)
    assert "unexpected" not in error, error


_words = st.sampled_from(
    ["subscribe", "preview", "apply", "advance", "invoices", "cancel", "subscriptions", "plans"]
)
_values = st.one_of(
    st.sampled_from(
        ["basic", "basic:2", "--swap", "--add", "--quantity", "--at", "--trial-days", "sub_000001"]
    ),
    st.text(min_size=0, max_size=12),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=_words, rest=st.lists(_values, max_size=5))
def test_cli_fuzz_never_reports_an_unexpected_error(tmp_path: Path, command: str, rest: list[str]) -> None:
    code, payload = _run(tmp_path, command, *[value for value in rest if "\x00" not in value])
    error = payload.get("error") if isinstance(payload, dict) else None
    assert not (isinstance(error, dict) and error.get("unexpected")), (command, rest, error)
    assert code in (0, 1, 2)
