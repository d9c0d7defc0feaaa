"""docs/plugins.md: the mapping example builds valid objects, and the summary lines are real."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prorata import ChangePreview, Invoice, PlanChange, Subscription

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")


def _mapping_example() -> dict[str, Any]:
    section = PAGE.split("### Building the objects you return", 1)[1]
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)[:1]
    namespace: dict[str, Any] = {}
    exec(compile(code, "docs/plugins.md", "exec"), namespace)
    return namespace


START, END, MID = 1_767_225_600, 1_769_904_000, 1_768_564_800  # 2026-01-01, 02-01, 01-16 12:00

SUBSCRIPTION = {
    "id": "sub_1",
    "customer": "cus_1",
    "status": "active",
    "items": [{"id": "si_1", "plan": "plan_1", "quantity": 1}],
    "currency": "usd",
    "period_start": START,
    "period_end": END,
    "anchor": START,
    "cancel_at_period_end": False,
}
INVOICE = {
    "id": "in_1",
    "status": "paid",
    "created": MID,
    "lines": [
        {
            "description": "Unused Basic",
            "amount": -500,
            "currency": "USD",
            "plan": "plan_1",
            "quantity": 1,
            "start": MID,
            "end": END,
        },
        {
            "description": "Remaining Pro",
            "amount": 1000,
            "currency": "USD",
            "plan": "plan_2",
            "quantity": 1,
            "start": MID,
            "end": END,
        },
    ],
}


def test_the_mapping_example_builds_a_subscription_an_invoice_and_a_preview() -> None:
    example = _mapping_example()
    subscription = example["subscription_from"](SUBSCRIPTION)
    assert isinstance(subscription, Subscription)
    assert [(item.plan, item.quantity) for item in subscription.items] == [("basic", 1)]
    invoice = example["invoice_from"](INVOICE, subscription)
    assert isinstance(invoice, Invoice)
    assert invoice.totals.total.amount == 500
    assert invoice.totals.amount_due.amount == 500
    change = PlanChange.swap("basic", "pro")
    target = change.target_items(subscription.items)
    priced_at = datetime.fromtimestamp(MID, tz=UTC)
    preview = example["preview_from"](INVOICE, subscription, change, target, priced_at)
    assert isinstance(preview, ChangePreview)
    assert preview.amount_due_now.amount == 500
    assert preview.next_invoice is not None
    assert preview.next_invoice.totals.total.amount == 2000  # a month of Pro


def test_the_summary_lines_are_per_composition() -> None:
    lines = re.findall(r"^prorata contract \[(\w+)\] (\w+): \d+ passed, 0 failed, \d+ skipped$", PAGE, re.M)
    assert lines == [
        ("local", "TestLocalContract"),
        ("stripe", "TestStripeContract"),
        ("dodo", "TestDodoContract"),
    ]


def test_the_emulator_fixture_the_compositions_use_is_defined() -> None:
    assert "def acme_emulator(" in PAGE
    assert PAGE.index("def acme_emulator(") < PAGE.index("def billing(self, acme_emulator)")
