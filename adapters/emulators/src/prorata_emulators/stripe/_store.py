"""The emulator's state: every object by kind and id, ids, clocks and the event outbox."""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any, cast

import attrs

from prorata_emulators.stripe._errors import missing

__all__ = ["JSON", "Store", "as_dict", "as_list", "public"]

JSON = dict[str, Any]

_KIND_BY_PREFIX: tuple[tuple[str, str], ...] = (
    ("sub_sched_", "subscription_schedule"),
    ("sub_", "subscription"),
    ("si_", "subscription_item"),
    ("prod_", "product"),
    ("price_", "price"),
    ("cus_", "customer"),
    ("pm_", "payment_method"),
    ("seti_", "setup_intent"),
    ("pi_", "payment_intent"),
    ("re_", "refund"),
    ("cbtxn_", "customer_balance_transaction"),
    ("in_", "invoice"),
    ("di_", "discount"),
    ("txr_", "tax_rate"),
    ("clock_", "test_helpers.test_clock"),
    ("evt_", "event"),
    ("we_", "webhook_endpoint"),
)


def as_dict(value: Any) -> JSON | None:
    """``value`` typed as a JSON object, or None when it is not one."""
    return cast(JSON, value) if isinstance(value, dict) else None


def as_list(value: Any) -> list[Any] | None:
    """``value`` typed as a JSON array, or None when it is not one."""
    return cast("list[Any]", value) if isinstance(value, list) else None


def public(value: Any) -> Any:
    """A deep copy without the emulator's private ``_`` keys (what goes on the wire)."""
    mapping, array = as_dict(value), as_list(value)
    if mapping is not None:
        return {k: public(v) for k, v in mapping.items() if not k.startswith("_")}
    if array is not None:
        return [public(v) for v in array]
    return value


@attrs.define
class Store:
    """All objects, keyed by Stripe object name then id. Deep-copyable for previews."""

    objects: dict[str, dict[str, JSON]] = attrs.field(factory=dict[str, dict[str, JSON]])
    outbox: list[JSON] = attrs.field(factory=list[JSON])
    """Events created by the current request, delivered to webhooks once it completes."""
    keep: list[JSON] = attrs.field(factory=list[JSON])
    """Objects kept even when the request fails and is rolled back (a voided invoice)."""
    request_id: str | None = None
    idempotency_key: str | None = None
    real_time: bool = True
    """False in preview copies (nothing leaves a copy)."""
    frozen: int | None = None
    """While the timeline runs (or a preview simulates), the time every object sees."""

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(12)}"

    def put(self, obj: JSON) -> JSON:
        self.objects.setdefault(obj["object"], {})[obj["id"]] = obj
        return obj

    def get(self, kind: str, object_id: str, *, param: str = "id") -> JSON:
        found = self.objects.get(kind, {}).get(object_id)
        if found is None:
            raise missing(
                kind.rsplit(".", 1)[-1].replace("_", " ")
                if kind != "test_helpers.test_clock"
                else "test clock",
                object_id,
                param,
            )
        return found

    def maybe(self, kind: str, object_id: str | None) -> JSON | None:
        if object_id is None:
            return None
        return self.objects.get(kind, {}).get(object_id)

    def all(self, kind: str) -> list[JSON]:
        return list(self.objects.get(kind, {}).values())

    def find(self, object_id: str) -> JSON | None:
        """Any object by id (used to expand fields)."""
        for prefix, kind in _KIND_BY_PREFIX:
            if object_id.startswith(prefix):
                return self.objects.get(kind, {}).get(object_id)
        return self.objects.get("coupon", {}).get(object_id)

    def clock_time(self, clock_id: str | None) -> int:
        """Now for objects on ``clock_id`` (its frozen time), else the wall clock."""
        if self.frozen is not None:
            return self.frozen
        clock = self.maybe("test_helpers.test_clock", clock_id)
        return int(clock["frozen_time"]) if clock is not None else int(time.time())

    def customer_time(self, customer_id: str) -> int:
        """Now for ``customer_id``: its test clock's frozen time, else the wall clock."""
        return self.clock_time(self.get("customer", customer_id).get("test_clock"))

    def snapshot(self) -> Store:
        """A private copy for previews: changes and events in it are thrown away."""
        state = {kind: objects for kind, objects in self.objects.items() if kind != "event"}
        return Store(objects=copy.deepcopy(state), real_time=False)  # events never influence a preview
