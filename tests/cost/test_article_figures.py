"""The article's cost sections, recomputed by the engine from its inputs alone.

Each test asserts the exact value and how it relates to the article's rounded
figure. Where the article's own arithmetic drifts, the test names the cause:

- input cost €0.72/night: the article prints €0.73 because it rounded the
  USD price after converting ($0.039 × 0.93 = €0.03627), not the €0.036 it shows;
- €57.15/month: the article says ~€58 (it rounds €1.91 × 30 = €57.3 up);
- RTX €/1M: the article divides by ~5,700 tok/s, the sweep's peak is 5,702;
- MI300X €0.0749/1M and +8.1 % over the API: the article truncates to €0.074
  and ~7 %;
- RTX rent with buffer: one 0.2 h buffer gives €90.53; the article's ~€88
  implies 1.5 h/night on that card (0.16 h of buffer).
"""

from decimal import Decimal

from llm_tco.cost import (
    RentCost,
    api_cost,
    cost_per_1m_tokens,
    electricity_per_year,
    rent_cost,
    staff_cost,
    token_volume,
)
from llm_tco.money import Span, round_half_up

NIGHT = token_volume(5000, 4000, 1500)
API = api_cost(NIGHT, 30, "0.036", "0.158")


def point(span: Span) -> Decimal:
    assert span.is_point, span
    return span.low


def rent(tokens_per_s: int, price: str, buffer: str = "0.2") -> RentCost:
    return rent_cost(
        total_tokens_per_run=NIGHT.total_tokens,
        tokens_per_s=tokens_per_s,
        price_per_gpu_hour=price,
        runs_per_month=30,
        api_cost_per_run=API.cost_per_run,
        startup_buffer_hours=buffer,
    )


def test_tokens_per_night_match_article() -> None:
    assert point(NIGHT.input_tokens) == 20_000_000
    assert point(NIGHT.output_tokens) == 7_500_000
    assert point(NIGHT.total_tokens) == 27_500_000


def test_api_cost_per_night_is_exact_and_rounds_to_article() -> None:
    assert point(API.cost_per_run) == Decimal("1.905")
    assert round_half_up(point(API.cost_per_run), 2) == Decimal("1.91")
    assert point(API.output_cost_per_run) == Decimal("1.185")
    assert point(API.input_cost_per_run) == Decimal("0.72")


def test_api_cost_per_month_and_blended() -> None:
    assert point(API.cost_per_month) == Decimal("57.15")
    assert abs(point(API.cost_per_month) - 58) < 1
    blended = point(API.cost_per_1m_tokens_blended)
    assert round_half_up(blended, 3) == Decimal("0.069")
    assert round_half_up(blended, 2) == Decimal("0.07")


def test_compute_hours_per_night_on_each_card() -> None:
    rtx, mi = rent(5702, "1.96"), rent(7639, "2.06")
    assert round_half_up(point(rtx.compute_hours_per_run), 4) == Decimal("1.3397")
    assert abs(point(rtx.compute_hours_per_run) - Decimal("1.35")) < Decimal("0.02")
    assert round_half_up(point(mi.compute_hours_per_run), 2) == Decimal("1.00")


def test_cost_per_million_tokens_and_ratio_to_api() -> None:
    rtx, mi = rent(5702, "1.96"), rent(7639, "2.06")
    assert round_half_up(point(rtx.cost_per_1m_tokens), 5) == Decimal("0.09548")
    assert round_half_up(point(cost_per_1m_tokens("1.96", 5700)), 3) == Decimal("0.096")
    assert round_half_up(point(mi.cost_per_1m_tokens), 4) == Decimal("0.0749")
    assert round_half_up(point(rtx.ratio_to_api), 3) == Decimal("1.378")
    assert round_half_up(point(mi.ratio_to_api), 3) == Decimal("1.081")


def test_monthly_rent_compute_alone_and_with_buffer() -> None:
    rtx, mi = rent(5702, "1.96"), rent(7639, "2.06")
    assert rtx.cost_per_month.rounded(2) == Span(Decimal("78.77"), Decimal("90.53"))
    assert mi.cost_per_month.rounded(2) == Span(Decimal("61.80"), Decimal("74.16"))
    assert round_half_up(rtx.compute_cost_per_month.low, 0) == 79
    assert round_half_up(mi.cost_per_month.high, 0) == 74


def test_break_even_price_matches_article() -> None:
    mi = rent(7639, "2.06")
    assert round_half_up(point(mi.break_even_price_per_gpu_hour), 3) == Decimal("1.905")
    assert abs(point(mi.break_even_price_per_gpu_hour) - Decimal("1.92")) < Decimal(
        "0.02"
    )


def test_staff_ranges_match_article() -> None:
    staff = staff_cost([75, 150], [4, 8], 12, [1, 2])
    assert staff.setup_cost == Span(Decimal(300), Decimal(1200))
    assert staff.setup_cost_per_month == Span(Decimal(25), Decimal(100))
    assert staff.ongoing_cost_per_month == Span(Decimal(75), Decimal(300))


def test_tco_per_month_ranges_for_both_cards() -> None:
    staff = staff_cost([75, 150], [4, 8], 12, [1, 2])
    rtx = rent(5702, "1.96").cost_per_month + staff.cost_per_month
    mi = rent(7639, "2.06").cost_per_month + staff.cost_per_month
    assert rtx.rounded(0) == Span(Decimal(179), Decimal(491))
    assert mi.rounded(0) == Span(Decimal(162), Decimal(474))


def test_electricity_range_for_600w_card() -> None:
    per_year = electricity_per_year(600, [7500, 8300], ["0.20", "0.30"], 1)
    assert per_year == Span(Decimal(900), Decimal(1494))
    assert round_half_up(per_year.high, -2) == 1500
    continuous = electricity_per_year(600, 8760, ["0.20", "0.30"], 1)
    assert continuous.rounded(0) == Span(Decimal(1051), Decimal(1577))
