"""Sensitivity (tornado): which input moves a result the most.

Each input is varied over its range, or by ±``point_spread`` when the
scenario states a single value, while every other input sits at its middle.
The bars are sorted by how far they move the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from llm_tco.money import Span

SECONDS_PER_HOUR = Decimal(3600)
POINT_SPREAD = Decimal("0.2")

# The inputs of :func:`tco_per_month`, by name.
TCO_INPUTS = (
    "jobs_per_run",
    "input_tokens_per_job",
    "output_tokens_per_job",
    "runs_per_month",
    "tokens_per_s",
    "price_per_gpu_hour",
    "gpus",
    "startup_buffer_hours",
    "rate_per_hour",
    "setup_hours",
    "amortise_months",
    "ongoing_hours_per_month",
)


@dataclass(frozen=True)
class TornadoBar:
    """One input: the values tried and the result at each."""

    name: str
    low_value: Decimal
    high_value: Decimal
    from_point: bool
    result_at_low: Decimal
    result_at_high: Decimal

    @property
    def swing(self) -> Decimal:
        return abs(self.result_at_high - self.result_at_low)


@dataclass(frozen=True)
class Tornado:
    base: Decimal
    bars: tuple[TornadoBar, ...]


def tco_per_month(v: Mapping[str, Decimal]) -> Decimal:
    """Rent for compute + buffer hours, plus staff, for one month (points)."""
    tokens = v["jobs_per_run"] * (
        v["input_tokens_per_job"] + v["output_tokens_per_job"]
    )
    hours = tokens / v["tokens_per_s"] / SECONDS_PER_HOUR + v["startup_buffer_hours"]
    rent = hours * v["price_per_gpu_hour"] * v["gpus"] * v["runs_per_month"]
    staff = v["rate_per_hour"] * (
        v["setup_hours"] / v["amortise_months"] + v["ongoing_hours_per_month"]
    )
    return rent + staff


def tornado(
    inputs: Mapping[str, Span],
    result: Callable[[Mapping[str, Decimal]], Decimal],
    *,
    fixed: frozenset[str] = frozenset(),
    point_spread: Decimal = POINT_SPREAD,
) -> Tornado:
    """Bars for every input not in ``fixed``, largest swing first."""
    mids = {name: span.mid for name, span in inputs.items()}
    bars = []
    for name, span in inputs.items():
        if name in fixed:
            continue
        from_point = span.is_point
        low, high = (
            (span.low * (1 - point_spread), span.high * (1 + point_spread))
            if from_point
            else span.ends
        )
        if low == high:
            continue  # a zero stated as a point: nothing to vary
        bars.append(
            TornadoBar(
                name=name,
                low_value=low,
                high_value=high,
                from_point=from_point,
                result_at_low=result({**mids, name: low}),
                result_at_high=result({**mids, name: high}),
            )
        )
    bars.sort(key=lambda bar: bar.swing, reverse=True)
    return Tornado(base=result(mids), bars=tuple(bars))
