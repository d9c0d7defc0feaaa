"""Stripe's documented billing behaviours, driven through the real SDK against the emulator.

Each test cites the Stripe docs page its expected values come from. Amounts are in cents; the
clock starts on 2026-04-01 so a 30-day April keeps the proration figures round. Where the docs
give no figure, docs/stripe.md ("What the emulator does on Stripe's documented behaviours") says
what the emulator chose.
"""

from __future__ import annotations

import attrs
import pytest
import stripe

DAY = 86400
START = 1_775_001_600
"""2026-04-01T00:00:00Z: a 30-day April, so half a period is 15 days."""
HALF = 15 * DAY
HOUR = 3600


@attrs.frozen
class World:
    client: stripe.StripeClient
    clock: str
    customer: str
    prices: dict[int, str]
    """Monthly price id by unit amount."""

    @classmethod
    def build(
        cls,
        client: stripe.StripeClient,
        *,
        card: str = "pm_card_visa",
        amounts: tuple[int, ...] = (1000, 3000),
    ) -> World:
        clock = client.v1.test_helpers.test_clocks.create({"frozen_time": START})
        customer = client.v1.customers.create(
            {
                "test_clock": clock.id,
                "payment_method": card,
                "invoice_settings": {"default_payment_method": card},
            }
        )
        product = client.v1.products.create({"name": "Plan"})
        prices = {
            amount: client.v1.prices.create(
                {
                    "product": product.id,
                    "currency": "usd",
                    "unit_amount": amount,
                    "recurring": {"interval": "month"},
                }
            ).id
            for amount in amounts
        }
        return cls(client=client, clock=clock.id, customer=customer.id, prices=prices)

    def subscribe(self, amount: int = 1000, **params: object) -> stripe.Subscription:
        return self.client.v1.subscriptions.create(
            {"customer": self.customer, "items": [{"price": self.prices[amount]}], **params}  # type: ignore[typeddict-item]
        )

    def switch(self, sub: stripe.Subscription, amount: int, **params: object) -> stripe.Subscription:
        """Move ``sub``'s one item to the price of ``amount``."""
        item = sub["items"].data[0]
        return self.client.v1.subscriptions.update(
            sub.id,
            {"items": [{"id": item.id, "price": self.prices[amount]}], **params},  # type: ignore[typeddict-item]
        )

    def advance(self, seconds: int) -> None:
        """Move the clock ``seconds`` past its current frozen time."""
        clocks = self.client.v1.test_helpers.test_clocks
        frozen = clocks.retrieve(self.clock).frozen_time
        clocks.advance(self.clock, {"frozen_time": frozen + seconds})

    def use_card(self, card: str) -> None:
        self.client.v1.customers.update(self.customer, {"invoice_settings": {"default_payment_method": card}})

    def events(self, kind: str) -> list[stripe.Event]:
        return [e for e in self.client.v1.events.list({"limit": 100}).data if e.type == kind]

    def invoice(self, invoice_id: object) -> stripe.Invoice:
        return self.client.v1.invoices.retrieve(str(invoice_id))


@pytest.fixture
def world(stripe_client: stripe.StripeClient) -> World:
    return World.build(stripe_client)


def _item(sub: stripe.Subscription) -> stripe.SubscriptionItem:
    return sub["items"].data[0]


# -- 1. pending updates -------------------------------------------------------------------------
# https://docs.stripe.com/billing/subscriptions/pending-updates and
# https://docs.stripe.com/billing/subscriptions/pending-updates-reference


def _upgrade_pending(world: World, sub: stripe.Subscription) -> stripe.Subscription:
    return world.switch(
        sub, 3000, proration_behavior="always_invoice", payment_behavior="pending_if_incomplete"
    )


