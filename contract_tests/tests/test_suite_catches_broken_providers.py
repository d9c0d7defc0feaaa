"""The suite itself: it fails broken providers and passes the correct local provider.

Each run composes the local contract class of test_local_contract.py (with its declared
known gaps), optionally wrapping the local provider in one of broken_providers.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

HERE = Path(__file__).parent

COMPOSITION = """
import pytest
from prorata import Billing

import local_contract
from broken_providers import wrap
from prorata_contract import contract_plans_config

BROKEN = {broken!r}


class TestContract(local_contract.TestLocalContract):
    @pytest.fixture
    def billing(self):
        config = {{
            "provider": "local",
            "providers": {{"local": {{"database": ":memory:", "start": local_contract.START}}}},
            "plans": contract_plans_config(),
        }}
        with Billing.from_config(config) as local:
            provider = local.provider if BROKEN is None else wrap(BROKEN, local.provider)
            yield Billing(provider=provider, catalog=local.catalog)
"""

SUMMARY = re.compile(r"prorata contract \[local\] \w+: (\d+) passed, (\d+) failed, (\d+) skipped")


def _run(pytester: pytest.Pytester, broken: str | None) -> tuple[pytest.RunResult, tuple[int, int, int]]:
    pytester.makepyfile(broken_providers=(HERE / "broken_providers.py").read_text())
    pytester.makepyfile(local_contract=(HERE / "test_local_contract.py").read_text())
    pytester.makepyfile(test_contract=COMPOSITION.format(broken=broken))
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q")
    match = SUMMARY.search(result.stdout.str())
    assert match is not None, result.stdout.str()[-2000:]
    passed, failed, skipped = (int(group) for group in match.groups())
    return result, (passed, failed, skipped)


def test_correct_local_provider_passes(pytester: pytest.Pytester) -> None:
    result, (passed, failed, skipped) = _run(pytester, None)
    outcomes = result.parseoutcomes()
    assert failed == 0
    assert result.ret == 0
    assert passed == outcomes["passed"]
    assert skipped == outcomes["skipped"]
    assert passed > 100


@pytest.mark.parametrize(
    ("broken", "must_fail"),
    [
        pytest.param(
            "ignores_proration",
            [
                "test_preview_lines_and_totals[[]prorate_now-keep-immediately-upgrade[]]",
                "test_charge_equals_preview[[]prorate_now-keep[]]",
            ],
            id="ignores-proration",
        ),
        pytest.param(
            "applies_twice",
            ["test_same_key_twice_changes_nothing", "test_retried_apply_of_a_preview_charges_once"],
            id="applies-twice",
        ),
        pytest.param(
            "drops_other_items",
            [
                "test_add_addon_leaves_base",
                "test_swap_base_keeps_addons",
                "test_change_quantity_leaves_others",
            ],
            id="drops-other-items",
        ),
        pytest.param(
            "applies_declined_changes",
            ["test_declined_upgrade_keeps_the_old_plan"],
            id="applies-declined-changes",
        ),
        pytest.param(
            "drops_declined_changes",
            [
                "test_declined_upgrade_with_apply_change_goes_past_due",
                "test_past_due_refuses_item_changes_before_any_call[[]swap[]]",
            ],
            id="drops-declined-changes",
        ),
    ],
)
def test_broken_provider_fails_the_suite(
    pytester: pytest.Pytester, broken: str, must_fail: list[str]
) -> None:
    result, (passed, failed, _) = _run(pytester, broken)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert failed > 0
    assert failed == result.parseoutcomes()["failed"]
    assert passed == result.parseoutcomes()["passed"]
    result.stdout.fnmatch_lines_random([f"FAILED *::TestContract::{name}*" for name in must_fail])
