"""Exactly-once mutating calls: the journal around every provider write ``Billing`` makes.

Inside the subscription's lease: find the record (by change id, or the subscription's last
change when the re-read state shows it already happened), else record the intent, call the
provider with the change id as idempotency key, record the outcome. A record left pending
(a dropped response, a crash) is reconciled by replaying the recorded request with the same
key: every provider treats that as the same write (natively or through the change id kept in
its metadata), so the result of the change that already happened comes back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs

from prorata._change import PlanChange
from prorata._errors import (
    BillingError,
    ConflictError,
    PaymentDeclinedError,
    ProviderRejectedError,
    ProviderUnavailableError,
    ValidationError,
)
from prorata._idempotency import derive_key
from prorata._items import Item
from prorata._preview import ChangeResult
from prorata._provider import NewSubscription, Provider
from prorata._serialization import dumps, structure, unstructure
from prorata._subscription import Subscription
from prorata._write_context import WriteContext, writing
from prorata.journal import EntryStatus, Journal, JournalBusyError, JournalEntry

__all__ = ["ExactlyOnce", "recorded_subscription"]

T = TypeVar("T")
R = TypeVar("R")

RECONCILE_ATTEMPTS = 2
"""How often a call whose outcome is unknown is replayed at once before the error is raised."""


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _snapshot(subscription: Subscription) -> dict[str, Any]:
    """The subscription with its provider payload, so another process can replay the call."""
    return {"subscription": unstructure(subscription), "raw": _plain(subscription.raw)}


def _restore(data: Mapping[str, Any]) -> Subscription:
    return attrs.evolve(structure(data["subscription"], Subscription), raw=data.get("raw") or {})


def recorded_subscription(entry: JournalEntry) -> Subscription:
    """The subscription as it was when ``entry``'s intent was recorded (what a replay sends)."""
    return _restore(json.loads(entry.request))


def _revision_of(result: object) -> str | None:
    if isinstance(result, ChangeResult):
        return result.subscription.revision
    if isinstance(result, Subscription):
        return result.revision
    return None


def _definitive(exc: BaseException) -> bool:
    """Errors after which nothing was applied (the provider refused or validation failed)."""
    return isinstance(exc, (ProviderRejectedError, ValidationError, ConflictError))