def test_a_pending_update_waits_for_its_invoice_and_is_applied_when_paid(world: World) -> None:
    """Stripe: "If payment fails, the updated values are added to the pending_update hash ... The
    latest_invoice for the subscription refers to an unpaid invoice in an open status"; "If the
    payment succeeds, the changes are applied and the pending_update hash is cleared"
    (pending-updates-reference, "Pending updates lifecycle")."""
    sub = world.subscribe(1000)
    world.advance(HALF)
    world.use_card("pm_card_chargeDeclined")
    held = _upgrade_pending(world, sub)
    assert _item(held).price.id == world.prices[1000], "not applied"
    assert held.status == "active", "the subscription cycles as if no update was made"
    assert held.pending_update is not None
    assert held.pending_update.subscription_items is not None
    assert [i.price.id for i in held.pending_update.subscription_items] == [world.prices[3000]]
    # The period ends in 15 days: expires_at is 23 hours after the update (reference, "Expiration").
    assert held.pending_update.expires_at == START + HALF + 23 * HOUR
    invoice = world.invoice(held.latest_invoice)
    assert (invoice.status, invoice.amount_due) == ("open", 1000), "-500 unused + 1500 remaining"

    world.client.v1.invoices.pay(invoice.id, {"payment_method": "pm_card_visa"})
    applied = world.client.v1.subscriptions.retrieve(sub.id)
    assert _item(applied).price.id == world.prices[3000]
    assert applied.pending_update is None
    assert len(world.events("customer.subscription.pending_update_applied")) == 1


def test_a_pending_update_expires_with_its_invoice_voided(world: World) -> None:
    """Stripe: "If you don't take any action after an update fails, the invoice is voided and the pending
    update is discarded after the expired_at time" (reference, "Expiration"), with
    ``customer.subscription.pending_update_expired`` (https://docs.stripe.com/api/events/types)."""
    sub = world.subscribe(1000)
    world.advance(HALF)
    world.use_card("pm_card_chargeDeclined")
    held = _upgrade_pending(world, sub)
    world.advance(23 * HOUR - 1)
    assert world.client.v1.subscriptions.retrieve(sub.id).pending_update is not None
    assert world.events("customer.subscription.pending_update_expired") == []
    world.advance(1)
    after = world.client.v1.subscriptions.retrieve(sub.id)
    assert after.pending_update is None
    assert _item(after).price.id == world.prices[1000]
    assert world.invoice(held.latest_invoice).status == "void"
    assert len(world.events("customer.subscription.pending_update_expired")) == 1


def test_a_pending_update_that_is_paid_at_once_is_applied_at_once(world: World) -> None:
    sub = world.subscribe(1000)
    world.advance(HALF)
    updated = _upgrade_pending(world, sub)
    assert updated.pending_update is None
    assert _item(updated).price.id == world.prices[3000]
    assert world.invoice(updated.latest_invoice).status == "paid"


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"metadata": {"k": "v"}}, "metadata"),
        ({"cancel_at_period_end": True}, "cancel_at_period_end"),
        ({"items": [{"price": "price_x", "metadata": {"k": "v"}}]}, "items[0][metadata]"),
    ],
)
def test_pending_if_incomplete_takes_only_the_supported_attributes(
    world: World, extra: dict[str, object], param: str
) -> None:
    """Stripe: "When you use pending_if_incomplete you can only pass the parameters supported by pending
    updates" (https://docs.stripe.com/api/subscriptions/update#update_subscription-payment_behavior;
    the list: pending-updates-reference, "Supported attributes")."""
    sub = world.subscribe(1000)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        world.client.v1.subscriptions.update(
            sub.id,
            {"payment_behavior": "pending_if_incomplete", **extra},  # type: ignore[typeddict-item]
        )
    assert refused.value.param == param
    assert world.client.v1.subscriptions.retrieve(sub.id).metadata.to_dict() == {}


# -- 2. incomplete_expired ----------------------------------------------------------------------
# https://docs.stripe.com/api/subscriptions/object#subscription_object-status: "If the first
# invoice is not paid within 23 hours, the subscription transitions to incomplete_expired. This is a
# terminal status, the open invoice will be voided and no further invoices will be generated."


