"""The helper every standard test works through: subscribe, read back, move time."""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from fractions import Fraction

import attrs

from prorata import Billing, Catalog
from prorata.provider import (
    Capabilities,
    Customer,
    Invoice,
    Item,
    PaymentAction,
    Subscription,
    TimeControl,
)

__all__ = [
    "CompletePaymentAction",
    "ConfirmPaymentSetup",
    "Contract",
    "CustomerFactory",
    "DeclinePayments",
    "WebhookDeliveries",
    "WebhookDelivery",
    "WebhookSigner",
    "accepts_payment_method",
]

CustomerFactory = Callable[..., Customer]
"""Makes a fresh customer able to pay (on Stripe: attached to the test clock).

Called with no arguments. A factory that also accepts ``payment_method=`` (a provider id
or a portable ``prorata.TEST_CARD_*`` name) is asked for customers with other cards;
otherwise the suite creates those with ``Billing.create_customer``.
"""

DeclinePayments = Callable[[str], None]
"""``(customer_id) -> None``: from now on, charges of that customer are declined."""

ConfirmPaymentSetup = Callable[[str, str], None]
"""``(setup_id, payment_method) -> None``: the customer's browser confirms the setup with a
portable ``TEST_CARD_*`` method (or a provider test method)."""

CompletePaymentAction = Callable[[PaymentAction], None]
"""``(action) -> None``: the customer's browser completes the action (passes 3-D Secure)."""

WebhookDelivery = tuple[Mapping[str, str], bytes]
"""One webhook as it reaches the endpoint: its headers and its body, byte for byte."""

WebhookDeliveries = Callable[[], list[WebhookDelivery]]
"""``() -> deliveries``: the webhooks the provider sent since the last call, in sending order,
signed for the secret the ``billing`` fixture's provider verifies with."""

WebhookSigner = Callable[[WebhookDelivery, int, bool], WebhookDelivery]
"""``(delivery, timestamp, wrong_secret) -> delivery`` signed again as sent at ``timestamp``
(Unix seconds), with the endpoint's secret or, when ``wrong_secret``, with another one."""

_emails = itertools.count(1)


def accepts_payment_method(factory: Callable[..., object]) -> bool:
    """Whether ``factory`` can be called with ``payment_method=...``."""
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        return False
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            return True
        if parameter.name == "payment_method" and parameter.kind in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        ):
            return True
    return False


@attrs.frozen(kw_only=True)
class Contract:
    """The provider under test, its clock and its customers, as the standard tests see them."""

    billing: Billing
    time_control: TimeControl | None
    customer_factory: CustomerFactory
    decline_payments: DeclinePayments | None = None
    confirm_payment_setup: ConfirmPaymentSetup | None = None
    complete_payment_action: CompletePaymentAction | None = None
    webhook_deliveries: WebhookDeliveries | None = None
    webhook_signer: WebhookSigner | None = None

    def deliveries(self) -> list[WebhookDelivery]:
        """Webhooks sent since the last call; tests that call this declare ``requires(events=True)``."""
        if self.webhook_deliveries is None:
            raise AssertionError(f"provider {self.provider!r} gave no webhook_deliveries fixture value")
        return self.webhook_deliveries()

    @property
    def provider(self) -> str:
        return self.billing.provider.name

    @property
    def catalog(self) -> Catalog:
        return self.billing.catalog

    @property
    def capabilities(self) -> Capabilities:
        return self.billing.provider.capabilities

    def customer(self, payment_method: str | None = None) -> Customer:
        """A new customer; with ``payment_method`` (e.g. ``prorata.provider.TEST_CARD_DECLINES``) paying with it.

        The adapter's ``customer_factory`` is asked when it accepts ``payment_method=``;
        otherwise the customer is created with ``Billing.create_customer``.
        """
        if payment_method is None:
            return self.customer_factory()
        if accepts_payment_method(self.customer_factory):
            return self.customer_factory(payment_method=payment_method)
        return self.billing.create_customer(
            f"prorata-contract-{next(_emails)}@example.test", payment_method=payment_method
        )

    def subscribe(
        self, items: str | Sequence[Item] = "basic", *, customer: Customer | None = None, **options: object
    ) -> Subscription:
        """``customer`` (default: a new one able to pay) subscribed to ``items`` (no trial)."""
        payer = customer if customer is not None else self.customer_factory()
        options.setdefault("trial_days", 0)
        return self.billing.subscribe(payer.id, items, **options)  # pyright: ignore[reportArgumentType]

    def decline(self, customer_id: str) -> None:
        """Make the customer's further charges decline; tests that call this declare
        ``requires(decline_payments=True)``."""
        if self.decline_payments is None:
            raise AssertionError(f"provider {self.provider!r} gave no decline_payments fixture value")
        self.decline_payments(customer_id)

    def get(self, subscription: Subscription | str) -> Subscription:
        return self.billing.get(subscription if isinstance(subscription, str) else subscription.id)

    def invoices(self, subscription: Subscription | str) -> list[Invoice]:
        return list(self.billing.invoices(subscription if isinstance(subscription, str) else subscription.id))

    def clock(self) -> TimeControl:
        """The provider's clock; tests that call this declare ``requires(time_control=True)``."""
        if self.time_control is None:
            raise AssertionError(f"provider {self.provider!r} gave no time_control fixture value")
        return self.time_control

    def advance(self, to: datetime) -> None:
        """Move the clock to ``to`` (never backwards)."""
        clock = self.clock()
        if to > clock.now():
            clock.advance(to)

    def pass_boundary(self, when: datetime, *, slack: timedelta = timedelta(hours=1)) -> None:
        """Move the clock just past ``when`` so everything due then has run."""
        self.advance(when + slack)

    def into_period(self, subscription: Subscription, fraction: Fraction = Fraction(1, 2)) -> Subscription:
        """Move ``fraction`` of the way into the current period (no-op without a clock)."""
        if self.time_control is not None and fraction > 0:
            start, end = subscription.current_period_start, subscription.current_period_end
            seconds = int((end - start).total_seconds() * fraction)
            self.advance(start + timedelta(seconds=seconds))
        return self.get(subscription)
