"""Registration through the ``prorata`` entry point, configuration, secrets, and the CLI emulator."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import stripe

from prorata import Billing, Catalog, Customer
from prorata.errors import ConfigurationError, ProviderRejectedError
from prorata.provider import get_registry
from prorata_contract import contract_plans_config
from prorata_emulators.stripe import StripeEmulator
from prorata_stripe import STRIPE_CAPABILITIES, StripeProvider

SECRET = "sk_test_do-not-print-me-4242"


def test_provider_and_emulator_are_registered_through_the_entry_point() -> None:
    registry = get_registry()
    spec = registry.provider("stripe")
    assert spec.capabilities == STRIPE_CAPABILITIES
    assert spec.distribution in ("prorata-stripe", "")
    assert registry.emulator("stripe").name == "stripe"


def test_capabilities_are_declared_truthfully() -> None:
    described = STRIPE_CAPABILITIES.describe()
    assert described["proration"] == [
        "full_price_now/reset",
        "no_billing/keep",
        "prorate_next_invoice/keep",
        "prorate_now/keep",
        "prorate_now/reset",
    ]
    assert described["max_phases"] == 10
    assert described["end_behaviors"] == ["cancel", "release"]
    assert described["time_control"]
    assert described["native_idempotency"]


def _emulator_config(emulator: StripeEmulator, catalog: Catalog, **options: Any) -> dict[str, Any]:
    """A configuration on the emulator with ``test_clock = true`` and the catalog's prices."""
    refs = {plan.key: {"stripe": plan.refs["stripe"]} for plan in catalog}
    stripe_options = {"api_key_env": "TEST_STRIPE_KEY", "base_url": emulator.url, "test_clock": True}
    return {
        "provider": "stripe",
        "providers": {"stripe": {**stripe_options, **options}},
        "plans": contract_plans_config(refs),
    }


def test_billing_from_config_reaches_the_emulator_and_hides_the_key(
    emulator: StripeEmulator,
    stripe_client: stripe.StripeClient,
    stripe_catalog: Catalog,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = _emulator_config(emulator, stripe_catalog, max_network_retries=1)
    with Billing.from_config(config, environ={"TEST_STRIPE_KEY": SECRET}) as billing:
        customer = billing.create_customer("config@example.test")
        sub = billing.subscribe(customer.id, "pro")
        assert sub.provider == "stripe"
        print(repr(billing), repr(billing.provider), billing.provider)
        with pytest.raises(ProviderRejectedError) as caught:
            billing.get("sub_missing")
    shown = capsys.readouterr().out + str(caught.value) + repr(caught.value)
    assert SECRET not in shown
    assert "do-not-print" not in shown


def test_test_clock_true_reuses_one_clock_across_billings(
    emulator: StripeEmulator, stripe_catalog: Catalog
) -> None:
    # as separate `prorata` processes on one prorata.toml: each builds its own Billing
    # https://docs.stripe.com/api/test_clocks/list
    config = _emulator_config(emulator, stripe_catalog, frozen_time=1_767_225_600)  # 2026-01-01
    environ = {"TEST_STRIPE_KEY": SECRET}
    with Billing.from_config(config, environ=environ) as first:
        sub = first.subscribe(first.create_customer("clock@example.test").id, "basic")
    with Billing.from_config(config, environ=environ) as second:
        clock = second.time_control()
        clock.advance(sub.current_period_end + timedelta(hours=1))
        renewed = second.get(sub.id)
    assert renewed.current_period_start == sub.current_period_end
    clocks = stripe.StripeClient(SECRET, base_addresses={"api": emulator.url}).v1.test_helpers.test_clocks
    assert [c.name for c in clocks.list().data] == ["prorata"]


def test_missing_api_key_is_a_configuration_error() -> None:
    config = {
        "provider": "stripe",
        "providers": {"stripe": {"base_url": "http://127.0.0.1:9"}},
        "plans": contract_plans_config(
            {k: {"stripe": f"price_{k}"} for k in ("basic", "pro", "premium", "seat", "addon", "storage")}
        ),
    }
    with pytest.raises(ConfigurationError, match="api_key_env"):
        Billing.from_config(config, environ={})


def test_unknown_option_is_a_configuration_error() -> None:
    plans = contract_plans_config(
        {k: {"stripe": f"price_{k}"} for k in ("basic", "pro", "premium", "seat", "addon", "storage")}
    )
    config = {
        "provider": "stripe",
        "providers": {"stripe": {"api_key_env": "K", "base_ulr": "x"}},
        "plans": plans,
    }
    with pytest.raises(ConfigurationError, match="base_ulr"):
        Billing.from_config(config, environ={"K": SECRET})


def test_bad_input_is_refused_before_any_request(
    provider: StripeProvider,
    emulator: StripeEmulator,
    billing: Billing,
    customer_factory: Callable[..., Customer],
) -> None:
    from prorata import PlanChange
    from prorata.errors import InvalidChangeError

    sub = billing.subscribe(customer_factory().id, "basic")
    emulator.reset_counts()
    with pytest.raises(InvalidChangeError):
        billing.apply(sub, PlanChange.swap("basic", "no-such-plan"))
    with pytest.raises(InvalidChangeError):
        billing.preview(sub, PlanChange.set_quantity("basic", 1))
    assert emulator.request_counts() == {}


def _first_line(process: subprocess.Popen[str], *, timeout: float) -> str:
    """The child's first stdout line; fails (never hangs) if it dies or stays silent."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            pytest.fail(f"prorata emulate printed nothing within {timeout} s")
    line = process.stdout.readline()
    if not line:  # end of file: the command died before printing its address
        errors = process.stderr.read() if process.stderr is not None else ""
        pytest.fail(f"prorata emulate exited with {process.wait(timeout=10)}: {errors}")
    return line


def test_prorata_emulate_stripe_serves_the_api() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("prorata")), "--json", "emulate", "stripe", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        announced = json.loads(_first_line(process, timeout=30))  # exactly one line of JSON
        assert sorted(announced) == ["emulator", "url"]
        assert announced["emulator"] == "stripe"
        url = announced["url"]
        client = stripe.StripeClient("sk_test_cli", base_addresses={"api": url})
        deadline = time.monotonic() + 10
        while True:
            try:
                assert client.v1.products.create({"name": "From the CLI"}).name == "From the CLI"
                break
            except stripe.APIConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