@pytest.mark.parametrize("how", ["default_incomplete", "declined"])
def test_an_unpaid_first_invoice_expires_the_subscription_after_23_hours(
    stripe_client: stripe.StripeClient, how: str
) -> None:
    world = World.build(stripe_client, card="pm_card_chargeDeclined" if how == "declined" else "pm_card_visa")
    params = {"payment_behavior": "default_incomplete"} if how == "default_incomplete" else {}
    sub = world.subscribe(1000, **params)
    assert sub.status == "incomplete"
    first = world.invoice(sub.latest_invoice)
    assert first.status == "open"
    world.advance(23 * HOUR - 1)
    assert world.client.v1.subscriptions.retrieve(sub.id).status == "incomplete"
    world.advance(1)
    assert world.client.v1.subscriptions.retrieve(sub.id).status == "incomplete_expired"
    assert world.invoice(first.id).status == "void"
    world.advance(40 * DAY)
    expired = world.client.v1.subscriptions.retrieve(sub.id)
    assert (expired.status, expired.latest_invoice) == ("incomplete_expired", first.id), "no further invoices"


def test_a_first_invoice_paid_in_time_activates_the_subscription(world: World) -> None:
    """Stripe: "Subscriptions transition to status=active when successfully confirming the PaymentIntent
    on the first invoice" (https://docs.stripe.com/api/subscriptions/create#create_subscription-payment_behavior)."""
    sub = world.subscribe(1000, payment_behavior="default_incomplete")
    world.advance(22 * HOUR)
    world.client.v1.invoices.pay(str(sub.latest_invoice))
    world.advance(2 * HOUR)
    assert world.client.v1.subscriptions.retrieve(sub.id).status == "active"


# -- 3. money on cancellation -------------------------------------------------------------------
# https://docs.stripe.com/api/subscriptions/cancel


def test_cancel_with_prorate_and_invoice_now_credits_the_unused_time_on_a_final_invoice(world: World) -> None:
    """``prorate`` "will generate a proration invoice item that credits remaining unused time until
    the subscription period end"; ``invoice_now`` "will generate a final invoice that invoices for
    any un-invoiced metered usage and new/pending proration invoice items". A negative total goes
    to the customer's credit balance (https://docs.stripe.com/billing/customer/balance)."""
    sub = world.subscribe(1000)
    world.advance(HALF)
    canceled = world.client.v1.subscriptions.cancel(sub.id, {"prorate": True, "invoice_now": True})
    assert canceled.status == "canceled"
    final = world.invoice(canceled.latest_invoice)
    assert final.id != sub.latest_invoice
    assert [line.amount for line in final.lines.data] == [-500]
    assert (final.total, final.amount_due, final.status) == (-500, 0, "paid")
    assert world.client.v1.customers.retrieve(world.customer).balance == -500


def test_cancel_with_invoice_now_bills_the_pending_prorations(world: World) -> None:
    sub = world.subscribe(1000)
    world.advance(HALF)
    world.switch(sub, 3000)  # create_prorations: -500 and +1500 wait for the next invoice
    canceled = world.client.v1.subscriptions.cancel(sub.id, {"invoice_now": True})
    final = world.invoice(canceled.latest_invoice)
    assert sorted(line.amount for line in final.lines.data) == [-500, 1500]
    assert (final.amount_paid, final.status) == (1000, "paid")


def test_cancel_by_default_bills_nothing_and_drops_the_pending_prorations(world: World) -> None:
    """Stripe: "If the subscription is set to cancel immediately, pending prorations are removed if
    invoice_now and prorate are both set to false"."""
    sub = world.subscribe(1000)
    world.advance(HALF)
    world.switch(sub, 3000)
    canceled = world.client.v1.subscriptions.cancel(sub.id)
    assert canceled.latest_invoice == sub.latest_invoice, "no final invoice"
    world.advance(40 * DAY)
    invoices = world.client.v1.invoices.list({"customer": world.customer}).data
    assert [i.id for i in invoices] == [sub.latest_invoice]
    assert world.client.v1.customers.retrieve(world.customer).balance == 0


