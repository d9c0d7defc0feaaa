"""Payments on the Stripe emulator: setup intents, payment intents and 3-D Secure, refunds,
invoice pay/void, balance transactions; then the adapter's PaymentProvider over them.

Each behaviour cites the Stripe page it follows; every response is checked against the SDK's
types by the ``emulator`` fixture at teardown.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import stripe

from prorata import (
    Billing,
    Customer,
    Money,
    PaymentFailurePolicy,
    PaymentSetupStatus,
    PlanChange,
    ProrationMode,
)
from prorata.errors import PaymentDeclinedError, ValidationError
from prorata.provider import TEST_CARD_REQUIRES_ACTION, TEST_CARD_SUCCEEDS, InvoiceStatus, SubscriptionStatus
from prorata_emulators.stripe import StripeEmulator


def _authenticate(emulator: StripeEmulator, kind: str, intent_id: str, outcome: str = "complete") -> None:
    answer = httpx.post(
        f"{emulator.url}/_emulator/{kind}/{intent_id}/authenticate",
        headers={"Authorization": "Bearer sk_test_emulator"},
        content=f"outcome={outcome}",
    )
    assert answer.status_code == 200, answer.text


def _price(client: stripe.StripeClient, amount: int = 1000) -> str:
    product = client.v1.products.create({"name": "Basic"})
    return client.v1.prices.create(
        {"product": product.id, "currency": "usd", "unit_amount": amount, "recurring": {"interval": "month"}}
    ).id


def _paying_customer(client: stripe.StripeClient, method: str = "pm_card_visa") -> str:
    return client.v1.customers.create(
        {
            "email": "a@example.test",
            "payment_method": method,
            "invoice_settings": {"default_payment_method": method},
        }
    ).id


def _paid_intent(client: stripe.StripeClient, amount: int = 1000) -> stripe.PaymentIntent:
    customer = _paying_customer(client)
    sub = client.v1.subscriptions.create(
        {
            "customer": customer,
            "items": [{"price": _price(client, amount)}],
            "expand": ["latest_invoice.payments"],
        }
    )
    invoice = sub.latest_invoice
    assert isinstance(invoice, stripe.Invoice)
    assert invoice.payments is not None
    intent_id = invoice.payments.data[0].payment.payment_intent
    assert isinstance(intent_id, str)
    return client.v1.payment_intents.retrieve(intent_id)


# -- setup intents --------------------------------------------------------------------------------


def test_setup_intent_confirmed_with_a_card_succeeds_and_attaches_it(
    stripe_client: stripe.StripeClient,
) -> None:
    # https://docs.stripe.com/api/setup_intents/create: starts requires_payment_method with a
    # client_secret; https://docs.stripe.com/api/setup_intents/confirm: a card that needs no
    # authentication succeeds and the method is attached to the SetupIntent's customer.
    customer = stripe_client.v1.customers.create({"email": "s@example.test"}).id
    intent = stripe_client.v1.setup_intents.create({"customer": customer, "usage": "off_session"})
    assert intent.status == "requires_payment_method"
    assert intent.client_secret
    assert intent.client_secret.startswith(intent.id + "_secret_")
    confirmed = stripe_client.v1.setup_intents.confirm(intent.id, {"payment_method": "pm_card_visa"})
    assert confirmed.status == "succeeded"
    assert isinstance(confirmed.payment_method, str)
    assert stripe_client.v1.payment_methods.retrieve(confirmed.payment_method).customer == customer


def test_setup_intent_with_a_declined_card_keeps_waiting_for_a_method(
    stripe_client: stripe.StripeClient,
) -> None:
    # https://docs.stripe.com/testing#declined-payments: 4000000000000002 is declined
    # (card_declined, 402); the SetupIntent returns to requires_payment_method with last_setup_error.
    intent = stripe_client.v1.setup_intents.create({"usage": "off_session"})
    with pytest.raises(stripe.CardError) as caught:
        stripe_client.v1.setup_intents.confirm(intent.id, {"payment_method": "pm_card_chargeDeclined"})
    assert caught.value.code == "card_declined"
    after = stripe_client.v1.setup_intents.retrieve(intent.id)
    assert after.status == "requires_payment_method"
    assert after.last_setup_error is not None
    assert after.last_setup_error.code == "card_declined"


def test_card_authenticated_at_setup_then_pays_off_session(
    stripe_client: stripe.StripeClient, emulator: StripeEmulator
) -> None:
    # https://docs.stripe.com/testing#authentication-and-setup: 4000002500003155 "requires
    # authentication for one-time payments ... However, if you set up this card ... off-session
    # payments no longer require authentication".
    customer = stripe_client.v1.customers.create({"email": "t@example.test"}).id
    intent = stripe_client.v1.setup_intents.create({"customer": customer, "usage": "off_session"})
    waiting = stripe_client.v1.setup_intents.confirm(
        intent.id,
        {"payment_method": "pm_card_authenticationRequiredOnSetup", "return_url": "https://app.test/done"},
    )
    assert waiting.status == "requires_action"
    assert waiting.next_action is not None
    assert waiting.next_action.type == "redirect_to_url"
    _authenticate(emulator, "setup_intents", intent.id)
    done = stripe_client.v1.setup_intents.retrieve(intent.id)
    assert done.status == "succeeded"
    assert isinstance(done.payment_method, str)
    stripe_client.v1.customers.update(
        customer, {"invoice_settings": {"default_payment_method": done.payment_method}}
    )
    sub = stripe_client.v1.subscriptions.create(
        {"customer": customer, "items": [{"price": _price(stripe_client)}]}
    )
    assert sub.status == "active"


# -- payment intents and 3-D Secure ---------------------------------------------------------------


def test_default_incomplete_waits_for_the_customer_then_3ds_activates(
    stripe_client: stripe.StripeClient, emulator: StripeEmulator
) -> None:
    # https://docs.stripe.com/billing/subscriptions/build-subscriptions: with
    # payment_behavior=default_incomplete the subscription is incomplete and the browser
    # confirms latest_invoice.confirmation_secret.client_secret; 4000000000003220 needs 3DS
    # (https://docs.stripe.com/testing#regulatory-cards) -> requires_action; once authenticated
    # the invoice is paid and the subscription active.
    customer = stripe_client.v1.customers.create({"email": "3ds@example.test"}).id
    sub = stripe_client.v1.subscriptions.create(
        {
            "customer": customer,
            "items": [{"price": _price(stripe_client)}],
            "payment_behavior": "default_incomplete",
            "expand": ["latest_invoice.confirmation_secret"],
        }
    )
    assert sub.status == "incomplete"
    invoice = sub.latest_invoice
    assert isinstance(invoice, stripe.Invoice)
    assert invoice.status == "open"
    assert invoice.confirmation_secret is not None
    intent_id = invoice.confirmation_secret.client_secret.split("_secret_")[0]
    intent = stripe_client.v1.payment_intents.retrieve(intent_id)
    assert (intent.status, intent.amount) == ("requires_payment_method", 1000)
    waiting = stripe_client.v1.payment_intents.confirm(
        intent_id, {"payment_method": "pm_card_threeDSecure2Required", "return_url": "https://app.test/done"}
    )
    assert waiting.status == "requires_action"
    assert waiting.next_action is not None
    assert waiting.next_action.redirect_to_url is not None
    assert waiting.next_action.redirect_to_url.return_url == "https://app.test/done"
    _authenticate(emulator, "payment_intents", intent_id)
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "succeeded"
    assert stripe_client.v1.invoices.retrieve(invoice.id).status == "paid"
    assert stripe_client.v1.subscriptions.retrieve(sub.id).status == "active"


def test_failed_authentication_asks_for_another_method(
    stripe_client: stripe.StripeClient, emulator: StripeEmulator
) -> None:
    # https://docs.stripe.com/payments/paymentintents/lifecycle: a failed authentication returns
    # the PaymentIntent to requires_payment_method (payment_intent_authentication_failure).
    customer = _paying_customer(stripe_client, "pm_card_threeDSecure2Required")
    sub = stripe_client.v1.subscriptions.create(
        {
            "customer": customer,
            "items": [{"price": _price(stripe_client)}],
            "expand": ["latest_invoice.payments"],
        }
    )
    assert sub.status == "incomplete"
    invoice = sub.latest_invoice
    assert isinstance(invoice, stripe.Invoice)
    assert invoice.payments is not None
    intent_id = invoice.payments.data[0].payment.payment_intent
    assert isinstance(intent_id, str)
    _authenticate(emulator, "payment_intents", intent_id, outcome="fail")
    intent = stripe_client.v1.payment_intents.retrieve(intent_id)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error is not None
    assert intent.last_payment_error.code == "payment_intent_authentication_failure"


# -- refunds ----------------------------------------------------------------------------------------


def test_refunds_in_part_then_the_rest_then_nothing_is_left(stripe_client: stripe.StripeClient) -> None:
    # https://docs.stripe.com/api/refunds/create: "You can optionally refund only part of a
    # charge. You can do so multiple times, until the entire charge has been refunded. Once
    # entirely refunded, a charge can't be refunded again ... an error when ... trying to refund
    # more money than is left on a charge." A refund names the charge or the payment intent.
    intent = _paid_intent(stripe_client)
    part = stripe_client.v1.refunds.create({"payment_intent": intent.id, "amount": 300})
    assert (part.amount, part.status, part.payment_intent) == (300, "succeeded", intent.id)
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        stripe_client.v1.refunds.create({"payment_intent": intent.id, "amount": 701})
    assert (too_much.value.code, too_much.value.param) == ("amount_too_large", "amount")
    assert isinstance(intent.latest_charge, str)
    rest = stripe_client.v1.refunds.create({"charge": intent.latest_charge})
    assert (rest.amount, rest.charge) == (700, intent.latest_charge)
    with pytest.raises(stripe.InvalidRequestError) as again:
        stripe_client.v1.refunds.create({"payment_intent": intent.id})
    assert again.value.code == "charge_already_refunded"
    listed = stripe_client.v1.refunds.list({"payment_intent": intent.id})
    assert [r.id for r in listed.data] == [rest.id, part.id]  # newest first


# -- invoices, payment methods, balance -------------------------------------------------------------


def test_only_an_open_invoice_can_be_voided(stripe_client: stripe.StripeClient) -> None:
    # https://docs.stripe.com/api/invoices/void: voiding applies to finalized (open or
    # uncollectible) invoices; a paid one is refused.
    customer = _paying_customer(stripe_client, "pm_card_chargeCustomerFail")
    sub = stripe_client.v1.subscriptions.create(
        {"customer": customer, "items": [{"price": _price(stripe_client)}]}
    )
    open_invoice = str(sub.latest_invoice)
    with pytest.raises(stripe.CardError):
        stripe_client.v1.invoices.pay(open_invoice)
    assert stripe_client.v1.invoices.retrieve(open_invoice).attempt_count == 2
    assert stripe_client.v1.invoices.void_invoice(open_invoice).status == "void"
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.invoices.void_invoice(open_invoice)


def test_only_a_sent_invoice_can_be_sent_again(stripe_client: stripe.StripeClient) -> None:
    # https://docs.stripe.com/api/invoices/send: manual sending is for invoices collected by
    # send_invoice; a charged-automatically invoice is refused.
    customer = _paying_customer(stripe_client)
    sent = stripe_client.v1.subscriptions.create(
        {
            "customer": customer,
            "items": [{"price": _price(stripe_client)}],
            "collection_method": "send_invoice",
            "days_until_due": 30,
        }
    )
    invoice = str(sent.latest_invoice)
    assert stripe_client.v1.invoices.send_invoice(invoice).status == "open"
    charged = stripe_client.v1.subscriptions.create(
        {"customer": customer, "items": [{"price": _price(stripe_client)}]}
    )
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.invoices.send_invoice(str(charged.latest_invoice))


def test_detaching_the_default_method_leaves_none(stripe_client: stripe.StripeClient) -> None:
    # https://docs.stripe.com/api/payment_methods/detach: a detached method can no longer be used.
    customer = _paying_customer(stripe_client)
    default = stripe_client.v1.customers.retrieve(customer).invoice_settings
    assert default is not None
    assert isinstance(default.default_payment_method, str)
    detached = stripe_client.v1.payment_methods.detach(default.default_payment_method)
    assert detached.customer is None
    after = stripe_client.v1.customers.retrieve(customer).invoice_settings
    assert after is not None
    assert after.default_payment_method is None


def test_balance_transactions_move_the_customer_balance(stripe_client: stripe.StripeClient) -> None:
    # https://docs.stripe.com/api/customer_balance_transactions/create: negative = credit,
    # positive = debit; the currency must match the customer's once it has one.
    customer = stripe_client.v1.customers.create({"email": "b@example.test"}).id
    credit = stripe_client.v1.customers.balance_transactions.create(
        customer, {"amount": -500, "currency": "usd"}
    )
    assert (credit.ending_balance, credit.type) == (-500, "adjustment")
    debit = stripe_client.v1.customers.balance_transactions.create(
        customer, {"amount": 200, "currency": "usd"}
    )
    assert debit.ending_balance == -300
    assert stripe_client.v1.customers.retrieve(customer).balance == -300
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.customers.balance_transactions.create(customer, {"amount": 1, "currency": "eur"})


# -- the adapter ------------------------------------------------------------------------------------


def test_adapter_payment_setup_then_3ds_subscription_action(
    billing: Billing, customer_factory: Callable[..., Customer], emulator: StripeEmulator
) -> None:
    customer = customer_factory(payment_method=TEST_CARD_REQUIRES_ACTION)
    setup = billing.start_payment_setup(customer.id)
    assert setup.status is PaymentSetupStatus.REQUIRES_PAYMENT_METHOD
    assert setup.client_secret
    assert "secret" not in repr(setup)
    subscription = billing.subscribe(customer.id, "basic", trial_days=0)
    action = subscription.payment_action
    assert subscription.status is SubscriptionStatus.INCOMPLETE
    assert action is not None
    assert action.client_secret is not None
    assert "secret" not in repr(action)
    with pytest.raises(PaymentDeclinedError) as caught:
        billing.pay_invoice(action.invoice_id)
    assert caught.value.code == "invoice_payment_intent_requires_action"
    assert action.payment_id is not None
    _authenticate(emulator, "payment_intents", action.payment_id)
    assert billing.invoice(action.invoice_id).status is InvoiceStatus.PAID
    assert billing.invoice(action.invoice_id).hosted_url is not None
    assert billing.get(subscription.id).payment_action is None


def test_adapter_refund_with_one_key_refunds_once(
    billing: Billing, customer_factory: Callable[..., Customer]
) -> None:
    subscription = billing.subscribe(customer_factory().id, "basic", trial_days=0)
    (invoice,) = billing.invoices(subscription.id)
    part = Money.of(100, invoice.currency)
    first = billing.refund(invoice, part, idempotency_key="refund-once")
    again = billing.refund(invoice, part, idempotency_key="refund-once")
    assert again.id == first.id
    assert [r.id for r in billing.refunds(invoice.id)] == [first.id]
    with pytest.raises(ValidationError):
        billing.refund(invoice, invoice.totals.amount_due)  # more than what is left
    billing.set_payment_method(subscription.customer_id, TEST_CARD_SUCCEEDS)


def test_a_declined_upgrade_returns_the_payment_action_of_its_open_invoice(
    billing: Billing, customer_factory: Callable[..., Customer], stripe_client: stripe.StripeClient
) -> None:
    # payment_behavior=allow_incomplete on an update: the subscription goes past_due with the
    # invoice open; its PaymentIntent's client secret lets the customer pay with another card
    # (https://docs.stripe.com/billing/subscriptions/pending-updates-reference, "allow_incomplete").
    customer = customer_factory()
    subscription = billing.subscribe(customer.id, "basic", trial_days=0)
    stripe_client.v1.customers.update(
        customer.id, {"invoice_settings": {"default_payment_method": "pm_card_chargeCustomerFail"}}
    )
    change = PlanChange.swap(
        "basic",
        "premium",
        proration=ProrationMode.PRORATE_NOW,
        on_payment_failure=PaymentFailurePolicy.APPLY_CHANGE,
    )
    result = billing.apply(subscription, change)
    assert result.subscription.status is SubscriptionStatus.PAST_DUE
    assert result.invoice is not None
    assert result.payment_action is not None
    assert result.payment_action.invoice_id == result.invoice.id
    assert result.payment_action.amount == result.invoice.totals.amount_due
