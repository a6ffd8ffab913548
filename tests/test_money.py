from decimal import Decimal

import pytest

from llm_tco.errors import InputError
from llm_tco.money import FxRate, Money, Span, round_half_up

ARTICLE_COSTS = FxRate(
    "article-costs", "USD", "EUR", Decimal("0.93"), "2026-12-04", "x"
)


def test_round_half_up_rounds_like_on_paper() -> None:
    assert round_half_up(Decimal("1.905"), 2) == Decimal("1.91")
    assert round_half_up(Decimal("0.0745"), 3) == Decimal("0.075")


def test_span_arithmetic_holds_every_combination() -> None:
    rate, hours = Span.of([75, 150]), Span.of([4, 8])
    assert rate * hours == Span(Decimal(300), Decimal(1200))
    assert Span.of([1, 2]) - Span.of([0, 5]) == Span(Decimal(-4), Decimal(2))
    assert Span.of(10) / Span.of([2, 5]) == Span(Decimal(2), Decimal(5))


def test_span_rejects_bad_ranges() -> None:
    with pytest.raises(InputError, match="low above high"):
        Span.of([5, 1])
    with pytest.raises(InputError, match=r"\[low, high\]"):
        Span.of([1, 2, 3])
    with pytest.raises(InputError, match="must be a number"):
        Span.of("abc")
    with pytest.raises(InputError, match="finite"):
        Span.of(float("nan"))
    with pytest.raises(InputError, match="holds zero"):
        Span.of(1) / Span.of([-1, 1])


def test_money_changes_currency_only_with_a_stated_rate() -> None:
    usd = Money.of("0.039", "USD")
    assert usd.in_currency("EUR", ARTICLE_COSTS).span.low == Decimal("0.03627")
    assert Money.of("0.93", "EUR").in_currency("USD", ARTICLE_COSTS).span.low == 1
    with pytest.raises(InputError, match="no USD<->EUR rate"):
        usd.in_currency("EUR", None)
    with pytest.raises(InputError, match="no USD<->GBP rate"):
        usd.in_currency("GBP", ARTICLE_COSTS)