@attrs.define
class ExactlyOnce:
    """Runs each mutating call of ``Billing`` through ``journal``."""

    provider: Provider
    journal: Journal

    # -- the generic step -------------------------------------------------------------------

    def _call(
        self,
        entry: JournalEntry,
        kind: type[T],
        act: Callable[[], T],
        *,
        key: str,
        subscription: Subscription | None = None,
        fresh: bool = False,
    ) -> T:
        """Call the provider for a recorded intent and record the outcome.

        ``fresh``: the intent was recorded just now (no earlier attempt); with a durable
        journal the provider learns it is the first send of ``key`` (``current_write``).
        """
        attempt = 0
        while True:
            context = WriteContext(
                idempotency_key=key,
                first_attempt=fresh and attempt == 0 and self.journal.durable,
                subscription=subscription,
            )
            try:
                with writing(context):
                    result = act()
            except PaymentDeclinedError as exc:
                self.journal.record_failed(entry.change_id, str(exc))
                raise
            except Exception as exc:
                if _definitive(exc):
                    self.journal.record_failed(entry.change_id, str(exc))
                    raise
                if not isinstance(exc, ProviderUnavailableError) or attempt >= RECONCILE_ATTEMPTS:
                    if isinstance(exc, BillingError) and not isinstance(exc, ProviderUnavailableError):
                        raise
                    raise self._unknown(entry, exc) from exc
                attempt += 1
                time.sleep(min(exc.retry_after or 0.05, 1.0) * attempt)
                continue
            try:
                self.journal.record_applied(
                    entry.change_id, dumps(result), result_revision=_revision_of(result)
                )
            except JournalBusyError as exc:
                # The provider made the change; only its record waits: a retry replays it.
                raise JournalBusyError(
                    exc.store,
                    f"{exc.reason}; change {entry.change_id} was applied but not recorded yet: "
                    "retry with the same key or preview",
                    retry_after=exc.retry_after,
                ) from exc
            return result

    def _unknown(self, entry: JournalEntry, exc: Exception) -> ProviderUnavailableError:
        """The error a caller gets when the outcome is not known: retrying finds it out."""
        hint = f"change {entry.change_id} may have been applied: retry with the same key or preview"
        if isinstance(exc, ProviderUnavailableError):
            return ProviderUnavailableError(
                f"{exc.message.rsplit(' [', 1)[0]}; {hint}",
                provider=exc.provider,
                code=exc.code,
                provider_type=exc.provider_type,
                param=exc.param,
                request_id=exc.request_id,
                http_status=exc.http_status,
                retry_after=exc.retry_after,
            )
        return ProviderUnavailableError(
            f"{type(exc).__name__}: {exc}; {hint}", provider=self.provider.name, code="outcome_unknown"
        )

    @staticmethod
    def _replayed(entry: JournalEntry, kind: type[T]) -> T:
        assert entry.outcome is not None
        result = structure(json.loads(entry.outcome), kind)
        if isinstance(result, ChangeResult):
            return attrs.evolve(result, replayed=True)  # pyright: ignore[reportReturnType]
        return result

    def _known(
        self, key: str, fingerprint: str, current: Subscription | None, operation: str
    ) -> JournalEntry | None:
        """The record this call retries: by key, else the subscription's last change when it is
        the same request and its outcome was never learnt (finish that one first)."""
        entry = self.journal.find(key)
        if entry is None and current is not None:
            last = self.journal.latest(current.id)
            if (
                last is not None
                and last.operation == operation
                and last.fingerprint == fingerprint
                and last.status is EntryStatus.PENDING
            ):
                entry = last
        if entry is not None and entry.fingerprint != fingerprint:
            raise ConflictError(
                f"idempotency key {key!r} was already used for a different request",
                provider=self.provider.name,
                code="idempotency_key_in_use",
            )
        return entry

    # -- plan changes -----------------------------------------------------------------------

    def apply(
        self,
        current: Subscription,
        change: PlanChange,
        *,
        key: str,
        proration_time: datetime | None,
        validate: Callable[[Subscription], tuple[Item, ...]],
    ) -> ChangeResult:
        """Apply ``change`` once; ``validate`` checks it against the fresh state (under the lease)."""
        fingerprint = derive_key("change-request", current.id, change, proration_time)
        entry = self._known(key, fingerprint, current, "change")
        if entry is not None and entry.status is EntryStatus.APPLIED:
            return self._replayed(entry, ChangeResult)
        if entry is not None and entry.status is EntryStatus.PENDING:
            request = json.loads(entry.request)
            snapshot = _restore(request)
            target = tuple(structure(item, Item) for item in request["target"])
            result = self._call(
                entry,
                ChangeResult,
                lambda: self.provider.apply_change(
                    snapshot,
                    change,
                    target=target,
                    proration_time=proration_time,
                    idempotency_key=entry.change_id,
                ),
                key=entry.change_id,
            )
            return attrs.evolve(result, replayed=True)
        fresh = entry is None
        target = validate(current)
        request = {**_snapshot(current), "target": unstructure(target), "change": unstructure(change)}
        entry = self.journal.record_intent(
            key,
            operation="change",
            subscription_id=current.id,
            revision=current.revision,
            request=json.dumps(request, sort_keys=True),
            fingerprint=fingerprint,
            proration_time=proration_time,
        )
        return self._call(
            entry,
            ChangeResult,
            lambda: self.provider.apply_change(
                current, change, target=target, proration_time=proration_time, idempotency_key=key
            ),
            key=key,
            subscription=current,
            fresh=fresh,
        )

    # -- subscription-level writes ----------------------------------------------------------

    def subscription_write(
        self,
        operation: str,
        current: Subscription,
        *,
        key: str,
        validate: Callable[[], None],
        act: Callable[[str], Subscription],
    ) -> Subscription:
        """A write on an existing subscription (cancel, unschedule) done once."""
        fingerprint = derive_key(f"{operation}-request", current.id)
        entry = self._known(key, fingerprint, current, operation)
        if entry is not None and entry.status is EntryStatus.APPLIED:
            return self._replayed(entry, Subscription)
        fresh = entry is None
        if entry is None or entry.status is not EntryStatus.PENDING:
            validate()
            entry = self.journal.record_intent(
                key,
                operation=operation,
                subscription_id=current.id,
                revision=current.revision,
                request=json.dumps(_snapshot(current), sort_keys=True),
                fingerprint=fingerprint,
            )
        change_id = entry.change_id
        return self._call(
            entry, Subscription, lambda: act(change_id), key=change_id, subscription=current, fresh=fresh
        )

    def subscribe(self, request: NewSubscription, *, key: str) -> Subscription:
        """Create a subscription once (the caller holds the customer's lease)."""
        fingerprint = derive_key("subscribe-request", request)
        entry = self._known(key, fingerprint, None, "subscribe")
        if entry is not None and entry.status is EntryStatus.APPLIED:
            return self._replayed(entry, Subscription)
        fresh = entry is None
        entry = self.journal.record_intent(
            key,
            operation="subscribe",
            subscription_id=None,
            revision=None,
            request=dumps(request),
            fingerprint=fingerprint,
        )
        return self._call(
            entry,
            Subscription,
            lambda: self.provider.create_subscription(request, idempotency_key=key),
            key=key,
            fresh=fresh,
        )

    # -- payment writes ---------------------------------------------------------------------

    def payment_write(
        self,
        operation: str,
        *,
        key: str,
        inputs: object,
        kind: type[T],
        request_type: type[R],
        prepare: Callable[[], R],
        act: Callable[[R, str], T],
    ) -> T:
        """A payment write (refund, pay, void, set a payment method, start a setup) done once.

        ``inputs`` are what the caller asked (a reused key with other inputs is a conflict);
        ``prepare`` checks them against the provider's state and builds the request, only when
        no record exists: a retry of an applied write returns its recorded result, a pending one
        is replayed with the recorded request and the same key (the caller holds a lease).
        """
        fingerprint = derive_key(f"{operation}-request", inputs)
        entry = self._known(key, fingerprint, None, operation)
        if entry is not None and entry.status is EntryStatus.APPLIED:
            return self._replayed(entry, kind)
        if entry is not None and entry.status is EntryStatus.PENDING:
            request = structure(json.loads(entry.request), request_type)
        else:
            request = prepare()
            entry = self.journal.record_intent(
                key,
                operation=operation,
                subscription_id=None,
                revision=None,
                request=dumps(request),
                fingerprint=fingerprint,
            )
        change_id = entry.change_id
        return self._call(entry, kind, lambda: act(request, change_id), key=change_id)
