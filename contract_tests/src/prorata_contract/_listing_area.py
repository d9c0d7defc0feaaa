"""Listing: lazy, paged, filtered subscriptions and invoices on every provider."""

from __future__ import annotations

from prorata import Item, PlanChange
from prorata.provider import SubscriptionStatus
from prorata_contract._fixtures import ContractFixtures
from prorata_contract._guard import standard
from prorata_contract._harness import Contract
from prorata_contract._requirements import requires

__all__ = ["ListingTests"]


@standard("listing")
class ListingTests(ContractFixtures):
    """``Billing.subscriptions(...)`` and ``Billing.invoices(...)`` walk every page, filters combine."""

    def test_pages_of_one_customer_hold_each_subscription_once(self, contract: Contract) -> None:
        customer = contract.customer()
        made = [contract.subscribe(plan, customer=customer).id for plan in ("pro", "basic", "premium")]
        listed = [sub.id for sub in contract.billing.subscriptions(customer_id=customer.id, page_size=2)]
        assert sorted(listed) == sorted(made)
        pages = list(contract.billing.subscriptions(customer_id=customer.id, page_size=2).pages())
        assert pages[-1].next_cursor is None
        assert sum(len(page.items) for page in pages) == 3

    def test_filters_by_plan_and_status(self, contract: Contract) -> None:
        customer = contract.customer()
        pro = contract.subscribe("pro", customer=customer)
        basic = contract.subscribe("basic", customer=customer)
        by_plan = contract.billing.subscriptions(customer_id=customer.id, plan="pro")
        assert [sub.id for sub in by_plan] == [pro.id]
        contract.billing.cancel_now(basic.id)
        active = contract.billing.subscriptions(customer_id=customer.id, status=SubscriptionStatus.ACTIVE)
        assert [sub.id for sub in active] == [pro.id]
        canceled = contract.billing.subscriptions(customer_id=customer.id, status="canceled")
        assert [sub.id for sub in canceled] == [basic.id]
        both = contract.billing.subscriptions(customer_id=customer.id, status=["active", "canceled"])
        assert sorted(sub.id for sub in both) == sorted([pro.id, basic.id])

    def test_listed_subscription_equals_the_retrieved_one(self, contract: Contract) -> None:
        made = contract.subscribe("pro")
        (listed,) = contract.billing.subscriptions(customer_id=made.customer_id)
        fetched = contract.get(made.id)
        assert listed.plan_quantities == fetched.plan_quantities
        assert listed.status is fetched.status
        assert (listed.current_period_start, listed.current_period_end) == (
            fetched.current_period_start,
            fetched.current_period_end,
        )

    @requires(multi_item=True)
    def test_listed_add_ons_are_kept(self, contract: Contract) -> None:
        made = contract.subscribe([Item(plan="basic"), Item(plan="addon", quantity=2)])
        (listed,) = contract.billing.subscriptions(customer_id=made.customer_id)
        assert listed.plan_quantities == {"basic": 1, "addon": 2}

    def test_invoices_oldest_first_and_newest_first(self, contract: Contract) -> None:
        made = contract.subscribe("pro")
        contract.billing.apply(made, PlanChange.swap("pro", "premium"))
        oldest = [invoice.id for invoice in contract.billing.invoices(made.id, page_size=1)]
        newest = [
            invoice.id for invoice in contract.billing.invoices(made.id, newest_first=True, page_size=1)
        ]
        assert len(oldest) >= 2
        assert newest == list(reversed(oldest))
