"""A griffe extension that documents attrs fields as fields: their type and real default.

Without it an attrs field renders as ``name = attrs.field(converter=...)`` labelled a class
attribute. With it: ``name: Type = default`` (or no default when it is required), labelled
an instance attribute, with the field's docstring.
"""

from __future__ import annotations

import ast
from typing import Any

import griffe

_ATTRS_DECORATORS = ("attrs.frozen", "attrs.define", "attrs.mutable", "attr.s", "attr.attrs", "attrs.define")
_FIELD_CALLS = ("attrs.field", "attr.ib", "field")


def _is_attrs_class(cls: griffe.Class) -> bool:
    return any(str(decorator.value).startswith(_ATTRS_DECORATORS) for decorator in cls.decorators)


def _default_of(call: ast.Call) -> str | None:
    """The default an ``attrs.field(...)`` call declares, as source text (None: required)."""
    for keyword in call.keywords:
        if keyword.arg == "default":
            return ast.unparse(keyword.value)
        if keyword.arg == "factory":
            return f"{ast.unparse(keyword.value)}()"
    return None


class AttrsFields(griffe.Extension):
    """Rewrite the attributes of attrs classes into fields with their defaults."""

    def on_class_members(self, *, node: Any, cls: griffe.Class, agent: Any, **kwargs: Any) -> None:
        if not _is_attrs_class(cls):
            return
        for member in cls.members.values():
            if not isinstance(member, griffe.Attribute) or member.value is None:
                continue
            try:
                parsed = ast.parse(str(member.value), mode="eval").body
            except SyntaxError:
                continue
            if isinstance(parsed, ast.Call) and ast.unparse(parsed.func) in _FIELD_CALLS:
                member.value = _default_of(parsed)
            member.labels.discard("class-attribute")
            member.labels.add("instance-attribute")
