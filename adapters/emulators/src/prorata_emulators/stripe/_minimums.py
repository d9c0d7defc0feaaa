"""Stripe's minimum charge amounts (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).

A PaymentIntent below the minimum is refused with ``amount_too_small``
(https://docs.stripe.com/error-codes#amount-too-small); an invoice whose amount due is above zero
but below it "is automatically marked paid, and we add the amount due to the customer's credit
balance which is applied to the next invoice" (https://docs.stripe.com/api/invoices), "as a debit"
(https://docs.stripe.com/billing/customer/balance).
"""

from __future__ import annotations

from prorata.provider import currency_exponent
from prorata_emulators.stripe._errors import ApiError
from prorata_emulators.stripe._store import JSON, Store

__all__ = ["MINIMUM_CHARGE", "carry_too_small", "minimum_charge", "refuse_too_small"]

MINIMUM_CHARGE: dict[str, int] = {
    "usd": 50,
    "aed": 200,
    "aud": 50,
    "bgn": 100,
    "brl": 50,
    "cad": 50,
    "chf": 50,
    "czk": 1500,
    "dkk": 250,
    "eur": 50,
    "gbp": 30,
    "hkd": 400,
    "huf": 17500,
    "inr": 50,
    "jpy": 50,
    "mxn": 1000,
    "myr": 200,
    "nok": 300,
    "nzd": 50,
    "pln": 200,
    "ron": 200,
    "sek": 300,
    "sgd": 50,
    "thb": 1000,
}
"""The table's minimums, in minor units, for the currencies it lists (others: no minimum here)."""


def minimum_charge(currency: str) -> int:
    """The smallest amount Stripe charges in ``currency`` (1 when the table does not list it)."""
    return MINIMUM_CHARGE.get(currency.lower(), 1)


def _major(amount: int, currency: str) -> str:
    exponent = currency_exponent(currency)
    if exponent == 0:
        return str(amount)
    whole, part = divmod(amount, 10**exponent)
    return f"{whole}.{part:0{exponent}d}"


def refuse_too_small(amount: int, currency: str) -> None:
    """Refuse a charge of ``amount`` below ``currency``'s minimum."""
    minimum = minimum_charge(currency)
    if amount < minimum:
        raise ApiError(
            400,
            f"Amount must be at least {_major(minimum, currency)} {currency.lower()}",
            code="amount_too_small",
            param="amount",
        )


def carry_too_small(store: Store, invoice: JSON, at: int) -> bool:
    """When ``invoice``'s amount due is too small to charge, move it to the customer's balance
    (a debit, transaction type ``invoice_too_small``) and leave nothing to collect."""
    amount = int(invoice["amount_remaining"])
    if not 0 < amount < minimum_charge(invoice["currency"]):
        return False
    customer = store.get("customer", invoice["customer"])
    customer["balance"] = int(customer["balance"]) + amount
    transaction: JSON = {
        "id": store.new_id("cbtxn"),
        "object": "customer_balance_transaction",
        "amount": amount,
        "created": at,
        "credit_note": None,
        "currency": invoice["currency"],
        "customer": customer["id"],
        "description": None,
        "ending_balance": customer["balance"],
        "invoice": invoice["id"],
        "livemode": False,
        "metadata": {},
        "type": "invoice_too_small",
    }
    store.put(transaction)
    invoice["amount_remaining"] = 0
    return True
