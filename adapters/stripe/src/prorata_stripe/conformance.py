"""Check JSON payloads against the types the ``stripe`` SDK generates from Stripe's OpenAPI spec.

The SDK ships two machine-readable contracts that prorata did not write: resource classes
whose annotations describe every response field, and ``TypedDict`` request params. These
functions walk them recursively, so the emulator's responses and the adapter's requests
are checked against Stripe's own spec: unknown keys, missing required fields and wrong
types are reported as problems (an empty list means the payload conforms).
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ForwardRef, Literal, NotRequired, Required, Union, cast, get_args, get_origin

import typing_extensions
from stripe._list_object import ListObject
from stripe._object_classes import OBJECT_CLASSES
from stripe._stripe_object import StripeObject, UntypedStripeObject

__all__ = ["check_error", "check_request", "check_response", "response_class", "unknown_parameters"]

_NONE = type(None)


class _Namespace(dict[str, Any]):
    """Names an annotation may mention: the module's, its enclosing classes', then ``stripe``'s."""

    def __init__(self, module: str, owners: tuple[type, ...]) -> None:
        super().__init__(vars(sys.modules[module]))
        self._owners = owners

    def __missing__(self, name: str) -> Any:
        for owner in reversed(self._owners):
            if name in vars(owner):
                return vars(owner)[name]
        for source in ("stripe", "stripe.params"):
            found = getattr(importlib.import_module(source), name, None)
            if found is not None:
                return found
        raise KeyError(name)


def _resolve(annotation: Any, module: str, owners: tuple[type, ...]) -> Any:
    if isinstance(annotation, str):
        annotation = ForwardRef(annotation)
    if isinstance(annotation, ForwardRef):
        namespace = _Namespace(module, owners)
        return eval(annotation.__forward_arg__, {"__builtins__": __builtins__}, namespace)
    return annotation


def _owners_of(cls: type) -> tuple[type, ...]:
    """Classes enclosing ``cls`` (outermost first), from its qualified name."""
    module = sys.modules[cls.__module__]
    owners: list[type] = []
    current: Any = module
    for part in cls.__qualname__.split(".")[:-1]:
        current = getattr(current, part)
        owners.append(current)
    return (*owners, cls)


def _fields(cls: type) -> dict[str, Any]:
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass in (object, StripeObject, dict) or klass.__module__.startswith("typing"):
            continue
        annotations: dict[str, Any] = vars(klass).get("__annotations__", {})
        for name, annotation in annotations.items():
            if name.startswith("_") or name in ("OBJECT_NAME",) or get_origin(annotation) is typing.ClassVar:
                continue
            if isinstance(annotation, str) and annotation.startswith("ClassVar"):
                continue
            hints[name] = (annotation, klass)
    return hints


def response_class(object_name: str) -> type:
    """The SDK class for a response's ``object`` value (``subscription`` -> ``stripe.Subscription``)."""
    module, name = OBJECT_CLASSES[object_name]
    return getattr(importlib.import_module(module), name)


def check_response(payload: Mapping[str, Any], path: str = "$") -> list[str]:
    """Problems of a response body against the SDK class its ``object`` names."""
    name = payload.get("object")
    if not isinstance(name, str) or name not in OBJECT_CLASSES:
        return [f"{path}: unknown object {name!r}"]
    problems: list[str] = []
    _check_value(payload, response_class(name), path, problems, "stripe")
    if name == "list":
        for index, item in enumerate(payload.get("data") or list[Any]()):
            problems.extend(check_response(item, f"{path}.data[{index}]"))
    return problems


def check_error(payload: Mapping[str, Any]) -> list[str]:
    """Problems of an error body ``{"error": {...}}`` against the SDK's ``ErrorObject``."""
    from stripe._error_object import ErrorObject

    if set(payload) != {"error"}:
        return [f"$: error bodies hold only `error` (got {sorted(payload)})"]
    problems: list[str] = []
    _check_object(payload["error"], ErrorObject, "$.error", problems)
    return problems


