"""Payments on the Dodo emulator and adapter: the first payment on Dodo's checkout, refunds.

The SDK runs with strict response validation, so every answer matches its models.
"""

from __future__ import annotations

from typing import Any

import dodopayments
import pytest

from prorata import Billing, Money, NegativeDuePolicy
from prorata.errors import UnsupportedCapabilityError, ValidationError
from prorata.provider import InvoiceStatus, SubscriptionStatus
from prorata_emulators.dodo import DodoEmulator

from .conftest import CustomerFactory
from .test_contract import complete_checkout, control

# subscriptions.create is deprecated in favour of checkout sessions; it is what the adapter uses.
pytestmark = pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")


def _product(sdk: dodopayments.DodoPayments, price: int = 2000) -> str:
    product = sdk.products.create(
        name="Basic",
        price={
            "type": "recurring_price",
            "price": price,
            "currency": "USD",
            "discount": 0,
            "purchasing_power_parity": False,
            "payment_frequency_interval": "Month",
            "payment_frequency_count": 1,
            "subscription_period_interval": "Year",
            "subscription_period_count": 10,
        },
        tax_category="saas",
    )
    return product.product_id


def _subscribe(sdk: dodopayments.DodoPayments, customer_id: str, price: int = 2000, **options: Any) -> Any:
    return sdk.subscriptions.create(
        billing={"country": "US"},
        customer={"customer_id": customer_id},
        product_id=_product(sdk, price),
        quantity=1,
        **options,
    )


def test_without_a_saved_card_the_first_payment_waits_for_the_checkout(
    sdk: dodopayments.DodoPayments, emulator: DodoEmulator
) -> None:
    # https://docs.dodopayments.com/api-reference/subscriptions/post-subscriptions: with
    # payment_link=true the answer carries the link (and client_secret for Dodo's checkout);
    # the subscription is pending until the customer pays, then active, and the card the
    # checkout saved is charged later without them (payment_method_id).
    customer = sdk.customers.create(email="new@example.com", name="New")
    assert sdk.customers.retrieve_payment_methods(customer.customer_id).items == []
    created = _subscribe(sdk, customer.customer_id, payment_link=True)
    assert created.payment_link is not None
    assert created.client_secret is not None
    assert sdk.subscriptions.retrieve(created.subscription_id).status == "pending"
    waiting = sdk.payments.retrieve(created.payment_id)
    assert (waiting.status, waiting.total_amount, waiting.payment_link) == (
        "requires_payment_method",
        2000,
        created.payment_link,
    )
    complete_checkout(emulator, created.payment_id)
    assert sdk.payments.retrieve(created.payment_id).status == "succeeded"
    assert sdk.subscriptions.retrieve(created.subscription_id).status == "active"
    (saved,) = sdk.customers.retrieve_payment_methods(customer.customer_id).items
    again = _subscribe(sdk, customer.customer_id, 500, payment_method_id=saved.payment_method_id)
    assert again.client_secret is None
    assert sdk.payments.retrieve(again.payment_id).status == "succeeded"


def test_a_payment_method_of_another_customer_is_refused(sdk: dodopayments.DodoPayments) -> None:
    # "The payment method will be validated for eligibility" (SubscriptionCreateParams.payment_method_id).
    customer = sdk.customers.create(email="x@example.com", name="X")
    with pytest.raises(dodopayments.UnprocessableEntityError):
        _subscribe(sdk, customer.customer_id, payment_method_id="pm_someone_else")


def test_refunds_in_part_then_in_full_never_more_than_paid(
    sdk: dodopayments.DodoPayments, emulator: DodoEmulator
) -> None:
    # https://docs.dodopayments.com/api-reference/refunds/create-refund: a refund of a
    # succeeded payment, whole (no items) or per line item with an amount; the payment lists
    # its refunds; more than what is left is refused.
    customer = sdk.customers.create(email="r@example.com", name="R")
    created = _subscribe(sdk, customer.customer_id, payment_link=True)
    with pytest.raises(dodopayments.UnprocessableEntityError):
        sdk.refunds.create(payment_id=created.payment_id)  # not paid yet
    complete_checkout(emulator, created.payment_id)
    (item,) = sdk.payments.retrieve_line_items(created.payment_id).items
    part = sdk.refunds.create(
        payment_id=created.payment_id, items=[{"item_id": item.items_id, "amount": 500}], reason="partial"
    )
    assert (part.amount, part.is_partial, part.status) == (500, True, "succeeded")
    assert sdk.payments.retrieve_line_items(created.payment_id).items[0].refundable_amount == 1500
    with pytest.raises(dodopayments.UnprocessableEntityError):
        sdk.refunds.create(payment_id=created.payment_id, items=[{"item_id": item.items_id, "amount": 1501}])
    rest = sdk.refunds.create(payment_id=created.payment_id)
    assert rest.amount == 1500
    assert [r.refund_id for r in sdk.payments.retrieve(created.payment_id).refunds] == [
        part.refund_id,
        rest.refund_id,
    ]
    with pytest.raises(dodopayments.UnprocessableEntityError):
        sdk.refunds.create(payment_id=created.payment_id)


