"""Configuration: every error names the source, the key and what was expected."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import prorata
from prorata import Interval, Money
from prorata.errors import ConfigurationError
from prorata.provider import Secret


def load(data: dict[str, Any], **environ: str) -> prorata.BillingConfig:
    return prorata.load_config(data, environ=environ)


def test_broken_toml_names_the_file(write_config: Callable[..., Path]) -> None:
    path = write_config("[plans.basic\nprice = 1\n", "broken.toml")
    with pytest.raises(ConfigurationError) as excinfo:
        prorata.load_config(path, environ={})
    assert excinfo.value.source == str(path)
    assert excinfo.value.key == "<syntax>"
    assert str(path) in str(excinfo.value)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as excinfo:
        prorata.load_config(tmp_path / "absent.toml", environ={})
    assert excinfo.value.source == str(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("data", "key", "expected_words"),
    [
        ({"provider": 3}, "provider", "provider name"),
        ({"providers": "local"}, "providers", "table"),
        ({"colour": "blue"}, "colour", "one of"),
        ({"plans": {"basic": "10.00"}}, "plans.basic", "a table"),
        ({"plans": {"basic": {"price": 10.5, "currency": "USD"}}}, "plans.basic.price", "floats are refused"),
        ({"plans": {"basic": {"price": "10.00"}}}, "plans.basic.currency", "ISO 4217"),
        (
            {"plans": {"basic": {"price": "10.00", "currency": "USD", "trial_days": "7"}}},
            "plans.basic.trial_days",
            "integer",
        ),
        (
            {"plans": {"basic": {"price": "10.00", "currency": "USD", "interval": "fortnight"}}},
            "plans.basic.interval",
            "month",
        ),
        (
            {"plans": {"basic": {"price": "10.00", "currency": "USD", "addon": "yes"}}},
            "plans.basic.addon",
            "true or false",
        ),
        (
            {"plans": {"basic": {"price": "10.00", "currency": "USD", "colour": "red"}}},
            "plans.basic.colour",
            "one of",
        ),
        (
            {"plans": {"basic": {"amount_minor": True, "currency": "USD"}}},
            "plans.basic.amount_minor",
            "integer",
        ),
        ({"plans": {"basic": {"price": "10.001", "currency": "USD"}}}, "plans.basic", "valid plan"),
    ],
)
def test_wrong_types_name_the_key_and_what_was_expected(
    data: dict[str, Any], key: str, expected_words: str
) -> None:
    with pytest.raises(ConfigurationError) as excinfo:
        load(data)
    assert excinfo.value.key == key
    assert expected_words in excinfo.value.expected
    assert excinfo.value.source == "<dict>"


def test_plans_parse_to_exact_money_and_intervals() -> None:
    config = load(
        {
            "plans": {
                "pro": {
                    "price": "19.99",
                    "currency": "usd",
                    "interval": "year",
                    "interval_count": 2,
                    "trial_days": 14,
                },
                "yen": {"amount_minor": 5000, "currency": "JPY", "refs": {"stripe": "price_1"}},
            }
        }
    )
    pro, yen = config.catalog.plans
    assert (pro.price, pro.interval, pro.trial_days) == (
        Money.of(1999, "USD"),
        Interval(unit="year", count=2),
        14,
    )
    assert (yen.price, yen.ref("stripe"), yen.name) == (Money.of(5000, "JPY"), "price_1", "yen")


@pytest.mark.parametrize("key", ["api_key", "webhook_secret", "token", "db_password"])
def test_inline_secrets_are_refused_without_echoing_them(key: str) -> None:
    secret = "sk_live_never_show_me"
    with pytest.raises(ConfigurationError) as excinfo:
        load({"provider": "stripe", "providers": {"stripe": {key: secret}}})
    assert excinfo.value.key == f"providers.stripe.{key}"
    assert f"{key}_env" in str(excinfo.value)
    assert secret not in str(excinfo.value)
    assert secret not in repr(excinfo.value)


def test_env_secrets_are_resolved_and_hidden() -> None:
    secret = "sk_test_resolved_value"
    config = load(
        {
            "provider": "stripe",
            "providers": {"stripe": {"api_key_env": "MY_STRIPE_KEY", "api_version": "2026-10-28"}},
        },
        MY_STRIPE_KEY=secret,
    )
    assert config.secrets["api_key"].reveal() == secret
    assert config.secrets["api_key"].source == "env:MY_STRIPE_KEY"
    assert config.options == {"api_version": "2026-10-28"}
    for text in (repr(config), str(config.secrets["api_key"]), repr(config.secrets)):
        assert secret not in text
    assert config.secrets["api_key"] == Secret(secret)


def test_a_missing_secret_variable_names_it() -> None:
    with pytest.raises(ConfigurationError) as excinfo:
        load({"provider": "stripe", "providers": {"stripe": {"api_key_env": "NOT_SET_ANYWHERE"}}})
    assert excinfo.value.key == "providers.stripe.api_key_env"
    assert "NOT_SET_ANYWHERE" in excinfo.value.expected


def test_secret_env_value_must_be_a_variable_name() -> None:
    with pytest.raises(ConfigurationError) as excinfo:
        load({"provider": "stripe", "providers": {"stripe": {"api_key_env": 42}}})
    assert excinfo.value.key == "providers.stripe.api_key_env"


def test_provider_env_overrides_the_file() -> None:
    config = load({"provider": "local"}, PRORATA_PROVIDER="stripe")
    assert config.provider == "stripe"


def test_lookup_order_env_then_cwd_then_demo(write_config: Callable[..., Path]) -> None:
    assert prorata.load_config(environ={}).source == "<embedded demo>"
    write_config('[plans.here]\nprice = "1.00"\ncurrency = "USD"\n')
    assert [plan.key for plan in prorata.load_config(environ={}).catalog] == ["here"]
    other = write_config('[plans.there]\nprice = "1.00"\ncurrency = "USD"\n', "other.toml")
    from_env = prorata.load_config(environ={"PRORATA_CONFIG": str(other)})
    assert (from_env.source, [p.key for p in from_env.catalog]) == (str(other), ["there"])


def test_embedded_demo_config_is_local_and_valid() -> None:
    config = prorata.load_config(environ={})
    assert config.provider == "local"
    assert "pro" in config.catalog
    assert all(plan.currency == "USD" for plan in config.catalog)
