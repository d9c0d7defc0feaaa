"""Billing: the host app's entry point. Picks the configured provider and guards every call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

from prorata._capabilities import check_change, check_items
from prorata._catalog import Catalog
from prorata._change import AtDate, AtPeriodEnd, Immediately, PhasedSchedule, PlanChange
from prorata._config import BillingConfig, load_config
from prorata._errors import BillingError, ConfigurationError, InvalidChangeError, UnsupportedCapabilityError
from prorata._idempotency import derive_key
from prorata._invoice import Invoice
from prorata._preview import ChangePreview, ChangeResult
from prorata._pricing import CollectionMethod, Discount, Item, TaxRate
from prorata._provider import (
    TEST_CARD_SUCCEEDS,
    Customer,
    NewCustomer,
    NewSubscription,
    Provider,
    ProviderSettings,
    TimeControl,
)
from prorata._registry import Registry, get_registry
from prorata._subscription import Subscription

__all__ = ["Billing"]


def _preview_matches(preview: ChangePreview, invoice: Invoice | None) -> bool:
    """Whether what apply invoiced is what the preview showed (scheduled changes invoice later)."""
    if isinstance(preview.change.timing, (AtPeriodEnd, AtDate)):
        return invoice is None
    if invoice is None:
        return not preview.lines and preview.totals.total.amount == 0
    return (
        invoice.totals.total == preview.totals.total
        and invoice.totals.amount_due == preview.totals.amount_due
    )


@attrs.define
class Billing:
    """Preview and apply plan changes on whichever provider the configuration names.

    Every change is checked against the subscription, the catalog and the provider's
    capabilities before the provider is called.
    """

    provider: Provider
    catalog: Catalog

    @classmethod
    def from_config(
        cls,
        source: str | Path | Mapping[str, Any] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        registry: Registry | None = None,
    ) -> Billing:
        """Build from a TOML file, a dict, ``$PRORATA_CONFIG``/``./prorata.toml`` or the demo default."""
        return cls.from_parsed(load_config(source, environ=environ), registry=registry)

    @classmethod
    def from_parsed(cls, config: BillingConfig, *, registry: Registry | None = None) -> Billing:
        spec = (registry or get_registry()).provider(config.provider)
        missing = config.catalog.missing_refs(spec.name) if spec.name != "local" else []
        if missing:
            raise ConfigurationError(
                config.source,
                f"plans.{missing[0]}.refs.{spec.name}",
                f"a {spec.name} reference for every plan",
            )
        settings = ProviderSettings(
            name=spec.name,
            catalog=config.catalog,
            options=config.options,
            secrets=config.secrets,
            source=config.source,
        )
        try:
            provider = spec.factory(settings)
        except BillingError:
            raise
        except Exception as exc:
            raise ConfigurationError(
                config.source, f"providers.{spec.name}", "settings the provider accepts", repr(exc)
            ) from exc
        return cls(provider=provider, catalog=config.catalog)

    # -- customers and subscriptions ------------------------------------------------------------

    def create_customer(
        self,
        email: str,
        *,
        name: str | None = None,
        payment_method: str = TEST_CARD_SUCCEEDS,
        idempotency_key: str | None = None,
    ) -> Customer:
        """Create a customer; ``payment_method`` is a provider id or a portable ``TEST_CARD_*`` name."""
        request = NewCustomer(email=email, name=name, payment_method=payment_method)
        return self.provider.create_customer(
            request, idempotency_key=idempotency_key or derive_key("customer", request)
        )

    def subscribe(
        self,
        customer_id: str,
        items: Sequence[Item] | str,
        *,
        trial_days: int | None = None,
        discounts: Sequence[Discount] = (),
        tax_rates: Sequence[TaxRate] = (),
        collection_method: CollectionMethod = CollectionMethod.CHARGE_AUTOMATICALLY,
        days_until_due: int | None = None,
        billing_cycle_anchor: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Subscription:
        """Subscribe a customer to plan keys (``"pro"`` or a list of Items)."""
        resolved = (Item(plan=items),) if isinstance(items, str) else tuple(items)
        caps = self.provider.capabilities
        check_items(
            resolved,
            field="NewSubscription.items",
            catalog=self.catalog,
            capabilities=caps,
            provider=self.provider.name,
            currency=None,
        )
        if collection_method not in caps.collection_methods:
            raise UnsupportedCapabilityError(
                "NewSubscription.collection_method",
                collection_method.value,
                capability="that collection method",
                provider=self.provider.name,
            )
        if collection_method is CollectionMethod.SEND_INVOICE and days_until_due is None:
            raise InvalidChangeError(
                "NewSubscription.days_until_due", None, "days until due when collection is by sent invoice"
            )
        if discounts and not caps.discounts:
            raise UnsupportedCapabilityError(
                "NewSubscription.discounts",
                len(discounts),
                capability="discounts",
                provider=self.provider.name,
            )
        currency = self.catalog.get(resolved[0].plan).currency
        for index, discount in enumerate(discounts):
            if discount.amount_off is not None and discount.amount_off.currency != currency:
                raise InvalidChangeError(
                    f"NewSubscription.discounts[{index}].amount_off",
                    discount.amount_off,
                    f"an amount in {currency}",
                )
        if tax_rates and not caps.tax_rates:
            raise UnsupportedCapabilityError(
                "NewSubscription.tax_rates",
                len(tax_rates),
                capability="tax rates",
                provider=self.provider.name,
            )
        if trial_days and not caps.trials:
            raise UnsupportedCapabilityError(
                "NewSubscription.trial_days", trial_days, capability="trials", provider=self.provider.name
            )
        request = NewSubscription(
            customer_id=customer_id,
            items=resolved,
            trial_days=trial_days,
            discounts=tuple(discounts),
            tax_rates=tuple(tax_rates),
            collection_method=collection_method,
            days_until_due=days_until_due,
            billing_cycle_anchor=billing_cycle_anchor,
        )
        return self.provider.create_subscription(
            request, idempotency_key=idempotency_key or derive_key("subscribe", request)
        )

    def get(self, subscription_id: str) -> Subscription:
        return self.provider.get_subscription(subscription_id)

    def subscriptions(self, *, customer_id: str | None = None) -> list[Subscription]:
        return self.provider.list_subscriptions(customer_id=customer_id)

    def invoices(self, subscription_id: str) -> list[Invoice]:
        return self.provider.list_invoices(subscription_id)

    def _subscription(self, subscription: Subscription | str) -> Subscription:
        return subscription if isinstance(subscription, Subscription) else self.get(subscription)

    # -- plan changes ---------------------------------------------------------------------------

    def check(self, subscription: Subscription, change: PlanChange) -> tuple[Item, ...]:
        """Validate ``change`` for ``subscription`` on this provider; returns the target items."""
        return check_change(
            change,
            subscription,
            capabilities=self.provider.capabilities,
            catalog=self.catalog,
            provider=self.provider.name,
        )

    def preview(self, subscription: Subscription | str, change: PlanChange) -> ChangePreview:
        """What ``change`` will cost now and afterwards. Changes nothing.

        Pass a Subscription you already hold to save a round trip.
        """
        current = self._subscription(subscription)
        target = self.check(current, change)
        return self.provider.preview_change(current, change, target=target, proration_time=None)

    def apply(
        self,
        subscription: Subscription | str,
        change: PlanChange,
        *,
        preview: ChangePreview | None = None,
        idempotency_key: str | None = None,
    ) -> ChangeResult:
        """Apply ``change``. With the ``preview`` shown to the customer, apply reuses its
        proration time so the charge equals the preview, and reports whether it matched.

        The idempotency key defaults to one derived from the subscription's state and the
        change: retrying the same apply cannot charge twice.
        """
        current = self._subscription(subscription)
        if preview is not None:
            if preview.subscription_id != current.id:
                raise InvalidChangeError(
                    "preview.subscription_id",
                    preview.subscription_id,
                    f"the preview of subscription {current.id}",
                )
            if preview.change != change:
                raise InvalidChangeError(
                    "preview.change", "<different change>", "the change that was previewed"
                )
            if isinstance(change.timing, (Immediately, PhasedSchedule)) and not (
                current.current_period_start <= preview.proration_time < current.current_period_end
            ):
                raise InvalidChangeError(
                    "preview.proration_time",
                    preview.proration_time.isoformat(),
                    "a time within the current period (the preview is stale: preview again)",
                )
            if preview.provider != self.provider.name:
                raise InvalidChangeError(
                    "preview.provider", preview.provider, f"a preview made on {self.provider.name}"
                )
        target = self.check(current, change)
        proration_time = preview.proration_time if preview is not None else None
        # Derived from the whole subscription state as read plus the change: a retry of this
        # call reuses the key, a new change on the changed subscription gets a new one.
        key = idempotency_key or derive_key("change", current, change, proration_time)
        result = self.provider.apply_change(
            current, change, target=target, proration_time=proration_time, idempotency_key=key
        )
        if preview is not None:
            result = attrs.evolve(
                result, preview=preview, matches_preview=_preview_matches(preview, result.invoice)
            )
        return result

    def cancel_scheduled_change(
        self, subscription_id: str, *, idempotency_key: str | None = None
    ) -> Subscription:
        """Drop a pending scheduled change or schedule (the subscription stays as it is now)."""
        current = self.get(subscription_id)
        if not self.provider.capabilities.cancel_scheduled_change:
            raise UnsupportedCapabilityError(
                "cancel_scheduled_change",
                subscription_id,
                capability="cancelling a scheduled change",
                provider=self.provider.name,
            )
        if current.scheduled_change is None and current.schedule is None:
            raise InvalidChangeError(
                "subscription.scheduled_change", None, "a pending scheduled change to cancel"
            )
        return self.provider.cancel_scheduled_change(
            subscription_id,
            idempotency_key=idempotency_key
            or derive_key("unschedule", subscription_id, current.scheduled_change, current.schedule),
        )

    def cancel_now(self, subscription_id: str, *, idempotency_key: str | None = None) -> Subscription:
        """End the subscription immediately (no refund of the current period)."""
        return self.provider.cancel_now(
            subscription_id, idempotency_key=idempotency_key or derive_key("cancel", subscription_id)
        )

    def time_control(self) -> TimeControl:
        """The provider's clock for tests and demos (raises when it has none)."""
        control = self.provider.time_control()
        if control is None:
            raise UnsupportedCapabilityError(
                "time_control", self.provider.name, capability="time control", provider=self.provider.name
            )
        return control

    def close(self) -> None:
        self.provider.close()

    def __enter__(self) -> Billing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