def _check_object(value: Any, cls: type, path: str, problems: list[str]) -> None:
    if not isinstance(value, Mapping):
        problems.append(f"{path}: expected object {cls.__name__}, got {type(value).__name__}")
        return
    data = cast("Mapping[str, Any]", value)
    declared = data.get("object")
    if isinstance(declared, str) and declared in OBJECT_CLASSES and issubclass(cls, StripeObject):
        actual = response_class(declared)
        if actual is not cls and cls not in (StripeObject,) and not issubclass(actual, cls):
            problems.append(f"{path}: object {declared!r} where {cls.__name__} was expected")
            return
    if issubclass(cls, ListObject):
        for key in data:
            if key not in ("object", "data", "has_more", "url", "total_count"):
                problems.append(f"{path}.{key}: unknown key of a list")
        for key in ("object", "data", "has_more", "url"):
            if key not in data:
                problems.append(f"{path}.{key}: missing")
        return
    if cls is UntypedStripeObject or cls is StripeObject:
        return
    if data.get("deleted") is True:  # a deletion answers with a stub: id, object, deleted
        problems.extend(
            f"{path}.{key}: unknown key of a deleted {cls.__name__}"
            for key in data
            if key not in ("id", "object", "deleted")
        )
        return
    fields = _resolved_fields(cast(type, cls))
    for key, item in data.items():
        if key not in fields:
            problems.append(f"{path}.{key}: unknown key of {cls.__name__}")
            continue
        resolved, module, owners = fields[key]
        _check_value(item, resolved, f"{path}.{key}", problems, module, owners)
    for key, (resolved, _, _) in fields.items():
        if key in data or key == "deleted":
            continue
        if not _nullable(resolved):
            problems.append(f"{path}.{key}: required field of {cls.__name__} missing")


@functools.cache
def _resolved_fields(cls: type) -> dict[str, tuple[Any, str, tuple[type, ...]]]:
    """Each field's resolved annotation, with the module and classes to resolve nested names in."""
    resolved: dict[str, tuple[Any, str, tuple[type, ...]]] = {}
    for key, (annotation, owner) in _fields(cls).items():
        owners = _owners_of(owner)
        resolved[key] = (_resolve(annotation, owner.__module__, owners), owner.__module__, owners)
    return resolved


def _nullable(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType) and _NONE in get_args(annotation)


def _check_value(
    value: Any, annotation: Any, path: str, problems: list[str], module: str, owners: tuple[type, ...] = ()
) -> None:
    annotation = _resolve(annotation, module, owners)
    origin = get_origin(annotation)
    if annotation is Any:
        return
    if origin in (Union, types.UnionType):
        options = get_args(annotation)
        if value is None:
            if _NONE not in options:
                problems.append(f"{path}: null where {annotation} is required")
            return
        attempts: list[list[str]] = []
        if isinstance(value, Mapping):  # an expanded field: report against the object, not the id
            options = (
                tuple(
                    o for o in options if not (isinstance(o, type) and o in (str, int, float, bool, Decimal))
                )
                or options
            )
        for option in options:
            if option is _NONE:
                continue
            trial: list[str] = []
            _check_value(value, option, path, trial, module, owners)
            if not trial:
                return
            attempts.append(trial)
        problems.extend(min(attempts, key=len) if attempts else [f"{path}: no option fits"])
        return
    if value is None:
        problems.append(f"{path}: null where {annotation} is required")
        return
    if origin is Literal:
        if value not in get_args(annotation):
            problems.append(f"{path}: {value!r} is not one of {get_args(annotation)}")
        return
    if origin in (list, typing.List):  # noqa: UP006
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list, got {type(value).__name__}")
            return
        (inner,) = get_args(annotation) or (Any,)
        for index, item in enumerate(value):  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
            _check_value(item, inner, f"{path}[{index}]", problems, module, owners)
        return
    if origin in (dict, typing.Dict):  # noqa: UP006
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a mapping")
        return
    if origin is not None and isinstance(origin, type) and issubclass(origin, StripeObject):
        if issubclass(origin, ListObject):
            _check_object(value, ListObject, path, problems)
            inner_args = get_args(annotation)
            if isinstance(value, Mapping) and inner_args:
                items = cast("list[Any]", cast("Mapping[str, Any]", value).get("data") or [])
                for index, item in enumerate(items):
                    _check_value(item, inner_args[0], f"{path}.data[{index}]", problems, module, owners)
            return
        if not isinstance(value, Mapping):
            problems.append(f"{path}: expected an object")
        return
    if isinstance(annotation, type):
        _check_scalar(value, annotation, path, problems)
        return
    problems.append(f"{path}: cannot check annotation {annotation!r}")


def _check_scalar(value: Any, annotation: type, path: str, problems: list[str]) -> None:
    if issubclass(annotation, StripeObject):
        _check_object(value, annotation, path, problems)
        return
    if annotation is bool:
        ok = isinstance(value, bool)
    elif annotation is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif annotation is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif annotation is Decimal:
        ok = isinstance(value, str)
        if ok:
            try:
                Decimal(value)
            except ArithmeticError:
                ok = False
    elif annotation is str:
        ok = isinstance(value, str)
    else:
        ok = isinstance(value, annotation)
    if not ok:
        problems.append(f"{path}: {value!r} is not a {annotation.__name__}")


# -- requests ----------------------------------------------------------------------------------


