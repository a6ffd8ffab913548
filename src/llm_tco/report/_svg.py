"""Inline SVG charts for the HTML report, built as plain strings.

No plotting library and nothing external: each chart is one ``<svg>`` element
with a ``<title>``, an ``aria-label`` and text of at least 12 px. Every string
from the report document is escaped here.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from llm_tco.report._format import currency_symbol, fmt_number, money

WIDTH = 800
FONT = 13
SMALL = 12
INK = "#1d2330"
MUTED = "#5b6472"
GRID = "#e3e7ec"
PALETTE = ("#1f4e79", "#c0504d", "#4f8a3c", "#8064a2", "#b7791f", "#2b8a9e")
API_COLOUR = "#c55a11"
RENT_COLOUR = "#8fb3d9"
TCO_COLOUR = "#1f4e79"
# A white outline keeps labels legible where they cross grid or API lines.
_HALO = ' stroke="#fff" stroke-width="4" paint-order="stroke"'


@dataclass(frozen=True)
class Series:
    """One measured line: ``(parallel jobs, total tokens/s)`` points."""

    label: str
    points: tuple[tuple[float, float], ...]
    priced_at: float | None = None


@dataclass(frozen=True)
class Axis:
    """A linear axis from 0 to ``maximum``, ticked every ``step``."""

    maximum: float
    step: float
    to_px: Callable[[float], float]

    def ticks(self) -> list[float]:
        return [k * self.step for k in range(round(self.maximum / self.step) + 1)]


def text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of rendered width, for layout without a font."""
    return len(text) * size * 0.6


def nice_ceiling(value: float) -> tuple[float, float]:
    """An axis maximum at or above ``value`` and its tick step (about 5 ticks)."""
    if value <= 0:
        return 1.0, 0.2
    raw = value / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return math.ceil(value / step) * step, step


def _svg_open(height: float, label: str) -> str:
    return (
        f'<svg viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" '
        f'height="{height:.0f}" role="img" aria-label="{escape(label)}" '
        f'font-size="{FONT}" fill="{INK}" class="chart">'
        f"<title>{escape(label)}</title>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int = FONT,
    weight: str = "normal",
    fill: str = INK,
    extra: str = "",
) -> str:
    bold = ' font-weight="600"' if weight == "bold" else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}"{bold}{extra}>{escape(text)}</text>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, style: str) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" {style}/>'


# --- (a) throughput against parallel jobs -----------------------------------


def series_from_sweeps(sweeps: Iterable[dict[str, Any]]) -> list[Series]:
    """Chart series from the report's sweep documents."""
    return [
        Series(
            label=str(sweep["label"]),
            points=tuple(
                (float(lv["concurrency"]), float(lv["total_tokens_per_s"]))
                for lv in sweep["levels"]
            ),
        )
        for sweep in sweeps
    ]


def throughput_chart(series: Sequence[Series]) -> str:
    """Total tokens/s by parallel jobs, one line per sweep, log2 x-axis."""
    if not series or not any(s.points for s in series):
        return ""
    legend, legend_height = _legend(
        [(s.label, PALETTE[i % len(PALETTE)]) for i, s in enumerate(series)]
    )
    left, right, top, bottom = 78.0, WIDTH - 28.0, 20.0 + legend_height, 58.0
    plot_h = 290.0
    height = top + plot_h + bottom
    levels = sorted({c for s in series for c, _ in s.points})
    low, high = math.log2(levels[0]), math.log2(levels[-1])
    pad = max((high - low) * 0.06, 0.5)
    y_max, step = nice_ceiling(max(v for s in series for _, v in s.points) * 1.02)

    def sx(c: float) -> float:
        return left + (math.log2(c) - low + pad) / (high - low + 2 * pad) * (
            right - left
        )

    def sy(v: float) -> float:
        return top + plot_h - v / y_max * plot_h

    parts = [_svg_open(height, "Total tokens per second by parallel jobs"), legend]
    parts += _y_grid(Axis(y_max, step, sy), left, right)
    for c in levels:
        parts.append(
            _line(sx(c), top + plot_h, sx(c), top + plot_h + 5, f'stroke="{INK}"')
        )
        parts.append(_text(sx(c), top + plot_h + 20, fmt_number(c), anchor="middle"))
    parts.append(_line(left, top + plot_h, right, top + plot_h, f'stroke="{INK}"'))
    parts.append(
        _text(
            (left + right) / 2,
            height - 12,
            "Parallel jobs (log₂ scale)",
            anchor="middle",
        )
    )
    parts.append(_y_title(top + plot_h / 2, "Total tokens/s (input + output)"))
    for i, s in enumerate(series):
        parts += _series_path(s, PALETTE[i % len(PALETTE)], sx, sy)
    parts += _end_labels(series, sx, sy)
    parts.append("</svg>")
    return "".join(parts)


