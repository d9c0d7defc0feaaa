"""The error hierarchy shared by core and every provider.

Every error prorata raises is a :class:`BillingError`. Errors that come from a
provider keep the provider's own details (type, code, param, request id) and
chain the original exception with ``raise ... from``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prorata._scrub import scrub

if TYPE_CHECKING:
    from prorata._money import Money

__all__ = [
    "BillingError",
    "ConfigurationError",
    "ConflictError",
    "InvalidChangeError",
    "InvalidStateError",
    "NotFoundError",
    "PaymentDeclinedError",
    "ProviderError",
    "ProviderRejectedError",
    "ProviderUnavailableError",
    "StalePreviewError",
    "UnknownProviderError",
    "UnsupportedCapabilityError",
    "ValidationError",
    "WebhookVerificationError",
]


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


class BillingError(Exception):
    """Base of every error prorata raises."""

    def __init__(self, message: str) -> None:
        message = scrub(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(BillingError, ValueError):
    """A value breaks an invariant of the domain; ``field`` names it, ``value`` is what it was."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(f"{field}: {reason} (got {_short(value)})")
        self.field = field
        self.value = value
        self.reason = reason


class InvalidChangeError(ValidationError):
    """A plan change that can never be applied as written (unknown plan, empty result, ...)."""


class UnsupportedCapabilityError(InvalidChangeError):
    """The change is valid, but the configured provider does not declare the capability."""

    def __init__(self, field: str, value: object, *, capability: str, provider: str) -> None:
        super().__init__(field, value, f"provider {provider!r} does not support {capability}")
        self.capability = capability
        self.provider = provider


class InvalidStateError(BillingError):
    """The operation is not allowed in the subscription's current state (e.g. canceled)."""

    def __init__(self, subscription_id: str, status: str, reason: str) -> None:
        super().__init__(f"subscription {subscription_id} is {status}: {reason}")
        self.subscription_id = subscription_id
        self.status = status
        self.reason = reason


class ConfigurationError(BillingError):
    """Configuration is missing or malformed; names the source, the key and what was expected."""

    def __init__(self, source: str, key: str, expected: str, got: Any = None) -> None:
        suffix = "" if got is None else f", got {_short(got)}"
        super().__init__(f"{source}: {key}: expected {expected}{suffix}")
        self.source = source
        self.key = key
        self.expected = expected


class UnknownProviderError(ConfigurationError):
    """No plugin registered a provider under that name."""

    def __init__(self, name: str, registered: list[str]) -> None:
        listed = ", ".join(sorted(registered)) or "none"
        super().__init__("provider registry", "provider", f"one of the registered providers ({listed})", name)
        self.name = name
        self.registered = sorted(registered)


class _ProviderDetails(BillingError):
    """Base of the errors that name a provider and keep what it said, for support tickets."""

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        code: str | None = None,
        provider_type: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        http_status: int | None = None,
    ) -> None:
        details = [f"provider={provider}"]
        for label, part in (
            ("type", provider_type),
            ("code", code),
            ("param", param),
            ("request_id", request_id),
            ("http_status", http_status),
        ):
            if part is not None:
                details.append(f"{label}={part}")
        super().__init__(f"{message} [{', '.join(details)}]")
        self.provider = provider
        self.code = code
        self.provider_type = provider_type
        self.param = param
        self.request_id = request_id
        self.http_status = http_status


class ProviderError(_ProviderDetails):
    """An error reported by, or while talking to, a provider.

    Attributes keep what the provider said so that support tickets can quote it.
    """


class ProviderUnavailableError(ProviderError):
    """The provider could not be reached or asked us to slow down; safe to retry later."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ProviderRejectedError(ProviderError):
    """The provider understood the request and refused it."""


class NotFoundError(ProviderRejectedError):
    """The provider has no object with that id."""


class PaymentDeclinedError(ProviderRejectedError):
    """A payment needed to complete the operation was declined; nothing was changed."""


class ConflictError(_ProviderDetails):
    """The request conflicts with another: a pending change, an idempotency key reused for
    another request, a subscription changed since it was read.

    Not a provider failure (so not a ``ProviderError``): core raises most of them before any
    call, naming the provider and a ``code``; a provider that reports one (HTTP 409, a
    reused key) raises it with what it said. Read again (or use a new key) and decide again:
    retrying as is fails the same way.
    """


class StalePreviewError(BillingError):
    """A preview can no longer be applied as shown: it expired, or the price changed since.

    ``previewed`` is what the preview showed and ``current`` what the provider would charge
    now (both None for an expired preview that was not priced again). Preview again and
    show the customer the new figures.
    """

    def __init__(self, reason: str, *, previewed: Money | None = None, current: Money | None = None) -> None:
        figures = "" if previewed is None or current is None else f" (previewed {previewed}, now {current})"
        super().__init__(f"stale preview: {reason}{figures}; preview again")
        self.reason = reason
        self.previewed = previewed
        self.current = current


class WebhookVerificationError(BillingError):
    """A webhook could not be verified (forged, tampered, expired, wrong secret, no headers).

    The message says why in the provider library's words; it never contains the secret or
    the body. Answer such a request with HTTP 400 and do not act on it.
    """

    def __init__(self, provider: str, reason: str) -> None:
        super().__init__(f"webhook from {provider} not verified: {reason}")
        self.provider = provider
        self.reason = reason
