"""Engine behaviour beyond the article: ranges, bad inputs, break-even."""

from decimal import Decimal
from typing import Any

import pytest

from llm_tco.cost import api_cost, ownership_cost, rent_cost, staff_cost, token_volume
from llm_tco.errors import InputError
from llm_tco.money import Span


def test_rent_at_break_even_price_costs_the_same_as_the_api() -> None:
    volume = token_volume(1234, 3000, 700)
    api = api_cost(volume, 22, "0.05", "0.4")
    first = rent_cost(
        total_tokens_per_run=volume.total_tokens,
        tokens_per_s=900,
        price_per_gpu_hour=1,
        runs_per_month=22,
        api_cost_per_run=api.cost_per_run,
    )
    at_break_even = rent_cost(
        total_tokens_per_run=volume.total_tokens,
        tokens_per_s=900,
        price_per_gpu_hour=first.break_even_price_per_gpu_hour,
        runs_per_month=22,
        api_cost_per_run=api.cost_per_run,
    )
    assert abs(at_break_even.cost_per_run.low - api.cost_per_run.low) < Decimal("1e-20")
    assert abs(at_break_even.ratio_to_api.low - 1) < Decimal("1e-20")


def test_range_inputs_give_range_outputs() -> None:
    volume = token_volume([4000, 6000], 4000, 1500)
    api = api_cost(volume, 30, "0.036", "0.158")
    assert api.cost_per_month == Span(Decimal("45.72"), Decimal("68.58"))
    # the blended price does not widen: it is the same for every job count
    assert api.cost_per_1m_tokens_blended.is_point


def test_more_gpus_cost_more_per_hour_and_lower_break_even_per_gpu() -> None:
    volume = token_volume(100, 1000, 1000)
    api = api_cost(volume, 30, 1, 1)
    kwargs = {
        "total_tokens_per_run": volume.total_tokens,
        "tokens_per_s": 100,
        "price_per_gpu_hour": 2,
        "runs_per_month": 30,
        "api_cost_per_run": api.cost_per_run,
    }
    one, two = rent_cost(**kwargs), rent_cost(**kwargs, gpus=2)
    assert two.cost_per_run.low == 2 * one.cost_per_run.low
    assert two.break_even_price_per_gpu_hour.low * 2 == (
        one.break_even_price_per_gpu_hour.low
    )


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"tokens_per_s": 0}, "throughput"),
        ({"tokens_per_s": -5}, "throughput"),
        ({"price_per_gpu_hour": 0}, "price per GPU-hour"),
        ({"runs_per_month": -1}, "runs per month"),
        ({"startup_buffer_hours": -0.1}, "start-up/buffer"),
    ],
)
def test_bad_rent_inputs_name_the_value(kwargs: dict[str, Any], fragment: str) -> None:
    args = {
        "total_tokens_per_run": 1000,
        "tokens_per_s": 10,
        "price_per_gpu_hour": 1,
        "runs_per_month": 30,
        "api_cost_per_run": 1,
        **kwargs,
    }
    with pytest.raises(InputError, match=fragment):
        rent_cost(**args)


def test_zero_jobs_is_an_input_error() -> None:
    with pytest.raises(InputError, match="jobs per run must be above 0"):
        token_volume(0, 4000, 1500)


def test_staff_needs_positive_amortisation() -> None:
    with pytest.raises(InputError, match="amortise_months"):
        staff_cost(100, 4, 0, 1)


def test_owning_few_hours_costs_more_than_renting_them() -> None:
    cost = ownership_cost(
        purchase_price=8000,
        depreciation_rate_per_year="0.25",
        power_w=600,
        hours_per_year=500,
        price_per_kwh="0.25",
        rent_price_per_hour="1.96",
    )
    assert cost.depreciation_per_month.low == Decimal("8000") * Decimal("0.25") / 12
    assert cost.electricity_per_year.low == Decimal("75")
    assert cost.owning_minus_renting_per_month.low > 0


def test_pue_below_one_is_rejected() -> None:
    with pytest.raises(InputError, match="PUE"):
        ownership_cost(
            purchase_price=1,
            depreciation_rate_per_year="0.2",
            power_w=600,
            hours_per_year=100,
            price_per_kwh="0.2",
            rent_price_per_hour=1,
            pue="0.9",
        )