def test_cancel_at_period_end_collects_the_pending_prorations_at_the_end(world: World) -> None:
    """Stripe: "If you've set the subscription to cancel at the end of the period, any pending prorations
    are also left in place and collected at the end of the period"."""
    sub = world.subscribe(1000)
    world.advance(HALF)
    world.switch(sub, 3000, cancel_at_period_end=True)
    world.advance(HALF - 1)
    assert world.client.v1.subscriptions.retrieve(sub.id).status == "active"
    world.advance(1)
    ended = world.client.v1.subscriptions.retrieve(sub.id)
    assert ended.status == "canceled"
    final = world.invoice(ended.latest_invoice)
    assert sorted(line.amount for line in final.lines.data) == [-500, 1500]
    assert final.amount_paid == 1000
    assert not any(line.amount == 3000 for line in final.lines.data), "no renewal"


def test_a_canceled_subscription_refuses_cancel_at_period_end(world: World) -> None:
    """Stripe: "After it's canceled, you can no longer update the subscription or its metadata"; Stripe
    answers "A canceled subscription can only update its cancellation_details and metadata."."""
    sub = world.subscribe(1000)
    world.client.v1.subscriptions.cancel(sub.id)
    with pytest.raises(stripe.InvalidRequestError, match="A canceled subscription can only update"):
        world.client.v1.subscriptions.update(sub.id, {"cancel_at_period_end": False})
    assert world.client.v1.subscriptions.retrieve(sub.id).status == "canceled"


def test_cancel_stops_automatic_collection_of_open_invoices(stripe_client: stripe.StripeClient) -> None:
    """Stripe: "By default, upon subscription cancellation, Stripe stops automatic collection of all
    finalized invoices for the customer"."""
    world = World.build(stripe_client, card="pm_card_chargeDeclined")
    sub = world.subscribe(1000)
    invoice = world.invoice(sub.latest_invoice)
    assert (invoice.status, invoice.auto_advance) == ("open", True)
    world.client.v1.subscriptions.cancel(sub.id)
    assert world.invoice(invoice.id).auto_advance is False


# -- 5. pagination ------------------------------------------------------------------------------
# https://docs.stripe.com/api/pagination: limit "ranging between 1 and 100" (default 10);
# starting_after "returns objects listed after the named object", ending_before "returns objects
# listed before the named object"; "these parameters are mutually exclusive"; objects "in reverse
# chronological order" (https://docs.stripe.com/pagination).


@pytest.fixture
def five_products(stripe_client: stripe.StripeClient) -> list[str]:
    """Product ids, newest first (the order every list uses)."""
    made = [stripe_client.v1.products.create({"name": f"p{n}"}).id for n in range(5)]
    return made[::-1]


def test_lists_page_forwards_and_backwards(
    stripe_client: stripe.StripeClient, five_products: list[str]
) -> None:
    products = stripe_client.v1.products
    first = products.list({"limit": 2})
    assert ([p.id for p in first.data], first.has_more) == (five_products[:2], True)
    second = products.list({"limit": 2, "starting_after": first.data[-1].id})
    assert ([p.id for p in second.data], second.has_more) == (five_products[2:4], True)
    last = products.list({"limit": 2, "starting_after": second.data[-1].id})
    assert ([p.id for p in last.data], last.has_more) == (five_products[4:], False)
    back = products.list({"limit": 2, "ending_before": last.data[0].id})
    assert ([p.id for p in back.data], back.has_more) == (five_products[2:4], True)
    start = products.list({"limit": 2, "ending_before": back.data[0].id})
    assert ([p.id for p in start.data], start.has_more) == (five_products[:2], False)
    assert len(products.list().data) == 5, "default limit 10"


