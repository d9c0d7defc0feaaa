"""Build the ``dodopayments`` client from prorata's provider settings."""

from __future__ import annotations

from typing import Any, Literal

import dodopayments

from prorata.errors import ConfigurationError
from prorata.provider import ProviderSettings

__all__ = ["build_client", "is_emulator"]

_ENVIRONMENTS = ("test_mode", "live_mode")


def is_emulator(base_url: str | None) -> bool:
    """True when ``base_url`` points somewhere other than Dodo's own API hosts."""
    if base_url is None:
        return False
    return base_url.rstrip("/") not in {url.rstrip("/") for url in dodopayments.ENVIRONMENTS.values()}


def build_client(settings: ProviderSettings) -> dodopayments.DodoPayments:
    """A client for ``settings``: options ``base_url`` or ``environment``, ``timeout``,
    ``max_retries`` (reads only; writes never use SDK retries), ``strict`` (strict response
    validation); secret ``api_key``."""
    options = settings.options
    secret = settings.secrets.get("api_key")
    if secret is None:
        raise ConfigurationError(
            settings.source,
            f"providers.{settings.name}.api_key_env",
            "an environment variable holding the Dodo API key",
        )
    environment = options.get("environment", "test_mode")
    if environment not in _ENVIRONMENTS:
        raise ConfigurationError(
            settings.source, f"providers.{settings.name}.environment", f"one of {_ENVIRONMENTS}", environment
        )
    kwargs: dict[str, Any] = {
        "bearer_token": secret.reveal(),
        "max_retries": int(options.get("max_retries", 2)),
        "timeout": float(options.get("timeout", 30.0)),
        "_strict_response_validation": bool(options.get("strict", False)),
    }
    base_url = options.get("base_url")
    if base_url is not None:
        return dodopayments.DodoPayments(base_url=str(base_url), **kwargs)
    mode: Literal["test_mode", "live_mode"] = "live_mode" if environment == "live_mode" else "test_mode"
    return dodopayments.DodoPayments(environment=mode, base_url=None, **kwargs)
