"""Tallies of contract test outcomes per provider and composition, for the terminal summary."""

from __future__ import annotations

from collections import Counter

import attrs
import pytest

__all__ = ["CONTRACT_PROPERTY", "PROVIDER_KEY", "PROVIDER_PROPERTY", "Tally"]

PROVIDER_KEY = pytest.StashKey[str]()
"""Stashed on a contract test item by the fixtures base: the provider's name."""
PROVIDER_PROPERTY = "prorata_contract_provider"
"""The report user property carrying the provider's name (survives pytest-xdist)."""
CONTRACT_PROPERTY = "prorata_contract_class"
"""The report user property naming the composed contract class of the test."""
UNKNOWN = "unconfigured"

_ORDER = ("passed", "failed", "skipped", "xfailed", "xpassed")


def _outcome(report: pytest.TestReport) -> str | None:
    """The outcome this phase decides, or None when the test's outcome is still open."""
    xfail = hasattr(report, "wasxfail")
    if report.failed:
        return "failed"
    if report.skipped:
        return "xfailed" if xfail else "skipped"
    if report.when == "call":
        return "xpassed" if xfail else "passed"
    return None


def _strings() -> dict[str, str]:
    return {}


@attrs.define
class Tally:
    """Outcomes of contract tests, by test id, with the provider each test ran against."""

    outcomes: dict[str, str] = attrs.field(factory=lambda: _strings())
    providers: dict[str, str] = attrs.field(factory=lambda: _strings())
    classes: dict[str, str] = attrs.field(factory=lambda: _strings())

    def record(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        contract_class = properties.get(CONTRACT_PROPERTY)
        if contract_class is None:
            return
        self.classes[report.nodeid] = str(contract_class)
        provider = properties.get(PROVIDER_PROPERTY)
        if provider is not None:
            self.providers[report.nodeid] = str(provider)
        outcome = _outcome(report)
        if outcome is not None and self.outcomes.get(report.nodeid) != "failed":
            self.outcomes[report.nodeid] = outcome

    def by_composition(self) -> dict[tuple[str, str], Counter[str]]:
        """Outcome counts per (provider, composed class); a test whose provider never got built
        borrows its class's."""
        class_provider = {self.classes[node]: name for node, name in self.providers.items()}
        counts: dict[tuple[str, str], Counter[str]] = {}
        for node, outcome in self.outcomes.items():
            owner = self.classes[node]
            name = self.providers.get(node) or class_provider.get(owner, UNKNOWN)
            counts.setdefault((name, owner), Counter())[outcome] += 1
        return counts

    def lines(self) -> list[str]:
        """``prorata contract [local] TestLocalContract: 57 passed, 0 failed, 4 skipped``, one
        per composition (two compositions of one provider are two lines)."""
        result: list[str] = []
        for (name, owner), counts in sorted(self.by_composition().items()):
            parts = [f"{counts[kind]} {kind}" for kind in _ORDER if kind in _ORDER[:3] or counts[kind]]
            result.append(f"prorata contract [{name}] {owner.rpartition('::')[2]}: {', '.join(parts)}")
        return result
