"""What-ifs over one or two inputs: monthly cost per step, crossings with the
API, and for two inputs a grid of the cheapest option.

Any scenario or catalog key works: each step is a ``--set KEY=VALUE``
override, checked exactly like a value written in the file. ``price`` is the
function that prices one list of overrides (a report document without role
sections); it is passed in so this module stays free of file and CLI code.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from llm_tco.errors import InputError

Doc = dict[str, Any]
Price = Callable[[list[str]], Doc]
MAX_STEPS = 200
MAX_CELLS = 2500
EXAMPLE = "workload.jobs_per_run=1000..50000:10"
DEFAULT_STEPS = 11
# Relative tolerance when testing whether a line is straight.
_LINEAR_TOLERANCE = Decimal("1e-9")


@dataclass(frozen=True)
class Axis:
    key: str
    values: tuple[Decimal, ...]
    integer: bool

    def override(self, value: Decimal) -> str:
        return f"{self.key}={_literal(value, self.integer)}"


def _literal(value: Decimal, integer: bool) -> str:
    if integer:
        return str(int(value))
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"


def parse_axis(text: str) -> Axis:
    """``KEY=LOW..HIGH[:STEPS]`` -> the values to try, ends included."""
    key, sep, spec = text.partition("=")
    key = key.strip()
    if not sep or not key or ".." not in spec:
        raise InputError(
            f"what-if {text!r}: expected KEY=LOW..HIGH[:STEPS], e.g. {EXAMPLE}"
        )
    bounds, _, steps_text = spec.partition(":")
    low_text, _, high_text = bounds.partition("..")
    low, high = _number(low_text, text, "LOW"), _number(high_text, text, "HIGH")
    if low > high:
        raise InputError(
            f"what-if {text!r}: LOW {low_text.strip()} is above HIGH "
            f"{high_text.strip()}; write {key}={high_text.strip()}..{low_text.strip()}"
        )
    steps = _steps(steps_text, text) if steps_text.strip() else DEFAULT_STEPS
    integer = _is_int(low_text) and _is_int(high_text)
    if low == high:
        return Axis(key, (low,), integer)
    values = [low + (high - low) * i / (steps - 1) for i in range(steps)]
    if integer:
        values = list(dict.fromkeys(v.to_integral_value() for v in values))
    return Axis(key, tuple(values), integer)


def _number(text: str, whole: str, name: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise InputError(
            f"what-if {whole!r}: {name} {text.strip()!r} is not a number; write "
            f"e.g. {EXAMPLE}"
        )
    return value


def _is_int(text: str) -> bool:
    return text.strip().lstrip("+-").isdigit()


def _steps(text: str, whole: str) -> int:
    stripped = text.strip()
    if not stripped.isdigit() or not 2 <= int(stripped) <= MAX_STEPS:
        raise InputError(
            f"what-if {whole!r}: STEPS {stripped!r} must be a whole number from 2 "
            f"to {MAX_STEPS}, e.g. {EXAMPLE}"
        )
    return int(stripped)


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _costs(doc: Doc) -> Doc:
    """API and each option's rent and TCO per month from a report document."""
    return {
        "api": doc["api"]["cost_per_month"],
        "options": [
            {
                "id": o["id"],
                "label": o["label"],
                "rent_per_month": o["cost_per_month"],
                "tco_per_month": o["tco_per_month"],
                "fits_window": o["fits_window"],
            }
            for o in doc["options"]
        ],
    }


def one_input(axis: Axis, price: Price, base: list[str]) -> Doc:
    """Monthly cost at each value of one input, and where lines cross the API."""
    docs = [price([*base, axis.override(v)]) for v in axis.values]
    steps = [
        {"value": float(v), **_costs(d)} for v, d in zip(axis.values, docs, strict=True)
    ]
    series = _series(steps)
    xs = list(axis.values)
    api = next(s for s in series if s["id"] == "api")
    crossings = []
    for s in series:
        if s["id"] == "api":
            continue
        for end in ("low", "high"):
            crossings += _crossings(xs, s[end], api[end], f"{s['label']} ({end})")
    first = docs[0]
    return {
        "kind": "whatif",
        "scenario": first["scenario"]["name"],
        "currency": first["currency"],
        "param": axis.key,
        "base_overrides": list(base),
        "steps": steps,
        "series": series,
        "crossings": crossings,
    }


