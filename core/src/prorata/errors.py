"""The error hierarchy: every error prorata raises is a :class:`BillingError`.

Host apps catch these around :class:`prorata.Billing` calls; plugins raise them (the
provider-side ones keep what the provider said: type, code, param, request id).
"""

from prorata._errors import (
    BillingError,
    ConfigurationError,
    ConflictError,
    InvalidChangeError,
    InvalidStateError,
    NotFoundError,
    PaymentDeclinedError,
    ProviderError,
    ProviderRejectedError,
    ProviderUnavailableError,
    StalePreviewError,
    UnknownProviderError,
    UnsupportedCapabilityError,
    ValidationError,
    WebhookVerificationError,
)
from prorata.journal._errors import JournalBusyError, JournalError

__all__ = [
    "BillingError",
    "ConfigurationError",
    "ConflictError",
    "InvalidChangeError",
    "InvalidStateError",
    "JournalBusyError",
    "JournalError",
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