def _legend(items: list[tuple[str, str]]) -> tuple[str, float]:
    """A legend that wraps onto more rows when the labels are long."""
    out, x, y = [], 78.0, 18.0
    for label, colour in items:
        width = 34 + text_width(label) + 24
        if x + width > WIDTH - 20 and x > 78:
            x, y = 78.0, y + 22
        out.append(
            _line(x, y - 4, x + 24, y - 4, f'stroke="{colour}" stroke-width="3"')
        )
        out.append(
            f'<circle cx="{x + 12:.1f}" cy="{y - 4:.1f}" r="3.5" fill="{colour}"/>'
        )
        out.append(_text(x + 32, y, label))
        x += width
    return "".join(out), y + 8


def _y_grid(axis: Axis, left: float, right: float) -> list[str]:
    parts = []
    for value in axis.ticks():
        y = axis.to_px(value)
        parts.append(_line(left, y, right, y, f'stroke="{GRID}"'))
        parts.append(
            _text(left - 8, y + 4, fmt_number(value), anchor="end", fill=MUTED)
        )
    return parts


def _y_title(mid_y: float, text: str) -> str:
    return _text(
        18,
        mid_y,
        text,
        anchor="middle",
        extra=f' transform="rotate(-90 18 {mid_y:.1f})"',
    )


def _series_path(s: Series, colour: str, sx: Any, sy: Any) -> list[str]:
    points = sorted(s.points)
    coords = " ".join(f"{sx(c):.1f},{sy(v):.1f}" for c, v in points)
    parts = [
        f'<polyline points="{coords}" fill="none" stroke="{colour}" '
        'stroke-width="2.5" stroke-linejoin="round"/>'
    ]
    parts += [
        f'<circle cx="{sx(c):.1f}" cy="{sy(v):.1f}" r="3.5" fill="{colour}"/>'
        for c, v in points
    ]
    return parts


def _end_labels(series: Sequence[Series], sx: Any, sy: Any) -> list[str]:
    """The last measured value of each line, pushed apart so none overlap."""
    ends = []
    for i, s in enumerate(series):
        if s.points:
            c, v = max(s.points)
            ends.append(
                [sy(v) - 8, sx(c) - 8, fmt_number(v), PALETTE[i % len(PALETTE)]]
            )
    ends.sort(key=lambda e: e[0])
    for before, after in itertools.pairwise(ends):
        if abs(after[1] - before[1]) < 80 and after[0] - before[0] < 16:
            after[0] = before[0] + 16
    return [
        _text(x, y, label, anchor="end", weight="bold", fill=colour)
        for y, x, label, colour in ends
    ]


# --- (b) monthly cost: API against rent and TCO ranges ----------------------


@dataclass(frozen=True)
class CostRow:
    """One bar: ``low..high`` per month, ``None`` when undefined."""

    label: str
    low: float | None
    high: float | None
    colour: str
    text: str


def cost_rows(doc: dict[str, Any]) -> tuple[list[tuple[str, list[CostRow]]], float]:
    """Groups of bars (per option) and the API's monthly cost."""
    api = doc["api"]["cost_per_month"]
    groups = []
    for option in doc["options"]:
        rent, tco = option.get("cost_per_month"), option.get("tco_per_month")
        groups.append(
            (
                str(option["label"]),
                [
                    _cost_row("GPU rent", rent, RENT_COLOUR),
                    _cost_row("TCO (rent + staff)", tco, TCO_COLOUR),
                ],
            )
        )
    return groups, float(api["high"])


