"""Configuration: provider name, provider settings and the plan catalog.

Sources, in order: an explicit dict or file, else ``$PRORATA_CONFIG``, else
``./prorata.toml``, else the embedded demo configuration (local provider, demo
catalog). ``$PRORATA_PROVIDER`` overrides the provider name. Secrets are never
written inline: a setting ``api_key_env = "STRIPE_SECRET_KEY"`` names the
environment variable that holds the key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from prorata._calendar import Interval, IntervalUnit
from prorata._catalog import Catalog, Plan
from prorata._errors import BillingError, ConfigurationError
from prorata._money import Money
from prorata._secrets import Secret

__all__ = ["CONFIG_ENV", "DEMO_CONFIG", "PROVIDER_ENV", "BillingConfig", "beside_config", "load_config"]

CONFIG_ENV = "PRORATA_CONFIG"
PROVIDER_ENV = "PRORATA_PROVIDER"
SECRET_SUFFIX = "_env"
_SECRET_LOOKING = ("key", "secret", "token", "password")

DEMO_CONFIG: Mapping[str, Any] = {
    "provider": "local",
    "providers": {"local": {"database": ":memory:"}},
    "plans": {
        "basic": {"name": "Basic", "price": "10.00", "currency": "USD", "interval": "month"},
        "pro": {"name": "Pro", "price": "20.00", "currency": "USD", "interval": "month"},
        "team": {"name": "Team (per seat)", "price": "10.00", "currency": "USD", "interval": "month"},
        "formula": {
            "name": "Pretty Formula add-on",
            "price": "5.00",
            "currency": "USD",
            "interval": "month",
            "addon": True,
        },
        "verificator": {"name": "Verificator", "price": "5.00", "currency": "USD", "interval": "month"},
    },
}
"""The embedded default: a local provider on an in-memory database and a small catalog."""


@attrs.frozen(kw_only=True, slots=True)
class BillingConfig:
    """Parsed configuration (secrets resolved, never printed)."""

    provider: str
    """The provider name (``$PRORATA_PROVIDER`` overrides the file)."""
    options: Mapping[str, Any]
    """The provider's settings from ``[providers.NAME]``, secrets excluded."""
    secrets: Mapping[str, Secret] = attrs.field(repr=lambda s: f"<{len(s)} hidden>")  # pyright: ignore[reportUnknownLambdaType, reportUnknownArgumentType]
    """Secrets read from the environment variables the settings name (hidden in reprs)."""
    catalog: Catalog
    """The plans of the ``[plans]`` table."""
    source: str
    """Where the configuration came from (a file path, ``<dict>`` or ``<embedded demo>``)."""
    journal: str | None = None
    """Where the change journal lives: a SQLite path or ``postgresql://...`` (None: the default)."""


def beside_config(path: str, source: str) -> str:
    """A relative SQLite path, taken relative to the configuration file it came from.

    ``:memory:``, absolute paths, URLs and paths from a dict or the demo pass through.
    """
    if path == ":memory:" or "://" in path or Path(path).is_absolute() or not Path(source).is_file():
        return path
    return str(Path(source).parent / path)


