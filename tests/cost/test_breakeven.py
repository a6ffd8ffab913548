"""Break-even job volume and staff hours, checked by hand from the article.

Article numbers: 5,000 jobs a night of 4,000 + 1,500 tokens; DeepInfra at
€0.036 / €0.158 per 1M (API €1.905 a night, €57.15 a month); the MI300X does
7,639 tokens/s at €2.06/h with a 0.2 h start-up buffer; staff €75–150/h,
4–8 h set-up over 12 months, 1–2 h a month (€100–400 a month).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from llm_tco.catalog import load_catalog
from llm_tco.cost.breakeven import (
    break_even_jobs_per_run,
    break_even_ongoing_hours,
    payback_months,
)
from llm_tco.report import PricingInputs, build_report
from llm_tco.scenario import load_scenario

D = Decimal

API_PER_JOB = D("1.905") / 5000  # €0.000381 per job
TOKENS_PER_JOB = D(5500)
MI300X_TOKENS_PER_S = D(7639)


def rent_per_job(price: D) -> D:
    return price * TOKENS_PER_JOB / (MI300X_TOKENS_PER_S * 3600)


def mi300x_even(*overrides: str) -> dict[str, Any]:
    loaded = load_scenario(None, overrides)
    doc = build_report(
        PricingInputs(loaded, load_catalog(extra=loaded.catalog_overrides))
    )
    (even,) = [e for e in doc["finance"]["break_even"] if e["id"] == "article-mi300x"]
    return even


def test_hand_numbers_of_the_default_scenario() -> None:
    # €0.000381 a job on the API against €0.000412 a job of MI300X rent:
    assert D("0.000381") == API_PER_JOB
    assert rent_per_job(D("2.06")) == pytest.approx(D("0.000411994"), abs=D("1e-9"))
    assert rent_per_job(D("2.06")) > API_PER_JOB  # so no volume ever breaks even


def test_default_scenario_never_breaks_even_on_volume_or_staff_hours() -> None:
    even = mi300x_even()
    assert float(D(str(even["api_cost_per_job"]["low"]))) == pytest.approx(0.000381)
    assert even["rent_cost_per_job"]["low"] == pytest.approx(
        float(rent_per_job(D("2.06")))
    )
    for key in ("jobs_per_run_rent", "jobs_per_run_tco"):
        assert even[key]["low"] is None and even[key]["high"] is None
        assert "at or above the API per job" in even[key]["reason"]
    # Staff: H = (API − rent) / rate − set-up / 12; with API €57.15 and rent
    # €61.80 (compute alone) H is already negative: never.
    rent_low = rent_per_job(D("2.06")) * 5000 * 30
    assert (D("57.15") - rent_low) / 75 - D(4) / 12 < 0
    assert even["ongoing_hours_per_month"]["low"] is None


def test_tco_volume_break_even_matches_the_hand_formula() -> None:
    # At €1.50/h and a 24 h window: jobs = (runs × buffer rent + staff) /
    # (runs × (API per job − rent per job)); buffer rent 0…0.2 h × €1.50.
    even = mi300x_even(
        "offers.runpod-mi300x.price_per_gpu_hour=1.5", "workload.window_hours=24"
    )
    margin = 30 * (API_PER_JOB - rent_per_job(D("1.5")))
    capacity = 24 * 3600 * MI300X_TOKENS_PER_S / TOKENS_PER_JOB  # 120,001.7 jobs
    candidates = [
        (30 * b + s) / margin for b in (D(0), D("0.3")) for s in (D(100), D(400))
    ]
    within = [c for c in candidates if c <= capacity]
    tco = even["jobs_per_run_tco"]
    assert tco["low"] == pytest.approx(float(D(100) / margin))  # ≈ 41,153 jobs
    assert tco["high"] == pytest.approx(float(max(within)))  # ≈ 44,856 jobs
    assert tco["never_somewhere"] and tco["beyond_capacity"]  # €400 of staff: >120k
    rent = even["jobs_per_run_rent"]
    assert rent["low"] == 0  # compute hours alone: cheaper at any volume
    assert rent["high"] == pytest.approx(
        float(D("0.3") / (API_PER_JOB - rent_per_job(D("1.5"))))
    )


def test_staff_hours_break_even_matches_the_hand_formula() -> None:
    even = mi300x_even(
        "offers.runpod-mi300x.price_per_gpu_hour=1.5", "workload.jobs_per_run=30000"
    )
    api = API_PER_JOB * 30000 * 30  # €342.90 a month
    compute = D(30000) * TOKENS_PER_JOB / MI300X_TOKENS_PER_S / 3600
    rents = (compute * D("1.5") * 30, (compute + D("0.2")) * D("1.5") * 30)
    hours = [
        (api - rent) / rate - setup / 12
        for rent in rents
        for rate in (D(75), D(150))
        for setup in (D(4), D(8))
    ]
    found = [h for h in hours if h >= 0]
    value = even["ongoing_hours_per_month"]
    assert value["high"] == pytest.approx(float(max(found)))  # ≈ 0.64 h a month
    assert value["low"] == pytest.approx(float(min(found)))  # ≈ 0.09 h a month
    assert value["never_somewhere"]  # at €150/h and 8 h set-up: never


def test_engine_says_never_when_rent_per_job_is_higher() -> None:
    result = break_even_jobs_per_run(
        api_cost_per_job=D(1),
        rent_cost_per_job=D(2),
        buffer_cost_per_run=0,
        runs_per_month=30,
        fixed_cost_per_month=100,
    )
    assert result.never and result.low is None


def test_engine_staff_hours_exact() -> None:
    result = break_even_ongoing_hours(
        api_cost_per_month=D(500),
        rent_cost_per_month=D(200),
        rate_per_hour=D(100),
        setup_hours=D(12),
        amortise_months=12,
    )
    assert result.low == result.high == D(2)  # 300/100 − 1


def test_payback_months_exact_and_never() -> None:
    paid = payback_months(
        purchase_price=D(1000),
        rent_price_per_hour=D(2),
        electricity_price_per_hour=D(1),
        hours_per_month=D(100),
    )
    assert paid.low == paid.high == D(10)
    never = payback_months(
        purchase_price=D(1000),
        rent_price_per_hour=D(1),
        electricity_price_per_hour=D(1),
        hours_per_month=D(100),
    )
    assert never.never


def test_report_prints_both_break_evens(capsys: pytest.CaptureFixture[str]) -> None:
    from llm_tco.cli import main

    assert main(["report", "--for", "finance", "--format", "markdown"]) == 0
    text = capsys.readouterr().out
    table = text.split("Break-even points", 1)[1]
    row = next(line for line in table.splitlines() if line.startswith("| MI300X"))
    assert row.count("never") == 3  # rent-alone volume, TCO volume, staff hours
    assert "€0.000381 per job" in text and "€0.000412 per job" in text
