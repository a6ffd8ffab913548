"""Formatting helpers: half-up rounding, ranges, currencies and n/a."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from llm_tco.report._format import (
    NA,
    fmt_bool,
    fmt_hours,
    fmt_number,
    fmt_percent,
    fmt_range,
    fmt_ratio,
    fmt_tokens,
    fmt_versus,
    money,
    na,
    ratio_of,
)


def quantity(
    low: float, high: float | None = None, unit: str = "EUR/month"
) -> dict[str, Any]:
    return {"low": low, "high": low if high is None else high, "unit": unit}


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (1.905, 2, "1.91"),  # binary float 1.905 is 1.90499…; the document means 1.905
        (2.675, 2, "2.68"),
        (0.125, 2, "0.13"),
        (1234567.891, 2, "1,234,567.89"),
        (-0.001, 2, "0.00"),
        (Decimal("78.775"), 2, "78.78"),
    ],
)
def test_fmt_number_rounds_half_up(value: float, places: int, expected: str) -> None:
    assert fmt_number(value, places) == expected


def test_money_places_follow_the_unit() -> None:
    assert money(quantity(1.905, unit="EUR/night")) == "€1.905"
    assert money(quantity(57.15)) == "€57.15"
    assert money(quantity(0.06927272727272728, unit="EUR/1M tokens")) == "€0.0693"
    assert money(quantity(12.5, unit="EUR/night")) == "€12.50"


def test_money_ranges_print_the_symbol_once() -> None:
    rent = quantity(78.77352975564129, 90.5335297556413)
    assert money(rent) == "€78.77–90.53"
    assert money(quantity(300, 1200, "EUR")) == "€300–1,200"


def test_money_explicit_places_and_currencies() -> None:
    assert money(quantity(1.905, unit="EUR/night"), 2) == "€1.91"
    assert money(quantity(2.5, unit="USD/h"), 2) == "$2.50"
    assert money(quantity(5, 6, "CHF/month"), 2) == "5–6 CHF"
    assert money(quantity(5.5, 6, "CHF/month"), 2) == "5.50–6.00 CHF"


def test_money_negative_ranges_read_with_to() -> None:
    diff = quantity(-1157.3333, -906.75)
    assert money(diff) == "-€1,157.33 to -€906.75"


def test_none_is_na_never_zero() -> None:
    for text in (
        money(None),
        fmt_range(None),
        fmt_hours(None),
        fmt_ratio(None),
        fmt_percent(None),
        fmt_bool(None),
        fmt_number(None),
        fmt_tokens(None),
        fmt_versus(None),
        na(None),
    ):
        assert text == NA == "n/a"
    assert ratio_of(None, quantity(1)) is None


def test_ranges_hours_and_percent() -> None:
    billed = quantity(1.3396858801979812, 1.5396858801979811, "h/night")
    assert fmt_hours(billed) == "1.34–1.54 h"
    assert fmt_hours(quantity(4, 8, "h")) == "4–8 h"
    assert (
        fmt_range(quantity(27500000, unit="tokens/night")) == "27,500,000 tokens/night"
    )
    assert fmt_percent(quantity(0.2, 0.25, "share/year")) == "20–25 %"


def test_ratio_shows_times_and_percent() -> None:
    assert fmt_ratio(quantity(1.3783644751643271, unit="ratio")) == "1.38× (+38 %)"
    assert fmt_ratio(quantity(1.08, 1.38, "ratio")) == "1.08–1.38× (+8–38 %)"
    assert fmt_ratio(quantity(0.9, unit="ratio")) == "0.90× (-10 %)"


def test_versus_in_words() -> None:
    assert fmt_versus(quantity(1.08, 1.3)) == "8–30 % above the API"
    assert fmt_versus(quantity(0.8, 0.9)) == "10–20 % below the API"
    assert fmt_versus(quantity(0.9, 1.2)) == "between 10 % below and 20 % above the API"
    assert fmt_versus(quantity(2.83, 8.3)) == "2.83–8.30× the API"


def test_ratio_of_spans_the_extremes() -> None:
    ratio = ratio_of(quantity(100, 400), quantity(50, 100))
    assert ratio is not None
    assert (ratio["low"], ratio["high"]) == (1, 8)
    assert ratio_of(quantity(1), quantity(0)) is None


def test_tokens_in_millions_only_when_exact() -> None:
    assert fmt_tokens(quantity(27_500_000)) == "27.5M"
    assert fmt_tokens(quantity(825_000_000)) == "825M"
    assert fmt_tokens(quantity(1_234_567)) == "1,234,567"
