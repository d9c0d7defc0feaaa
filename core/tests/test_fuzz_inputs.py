"""Hypothesis fuzz of what host apps pass in: plan changes, money, configuration dicts and TOML.

Whatever the input, the answer is a value or a typed ``BillingError``: never another exception,
and never a provider request before the input is refused.
"""

from __future__ import annotations

import contextlib
import tomllib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import prorata
from prorata import Money, PlanChange
from prorata.errors import BillingError

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["basic", "pro", "prorate_now", "reset", "keep", "month", "USD", "10.00", "-1"]),
)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def _typed_or_value(action: Any) -> None:
    with contextlib.suppress(BillingError):
        action()


@settings(max_examples=300, deadline=None)
@given(
    factory=st.sampled_from(["swap", "add", "remove", "set_quantity"]),
    args=st.lists(_scalars, min_size=2, max_size=2),
    options=st.dictionaries(
        st.sampled_from(["proration", "billing_cycle", "on_payment_failure", "timing"]),
        _scalars,
        max_size=3,
    ),
)
def test_plan_change_constructors(factory: str, args: list[Any], options: dict[str, Any]) -> None:
    arity = {"swap": 2, "add": 2, "remove": 1, "set_quantity": 2}[factory]  # wrong arity is a TypeError
    _typed_or_value(lambda: getattr(PlanChange, factory)(*args[:arity], **options))


@settings(max_examples=300, deadline=None)
@given(amount=_scalars, currency=_scalars)
def test_money_from_anything(amount: Any, currency: Any) -> None:
    _typed_or_value(lambda: Money(amount=amount, currency=currency))
    if isinstance(amount, str) and isinstance(currency, str):
        _typed_or_value(lambda: Money.parse(amount, currency))


@settings(max_examples=300, deadline=None)
@given(
    config=st.fixed_dictionaries(
        {},
        optional={
            "provider": _json,
            "providers": _json,
            "plans": st.dictionaries(st.text(max_size=8), _json, max_size=3),
            "journal": _json,
        },
    )
)
def test_config_dicts(config: dict[str, Any]) -> None:
    _typed_or_value(lambda: prorata.load_config(config, environ={}))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_config_toml_text(text: str) -> None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    _typed_or_value(lambda: prorata.load_config(data, environ={}))
