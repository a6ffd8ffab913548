"""Build typed dataclasses from TOML tables, rejecting unknown keys.

A small, strict converter: each field's annotation says what the TOML value
must be. Errors name the file, the entry, the key and the bad value.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from decimal import Decimal
from typing import Any, TypeVar

from llm_tco.errors import InputError
from llm_tco.money import Span, to_decimal

T = TypeVar("T")


def build(cls: type[T], table: object, where: str) -> T:
    """An instance of dataclass ``cls`` from ``table``, validated."""
    if not isinstance(table, dict):
        raise InputError(f"{where}: expected a table, got {table!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise InputError(
            f"{where}: unknown key(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(fields))}"
        )
    missing = [
        name
        for name, f in fields.items()
        if name not in table
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise InputError(f"{where}: missing key(s) {', '.join(missing)}")
    values = {k: _convert(hints[k], v, f"{where}.{k}") for k, v in table.items()}
    return cls(**values)


def _convert(hint: Any, value: object, where: str) -> object:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _convert_optional(hint, value, where)
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise InputError(f"{where}: expected a list, got {value!r}")
        return [_convert(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if dataclasses.is_dataclass(hint) and hint is not Span:
        return build(hint, value, where)  # type: ignore[arg-type]
    return _convert_scalar(hint, value, where)


def _convert_optional(hint: Any, value: object, where: str) -> object:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if len(args) != 1:
        raise TypeError(f"unsupported annotation {hint!r} at {where}")
    return _convert(args[0], value, where)


def _convert_scalar(hint: Any, value: object, where: str) -> object:
    if hint is Decimal:
        return to_decimal(value, where)  # type: ignore[arg-type]
    if hint is Span:
        return Span.of(value, where)  # type: ignore[arg-type]
    if hint is bool:
        if not isinstance(value, bool):
            raise InputError(f"{where}: expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"{where}: expected a whole number, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise InputError(f"{where}: expected a string, got {value!r}")
        return value
    raise TypeError(f"unsupported annotation {hint!r} at {where}")
