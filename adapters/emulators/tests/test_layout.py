"""The emulators' modules import each other without cycles (module-level imports)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import prorata_emulators

ROOT = Path(prorata_emulators.__file__).parent


def _graph(package: str) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).glob("*.py")):
        name = f"prorata_emulators.{package}.{path.stem}"
        tree = ast.parse(path.read_text())
        found: set[str] = set()
        for node in tree.body:  # module level only: imports inside functions break no cycle
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith(f"prorata_emulators.{package}.")
            ):
                found.add(node.module)
        graph[name] = found
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for child in sorted(graph.get(node, ())):
            if state.get(child) == 1:
                return [*stack[stack.index(child) :], child]
            if child not in state and (found := visit(child)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


@pytest.mark.parametrize("package", ["stripe", "dodo", "kit"])
def test_no_import_cycle(package: str) -> None:
    assert _cycle(_graph(package)) is None


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
