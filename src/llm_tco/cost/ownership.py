"""Buying a GPU instead of renting it: depreciation and electricity."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from llm_tco.errors import InputError
from llm_tco.money import Span, SpanLike, non_negative, positive

HOURS_PER_YEAR = Decimal(8760)
MONTHS_PER_YEAR = Decimal(12)


def electricity_per_year(
    power_w: SpanLike, hours_per_year: SpanLike, price_per_kwh: SpanLike, pue: SpanLike
) -> Span:
    """Electricity for a year: kW × hours × price × PUE (cooling overhead)."""
    kw = positive(power_w, "power draw (W)") / 1000
    hours = non_negative(hours_per_year, "hours of use per year")
    if hours.high > HOURS_PER_YEAR:
        raise InputError(f"hours of use per year {hours} exceeds {HOURS_PER_YEAR}")
    return kw * hours * positive(price_per_kwh, "price per kWh") * _pue(pue)


def _pue(value: SpanLike) -> Span:
    pue = positive(value, "PUE")
    if pue.low < 1:
        raise InputError(f"PUE must be 1.0 or more (1.0 = no cooling), got {pue}")
    return pue


@dataclass(frozen=True)
class OwnershipCost:
    hours_per_year: Span
    purchase_price: Span
    depreciation_rate_per_year: Span
    depreciation_per_month: Span
    energy_kwh_per_year: Span
    electricity_per_year: Span
    electricity_per_month: Span
    cost_per_month: Span
    rent_same_hours_per_month: Span
    owning_minus_renting_per_month: Span


def ownership_cost(
    *,
    purchase_price: SpanLike,
    depreciation_rate_per_year: SpanLike,
    power_w: SpanLike,
    hours_per_year: SpanLike,
    price_per_kwh: SpanLike,
    rent_price_per_hour: SpanLike,
    pue: SpanLike = 1,
) -> OwnershipCost:
    """Monthly cost of owning one card, against renting it for the same hours.

    Depreciation is straight-line on the purchase price; electricity counts
    only the hours of use. Owning costs the depreciation whether the card is
    busy or not, which is why few hours of use favour renting.
    """
    price = positive(purchase_price, "purchase price")
    rate = positive(depreciation_rate_per_year, "depreciation per year")
    hours = non_negative(hours_per_year, "hours of use per year")
    depreciation = price * rate / MONTHS_PER_YEAR
    power = electricity_per_year(power_w, hours, price_per_kwh, pue)
    owning = depreciation + power / MONTHS_PER_YEAR
    rent = hours / MONTHS_PER_YEAR * positive(rent_price_per_hour, "rent per hour")
    return OwnershipCost(
        hours_per_year=hours,
        purchase_price=price,
        depreciation_rate_per_year=rate,
        depreciation_per_month=depreciation,
        energy_kwh_per_year=positive(power_w, "power draw (W)") / 1000 * hours,
        electricity_per_year=power,
        electricity_per_month=power / MONTHS_PER_YEAR,
        cost_per_month=owning,
        rent_same_hours_per_month=rent,
        owning_minus_renting_per_month=owning - rent,
    )
