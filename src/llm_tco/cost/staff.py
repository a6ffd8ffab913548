"""The people who keep a self-hosted server running."""

from __future__ import annotations

from dataclasses import dataclass

from llm_tco.errors import InputError
from llm_tco.money import Span, SpanLike, non_negative, positive


@dataclass(frozen=True)
class StaffCost:
    rate_per_hour: Span
    setup_hours: Span
    setup_cost: Span
    amortise_months: int
    setup_cost_per_month: Span
    ongoing_hours_per_month: Span
    ongoing_cost_per_month: Span
    cost_per_month: Span


def staff_cost(
    rate_per_hour: SpanLike,
    setup_hours: SpanLike,
    amortise_months: int,
    ongoing_hours_per_month: SpanLike,
) -> StaffCost:
    """One-off set-up spread over ``amortise_months``, plus ongoing care."""
    if amortise_months <= 0:
        raise InputError(
            f"amortise_months must be a whole number above 0, got {amortise_months}"
        )
    rate = positive(rate_per_hour, "staff rate per hour")
    setup = non_negative(setup_hours, "set-up hours")
    ongoing = non_negative(ongoing_hours_per_month, "ongoing hours per month")
    setup_cost = rate * setup
    setup_per_month = setup_cost / amortise_months
    ongoing_cost = rate * ongoing
    return StaffCost(
        rate_per_hour=rate,
        setup_hours=setup,
        setup_cost=setup_cost,
        amortise_months=amortise_months,
        setup_cost_per_month=setup_per_month,
        ongoing_hours_per_month=ongoing,
        ongoing_cost_per_month=ongoing_cost,
        cost_per_month=setup_per_month + ongoing_cost,
    )
