"""Inline SVG for the role sections: the tornado and the what-if lines.

Same rules as :mod:`llm_tco.report._svg`: one ``<svg>``, a ``<title>``, text
of at least 12 px, every document string escaped, nothing external.
"""

from __future__ import annotations

import math
from typing import Any

from llm_tco.report._format import currency_symbol, fmt_number
from llm_tco.report._svg import (
    API_COLOUR,
    FONT,
    GRID,
    INK,
    MUTED,
    PALETTE,
    SMALL,
    WIDTH,
    _line,
    _svg_open,
    _text,
    nice_ceiling,
    text_width,
)

LOW_COLOUR = "#8fb3d9"
HIGH_COLOUR = "#1f4e79"


def _ticks(low: float, high: float) -> tuple[float, float, float]:
    """Axis ends and step covering ``low..high`` with about five ticks."""
    span = high - low if high > low else max(abs(high), 1.0)
    _, step = nice_ceiling(span)
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    if end == start:
        end = start + step
    return start, end, step


def _money_tick(value: float, currency: str) -> str:
    prefix, suffix = currency_symbol(currency)
    text = fmt_number(value, 0)
    if text.startswith("-"):
        return f"-{prefix}{text[1:]}{suffix}"
    return f"{prefix}{text}{suffix}"


def tornado_chart(data: dict[str, Any], currency: str) -> str:
    """One bar per input from the TCO at its low value to that at its high."""
    bars = data.get("bars") or []
    if not bars:
        return ""
    base = float(data["base_tco_per_month"])
    values = [float(b[k]) for b in bars for k in ("tco_at_low", "tco_at_high")]
    lo, hi, step = _ticks(min([*values, base]), max([*values, base]))
    label_w = max(text_width(b["label"]) for b in bars) + 24
    left, right, top, row_h = max(label_w, 150.0), WIDTH - 90.0, 44.0, 30.0
    height = top + row_h * len(bars) + 64

    def sx(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (right - left)

    title = f"What moves the monthly TCO of {data['label']}"
    parts = [_svg_open(height, title)]
    parts += _tornado_legend()
    bottom = top + row_h * len(bars)
    tick = lo
    while tick <= hi + step / 2:
        x = sx(tick)
        parts.append(_line(x, top - 6, x, bottom, f'stroke="{GRID}"'))
        parts.append(
            _text(
                x, bottom + 18, _money_tick(tick, currency), anchor="middle", fill=MUTED
            )
        )
        tick += step
    for i, bar in enumerate(bars):
        y = top + i * row_h
        parts.append(_text(left - 10, y + 19, bar["label"], anchor="end"))
        for key, colour in (("tco_at_low", LOW_COLOUR), ("tco_at_high", HIGH_COLOUR)):
            end = float(bar[key])
            x0, x1 = sorted((sx(base), sx(end)))
            parts.append(
                f'<rect x="{x0:.1f}" y="{y + 7:.1f}" width="{max(x1 - x0, 1):.1f}" '
                f'height="16" fill="{colour}"/>'
            )
        far = max(float(bar["tco_at_low"]), float(bar["tco_at_high"]))
        swing = f"±{_money_tick(float(bar['swing']) / 2, currency)}"
        parts.append(_text(sx(far) + 6, y + 19, swing, size=SMALL, fill=MUTED))
    parts.append(
        _line(sx(base), top - 6, sx(base), bottom, f'stroke="{INK}" stroke-width="1.5"')
    )
    parts.append(
        _text(
            (left + right) / 2,
            height - 12,
            f"TCO per month ({currency}); the line is the TCO with every input at "
            f"its middle, {_money_tick(base, currency)}",
            anchor="middle",
        )
    )
    parts.append("</svg>")
    return "".join(parts)


def _tornado_legend() -> list[str]:
    parts = []
    x = 20.0
    for label, colour in (
        ("input at its low value", LOW_COLOUR),
        ("input at its high value", HIGH_COLOUR),
    ):
        parts.append(
            f'<rect x="{x:.1f}" y="8" width="16" height="14" fill="{colour}"/>'
        )
        parts.append(_text(x + 22, 20, label))
        x += 22 + text_width(label) + 30
    return parts


def whatif_chart(data: dict[str, Any]) -> str:
    """Monthly cost against one input: the API, and each option's rent and TCO
    ranges as bands; crossings with the API are marked."""
    steps = data.get("steps") or []
    if len(steps) < 2:
        return ""
    currency = data["currency"]
    xs = [float(s["value"]) for s in steps]
    series = data["series"]
    ys = [float(v) for s in series for v in (*s["low"], *s["high"])]
    y_max, y_step = nice_ceiling(max(ys) * 1.05)
    x_lo, x_hi = min(xs), max(xs)
    left, right, top, plot_h = (
        86.0,
        WIDTH - 30.0,
        30.0 + 22 * _legend_rows(series),
        300.0,
    )
    height = top + plot_h + 64

    def sx(v: float) -> float:
        return left + (v - x_lo) / ((x_hi - x_lo) or 1) * (right - left)

    def sy(v: float) -> float:
        return top + plot_h - v / y_max * plot_h

    parts = [_svg_open(height, f"Monthly cost by {data['param']}")]
    parts += _whatif_legend(series)
    tick = 0.0
    while tick <= y_max + y_step / 2:
        y = sy(tick)
        parts.append(_line(left, y, right, y, f'stroke="{GRID}"'))
        parts.append(
            _text(
                left - 8, y + 4, _money_tick(tick, currency), anchor="end", fill=MUTED
            )
        )
        tick += y_step
    for value in _x_ticks(xs):
        x = sx(value)
        parts.append(_line(x, top + plot_h, x, top + plot_h + 5, f'stroke="{INK}"'))
        parts.append(
            _text(x, top + plot_h + 20, fmt_number(value, _places(xs)), anchor="middle")
        )
    parts.append(_line(left, top + plot_h, right, top + plot_h, f'stroke="{INK}"'))
    for s in series:
        parts += _band(s, xs, sx, sy)
    for crossing in data.get("crossings") or []:
        x = sx(float(crossing["value"]))
        parts.append(
            _line(x, top, x, top + plot_h, f'stroke="{MUTED}" stroke-dasharray="3 3"')
        )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{sy(float(crossing["cost"])):.1f}" r="4.5" '
            f'fill="#fff" stroke="{INK}" stroke-width="1.5"/>'
        )
    parts.append(_text((left + right) / 2, height - 14, data["param"], anchor="middle"))
    parts.append("</svg>")
    return "".join(parts)


