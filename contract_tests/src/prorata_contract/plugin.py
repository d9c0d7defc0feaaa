"""The pytest plugin (entry point ``pytest11``): guard, strict xfails and the per-provider summary.

It acts only on test classes that compose the contract mixins; a project that never
imports them sees two registered markers and nothing else (no fixtures, no autouse).
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from prorata_contract._fixtures import ContractFixtures
from prorata_contract._guard import violations
from prorata_contract._report import CONTRACT_PROPERTY, PROVIDER_KEY, PROVIDER_PROPERTY, Tally
from prorata_contract._requirements import MARK_NAME

__all__ = ["ContractSession", "GuardItem"]


def _contract_class(node: pytest.Item | pytest.Collector) -> pytest.Class | None:
    """The composed contract class a node belongs to, if any."""
    current: pytest.Item | pytest.Collector | None = node
    while current is not None:
        if isinstance(current, pytest.Class):
            obj: object = current.obj
            return current if isinstance(obj, type) and issubclass(obj, ContractFixtures) else None
        current = current.parent
    return None


class GuardItem(pytest.Item):
    """A failing item standing for a contract class that dropped or overrode standard tests."""

    def __init__(self, *, problems: list[str], **kwargs: object) -> None:
        super().__init__(**kwargs)  # pyright: ignore[reportArgumentType, reportUnknownMemberType]
        self.problems = problems

    def runtest(self) -> None:
        listed = "\n  - ".join(self.problems)
        pytest.fail(
            f"prorata-contract guard: standard tests were changed silently:\n  - {listed}", pytrace=False
        )

    def reportinfo(self) -> tuple[str, int | None, str]:
        return str(self.path), None, f"{self.name} of {self.parent.name if self.parent else '?'}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARK_NAME}(requirement): capabilities a prorata contract test needs (prorata_contract.requires)",
    )
    config.addinivalue_line("markers", "prorata_contract: a standard prorata provider contract test")
    config.pluginmanager.register(ContractSession(), "prorata_contract_session")


class ContractSession:
    """Per-run state: the composed contract classes collected and the outcome tally."""

    def __init__(self) -> None:
        self.classes: dict[str, pytest.Class] = {}
        self.tally = Tally()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        for node in report.result:
            if isinstance(node, pytest.Class) and _contract_class(node) is node:
                self.classes[node.nodeid] = node

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            owner = _contract_class(item)
            if owner is None:
                continue
            item.add_marker(pytest.mark.prorata_contract)
            declared: dict[str, str] = getattr(owner.obj, "contract_xfail", {})
            reason = declared.get(item.name) or declared.get(getattr(item, "originalname", item.name))
            if reason:
                item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
        for node in self.classes.values():
            problems = violations(node.obj)
            if problems:
                items.append(GuardItem.from_parent(node, name="prorata_contract_guard", problems=problems))  # pyright: ignore[reportUnknownMemberType]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        owner = _contract_class(item)
        if owner is not None:
            report.user_properties.append((CONTRACT_PROPERTY, owner.nodeid))
            provider = item.stash.get(PROVIDER_KEY, None)
            if provider is not None:
                report.user_properties.append((PROVIDER_PROPERTY, provider))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.tally.record(report)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        lines = self.tally.lines()
        if lines:
            terminalreporter.section("prorata contract")
            for line in lines:
                terminalreporter.write_line(line)
