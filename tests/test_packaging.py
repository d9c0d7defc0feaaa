"""What each distribution publishes: metadata, long description, license, bounds on prorata."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTIONS = ["core", "contract_tests", "adapters/stripe", "adapters/dodo", "adapters/emulators"]
PYTHONS = ("3.11", "3.12", "3.13")


def _project(folder: str) -> dict[str, Any]:
    return tomllib.loads((ROOT / folder / "pyproject.toml").read_text(encoding="utf-8"))["project"]


CORE_VERSION = _project("core")["version"]


@pytest.mark.parametrize("folder", DISTRIBUTIONS)
def test_metadata_a_package_index_shows(folder: str) -> None:
    project = _project(folder)
    classifiers = set(project["classifiers"])
    assert {f"Programming Language :: Python :: {v}" for v in PYTHONS} <= classifiers
    assert "Typing :: Typed" in classifiers
    assert project["requires-python"] == ">=3.11"
    assert set(project["urls"]) >= {"Homepage", "Documentation", "Repository", "Issues"}
    assert all(url.startswith("https://") for url in project["urls"].values())
    assert project["license"] == "MIT"
    assert (ROOT / folder / "LICENSE").read_text(encoding="utf-8") == (ROOT / "LICENSE").read_text(
        encoding="utf-8"
    )
    assert list((ROOT / folder / "src").glob("*/py.typed")), "a typed package ships py.typed"


def _long_description(folder: str) -> str:
    if folder == "core":  # the root README, through core/hatch_build.py
        sys.path.insert(0, str(ROOT / "core"))
        try:
            from hatch_build import RootReadme
        finally:
            sys.path.pop(0)
        metadata: dict[str, Any] = {}
        RootReadme(str(ROOT / "core"), {}).update(metadata)
        return metadata["readme"]["text"]
    return (ROOT / folder / _project(folder)["readme"]).read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", DISTRIBUTIONS)
def test_the_long_description_is_a_real_readme_with_absolute_links(folder: str) -> None:
    readme = _long_description(folder)
    assert len(readme) > 500
    links = re.findall(r"\]\(([^)]+)\)", readme)
    relative = [link for link in links if not link.startswith(("https://", "http://", "#"))]
    assert relative == [], "links on a package index must be absolute"


def test_the_prorata_distribution_describes_itself_with_the_root_readme() -> None:
    assert _long_description("core") == (ROOT / "README.md").read_text(encoding="utf-8")
    assert "readme" in _project("core")["dynamic"]
    pyproject = tomllib.loads((ROOT / "core" / "pyproject.toml").read_text(encoding="utf-8"))
    # an sdist carries the README, so a wheel built from the sdist has it too
    assert pyproject["tool"]["hatch"]["build"]["targets"]["sdist"]["force-include"] == {
        "../README.md": "README.md"
    }


@pytest.mark.parametrize("folder", [f for f in DISTRIBUTIONS if f != "core"])
def test_dependents_bound_prorata_to_its_minor_version(folder: str) -> None:
    major, minor, _ = CORE_VERSION.split(".")
    bound = f">={major}.{minor},<{major}.{int(minor) + 1}"
    ours = [
        dep for dep in _project(folder)["dependencies"] if re.match(r"prorata(-stripe|-dodo)?\b(?!-)", dep)
    ]
    assert ours, folder
    for dep in ours:
        assert dep.endswith(bound), f"{folder}: {dep} should be bounded {bound}"


def test_the_plugin_tutorial_bounds_prorata_too() -> None:
    tutorial = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    major, minor, _ = CORE_VERSION.split(".")
    assert f'"prorata>={major}.{minor},<{major}.{int(minor) + 1}"' in tutorial
