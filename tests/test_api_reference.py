"""The API reference shows every public field with its type, default and a docstring.

It loads prorata with griffe and the docs' attrs extension (docs_build/griffe_attrs.py), as
mkdocstrings does when it builds docs/api.md.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import attrs
import griffe
import pytest

import prorata
import prorata.provider

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs_build"))
from griffe_attrs import AttrsFields  # noqa: E402

PACKAGE = griffe.load(
    "prorata", search_paths=[str(ROOT / "core" / "src")], extensions=griffe.Extensions(AttrsFields())
)

PUBLIC_CLASSES = sorted(
    {
        obj
        for module in (prorata, prorata.provider)
        for obj in (getattr(module, name) for name in module.__all__)
        if isinstance(obj, type) and attrs.has(obj)
    },
    key=lambda cls: cls.__qualname__,
)


def _documented(cls: type) -> griffe.Class:
    found = PACKAGE[cls.__module__.removeprefix("prorata.") + "." + cls.__qualname__]
    assert isinstance(found, griffe.Class)
    return found


@pytest.mark.parametrize("cls", PUBLIC_CLASSES, ids=lambda cls: cls.__qualname__)
def test_every_public_field_has_a_type_a_default_and_a_docstring(cls: type) -> None:
    documented = _documented(cls)
    assert documented.docstring is not None, f"{cls.__qualname__} has no docstring"
    for field in attrs.fields(cls):
        if field.name.startswith("_"):
            continue
        member = documented.members[field.name]
        where = f"{cls.__qualname__}.{field.name}"
        assert member.annotation is not None, f"{where} has no type"
        assert member.docstring is not None, f"{where} has no docstring: add one line under the field"
        assert member.docstring.value.strip(), f"{where} has an empty docstring"
        assert "attrs.field" not in str(member.value), f"{where} renders as {member.value}"
        assert "instance-attribute" in member.labels


def test_a_field_default_is_its_declared_default() -> None:
    line = _documented(prorata.ChargeLine)
    assert str(line.members["period_start"].value) == "None"
    assert line.members["description"].value is None  # required: no default shown
    assert str(_documented(prorata.Plan).members["interval"].value) == "Interval.monthly()"


def test_the_reference_lists_every_plugin_name() -> None:
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^        - (\w+)$", page, flags=re.MULTILINE))
    # a new name in prorata.provider.__all__ goes into the members list of docs/api.md too
    assert listed == set(prorata.provider.__all__) - set(prorata.__all__)
