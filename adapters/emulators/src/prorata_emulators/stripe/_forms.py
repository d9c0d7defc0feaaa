"""Stripe's bracketed form encoding: ``items[0][price]=x`` <-> nested dicts and lists."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode

__all__ = ["decode", "encode"]

_PART = re.compile(r"\[([^\]]*)\]")


def _split(key: str) -> list[str]:
    head, _, rest = key.partition("[")
    return [head, *_PART.findall("[" + rest)] if rest else [head]


def decode(body: str) -> dict[str, Any]:
    """Decode a form body or query string into nested dicts; index-keyed dicts become lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = _split(key)
        node = root
        for index, part in enumerate(parts):
            name = part if part != "" else str(len(node))
            if index == len(parts) - 1:
                node[name] = value
            else:
                child = node.get(name)
                if not isinstance(child, dict):
                    child = dict[str, Any]()
                    node[name] = child
                node = cast("dict[str, Any]", child)
    return _listify(root)


def _listify(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        out[key] = _convert(value)
    return out


def _convert(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    converted = _listify(value)  # pyright: ignore[reportUnknownArgumentType]
    if converted and all(key.isascii() and key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def encode(params: Mapping[str, Any]) -> str:
    """The form body Stripe's SDKs send for ``params`` (nested dicts and lists bracketed)."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        _flatten(key, value, pairs)
    return urlencode(pairs)


def _flatten(key: str, value: Any, pairs: list[tuple[str, str]]) -> None:
    if isinstance(value, Mapping):
        for name, inner in cast("Mapping[str, Any]", value).items():
            _flatten(f"{key}[{name}]", inner, pairs)
    elif isinstance(value, (list, tuple)):
        for index, inner in enumerate(cast("list[Any]", value)):
            _flatten(f"{key}[{index}]", inner, pairs)
    elif isinstance(value, bool):
        pairs.append((key, "true" if value else "false"))
    elif value is not None:
        pairs.append((key, str(value)))