def check_request(params: Mapping[str, Any], typed_dict: type, path: str = "params") -> list[str]:
    """Problems of request ``params`` against an SDK params ``TypedDict`` (unknown keys fail)."""
    problems: list[str] = []
    _check_param(params, typed_dict, path, problems, typed_dict.__module__)
    return problems


def _typed_dict_fields(cls: type) -> dict[str, tuple[Any, bool]]:
    fields: dict[str, tuple[Any, bool]] = {}
    for klass in reversed(cls.__mro__):
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            text = annotation if isinstance(annotation, str) else None
            required = True
            origin = get_origin(annotation)
            if origin is NotRequired or (text is not None and text.startswith("NotRequired[")):
                required = False
            if origin in (NotRequired, Required):
                annotation = get_args(annotation)[0]
            fields[name] = (annotation, required)
    return fields


def _is_typed_dict(annotation: Any) -> bool:
    return isinstance(annotation, type) and typing_extensions.is_typeddict(annotation)


def _check_param(value: Any, annotation: Any, path: str, problems: list[str], module: str) -> None:
    annotation = _resolve(annotation, module, ())
    origin = get_origin(annotation)
    if annotation is Any:
        return
    if origin in (NotRequired, Required):
        _check_param(value, get_args(annotation)[0], path, problems, module)
        return
    if _is_typed_dict(annotation):
        if not isinstance(value, Mapping):
            problems.append(f"{path}: expected a mapping for {annotation.__name__}")
            return
        fields = _typed_dict_fields(annotation)
        mapping = cast("Mapping[str, Any]", value)
        for key, item in mapping.items():
            if key not in fields:
                problems.append(f"{path}.{key}: unknown parameter of {annotation.__name__}")
                continue
            _check_param(item, fields[key][0], f"{path}.{key}", problems, annotation.__module__)
        for key, (_, required) in fields.items():
            if required and key not in mapping:
                problems.append(f"{path}.{key}: required parameter of {annotation.__name__} missing")
        return
    if origin in (Union, types.UnionType):
        attempts: list[list[str]] = []
        for option in get_args(annotation):
            trial: list[str] = []
            _check_param(value, option, path, trial, module)
            if not trial:
                return
            attempts.append(trial)
        problems.extend(min(attempts, key=len))
        return
    if origin is Literal:
        if value not in get_args(annotation):
            problems.append(f"{path}: {value!r} is not one of {get_args(annotation)}")
        return
    if origin in (list, typing.List):  # noqa: UP006
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list")
            return
        (inner,) = get_args(annotation)
        for index, item in enumerate(value):  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
            _check_param(item, inner, f"{path}[{index}]", problems, module)
        return
    if origin in (dict, dict) or (
        origin is not None and isinstance(origin, type) and issubclass(origin, StripeObject)
    ):
        if not isinstance(value, Mapping):
            problems.append(f"{path}: expected a mapping")
        return
    if annotation is _NONE:
        if value is not None:
            problems.append(f"{path}: expected None")
        return
    if isinstance(annotation, type):
        _check_scalar(value, annotation, path, problems)
        return
    problems.append(f"{path}: cannot check annotation {annotation!r}")


def unknown_parameters(params: Mapping[str, Any], typed_dict: type) -> list[str]:
    """Form-style names (``phases[0][iterations]``) of parameters ``typed_dict`` does not know.

    Only names are checked (form-encoded values are all strings); this is what Stripe
    answers with "Received unknown parameter".
    """
    found: list[str] = []
    _unknown(params, typed_dict, "", found, typed_dict.__module__)
    return found


def _unknown(value: Any, annotation: Any, path: str, found: list[str], module: str) -> None:
    annotation = _resolve(annotation, module, ())
    origin = get_origin(annotation)
    if origin in (NotRequired, Required):
        _unknown(value, get_args(annotation)[0], path, found, module)
        return
    if origin in (Union, types.UnionType):
        options = get_args(annotation)
        if isinstance(value, Mapping):
            shaped = [o for o in options if _is_typed_dict(_resolve(o, module, ()))]
        elif isinstance(value, list):
            shaped = [o for o in options if get_origin(_resolve(o, module, ())) in (list, typing.List)]  # noqa: UP006
        else:
            return
        if shaped:
            _unknown(value, shaped[0], path, found, module)
        return
    if _is_typed_dict(annotation) and isinstance(value, Mapping):
        fields = _typed_dict_fields(annotation)
        mapping = cast("Mapping[str, Any]", value)
        for key, item in mapping.items():
            name = f"{path}[{key}]" if path else key
            if key not in fields:
                found.append(name)
            else:
                _unknown(item, fields[key][0], name, found, annotation.__module__)
        return
    if origin in (list, typing.List) and isinstance(value, list):  # noqa: UP006
        (inner,) = get_args(annotation)
        for index, item in enumerate(value):  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
            _unknown(item, inner, f"{path}[{index}]", found, module)
