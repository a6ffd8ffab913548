"""Break-even points: where self-hosting costs exactly what the API does.

Three questions Finance asks, each answered over every end of the input
ranges (the answer is monotone in each input, so its extremes sit at the
ends): how many jobs per run, how many ongoing staff hours a month, and how
many months until a bought card has paid for itself against renting.

A break-even may not exist. ``None`` then means "never": rent per job above
the API per job, rent alone already above the API bill, a saving that never
comes, or a volume one server cannot process in its window.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from llm_tco.money import Span, SpanLike, non_negative, positive

ZERO = Decimal(0)


@dataclass(frozen=True)
class BreakEven:
    """A break-even over the input ranges.

    ``low``/``high`` are the smallest and largest break-even found at the
    ends of the inputs; both ``None`` when there is none anywhere.
    ``never_somewhere`` is true when at least one end has none (so the range
    is only part of the story); ``reason`` says why there is none.
    """

    low: Decimal | None
    high: Decimal | None
    never_somewhere: bool
    reason: str = ""
    beyond_capacity: bool = False

    @property
    def never(self) -> bool:
        return self.low is None


def over_ends(
    inputs: Mapping[str, Span],
    solve: Callable[[Mapping[str, Decimal]], Decimal | None],
) -> tuple[list[Decimal], int]:
    """``solve`` at every combination of the inputs' ends: (values, misses)."""
    names = list(inputs)
    found: list[Decimal] = []
    misses = 0
    for ends in itertools.product(*(inputs[n].ends for n in names)):
        value = solve(dict(zip(names, ends, strict=True)))
        if value is None:
            misses += 1
        else:
            found.append(value)
    return found, misses


def _collect(
    found: list[Decimal], misses: int, reason: str, beyond: bool = False
) -> BreakEven:
    if not found:
        return BreakEven(None, None, True, reason, beyond)
    return BreakEven(
        min(found), max(found), misses > 0, reason if misses else "", beyond
    )


def break_even_jobs_per_run(
    *,
    api_cost_per_job: SpanLike,
    rent_cost_per_job: SpanLike,
    buffer_cost_per_run: SpanLike,
    runs_per_month: SpanLike,
    fixed_cost_per_month: SpanLike,
    max_jobs_per_run: Decimal | None = None,
) -> BreakEven:
    """Jobs per run at which rent (+ fixed costs) equals the API bill.

    API per month = runs × a × J; self-hosted = runs × (r × J + b) + S, with
    ``a`` the API per job, ``r`` the rent per job (compute hours), ``b`` the
    rent for start-up/buffer hours per run and ``S`` the fixed (staff) cost
    a month. Both bills grow linearly with J, so they meet once, at
    J = (runs × b + S) / (runs × (a − r)), and only if a > r; with b = S = 0
    (rent alone, compute hours only) renting is cheaper at any volume when
    a > r (J = 0). ``max_jobs_per_run`` is what one server can process in a
    run (its window); a break-even above it is "never" on one server.
    """
    inputs = {
        "a": positive(api_cost_per_job, "API cost per job"),
        "r": positive(rent_cost_per_job, "rent per job"),
        "b": non_negative(buffer_cost_per_run, "buffer rent per run"),
        "runs": positive(runs_per_month, "runs per month"),
        "fixed": non_negative(fixed_cost_per_month, "fixed cost per month"),
    }
    beyond = False

    def solve(v: Mapping[str, Decimal]) -> Decimal | None:
        nonlocal beyond
        margin = v["a"] - v["r"]
        if margin <= 0:
            return None
        jobs = (v["runs"] * v["b"] + v["fixed"]) / (v["runs"] * margin)
        if max_jobs_per_run is not None and jobs > max_jobs_per_run:
            beyond = True
            return None
        return jobs

    found, misses = over_ends(inputs, solve)
    if beyond:
        reason = (
            f"beyond the {max_jobs_per_run:,.0f} jobs one server can process in a "
            "run's window"
        )
    else:
        reason = "rent per job is at or above the API per job, at any volume"
    return _collect(found, misses, reason, beyond)


def break_even_ongoing_hours(
    *,
    api_cost_per_month: SpanLike,
    rent_cost_per_month: SpanLike,
    rate_per_hour: SpanLike,
    setup_hours: SpanLike,
    amortise_months: int,
) -> BreakEven:
    """Ongoing staff hours a month at which the TCO equals the API bill.

    API = rent + rate × (setup hours / months + H), so
    H = (API − rent) / rate − setup hours / months. A negative H means rent
    and set-up alone already cost more than the API: never.
    """
    inputs = {
        "api": non_negative(api_cost_per_month, "API cost per month"),
        "rent": non_negative(rent_cost_per_month, "rent per month"),
        "rate": positive(rate_per_hour, "staff rate per hour"),
        "setup": non_negative(setup_hours, "set-up hours"),
    }

    def solve(v: Mapping[str, Decimal]) -> Decimal | None:
        hours = (v["api"] - v["rent"]) / v["rate"] - v["setup"] / amortise_months
        return hours if hours >= 0 else None

    found, misses = over_ends(inputs, solve)
    reason = "GPU rent and the amortised set-up alone already exceed the API bill"
    return _collect(found, misses, reason)


def payback_months(
    *,
    purchase_price: SpanLike,
    rent_price_per_hour: SpanLike,
    electricity_price_per_hour: SpanLike,
    hours_per_month: SpanLike,
) -> BreakEven:
    """Months until a bought card's price is recovered against renting it.

    Each month of use saves (rent per hour − electricity per hour) × hours;
    payback = purchase price / that saving. No saving: never.
    """
    inputs = {
        "price": positive(purchase_price, "purchase price"),
        "rent": positive(rent_price_per_hour, "rent per hour"),
        "power": non_negative(electricity_price_per_hour, "electricity per hour"),
        "hours": non_negative(hours_per_month, "hours of use per month"),
    }

    def solve(v: Mapping[str, Decimal]) -> Decimal | None:
        saving = (v["rent"] - v["power"]) * v["hours"]
        return v["price"] / saving if saving > 0 else None

    found, misses = over_ends(inputs, solve)
    reason = "electricity costs as much as the rent it replaces, or the card idles"
    return _collect(found, misses, reason)