def test_a_checkout_session_creates_the_subscription_once_paid(
    sdk: dodopayments.DodoPayments, emulator: DodoEmulator
) -> None:
    # https://docs.dodopayments.com/developer-resources/checkout-session: a session for a
    # subscription product answers checkout_url; its status has no payment while the customer
    # fills in the checkout; once paid, the subscription exists and the card is saved.
    session = sdk.checkout_sessions.create(
        product_cart=[{"product_id": _product(sdk), "quantity": 1}],
        customer={"email": "checkout@example.com", "name": "Checkout"},
        subscription_data={"trial_period_days": 7},
        return_url="https://app.test/done",
    )
    assert session.checkout_url is not None
    waiting = sdk.checkout_sessions.retrieve(session.session_id)
    assert (waiting.payment_id, waiting.payment_status) == (None, None)
    paid = control(emulator, f"/_emulator/checkouts/{session.session_id}/complete", {})
    done = sdk.checkout_sessions.retrieve(session.session_id)
    assert (done.payment_id, done.payment_status) == (paid["payment_id"], "succeeded")
    payment = sdk.payments.retrieve(str(done.payment_id))
    assert payment.subscription_id is not None
    subscription = sdk.subscriptions.retrieve(payment.subscription_id)
    assert (subscription.status, subscription.trial_period_days) == ("active", 7)
    assert len(sdk.customers.retrieve_payment_methods(subscription.customer.customer_id).items) == 1


# -- the adapter ----------------------------------------------------------------------------------


def test_adapter_keeps_the_payment_link_as_the_payment_action(
    billing: Billing, emulator: DodoEmulator
) -> None:
    customer = billing.create_customer("nocard@example.com", payment_method="pm_new_on_checkout")
    subscription = billing.subscribe(customer.id, "basic", trial_days=0)
    action = subscription.payment_action
    assert subscription.status is SubscriptionStatus.INCOMPLETE
    assert action is not None
    assert action.url is not None
    assert action.client_secret is not None
    assert "secret" not in repr(action)
    assert billing.get(subscription.id).payment_action == action.__class__(
        invoice_id=action.invoice_id, amount=action.amount, url=action.url, payment_id=action.payment_id
    )
    complete_checkout(emulator, action.invoice_id)
    after = billing.get(subscription.id)
    assert after.status is SubscriptionStatus.ACTIVE
    assert after.payment_action is None
    paid = billing.invoice(action.invoice_id)
    assert paid.status is InvoiceStatus.PAID
    assert paid.pdf_url is not None
    assert paid.pdf_url.endswith(action.invoice_id)


def test_adapter_refunds_once_per_key_and_refuses_bad_amounts(
    billing: Billing, customer_factory: CustomerFactory, emulator: DodoEmulator
) -> None:
    subscription = billing.subscribe(customer_factory().id, "basic", trial_days=0)
    (invoice,) = billing.invoices(subscription.id)
    part = Money.of(100, invoice.currency)
    first = billing.refund(invoice, part, idempotency_key="dodo-refund-once")
    again = billing.refund(invoice, part, idempotency_key="dodo-refund-once")
    assert again.id == first.id
    assert [r.id for r in billing.refunds(invoice.id)] == [first.id]
    before = emulator.request_counts().get("POST /refunds", 0)
    for bad in (Money.of(invoice.totals.amount_due.amount, invoice.currency), Money.of(1, "EUR")):
        with pytest.raises(ValidationError):
            billing.refund(invoice, bad)
    assert emulator.request_counts().get("POST /refunds", 0) == before


