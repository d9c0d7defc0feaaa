"""Registers the Stripe provider with prorata (entry point ``prorata``); the emulator is in ``prorata-emulators``.

Registering imports no SDK: ``stripe`` loads when the provider is built, so listing the
providers (``prorata providers``) costs no more than importing prorata.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prorata.errors import ConfigurationError
from prorata.provider import Provider, ProviderSettings, ProviderSpec, hookimpl
from prorata_stripe._capabilities import STRIPE_CAPABILITIES

__all__ = ["build_provider", "prorata_register_providers"]

_OPTIONS = {
    "base_url",
    "max_network_retries",
    "test_clock",
    "test_clock_name",
    "frozen_time",
    "webhook_tolerance",
}

DEFAULT_TEST_CLOCK_NAME = "prorata"
"""The test clock ``test_clock = true`` looks for (and creates when there is none)."""


def _option(settings: ProviderSettings, key: str, kind: type | tuple[type, ...], expected: str) -> Any:
    value = settings.options.get(key)
    if value is not None and (
        not isinstance(value, kind)
        or (isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)))
    ):
        raise ConfigurationError(settings.source, f"providers.{settings.name}.{key}", expected, value)
    return value


def build_provider(settings: ProviderSettings) -> Provider:
    """Build the Stripe provider from ``[providers.stripe]``.

    Options: ``base_url`` (e.g. an emulator's URL), ``max_network_retries`` (default 2),
    ``test_clock`` (``true``: reuse the test clock named ``test_clock_name``, default
    ``"prorata"``, or create it; or a ``clock_...`` id), ``frozen_time`` (a new clock's time),
    ``webhook_tolerance`` (seconds, default 300); secret ``api_key`` from
    ``api_key_env = "STRIPE_SECRET_KEY"``, optional ``webhook_secret`` from
    ``webhook_secret_env = "STRIPE_WEBHOOK_SECRET"`` (the endpoint's ``whsec_...``).
    """
    unknown = sorted(set(settings.options) - _OPTIONS)
    if unknown:
        raise ConfigurationError(
            settings.source, f"providers.{settings.name}.{unknown[0]}", f"one of {sorted(_OPTIONS)}"
        )
    secret = settings.secrets.get("api_key")
    if secret is None:
        raise ConfigurationError(
            settings.source,
            f"providers.{settings.name}.api_key_env",
            "the NAME of the environment variable holding the Stripe secret key",
        )
    base_url = _option(settings, "base_url", str, 'a URL such as "http://127.0.0.1:12111"')
    retries = _option(settings, "max_network_retries", int, "an integer >= 0")
    clock = _option(settings, "test_clock", (bool, str), "true, false or a test clock id (clock_...)")
    frozen = _option(settings, "frozen_time", int, "a Unix timestamp")
    clock_name = _option(settings, "test_clock_name", str, "a test clock name")
    tolerance = _option(settings, "webhook_tolerance", int, "seconds (an integer > 0)")
    import stripe

    from prorata_stripe._events import DEFAULT_TOLERANCE
    from prorata_stripe._provider import StripeProvider

    client = stripe.StripeClient(
        secret.reveal(),
        base_addresses={"api": base_url} if base_url else None,  # pyright: ignore[reportArgumentType]
        max_network_retries=2 if retries is None else retries,
    )
    return StripeProvider(
        client=client,
        catalog=settings.catalog,
        test_clock=clock if isinstance(clock, str) else None,
        create_test_clock=clock is True,
        test_clock_name=(clock_name or DEFAULT_TEST_CLOCK_NAME) if clock is True else None,
        frozen_time=frozen,
        webhook_secret=settings.secrets.get("webhook_secret"),
        webhook_tolerance=DEFAULT_TOLERANCE if tolerance is None else tolerance,
        livemode=secret.reveal().startswith(("sk_live_", "rk_live_")),
    )


@hookimpl
def prorata_register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(
        ProviderSpec(
            name="stripe",
            factory=build_provider,
            capabilities=STRIPE_CAPABILITIES,
            description="Stripe through the official SDK (subscriptions, invoices, schedules, test clocks)",
        )
    )
