"""Take secret material out of text: messages, chained causes, CLI output and log records."""

from __future__ import annotations

import logging
import re
from typing import Any

from prorata._secrets import known_secret_values

__all__ = ["SCRUBBED_LOGGERS", "ScrubSecretsFilter", "install_log_scrubbing", "safe_cause", "scrub"]

HIDDEN = "<hidden>"

_PATTERNS = re.compile(
    r"\b(?:sk|rk)_(?:test|live)_[0-9A-Za-z]{4,}"  # Stripe secret and restricted keys
    r"|\bwhsec_[0-9A-Za-z+/=]{4,}"  # Stripe and Standard Webhooks signing secrets
    r"|(?i:\bbearer\s+)[^\s'\",;]+"  # any Authorization: Bearer <token>
)

SCRUBBED_LOGGERS = ("prorata", "stripe", "dodopayments", "httpx", "httpcore")
"""Loggers (and their children) whose records pass through :class:`ScrubSecretsFilter`."""


def scrub(text: str) -> str:
    """``text`` with every known secret value and any key- or bearer-looking token hidden."""
    for value in known_secret_values():
        if value in text:
            text = text.replace(value, HIDDEN)
    return _PATTERNS.sub(_hide, text)


def _hide(match: re.Match[str]) -> str:
    found = match.group(0)
    if found[:6].lower() == "bearer":
        return found.split()[0] + " " + HIDDEN
    return HIDDEN


def _chain_text(exc: BaseException) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(f"{type(current).__name__}: {current!s} {current.args!r}")
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


def safe_cause(exc: BaseException) -> BaseException | None:
    """``exc`` to chain with ``raise ... from``, or ``None`` when its chain shows a secret."""
    text = _chain_text(exc)
    return exc if scrub(text) == text else None


class ScrubSecretsFilter(logging.Filter):
    """A logging filter that scrubs the formatted message and any exception text of a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is the logger's caller's bug; keep the raw msg
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


_FILTER = ScrubSecretsFilter()
_factory_installed = False


def _is_scrubbed(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in SCRUBBED_LOGGERS)


def _install_record_factory() -> None:
    """Loggers created later (``httpcore.http11`` on first use) get no filter: scrub at creation."""
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def scrubbing_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _is_scrubbed(record.name):
            _FILTER.filter(record)
        return record

    logging.setLogRecordFactory(scrubbing_factory)
    _factory_installed = True


def install_log_scrubbing() -> None:
    """Put the scrubbing filter on :data:`SCRUBBED_LOGGERS` and every child logger that exists.

    Loggers created afterwards are covered too: their records are scrubbed as they are made.
    Called whenever a :class:`prorata.Billing` is built (after the provider's SDK is imported,
    so the SDK's own loggers exist); calling it again is cheap and adds nothing twice.
    """
    names: set[str] = set(SCRUBBED_LOGGERS)
    names.update(name for name in list(logging.Logger.manager.loggerDict) if _is_scrubbed(name))
    _install_record_factory()
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
