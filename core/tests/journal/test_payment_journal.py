"""Payment writes through the journal: refunds, pay/void, payment methods and setups happen
once across lost responses and restarts, and the next write of the same kind is a new one.

Runs on both journal stores with the local provider behind ``Faulty`` (lost responses).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from prorata import Money
from prorata.errors import ConflictError, PaymentDeclinedError, ProviderUnavailableError, ValidationError
from prorata.journal import EntryStatus
from prorata.provider import TEST_CARD_DECLINES, TEST_CARD_SUCCEEDS, InvoiceStatus


def _paid_invoice(billing: Any) -> Any:
    customer = billing.create_customer("pay@example.com")
    subscription = billing.subscribe(customer.id, "basic")
    (invoice,) = billing.invoices(subscription.id)
    assert invoice.status is InvoiceStatus.PAID
    return invoice


def test_a_refund_whose_answer_was_lost_is_made_once_and_the_next_one_is_new(
    open_billing: Callable[[], Any],
) -> None:
    billing = open_billing()
    invoice = _paid_invoice(billing)
    part = Money.of(250, invoice.currency)
    billing.provider.drop = 3  # every attempt inside the call loses its answer
    with pytest.raises(ProviderUnavailableError, match="may have been applied"):
        billing.refund(invoice, part)
    first = billing.refund(invoice, part)  # the retry finds the pending record: the same refund
    assert [r.id for r in billing.refunds(invoice.id)] == [first.id]
    second = billing.refund(invoice, part)  # a new call after it was recorded: a second refund
    assert second.id != first.id
    assert [r.amount for r in billing.refunds(invoice.id)] == [part, part]


def test_a_refund_retried_from_a_new_process_with_its_key_is_returned(
    open_billing: Callable[[], Any],
) -> None:
    billing = open_billing()
    invoice = _paid_invoice(billing)
    made = billing.refund(invoice, idempotency_key="refund-42")  # everything
    billing.close()
    restarted = open_billing()
    again = restarted.refund(invoice.id, idempotency_key="refund-42")  # nothing is left, yet no error
    assert again == made
    entry = restarted.journal.find("refund-42")
    assert entry is not None
    assert entry.status is EntryStatus.APPLIED
    with pytest.raises(ConflictError, match="different request"):
        restarted.refund(invoice.id, Money.of(1, invoice.currency), idempotency_key="refund-42")
    with pytest.raises(ValidationError):
        restarted.refund(invoice.id)  # a new refund: nothing is left to refund


def test_switching_payment_methods_back_sets_the_first_again(open_billing: Callable[[], Any]) -> None:
    billing = open_billing()
    customer = billing.create_customer("pm@example.com")
    local = billing.provider._inner  # pyright: ignore[reportPrivateUsage]
    billing.set_payment_method(customer.id, TEST_CARD_DECLINES)
    billing.set_payment_method(customer.id, TEST_CARD_SUCCEEDS)
    billing.set_payment_method(customer.id, TEST_CARD_DECLINES)
    assert local.store.customer(customer.id).payment_method == TEST_CARD_DECLINES
    assert billing.provider.writes == 3


def test_paying_again_after_a_decline_and_a_new_card_is_a_new_attempt(
    open_billing: Callable[[], Any],
) -> None:
    billing = open_billing()
    customer = billing.create_customer("retry@example.com", payment_method=TEST_CARD_DECLINES)
    subscription = billing.subscribe(customer.id, "basic")
    (invoice,) = billing.invoices(subscription.id)
    with pytest.raises(PaymentDeclinedError):
        billing.pay_invoice(invoice.id)
    billing.set_payment_method(customer.id, TEST_CARD_SUCCEEDS)
    billing.provider.drop = 1  # the payment's answer is lost once, then replayed with its key
    assert billing.pay_invoice(invoice.id).status is InvoiceStatus.PAID
    with pytest.raises(Exception, match="only an open invoice"):
        billing.void_invoice(invoice.id)


def test_each_setup_is_new_but_a_lost_answer_returns_the_same_setup(open_billing: Callable[[], Any]) -> None:
    billing = open_billing()
    customer = billing.create_customer("setup@example.com")
    billing.provider.drop = 1
    first = billing.start_payment_setup(customer.id)
    assert billing.provider.writes == 2  # the write, then its replay with the same key
    second = billing.start_payment_setup(customer.id)
    assert second.id != first.id
    assert billing.start_payment_setup(customer.id, idempotency_key="setup-1") == billing.start_payment_setup(
        customer.id, idempotency_key="setup-1"
    )