def _cost_row(label: str, quantity: dict[str, Any] | None, colour: str) -> CostRow:
    if quantity is None:
        return CostRow(label, None, None, colour, "n/a")
    text = money(quantity, 2)
    return CostRow(label, float(quantity["low"]), float(quantity["high"]), colour, text)


def monthly_cost_chart(doc: dict[str, Any]) -> str:
    """API bill per month against each card's rent and TCO ranges."""
    groups, api_value = cost_rows(doc)
    if not groups:
        return ""
    api_q = doc["api"]["cost_per_month"]
    highs = [r.high for _, rows in groups for r in rows if r.high is not None]
    x_max, step = nice_ceiling(max([api_value, *highs]))
    api_text = money(api_q, 2)
    labels = [api_text, *(r.text for _, rows in groups for r in rows)]
    gutter = max(text_width(t) for t in labels) + 20
    left, right, top = 170.0, WIDTH - gutter, 24.0
    row_h, head_h = 28.0, 26.0
    body = head_h + row_h + sum(head_h + row_h * len(rows) for _, rows in groups)
    height = top + body + 76

    def sx(v: float) -> float:
        return left + v / x_max * (right - left)

    label = "Cost per month: API bill against GPU rent and total cost of ownership"
    parts = [_svg_open(height, label)]
    parts += _x_grid(Axis(x_max, step, sx), top, top + body, doc["currency"])
    parts.append(
        _line(
            sx(api_value),
            top + 4,
            sx(api_value),
            top + body,
            f'stroke="{API_COLOUR}" stroke-width="1.5" stroke-dasharray="5 4"',
        )
    )
    y = top
    api_row = CostRow("Per month", api_value, api_value, API_COLOUR, api_text)
    api_name = f"API ({doc['api']['provider']})"
    parts.append(_text(8, y + 18, api_name, weight="bold", extra=_HALO))
    parts += _bar(api_row, y + head_h, sx, left, from_zero=True)
    y += head_h + row_h
    for name, rows in groups:
        parts.append(_text(8, y + 18, name, weight="bold", extra=_HALO))
        y += head_h
        for row in rows:
            parts += _bar(row, y, sx, left)
            y += row_h
    axis_title = f"{doc['currency']} per month"
    parts.append(
        _text((left + right) / 2, top + body + 42, axis_title, anchor="middle")
    )
    note = (
        "Each bar runs from the low to the high end of its range; "
        "the dashed line marks the API bill."
    )
    parts.append(_text(8, height - 8, note, fill=MUTED, size=SMALL))
    parts.append("</svg>")
    return "".join(parts)


def _x_grid(axis: Axis, top: float, bottom: float, currency: str) -> list[str]:
    prefix, suffix = currency_symbol(currency)
    parts = []
    for value in axis.ticks():
        x = axis.to_px(value)
        parts.append(_line(x, top, x, bottom, f'stroke="{GRID}"'))
        tick = f"{prefix}{fmt_number(Decimal(str(value)), 0)}{suffix}"
        parts.append(_text(x, bottom + 18, tick, anchor="middle", fill=MUTED))
    end = axis.to_px(axis.maximum)
    parts.append(_line(axis.to_px(0), bottom, end, bottom, f'stroke="{INK}"'))
    return parts


def _bar(
    row: CostRow,
    y: float,
    sx: Any,
    left: float,
    *,
    from_zero: bool = False,
) -> list[str]:
    parts = [_text(left - 10, y + 17, row.label, anchor="end", fill=MUTED, size=SMALL)]
    if row.low is None or row.high is None:
        parts.append(_text(left + 6, y + 17, "n/a", fill=MUTED))
        return parts
    x0 = sx(0 if from_zero else row.low)
    x1 = max(sx(row.high), x0 + 3)
    parts.append(
        f'<rect x="{x0:.1f}" y="{y + 6:.1f}" width="{x1 - x0:.1f}" height="15" '
        f'rx="2" fill="{row.colour}"/>'
    )
    width = text_width(row.text, FONT)
    if x1 + 8 + width <= WIDTH - 4:
        parts.append(_text(x1 + 8, y + 18, row.text))
    else:
        parts.append(_text(x0 - 8, y + 18, row.text, anchor="end"))
    return parts
