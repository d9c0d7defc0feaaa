"""The pytest plugin: inert for other projects, guard, strict xfails, skips, per-provider summary."""

from __future__ import annotations

import pytest

from prorata_contract import ErrorTests, LifecycleTests, Requirement, WebhookTests, standard_tests

pytest_plugins = ["pytester"]

LOCAL = """
import itertools

import attrs
import pytest
from prorata import Billing, TimingKind

from prorata_contract import CountingProvider, contract_plans_config


def local_billing(name="local", **capabilities):
    config = {
        "provider": "local",
        "providers": {"local": {"database": ":memory:", "start": "2026-05-05T05:05:05Z"}},
        "plans": contract_plans_config(),
    }
    local = Billing.from_config(config)
    provider = CountingProvider(local.provider)
    provider.name = name
    provider.capabilities = attrs.evolve(provider.capabilities, **capabilities)
    return Billing(provider=provider, catalog=local.catalog)


class LocalFixtures:
    provider_name = "local"
    capabilities_override = {}

    @pytest.fixture
    def billing(self):
        return local_billing(self.provider_name, **self.capabilities_override)

    @pytest.fixture
    def time_control(self, billing):
        return billing.time_control()

    @pytest.fixture
    def customer_factory(self, billing):
        numbers = itertools.count()
        return lambda: billing.create_customer(f"c{next(numbers)}@example.test")
"""


def _run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(local_support=LOCAL)
    pytester.makepyfile(test_composed=source)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", "-rfsx", *args)


def test_unrelated_project_sees_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="def test_plain(request):\n    assert 'billing' not in request.fixturenames\n"
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--fixtures")
    assert "prorata_contract_gate" not in result.stdout.str()
    assert "customer_factory" not in result.stdout.str()
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "prorata contract" not in result.stdout.str()


def test_missing_fixtures_fail_with_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bare="""
from prorata_contract import LifecycleTests

class TestBare(LifecycleTests):
    pass
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-k", "test_cancel_now")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*must provide the `billing` fixture*"])


def test_silent_override_and_deletion_fail_the_guard(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
from local_support import LocalFixtures
from prorata_contract import ErrorTests

class TestQuiet(LocalFixtures, ErrorTests):
    def test_unknown_plan_refused_before_any_call(self):
        pass

    test_plan_not_held_refused_before_any_call = None
    contract_xfail = {"test_no_such_standard_test": "typo"}
""",
    )
    result.stdout.fnmatch_lines_random(
        [
            "*test_unknown_plan_refused_before_any_call (errors) is overridden without*",
            "*test_plan_not_held_refused_before_any_call (errors) was deleted*",
            "*contract_xfail names 'test_no_such_standard_test'*",
            "FAILED *TestQuiet::prorata_contract_guard*",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_explicit_override_and_xfail_are_accepted(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
import pytest
from local_support import LocalFixtures
from prorata_contract import ErrorTests, override

class TestExplicit(LocalFixtures, ErrorTests):
    @override(reason="this provider checks plans its own way")
    def test_unknown_plan_refused_before_any_call(self):
        assert True

    @pytest.mark.xfail(strict=True, reason="known gap")
    def test_plan_not_held_refused_before_any_call(self):
        raise AssertionError("known gap")
""",
        "-k",
        "refused_before_any_call and (unknown_plan or plan_not_held) or guard",
    )
    assert "prorata_contract_guard" not in result.stdout.str()
    assert result.parseoutcomes().get("failed", 0) == 0
    assert result.parseoutcomes()["xfailed"] == 1


def test_contract_xfail_is_strict(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
from local_support import LocalFixtures
from prorata_contract import ErrorTests

class TestXfail(LocalFixtures, ErrorTests):
    contract_xfail = {
        "test_unknown_subscription_not_found": "claims to fail but passes",
        "test_unknown_plan_refused_before_any_call": "claims to fail but passes",
    }
""",
        "-k",
        "not_found or unknown_plan",
    )
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*XPASS(strict)*claims to fail but passes*"])


def test_undeclared_capabilities_skip_with_the_reason(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
from prorata import TimingKind
from local_support import LocalFixtures
from prorata_contract import SchedulingTests

class TestImmediateOnly(LocalFixtures, SchedulingTests):
    capabilities_override = {"timings": {TimingKind.IMMEDIATELY}, "max_phases": 0}
""",
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0
    assert outcomes.get("passed", 0) == 0
    assert outcomes["skipped"] > 5
    result.stdout.fnmatch_lines(
        ["*does not declare: timing at_period_end*", "*does not declare: timing schedule*"]
    )


def _needs_time_control(func: object) -> bool:
    marks = getattr(func, "pytestmark", [])
    return any(isinstance(arg, Requirement) and arg.time_control for mark in marks for arg in mark.args)


def test_summary_counts_per_provider(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
from local_support import LocalFixtures
from prorata_contract import ErrorTests, LifecycleTests, WebhookTests

class TestAlpha(LocalFixtures, ErrorTests, WebhookTests):
    provider_name = "alpha"
    contract_xfail = {"test_unknown_subscription_not_found": "pretend gap"}

class TestLocal(LocalFixtures, LifecycleTests):
    capabilities_override = {"time_control": False}
""",
        "-k",
        "not earlier_period",
    )
    errors = len(standard_tests(ErrorTests)) - 1  # the stale-preview test is deselected below
    lifecycle = standard_tests(LifecycleTests)
    timed = sum(_needs_time_control(func) for _, func in lifecycle.values())
    assert timed >= 3
    webhooks = len(standard_tests(WebhookTests))  # no webhook_deliveries fixture: each one skipped
    result.stdout.fnmatch_lines(
        [
            f"prorata contract [[]alpha[]] TestAlpha: {errors - 1} passed, 1 failed, {webhooks} skipped",
            f"prorata contract [[]local[]] TestLocal: {len(lifecycle) - timed} passed, 0 failed, {timed} skipped",
        ]
    )


def test_two_compositions_of_one_provider_get_a_line_each(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
from local_support import LocalFixtures
from prorata_contract import ErrorTests, LifecycleTests

class TestLocalErrors(LocalFixtures, ErrorTests):
    pass

class TestLocalLifecycle(LocalFixtures, LifecycleTests):
    pass
""",
        "-k",
        "not earlier_period",
    )
    summary = [line for line in result.stdout.lines if line.startswith("prorata contract [")]
    assert [line.split(":")[0] for line in summary] == [
        "prorata contract [local] TestLocalErrors",
        "prorata contract [local] TestLocalLifecycle",
    ]
