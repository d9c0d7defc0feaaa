"""Local engine at scale: schema versions and migration, indexed queries, paged listing, batched advance."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from prorata import Item, SubscriptionStatus
from prorata._listing import InvoiceQuery, Pages, SubscriptionQuery
from prorata.errors import ValidationError
from prorata.local import LocalProvider
from prorata.local._engine import ADVANCE_BATCH
from prorata.local._store import SCHEMA_V1, SCHEMA_VERSION
from prorata.provider import NewCustomer, NewSubscription

from .conftest import START, make_catalog


def _provider(path: Path | str = ":memory:") -> LocalProvider:
    return LocalProvider(make_catalog(), database=path, start=START)


def _populate(provider: LocalProvider, count: int, plan: str = "basic") -> list[str]:
    customers = provider.create_customers([NewCustomer(email=f"u{i}@example.com") for i in range(count)])
    subs = provider.create_subscriptions(
        [NewSubscription(customer_id=customer.id, items=[Item(plan=plan)]) for customer in customers]
    )
    return [sub.id for sub in subs]


def _query_plan(path: Path, sql: str) -> str:
    with sqlite3.connect(path) as conn:
        return " ".join(str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))


def test_an_old_database_upgrades_on_open_and_keeps_its_rows(tmp_path: Path) -> None:
    source = _provider(tmp_path / "source.sqlite3")
    ids = _populate(source, 3)
    source.close()
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:  # a file as the first release wrote it: no user_version
        conn.executescript(SCHEMA_V1)
        conn.execute("ATTACH DATABASE ? AS source", (str(tmp_path / "source.sqlite3"),))
        for table in ("meta", "customers", "invoices", "idempotency"):
            conn.execute(f"INSERT INTO {table} SELECT * FROM source.{table}")
        conn.execute(
            "INSERT INTO subscriptions(id, customer_id, state, next_event_at) "
            "SELECT id, customer_id, state, next_event_at FROM source.subscriptions"
        )
        conn.commit()
        conn.execute("DETACH DATABASE source")
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        assert "status" not in [row[1] for row in conn.execute("PRAGMA table_info(subscriptions)")]

    upgraded = _provider(path)
    assert upgraded.store.schema_version() == SCHEMA_VERSION
    page = upgraded.subscriptions_page(
        SubscriptionQuery(statuses=[SubscriptionStatus.ACTIVE], plans=["basic"])
    )
    assert [sub.id for sub in page.items] == ids
    assert upgraded.subscriptions_page(SubscriptionQuery(plans=["pro"])).items == ()
    upgraded.time_control().advance(START + timedelta(days=40))  # the due index drives renewals
    assert all(len(upgraded.list_invoices(i)) == 2 for i in ids)
    upgraded.close()
    again = _provider(path)  # opening again is a no-op
    assert again.store.schema_version() == SCHEMA_VERSION
    assert [sub.id for sub in again.subscriptions_page(SubscriptionQuery(plans=["basic"])).items] == ids


def test_hot_queries_read_an_index_and_never_sort(tmp_path: Path) -> None:
    path = tmp_path / "plans.sqlite3"
    _provider(path).close()
    due = _query_plan(
        path,
        "SELECT id, next_event_at FROM subscriptions WHERE next_event_at IS NOT NULL AND next_event_at <= 5 "
        "ORDER BY next_event_at, id LIMIT 500",
    )
    assert "subscriptions_due" in due
    assert "TEMP B-TREE" not in due
    by_customer = _query_plan(path, "SELECT state FROM subscriptions WHERE customer_id = 'c' ORDER BY id")
    assert "subscriptions_customer" in by_customer
    assert "TEMP B-TREE" not in by_customer
    by_plan = _query_plan(path, "SELECT subscription_id FROM subscription_plans WHERE plan = 'p'")
    assert "subscription_plans_plan" in by_plan
    invoices = _query_plan(path, "SELECT data FROM invoices WHERE customer_id = 'c' ORDER BY seq")
    assert "invoices_customer" in invoices
    assert "TEMP B-TREE" not in invoices


def test_pages_walk_every_match_once_with_filters() -> None:
    provider = _provider()
    basic = _populate(provider, 7, "basic")
    pro = _populate(provider, 5, "pro")
    walked = Pages(lambda cursor: provider.subscriptions_page(SubscriptionQuery(page_size=3, cursor=cursor)))
    assert [sub.id for sub in walked] == sorted(basic + pro)
    assert sum(1 for _ in walked.pages()) == 4
    only_pro = Pages(
        lambda cursor: provider.subscriptions_page(SubscriptionQuery(plans="pro", page_size=2, cursor=cursor))
    )
    assert [sub.id for sub in only_pro] == pro
    one = provider.subscriptions_page(
        SubscriptionQuery(customer_id=provider.get_subscription(pro[0]).customer_id)
    )
    assert [sub.id for sub in one.items] == [pro[0]]
    assert one.next_cursor is None
    provider.cancel_now(basic[0], idempotency_key="k")
    canceled = provider.subscriptions_page(SubscriptionQuery(statuses=["canceled"]))
    assert [sub.id for sub in canceled.items] == [basic[0]]
    with pytest.raises(ValidationError):
        SubscriptionQuery(page_size=101)


def test_invoice_pages_by_subscription_and_customer() -> None:
    provider = _provider()
    [sub_id] = _populate(provider, 1)
    provider.time_control().advance(START + timedelta(days=95))
    customer_id = provider.get_subscription(sub_id).customer_id
    by_sub = Pages(
        lambda cursor: provider.invoices_page(
            InvoiceQuery(subscription_id=sub_id, page_size=2, cursor=cursor)
        )
    )
    by_customer = Pages(
        lambda cursor: provider.invoices_page(
            InvoiceQuery(customer_id=customer_id, page_size=3, cursor=cursor)
        )
    )
    assert (
        [i.id for i in by_sub]
        == [i.id for i in by_customer]
        == [i.id for i in provider.list_invoices(sub_id)]
    )
    assert len(list(by_sub)) == 4  # first invoice + three renewals


def test_batched_advance_renews_every_tied_subscription_once_and_in_order() -> None:
    provider = _provider()
    ids = _populate(provider, ADVANCE_BATCH + 7)  # more than one batch, every one due at one instant
    provider.time_control().advance(START + timedelta(days=70))  # two renewals each
    invoices = list(Pages(lambda cursor: provider.invoices_page(InvoiceQuery(cursor=cursor))))
    renewals = [invoice for invoice in invoices if invoice.reason == "subscription_cycle"]
    assert len(renewals) == 2 * len(ids)
    # One-at-a-time order: every first renewal before any second, ties by subscription id.
    assert [invoice.subscription_id for invoice in renewals] == ids + ids
    assert [invoice.created for invoice in renewals] == sorted(invoice.created for invoice in renewals)
    assert provider.time_control().now() == START + timedelta(days=70)


def test_bulk_creation_bills_like_one_by_one() -> None:
    bulk, single = _provider(), _provider()
    [bulk_id] = _populate(bulk, 1, "pro")
    customer = single.create_customer(NewCustomer(email="u0@example.com"), idempotency_key="c")
    one = single.create_subscription(
        NewSubscription(customer_id=customer.id, items=[Item(plan="pro")]), idempotency_key="s"
    )
    assert bulk.get_subscription(bulk_id) == one
    assert bulk.list_invoices(bulk_id) == single.list_invoices(one.id)