def test_undeclared_payment_operations_are_refused_before_any_call(
    billing: Billing, customer_factory: CustomerFactory, emulator: DodoEmulator
) -> None:
    customer = customer_factory()
    emulator.reset_counts()
    with pytest.raises(UnsupportedCapabilityError):
        billing.start_payment_setup(customer.id)
    with pytest.raises(UnsupportedCapabilityError):
        billing.set_payment_method(customer.id, "pm_x")
    with pytest.raises(UnsupportedCapabilityError):
        billing.pay_invoice("pay_x")
    with pytest.raises(UnsupportedCapabilityError):
        billing.void_invoice("pay_x")
    assert emulator.request_counts() == {}
    assert NegativeDuePolicy.REFUND in NegativeDuePolicy


def _on_hold(sdk: dodopayments.DodoPayments, emulator: DodoEmulator) -> tuple[str, str]:
    """A subscription whose renewal was declined: (subscription id, customer id)."""
    customer = sdk.customers.create(email="hold@example.com", name="Hold", metadata={"test_card": "succeeds"})
    methods = sdk.customers.retrieve_payment_methods(customer.customer_id).items
    created = _subscribe(sdk, customer.customer_id, payment_method_id=methods[0].payment_method_id)
    control(emulator, f"/_emulator/customers/{customer.customer_id}/card", {"declines": True})
    emulator.advance(sdk.subscriptions.retrieve(created.subscription_id).next_billing_date)
    assert sdk.subscriptions.retrieve(created.subscription_id).status == "on_hold"
    control(emulator, f"/_emulator/customers/{customer.customer_id}/card", {"declines": False})
    return created.subscription_id, customer.customer_id


def test_a_new_payment_method_on_an_on_hold_subscription_pays_the_dues_and_reactivates_it(
    sdk: dodopayments.DodoPayments, emulator: DodoEmulator
) -> None:
    # https://docs.dodopayments.com/api-reference/subscriptions/update-payment-method: for an
    # on_hold subscription, updating the payment method "automatically creates a charge for
    # remaining dues ... and reactivates the subscription to active state upon successful
    # payment"; the events are payment.succeeded, then subscription.active.
    subscription_id, customer_id = _on_hold(sdk, emulator)
    held = sdk.subscriptions.retrieve(subscription_id)
    before = len(emulator.events())
    method = sdk.customers.retrieve_payment_methods(customer_id).items[0].payment_method_id
    answer = sdk.subscriptions.update_payment_method(
        subscription_id, payment_method={"type": "existing", "payment_method_id": method}
    )
    assert answer.payment_id is not None
    dues = sdk.payments.retrieve(answer.payment_id)
    assert (dues.status, dues.total_amount) == ("succeeded", 2000)
    after = sdk.subscriptions.retrieve(subscription_id)
    assert after.status == "active"
    assert after.previous_billing_date == held.next_billing_date
    assert [e["type"] for e in emulator.events()[before:]] == ["payment.succeeded", "subscription.active"]


def test_a_payment_method_update_on_an_active_subscription_charges_nothing(
    sdk: dodopayments.DodoPayments, emulator: DodoEmulator
) -> None:
    # Same page: for an active subscription "No charge is created".
    customer = sdk.customers.create(email="card@example.com", name="Card", metadata={"test_card": "succeeds"})
    method = sdk.customers.retrieve_payment_methods(customer.customer_id).items[0].payment_method_id
    created = _subscribe(sdk, customer.customer_id, payment_method_id=method)
    answer = sdk.subscriptions.update_payment_method(
        created.subscription_id, payment_method={"type": "existing", "payment_method_id": method}
    )
    assert answer.payment_id is None
    assert len(sdk.payments.list(subscription_id=created.subscription_id).items) == 1


def test_dues_paid_on_the_hosted_page_reactivate_too(
    sdk: dodopayments.DodoPayments, emulator: DodoEmulator
) -> None:
    subscription_id, _ = _on_hold(sdk, emulator)
    answer = sdk.subscriptions.update_payment_method(subscription_id, payment_method={"type": "new"})
    assert answer.payment_id is not None
    assert answer.payment_link is not None
    assert sdk.subscriptions.retrieve(subscription_id).status == "on_hold"  # until the customer pays
    complete_checkout(emulator, answer.payment_id)
    assert sdk.subscriptions.retrieve(subscription_id).status == "active"