def _series(steps: list[Doc]) -> list[Doc]:
    def ends(
        get: Callable[[Doc], Doc | None],
    ) -> tuple[list[float], list[float]] | None:
        values = [get(s) for s in steps]
        present = [v for v in values if v is not None]
        if len(present) != len(values):
            return None
        return [v["low"] for v in present], [v["high"] for v in present]

    out: list[Doc] = []
    api = ends(lambda s: s["api"])
    if api is not None:
        out.append(
            {"id": "api", "label": "API", "kind": "api", "low": api[0], "high": api[1]}
        )
    for index, option in enumerate(steps[0]["options"]):
        for kind, key, name in (
            ("rent", "rent_per_month", "rent"),
            ("tco", "tco_per_month", "TCO"),
        ):
            found = ends(_option_getter(index, key))
            if found is not None:
                out.append(
                    {
                        "id": f"{option['id']}:{kind}",
                        "label": f"{option['label']} {name}",
                        "kind": kind,
                        "index": index + 1,
                        "low": found[0],
                        "high": found[1],
                        "fits_window": [
                            st["options"][index]["fits_window"] for st in steps
                        ],
                    }
                )
    return out


def _option_getter(index: int, key: str) -> Callable[[Doc], Doc | None]:
    def get(step: Doc) -> Doc | None:
        value: Doc | None = step["options"][index][key]
        return value

    return get


def _crossings(
    xs: list[Decimal], line: list[float], api: list[float], label: str
) -> list[Doc]:
    diff = [_d(a) - _d(b) for a, b in zip(line, api, strict=True)]
    if len(xs) < 2:
        return []
    if _is_linear(xs, diff):
        d0, dn, x0, xn = diff[0], diff[-1], xs[0], xs[-1]
        if dn == d0 or ((d0 > 0) == (dn > 0) and d0 != 0 and dn != 0):
            return []
        x = x0 - d0 * (xn - x0) / (dn - d0)
        return [_crossing(x, xs, line, label, "exact (the line is straight)")]
    found = []
    for i in range(len(xs) - 1):
        a, b = diff[i], diff[i + 1]
        if a == 0 or ((a > 0) != (b > 0) and b != 0):
            x = xs[i] if a == 0 else xs[i] - a * (xs[i + 1] - xs[i]) / (b - a)
            found.append(_crossing(x, xs, line, label, "interpolated between steps"))
    return found


def _crossing(
    x: Decimal, xs: list[Decimal], line: list[float], label: str, how: str
) -> Doc:
    return {
        "series": label,
        "value": float(x),
        "cost": _interpolate(x, xs, [_d(v) for v in line]),
        "method": how,
    }


def _interpolate(x: Decimal, xs: list[Decimal], ys: list[Decimal]) -> float:
    for i in range(len(xs) - 1):
        if xs[i] <= x <= xs[i + 1]:
            t = (x - xs[i]) / (xs[i + 1] - xs[i])
            return float(ys[i] + t * (ys[i + 1] - ys[i]))
    return float(ys[-1])


def _is_linear(xs: list[Decimal], ys: list[Decimal]) -> bool:
    x0, xn, y0, yn = xs[0], xs[-1], ys[0], ys[-1]
    scale = max([Decimal(1), *(abs(y) for y in ys)])
    for x, y in zip(xs, ys, strict=True):
        expected = y0 + (yn - y0) * (x - x0) / (xn - x0)
        if abs(y - expected) > _LINEAR_TOLERANCE * scale:
            return False
    return True


def two_inputs(rows: Axis, cols: Axis, price: Price, base: list[str]) -> Doc:
    """The cheapest choice (by the middle of each TCO range) in every cell."""
    if len(rows.values) * len(cols.values) > MAX_CELLS:
        raise InputError(
            f"what-if grid of {len(rows.values)} × {len(cols.values)} cells is too "
            f"big; use at most {MAX_CELLS} cells (fewer STEPS)"
        )
    cells: list[list[Doc]] = [[] for _ in rows.values]
    currency = scenario = ""
    for (i, r), c in itertools.product(enumerate(rows.values), cols.values):
        doc = price([*base, rows.override(r), cols.override(c)])
        currency, scenario = doc["currency"], doc["scenario"]["name"]
        cells[i].append(_cheapest(_costs(doc)))
    return {
        "kind": "whatif_grid",
        "scenario": scenario,
        "currency": currency,
        "params": [rows.key, cols.key],
        "rows": [float(v) for v in rows.values],
        "cols": [float(v) for v in cols.values],
        "base_overrides": list(base),
        "cells": cells,
    }


def _mid(quantity: Doc) -> Decimal:
    return (_d(quantity["low"]) + _d(quantity["high"])) / 2


def _cheapest(costs: Doc) -> Doc:
    choices = [("api", "API", costs["api"])]
    choices += [
        (o["id"], o["label"], o["tco_per_month"])
        for o in costs["options"]
        if o["tco_per_month"] is not None
    ]
    best = min(choices, key=lambda c: _mid(c[2]))
    overlap = any(
        c is not best and _d(c[2]["low"]) <= _d(best[2]["high"]) for c in choices
    )
    return {
        "cheapest": best[0],
        "label": best[1],
        "cost_per_month": float(_mid(best[2])),
        "overlap": overlap,
    }
