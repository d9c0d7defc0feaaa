"""Pending updates (``payment_behavior=pending_if_incomplete``): a change whose invoice is not
paid is held in ``pending_update`` and applied only when the invoice is paid
(https://docs.stripe.com/billing/subscriptions/pending-updates and
https://docs.stripe.com/billing/subscriptions/pending-updates-reference).

Three things happen to a held change: the invoice is paid (the change is applied,
``customer.subscription.pending_update_applied``), ``expires_at`` passes (the invoice is voided
and the change dropped, ``customer.subscription.pending_update_expired``; see
``_subscriptions.expire_pending_update``), or nothing (the subscription cycles on its old items).
"""

from __future__ import annotations

import copy
from typing import Any

from prorata_emulators.stripe._errors import invalid
from prorata_emulators.stripe._events import emit
from prorata_emulators.stripe._store import JSON, Store, as_dict, as_list, public

__all__ = ["EXPIRY_SECONDS", "apply_pending_update", "check_pending_params", "hold", "snapshot"]

ALLOWED_PARAMS = frozenset(
    {
        "expand",
        "payment_behavior",
        "proration_behavior",
        "proration_date",
        "billing_cycle_anchor",
        "items",
        "trial_end",
        "trial_from_plan",
        "add_invoice_items",
    }
)
"""The update-subscription attributes that can create a pending update (pending updates reference,
"Supported attributes")."""

ALLOWED_ITEM_PARAMS = frozenset({"id", "price", "quantity"})
"""``items[]`` may only set ``price`` and ``quantity`` (``id`` names the item they change)."""

EXPIRY_SECONDS = 23 * 3600
"""``expires_at`` is the trial end or the period end, whichever comes first, but at most 23 hours
after the update (pending updates reference, "Expiration")."""

_STATE = ("items", "billing_cycle_anchor", "_pending", "trial_end", "trial_start", "_trial_will_end_sent")
"""What a held change would alter (the subscription keeps its status and cycles as before)."""


def check_pending_params(params: JSON, collection_method: str) -> None:
    """Refuse what a pending update cannot carry: an attribute outside the supported list, an
    item field other than price and quantity, or a subscription invoiced by ``send_invoice``
    ("Pending updates aren't supported when the subscription's collection_method is send_invoice")."""
    if collection_method == "send_invoice":
        raise invalid(
            "Pending updates are not supported on subscriptions with collection_method=send_invoice.",
            "payment_behavior",
            code="parameter_invalid",
        )
    for name in params:
        if name not in ALLOWED_PARAMS:
            raise _unsupported(name)
    for index, item in enumerate(as_list(params.get("items")) or list[Any]()):
        for name in as_dict(item) or {}:
            if name not in ALLOWED_ITEM_PARAMS:
                raise _unsupported(f"items[{index}][{name}]")


def _unsupported(param: str) -> Exception:
    return invalid(
        f"The parameter `{param}` cannot be used with `payment_behavior=pending_if_incomplete`: only "
        + ", ".join(sorted(ALLOWED_PARAMS))
        + " are supported by pending updates.",
        param,
        code="parameter_invalid",
    )


def snapshot(subscription: JSON) -> JSON:
    """The part of ``subscription`` a held change would alter, copied."""
    return {key: copy.deepcopy(subscription.get(key)) for key in _STATE}


def hold(store: Store, subscription: JSON, before: JSON, invoice: JSON, at: int) -> None:
    """The change's invoice was not paid: put the subscription back as it was (``before``), keep the
    change in ``pending_update`` and the open invoice as ``latest_invoice``."""
    after = snapshot(subscription)
    subscription.update(copy.deepcopy(before))
    first = subscription["items"]["data"][0]
    ends = [int(first["current_period_end"]), at + EXPIRY_SECONDS]
    if subscription["status"] == "trialing" and subscription["trial_end"] is not None:
        ends.append(int(subscription["trial_end"]))
    subscription["pending_update"] = {
        "billing_cycle_anchor": after["billing_cycle_anchor"]
        if after["billing_cycle_anchor"] != before["billing_cycle_anchor"]
        else None,
        "cancel_at_period_end": None,
        "discount": None,
        "discounts": None,
        "expires_at": min(ends),
        "metadata": None,
        "subscription_items": public(after["items"]["data"]),
        "trial_end": after["trial_end"] if after["trial_end"] != before["trial_end"] else None,
        "trial_from_plan": None,
    }
    subscription["_pending_update"] = {"invoice": invoice["id"], "state": after}


def apply_pending_update(store: Store, invoice: JSON, at: int) -> None:
    """``invoice`` was paid: apply the change it held, if any ("If payment succeeds, the changes are
    applied and the pending_update hash is cleared")."""
    details = as_dict(invoice["parent"].get("subscription_details")) or {}
    subscription = store.maybe("subscription", details.get("subscription"))
    if subscription is None:
        return
    held = as_dict(subscription.get("_pending_update"))
    if held is None or held["invoice"] != invoice["id"]:
        return
    previous = {
        "items": public(subscription["items"]),
        "pending_update": public(subscription["pending_update"]),
    }
    subscription.update(held["state"])
    subscription["pending_update"] = subscription["_pending_update"] = None
    emit(store, "customer.subscription.pending_update_applied", subscription, at=at, previous=previous)
    emit(store, "customer.subscription.updated", subscription, at=at, previous=previous)


def drop_pending_update(subscription: JSON) -> str | None:
    """Forget the held change; the id of the invoice it waited for."""
    held = as_dict(subscription.get("_pending_update"))
    subscription["pending_update"] = subscription["_pending_update"] = None
    return None if held is None else str(held["invoice"])