def _places(xs: list[float]) -> int:
    spread = max(xs) - min(xs)
    return 0 if spread >= 20 else 1 if spread >= 2 else 2


def _x_ticks(xs: list[float]) -> list[float]:
    if len(xs) <= 8:
        return xs
    every = math.ceil(len(xs) / 6)
    picked = xs[::every]
    return picked if picked[-1] == xs[-1] else [*picked, xs[-1]]


def _legend_rows(series: list[dict[str, Any]]) -> int:
    x, rows = 20.0, 1
    for s in series:
        width = 30 + text_width(s["label"]) + 24
        if x + width > WIDTH - 20:
            x, rows = 20.0, rows + 1
        x += width
    return rows


def _colour(index: int, name: str) -> str:
    return API_COLOUR if name == "api" else PALETTE[index % len(PALETTE)]


def _whatif_legend(series: list[dict[str, Any]]) -> list[str]:
    parts, x, y = [], 20.0, 20.0
    for s in series:
        width = 30 + text_width(s["label"]) + 24
        if x + width > WIDTH - 20:
            x, y = 20.0, y + 22
        colour = _colour(s.get("index", 0), s["id"])
        dash = ' stroke-dasharray="6 4"' if s["kind"] == "rent" else ""
        parts.append(
            _line(x, y - 4, x + 22, y - 4, f'stroke="{colour}" stroke-width="3"{dash}')
        )
        parts.append(_text(x + 28, y, s["label"], size=FONT))
        x += width
    return parts


def _band(s: dict[str, Any], xs: list[float], sx: Any, sy: Any) -> list[str]:
    colour = _colour(s.get("index", 0), s["id"])
    dash = ' stroke-dasharray="6 4"' if s["kind"] == "rent" else ""
    low = [(sx(x), sy(float(v))) for x, v in zip(xs, s["low"], strict=True)]
    high = [(sx(x), sy(float(v))) for x, v in zip(xs, s["high"], strict=True)]
    parts = []
    if any(a != b for a, b in zip(low, high, strict=True)):
        outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in [*low, *reversed(high)])
        parts.append(
            f'<polygon points="{outline}" fill="{colour}" fill-opacity="0.12"/>'
        )
    for points in (low, high):
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
    return parts