def test_auto_paging_walks_both_directions(
    stripe_client: stripe.StripeClient, five_products: list[str]
) -> None:
    """The SDK's auto-pagination (https://docs.stripe.com/pagination#auto-pagination) follows
    starting_after forwards and ending_before backwards."""
    products = stripe_client.v1.products
    assert [p.id for p in products.list({"limit": 2}).auto_paging_iter()] == five_products
    backwards = products.list({"limit": 2, "ending_before": five_products[-1]}).auto_paging_iter()
    assert [p.id for p in backwards] == five_products[:-1][::-1]


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 101}, {"starting_after": "x", "ending_before": "y"}]
)
def test_lists_refuse_a_limit_out_of_bounds_and_both_cursors(
    stripe_client: stripe.StripeClient, params: dict[str, object]
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.products.list(params)  # type: ignore[arg-type]
    assert refused.value.param in ("limit", "starting_after")
    assert len(stripe_client.v1.products.list({"limit": 100}).data) == 0


# -- 4. invoice items ---------------------------------------------------------------------------
# https://docs.stripe.com/api/invoiceitems/create: "If no invoice is specified, the item will be on
# the next invoice created for the customer specified"; ``invoice``: "the invoice item will be added
# to the specified invoice" (a draft); https://docs.stripe.com/api/invoiceitems/delete: "Deleting
# invoice items is only possible when they're not attached to invoices, or if it's attached to a
# draft invoice."


def _invoice_item(world: World, amount: int = 250, **params: object) -> stripe.InvoiceItem:
    return world.client.v1.invoice_items.create(
        {"customer": world.customer, "amount": amount, "currency": "usd", "description": "Setup", **params}  # type: ignore[typeddict-item]
    )


def _pending(world: World) -> list[str]:
    listed = world.client.v1.invoice_items.list({"customer": world.customer, "pending": True})
    return [item.id for item in listed.data]


def test_a_pending_invoice_item_goes_on_the_renewal(world: World) -> None:
    sub = world.subscribe(1000)
    item = _invoice_item(world)
    assert _pending(world) == [item.id]
    world.advance(30 * DAY + HOUR)  # the renewal, and its draft hour
    renewal = world.invoice(world.client.v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert renewal.billing_reason == "subscription_cycle"
    assert sorted(line.amount for line in renewal.lines.data) == [250, 1000]
    assert (renewal.amount_paid, renewal.status) == (1250, "paid")
    assert world.client.v1.invoice_items.retrieve(item.id).invoice == renewal.id
    assert _pending(world) == []


def test_a_pending_invoice_item_goes_on_the_next_proration_invoice(world: World) -> None:
    sub = world.subscribe(1000)
    _invoice_item(world)
    world.advance(HALF)
    updated = world.switch(sub, 3000, proration_behavior="always_invoice")
    invoice = world.invoice(updated.latest_invoice)
    assert sorted(line.amount for line in invoice.lines.data) == [-500, 250, 1500]
    assert invoice.amount_paid == 1250
    assert _pending(world) == []


def test_an_invoice_item_can_go_on_a_draft_but_not_a_finalized_invoice(world: World) -> None:
    sub = world.subscribe(1000)
    with pytest.raises(stripe.InvalidRequestError):
        _invoice_item(world, invoice=str(sub.latest_invoice))  # the first invoice is paid
    world.advance(30 * DAY)
    draft = world.invoice(world.client.v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert draft.status == "draft"
    item = _invoice_item(world, amount=400, invoice=draft.id)
    assert item.invoice == draft.id
    assert world.invoice(draft.id).amount_due == 1400
    world.advance(HOUR)
    assert (world.invoice(draft.id).status, world.invoice(draft.id).amount_paid) == ("paid", 1400)


def test_invoice_items_are_deleted_while_pending_or_on_a_draft_only(world: World) -> None:
    sub = world.subscribe(1000)
    pending = _invoice_item(world)
    assert world.client.v1.invoice_items.delete(pending.id).deleted is True
    with pytest.raises(stripe.InvalidRequestError):
        world.client.v1.invoice_items.retrieve(pending.id)
    world.advance(30 * DAY)
    draft = world.invoice(world.client.v1.subscriptions.retrieve(sub.id).latest_invoice)
    on_draft = _invoice_item(world, amount=400, invoice=draft.id)
    world.client.v1.invoice_items.delete(on_draft.id)
    assert world.invoice(draft.id).amount_due == 1000
    kept = _invoice_item(world, amount=300)
    world.advance(31 * DAY + HOUR)  # May has 31 days: the June renewal, and its hour
    assert world.client.v1.invoice_items.retrieve(kept.id).invoice is not None
    with pytest.raises(stripe.InvalidRequestError):
        world.client.v1.invoice_items.delete(kept.id)


def test_cancel_with_prorate_only_leaves_the_credit_pending(world: World) -> None:
    """https://docs.stripe.com/api/subscriptions/cancel: ``prorate`` "will generate a proration
    invoice item"; without ``invoice_now`` it is not invoiced now."""
    sub = world.subscribe(1000)
    world.advance(HALF)
    canceled = world.client.v1.subscriptions.cancel(sub.id, {"prorate": True})
    assert canceled.latest_invoice == sub.latest_invoice
    pending = world.client.v1.invoice_items.list({"customer": world.customer, "pending": True}).data
    assert [(item.amount, item.proration) for item in pending] == [(-500, True)]


# -- 6. minimum charge amounts ------------------------------------------------------------------
# https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts (USD 0.50, GBP 0.30,
# JPY 50, ...); https://docs.stripe.com/error-codes#amount-too-small.


@pytest.mark.parametrize(("currency", "minimum"), [("usd", 50), ("gbp", 30), ("jpy", 50), ("eur", 50)])
def test_a_payment_intent_below_the_minimum_is_refused(
    stripe_client: stripe.StripeClient, currency: str, minimum: int
) -> None:
    intents = stripe_client.v1.payment_intents
    with pytest.raises(stripe.InvalidRequestError) as refused:
        intents.create({"amount": minimum - 1, "currency": currency})
    assert (refused.value.code, refused.value.param) == ("amount_too_small", "amount")
    paid = intents.create(
        {"amount": minimum, "currency": currency, "payment_method": "pm_card_visa", "confirm": True}
    )
    assert (paid.status, paid.amount_received) == ("succeeded", minimum)


def test_an_invoice_below_the_minimum_is_marked_paid_and_carried_to_the_next(
    stripe_client: stripe.StripeClient,
) -> None:
    """https://docs.stripe.com/api/invoices: "If the amount due for the invoice is less than
    Stripe's minimum allowed charge per currency, the invoice is automatically marked paid, and we
    add the amount due to the customer's credit balance which is applied to the next invoice";
    https://docs.stripe.com/billing/customer/balance: "the amount owed moved to the invoice
    balance as a debit" (transaction type ``invoice_too_small``)."""
    world = World.build(stripe_client, amounts=(1000, 1060))
    sub = world.subscribe(1000)
    world.advance(HALF)
    updated = world.switch(sub, 1060, proration_behavior="always_invoice")
    small = world.invoice(updated.latest_invoice)
    assert (small.amount_due, small.amount_paid, small.status) == (30, 0, "paid"), "-500 + 530"
    assert world.client.v1.customers.retrieve(world.customer).balance == 30
    transactions = world.client.v1.customers.balance_transactions.list(world.customer).data
    assert [(t.type, t.amount, t.invoice) for t in transactions] == [("invoice_too_small", 30, small.id)]
    world.advance(HALF + HOUR)
    renewal = world.invoice(world.client.v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert (renewal.starting_balance, renewal.amount_due, renewal.amount_paid) == (30, 1090, 1090)
    assert world.client.v1.customers.retrieve(world.customer).balance == 0


# -- schedule cancel ------------------------------------------------------------------------------
# https://docs.stripe.com/api/subscription_schedules/cancel: "invoice_now ... Defaults to true",
# "prorate ... Defaults to true" (a subscription's own cancel defaults both to false).


def test_canceling_a_schedule_credits_the_unused_time_by_default(world: World) -> None:
    sub = world.subscribe(1000)
    schedule = world.client.v1.subscription_schedules.create({"from_subscription": sub.id})
    world.advance(HALF)
    canceled = world.client.v1.subscription_schedules.cancel(schedule.id)
    assert canceled.status == "canceled"
    ended = world.client.v1.subscriptions.retrieve(sub.id)
    assert ended.status == "canceled"
    final = world.invoice(ended.latest_invoice)
    assert final.id != sub.latest_invoice
    assert [line.amount for line in final.lines.data] == [-500]
    assert world.client.v1.customers.retrieve(world.customer).balance == -500


def test_canceling_a_schedule_without_prorating_bills_nothing(world: World) -> None:
    sub = world.subscribe(1000)
    schedule = world.client.v1.subscription_schedules.create({"from_subscription": sub.id})
    world.advance(HALF)
    world.client.v1.subscription_schedules.cancel(schedule.id, {"prorate": False, "invoice_now": False})
    ended = world.client.v1.subscriptions.retrieve(sub.id)
    assert (ended.status, ended.latest_invoice) == ("canceled", sub.latest_invoice)
    assert world.client.v1.customers.retrieve(world.customer).balance == 0


# -- 7. test clocks -----------------------------------------------------------------------------
# https://docs.stripe.com/api/test_clocks/advance: "Starts advancing a test clock to a specified
# time in the future. Advancement is done when status changes to Ready"; ``frozen_time`` "Must be
# after the test clock's current frozen time. Cannot be more than two intervals in the future from
# the shortest subscription in this test clock. If there are no subscriptions in this test clock,
# it cannot be more than two years in the future." Events: test_helpers.test_clock.advancing and
# .ready (https://docs.stripe.com/api/events/types).

JUNE_1 = START + 61 * DAY
"""Two monthly intervals after 2026-04-01."""
TWO_YEARS = START + 731 * DAY
"""2028-04-01 (2028 is a leap year)."""


def test_an_advance_answers_advancing_then_the_clock_is_ready(world: World) -> None:
    clocks = world.client.v1.test_helpers.test_clocks
    world.subscribe(1000)
    answer = clocks.advance(world.clock, {"frozen_time": START + DAY})
    assert (answer.status, answer.frozen_time) == ("advancing", START)
    assert answer.status_details.advancing is not None
    assert answer.status_details.advancing.target_frozen_time == START + DAY
    ready = clocks.retrieve(world.clock)
    assert (ready.status, ready.frozen_time, ready.status_details.advancing) == ("ready", START + DAY, None)
    events = world.client.v1.events.list({"limit": 100}).data
    times = {e.type: e.created for e in events if e.type.startswith("test_helpers.test_clock.")}
    assert times["test_helpers.test_clock.advancing"] == START, "sent when the advance starts"
    assert times["test_helpers.test_clock.ready"] == START + DAY, "sent when it is done"


@pytest.mark.parametrize("to", [START, START - 1])
def test_a_clock_only_moves_forward(world: World, to: int) -> None:
    with pytest.raises(stripe.InvalidRequestError) as refused:
        world.client.v1.test_helpers.test_clocks.advance(world.clock, {"frozen_time": to})
    assert refused.value.param == "frozen_time"


def test_a_clock_advances_at_most_two_intervals_of_its_shortest_subscription(world: World) -> None:
    clocks = world.client.v1.test_helpers.test_clocks
    world.subscribe(1000)
    with pytest.raises(stripe.InvalidRequestError):
        clocks.advance(world.clock, {"frozen_time": JUNE_1 + 1})
    assert clocks.retrieve(world.clock).frozen_time == START, "refused: nothing ran"
    clocks.advance(world.clock, {"frozen_time": JUNE_1})
    assert clocks.retrieve(world.clock).frozen_time == JUNE_1


def test_a_clock_without_subscriptions_advances_at_most_two_years(world: World) -> None:
    clocks = world.client.v1.test_helpers.test_clocks
    with pytest.raises(stripe.InvalidRequestError):
        clocks.advance(world.clock, {"frozen_time": TWO_YEARS + 1})
    clocks.advance(world.clock, {"frozen_time": TWO_YEARS})
    assert clocks.retrieve(world.clock).frozen_time == TWO_YEARS
