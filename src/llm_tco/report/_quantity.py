"""Quantities in the report document: ``{"low", "high", "unit"}``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from llm_tco.money import Span


def q(span: Span | None, unit: str) -> dict[str, Any] | None:
    """A range with its unit; ``None`` stays ``null`` (undefined, never 0)."""
    if span is None:
        return None
    return {"low": num(span.low), "high": num(span.high), "unit": unit}


def num(value: Decimal) -> float | int:
    as_int = int(value)
    return as_int if value == as_int and abs(value) < 10**15 else float(value)
