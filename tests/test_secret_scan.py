"""No secret value shows anywhere: reprs, errors and their chains, CLI output, DEBUG logs, pytest output.

Keys end in a newline, as file-mounted secrets usually do. The providers point at a closed
loopback port, so every call fails the way an unreachable provider does.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import prorata
from prorata.cli import main
from prorata.errors import BillingError
from prorata.provider import scrub

STRIPE_KEY = "sk_test_51SecretScanValue0123456789abcdef"
DODO_KEY = "dodo-secret-scan-value-0123456789abcdef"
WEBHOOK_SECRET = "whsec_c2VjcmV0LXNjYW4tdmFsdWU="
LOGGERS = ("prorata", "stripe", "dodopayments", "httpx", "httpcore")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(provider: str, port: int) -> dict[str, object]:
    refs = {"stripe": "price_basic", "dodo": "pdt_basic"}
    return {
        "provider": provider,
        "providers": {
            "stripe": {"api_key_env": "SCAN_STRIPE_KEY", "base_url": f"http://127.0.0.1:{port}"},
            "dodo": {"api_key_env": "SCAN_DODO_KEY", "base_url": f"http://127.0.0.1:{port}"},
        },
        "plans": {
            "basic": {"name": "Basic", "price": "10.00", "currency": "USD", "interval": "month", "refs": refs}
        },
    }


ENVIRON = {"SCAN_STRIPE_KEY": STRIPE_KEY + "\n", "SCAN_DODO_KEY": DODO_KEY + "\n"}


def _assert_clean(text: str) -> None:
    for secret in (STRIPE_KEY, DODO_KEY, STRIPE_KEY[:-5], DODO_KEY[:-5]):
        assert secret not in text


@pytest.fixture
def debug_logs() -> Iterator[list[str]]:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
        logging.getLogger(name).addHandler(handler)
    yield lines
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)
        logging.getLogger(name).removeHandler(handler)


@pytest.mark.parametrize("provider", ["stripe", "dodo"])
def test_unreachable_provider_errors_show_no_key(provider: str, debug_logs: list[str]) -> None:
    config = prorata.load_config(_config(provider, _closed_port()), environ=ENVIRON)
    _assert_clean(repr(config))
    _assert_clean(prorata.dumps(config))
    billing = prorata.Billing.from_parsed(config)
    _assert_clean(repr(billing))
    with pytest.raises(BillingError) as caught:
        billing.create_customer("scan@example.com")
    billing.close()
    chain = "".join(traceback.format_exception(caught.value))
    _assert_clean(chain)
    _assert_clean(str(caught.value))
    logging.getLogger("prorata").debug("caller logs the key %s by mistake", STRIPE_KEY)
    logging.getLogger("httpcore.http11").debug("Authorization: Bearer %s", DODO_KEY)
    assert debug_logs, "the SDKs log at DEBUG; nothing was captured"
    _assert_clean("\n".join(debug_logs))


def test_dumps_of_the_configuration_names_the_variables_only() -> None:
    config = prorata.load_config(_config("stripe", 1), environ=ENVIRON)
    data = json.loads(prorata.dumps(config))
    assert data["secrets"] == {"api_key": "env:SCAN_STRIPE_KEY"}


def test_secret_values_are_stripped() -> None:
    config = prorata.load_config(_config("stripe", 1), environ=ENVIRON)
    assert config.secrets["api_key"].reveal() == STRIPE_KEY


def test_a_blank_secret_is_a_configuration_error() -> None:
    with pytest.raises(prorata.errors.ConfigurationError, match="SCAN_STRIPE_KEY"):
        prorata.load_config(_config("stripe", 1), environ={"SCAN_STRIPE_KEY": " \n"})


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer abc.def-ghi",
        "key sk_live_4eC39HqLyjWDarjtT1zdp7dc in a message",
        "rk_test_abcdef123456 and whsec_abcDEF123+/=",
    ],
)
def test_scrub_hides_key_shaped_material_it_has_never_seen(text: str) -> None:
    cleaned = scrub(text)
    assert "<hidden>" in cleaned
    for token in ("abc.def-ghi", "4eC39HqLyjWDarjtT1zdp7dc", "abcdef123456", "abcDEF123"):
        assert token not in cleaned


@pytest.mark.parametrize("json_flag", [(), ("--json",)])
@pytest.mark.parametrize("provider", ["stripe", "dodo"])
def test_cli_output_shows_no_key(tmp_path: Path, provider: str, json_flag: tuple[str, ...]) -> None:
    port = _closed_port()
    path = tmp_path / "prorata.toml"
    path.write_text(
        f'provider = "{provider}"\n'
        f'[providers.stripe]\napi_key_env = "SCAN_STRIPE_KEY"\nbase_url = "http://127.0.0.1:{port}"\n'
        f'[providers.dodo]\napi_key_env = "SCAN_DODO_KEY"\nbase_url = "http://127.0.0.1:{port}"\n'
        '[plans.basic]\nname = "Basic"\nprice = "10.00"\ncurrency = "USD"\ninterval = "month"\n'
        'refs = { stripe = "price_basic", dodo = "pdt_basic" }\n'
    )
    result = CliRunner().invoke(
        main, ["--config", str(path), *json_flag, "subscribe", "scan@example.com", "basic"], env=ENVIRON
    )
    assert result.exit_code != 0
    assert result.output.strip(), "the failure must be reported"
    _assert_clean(result.output)


def test_pytest_failure_output_shows_no_key(tmp_path: Path) -> None:
    port = _closed_port()
    test_file = tmp_path / "test_leak.py"
    test_file.write_text(
        "import prorata\n"
        f"CONFIG = {_config('stripe', port)!r}\n"
        f"ENVIRON = {ENVIRON!r}\n"
        "def test_fails():\n"
        "    billing = prorata.Billing.from_parsed(prorata.load_config(CONFIG, environ=ENVIRON))\n"
        "    billing.create_customer('scan@example.com')\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", str(test_file)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 1, run.stdout[-2000:]
    assert "ProviderUnavailableError" in run.stdout
    _assert_clean(run.stdout + run.stderr)