def _expect(source: str, key: str, value: Any, kind: type | tuple[type, ...], expected: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ConfigurationError(source, key, expected, value)
    return value


def _plan(source: str, key: str, raw: Any) -> Plan:
    where = f"plans.{key}"
    _expect(source, where, raw, dict, "a table")
    table: dict[str, Any] = raw
    allowed = {
        "name",
        "price",
        "amount_minor",
        "currency",
        "interval",
        "interval_count",
        "trial_days",
        "addon",
        "refs",
    }
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigurationError(source, f"{where}.{unknown[0]}", f"one of {sorted(allowed)}")
    currency = _expect(
        source, f"{where}.currency", table.get("currency"), str, 'an ISO 4217 code such as "USD"'
    )
    try:
        if "amount_minor" in table:
            amount = _expect(
                source, f"{where}.amount_minor", table["amount_minor"], int, "an integer in minor units"
            )
            price = Money.of(amount, currency)
        else:
            text = _expect(
                source,
                f"{where}.price",
                table.get("price"),
                str,
                'a decimal string in major units such as "10.00" (floats are refused)',
            )
            price = Money.parse(text, currency)
        unit = _expect(
            source,
            f"{where}.interval",
            table.get("interval", "month"),
            str,
            f"one of {[u.value for u in IntervalUnit]}",
        )
        if unit not in {u.value for u in IntervalUnit}:
            raise ConfigurationError(
                source, f"{where}.interval", f"one of {[u.value for u in IntervalUnit]}", unit
            )
        interval = Interval(
            unit=IntervalUnit(unit),
            count=_expect(
                source, f"{where}.interval_count", table.get("interval_count", 1), int, "an integer >= 1"
            ),
        )
        refs = _expect(
            source, f"{where}.refs", table.get("refs", {}), dict, 'a table of provider = "reference"'
        )
        return Plan(
            key=key,
            name=_expect(source, f"{where}.name", table.get("name", key), str, "a string"),
            price=price,
            interval=interval,
            trial_days=_expect(
                source, f"{where}.trial_days", table.get("trial_days", 0), int, "an integer >= 0"
            ),
            addon=_expect(source, f"{where}.addon", table.get("addon", False), bool, "true or false"),
            refs=refs,
        )
    except ConfigurationError:
        raise
    except BillingError as exc:
        raise ConfigurationError(source, where, "a valid plan", str(exc)) from exc


def _split_secrets(
    source: str, provider: str, raw: Mapping[str, Any], environ: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, Secret]]:
    options: dict[str, Any] = {}
    secrets: dict[str, Secret] = {}
    for key, value in raw.items():
        where = f"providers.{provider}.{key}"
        if key.endswith(SECRET_SUFFIX):
            name = _expect(source, where, value, str, "the NAME of an environment variable")
            if name not in environ or not environ[name].strip():
                raise ConfigurationError(source, where, f"environment variable {name} to be set")
            secrets[key.removesuffix(SECRET_SUFFIX)] = Secret(environ[name], source=f"env:{name}")
        elif any(word in key.lower() for word in _SECRET_LOOKING) and isinstance(value, str):
            raise ConfigurationError(
                source,
                where,
                f'no inline secret: name an environment variable with {key}{SECRET_SUFFIX} = "VAR"',
            )
        else:
            options[key] = value
    return options, secrets


def parse_config(data: Mapping[str, Any], *, source: str, environ: Mapping[str, str]) -> BillingConfig:
    """Validate a configuration mapping; every error names ``source``, the key and what was expected."""
    allowed = {"provider", "providers", "plans", "journal"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigurationError(source, unknown[0], f"one of {sorted(allowed)}")
    provider = environ.get(PROVIDER_ENV) or data.get("provider", "local")
    _expect(source, "provider", provider, str, 'a provider name such as "local"')
    providers = _expect(source, "providers", data.get("providers", {}), dict, "a table of provider settings")
    raw_options = _expect(source, f"providers.{provider}", providers.get(provider, {}), dict, "a table")
    options, secrets = _split_secrets(source, provider, raw_options, environ)
    plans = _expect(source, "plans", data.get("plans", {}), dict, "a table of plans keyed by plan key")
    catalog = Catalog(plans=[_plan(source, key, raw) for key, raw in plans.items()])
    journal = data.get("journal")
    if journal is not None:
        _expect(source, "journal", journal, str, 'a SQLite file path or "postgresql://..."')
        journal = beside_config(journal, source)
    return BillingConfig(
        provider=provider, options=options, secrets=secrets, catalog=catalog, source=source, journal=journal
    )


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigurationError(str(path), "<file>", "an existing TOML file") from exc
    except IsADirectoryError as exc:
        raise ConfigurationError(str(path), "<file>", "a TOML file, not a directory") from exc
    except OSError as exc:
        raise ConfigurationError(str(path), "<file>", "a readable TOML file", exc.strerror or "") from exc
    except UnicodeDecodeError as exc:
        raise ConfigurationError(str(path), "<encoding>", "UTF-8 text", str(exc)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(str(path), "<syntax>", "valid TOML", str(exc)) from exc


def load_config(
    source: str | Path | Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None
) -> BillingConfig:
    """Load configuration from a dict, a TOML file, ``$PRORATA_CONFIG``, ``./prorata.toml`` or the demo default."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    if isinstance(source, Mapping):
        return parse_config(source, source="<dict>", environ=env)
    if source is None:
        if env.get(CONFIG_ENV):
            source = Path(env[CONFIG_ENV])
        elif Path("prorata.toml").is_file():
            source = Path("prorata.toml")
        else:
            return parse_config(DEMO_CONFIG, source="<embedded demo>", environ=env)
    path = Path(source)
    return parse_config(read_toml(path), source=str(path), environ=env)
