"""The emulator's state: every object by kind and id, ids, clocks and the event outbox."""

from __future__ import annotations

import itertools
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
    ("ii_", "invoiceitem"),
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
    """A deep copy without the emulator's private ``_`` keys (what goes on the wire).

    Objects are JSON trees: only dicts and lists are copied (leaves are immutable), and a leaf
    costs no call: every event snapshots its object with this, so it is on the renewal path.
    """
    if isinstance(value, dict):
        mapping = cast(JSON, value)
        return {
            k: public(v) if isinstance(v, dict | list) else v
            for k, v in mapping.items()
            if not k.startswith("_")
        }
    if isinstance(value, list):
        return [public(v) if isinstance(v, dict | list) else v for v in cast("list[Any]", value)]
    return value


def _copied(value: Any) -> Any:
    """A deep copy of a JSON tree (``copy.deepcopy`` without its memo: a few times faster)."""
    if isinstance(value, dict):
        mapping = cast(JSON, value)
        return {k: _copied(v) if isinstance(v, dict | list) else v for k, v in mapping.items()}
    if isinstance(value, list):
        return [_copied(v) if isinstance(v, dict | list) else v for v in cast("list[Any]", value)]
    return value


@attrs.define
class Store:
    """All objects, keyed by Stripe object name then id.

    A write request runs on an :meth:`overlay`: the first time it reads an object it gets its own
    copy, so a refused request is dropped without touching the state, and a request's cost does
    not grow with the number of objects it does not touch. :meth:`absorb` publishes a finished
    overlay; previews run on an overlay that is thrown away.
    """

    objects: dict[str, dict[str, JSON]] = attrs.field(factory=dict[str, dict[str, JSON]])
    """This store's own objects (in an overlay: the ones the request read or wrote)."""
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
    parent: Store | None = None
    """The store this overlay reads through to (None for the emulator's own state)."""
    deleted: set[tuple[str, str]] = attrs.field(factory=set[tuple[str, str]])
    created: list[tuple[str, str]] = attrs.field(factory=list[tuple[str, str]])
    """Objects this overlay added that its parent did not have, in creation order."""
    by_customer: dict[tuple[str, str], dict[str, None]] = attrs.field(
        factory=dict[tuple[str, str], dict[str, None]]
    )
    """Ids per (kind, customer) of the objects put here (a customer never changes on an object)."""
    holders: dict[str, str] = attrs.field(factory=dict[str, str])
    """The subscription holding each subscription item id put here (items never move)."""
    retention: dict[str, int] = attrs.field(factory=dict[str, int])
    """Kinds the state keeps only the newest of (events), and how many."""

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(12)}"

    # -- overlays --------------------------------------------------------------------------------

    def overlay(self, *, real_time: bool | None = None) -> Store:
        """A copy-on-read view of this store for one request or one simulation."""
        return Store(
            parent=self,
            request_id=self.request_id,
            idempotency_key=self.idempotency_key,
            real_time=self.real_time if real_time is None else real_time,
            frozen=self.frozen,
            retention=self.retention,
        )

    def snapshot(self) -> Store:
        """A private view for previews: changes and events in it are thrown away."""
        return self.overlay(real_time=False)

    def absorb(self, child: Store) -> None:
        """Publish what ``child`` (an overlay of this store) read, wrote and deleted."""
        for kind, objects in child.objects.items():
            mine = self.objects.setdefault(kind, {})
            mine.update(objects)
            for object_id in objects:
                self.deleted.discard((kind, object_id))
        for kind, object_id in child.deleted:
            self._remove(kind, object_id)
        for key, ids in child.by_customer.items():
            self.by_customer.setdefault(key, {}).update(ids)
        self.holders.update(child.holders)
        for subscription_id, subscription in child.objects.get("subscription", {}).items():
            for item in subscription["items"]["data"]:  # items added to a subscription in place
                self.holders[item["id"]] = subscription_id
        if self.parent is not None:
            self.created.extend(child.created)
        for kind in child.objects:
            self._trim(kind)

    def _trim(self, kind: str) -> None:
        limit = self.retention.get(kind)
        kept = self.objects.get(kind)
        if limit is None or kept is None or self.parent is not None or len(kept) <= limit:
            return
        # One pass over the oldest: a fresh iterator per deletion would rescan the slots the
        # earlier deletions emptied (quadratic in the number dropped at once).
        for object_id in list(itertools.islice(kept, len(kept) - limit)):
            del kept[object_id]

    def _remove(self, kind: str, object_id: str) -> None:
        self.objects.get(kind, {}).pop(object_id, None)
        if self.parent is not None:
            self.deleted.add((kind, object_id))

    def peek(self, kind: str, object_id: str) -> JSON | None:
        """The object as this store sees it, without copying (never mutate the result)."""
        store: Store | None = self
        while store is not None:
            found = store.objects.get(kind, {}).get(object_id)
            if found is not None:
                return found
            if (kind, object_id) in store.deleted:
                return None
            store = store.parent
        return None

    def _writable(self, kind: str, object_id: str) -> JSON | None:
        own = self.objects.get(kind, {}).get(object_id)
        if own is not None or self.parent is None or (kind, object_id) in self.deleted:
            return own
        seen = self.parent.peek(kind, object_id)
        if seen is None:
            return None
        mine: JSON = _copied(seen)
        self.objects.setdefault(kind, {})[object_id] = mine
        return mine

    # -- objects ---------------------------------------------------------------------------------

    def put(self, obj: JSON) -> JSON:
        kind, object_id = obj["object"], obj["id"]
        if self.parent is not None and self.peek(kind, object_id) is None:
            self.created.append((kind, object_id))
        self.deleted.discard((kind, object_id))
        self.objects.setdefault(kind, {})[object_id] = obj
        customer = obj.get("customer")
        if isinstance(customer, str):
            self.by_customer.setdefault((kind, customer), {})[object_id] = None
        if kind == "subscription":
            for item in obj["items"]["data"]:
                self.holders[item["id"]] = object_id
        self._trim(kind)
        return obj

    def delete(self, kind: str, object_id: str) -> None:
        self._remove(kind, object_id)

    def get(self, kind: str, object_id: str, *, param: str = "id") -> JSON:
        found = self._writable(kind, object_id)
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
        return self._writable(kind, object_id)

    def ids(self, kind: str) -> list[str]:
        """Every id of ``kind`` this store sees, oldest first."""
        own = self.objects.get(kind, {})
        if self.parent is None:
            return list(own)
        gone = {object_id for k, object_id in self.deleted if k == kind}
        below = [object_id for object_id in self.parent.ids(kind) if object_id not in gone]
        seen = set(below)
        return below + [object_id for object_id in own if object_id not in seen]

    def of_customer(self, kind: str, customer: str) -> list[JSON]:
        """The customer's objects of ``kind``, read-only, without looking at anyone else's."""
        ids: dict[str, None] = {}
        store: Store | None = self
        while store is not None:
            ids.update(store.by_customer.get((kind, customer), {}))
            store = store.parent
        found = (self.peek(kind, object_id) for object_id in ids)
        return [obj for obj in found if obj is not None]

    def holder_of(self, item_id: str) -> str | None:
        """The id of the subscription an item was put on, if any (check it still holds it)."""
        store: Store | None = self
        while store is not None:
            found = store.holders.get(item_id)
            if found is not None:
                return found
            store = store.parent
        return None

    def scan(self, kind: str) -> list[JSON]:
        """Every object of ``kind``, read-only: to find which to :meth:`get` and change."""
        found = (self.peek(kind, object_id) for object_id in self.ids(kind))
        return [obj for obj in found if obj is not None]

    def all(self, kind: str) -> list[JSON]:
        """Every object of ``kind``, each writable (costs a copy per object in an overlay)."""
        found = (self._writable(kind, object_id) for object_id in self.ids(kind))
        return [obj for obj in found if obj is not None]

    def find(self, object_id: str) -> JSON | None:
        """Any object by id (used to expand fields)."""
        for prefix, kind in _KIND_BY_PREFIX:
            if object_id.startswith(prefix):
                return self._writable(kind, object_id)
        return self._writable("coupon", object_id)

    def created_objects(self, kind: str) -> list[JSON]:
        """Objects of ``kind`` this overlay created, in order (previews: the new invoices)."""
        found = (self.objects.get(k, {}).get(i) for k, i in self.created if k == kind)
        return [obj for obj in found if obj is not None]

    def clock_time(self, clock_id: str | None) -> int:
        """Now for objects on ``clock_id`` (its frozen time), else the wall clock."""
        if self.frozen is not None:
            return self.frozen
        clock = self.peek("test_helpers.test_clock", clock_id) if clock_id else None
        return int(clock["frozen_time"]) if clock is not None else int(time.time())

    def customer_time(self, customer_id: str) -> int:
        """Now for ``customer_id``: its test clock's frozen time, else the wall clock."""
        return self.clock_time(self.get("customer", customer_id).get("test_clock"))
