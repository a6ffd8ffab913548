"""Finance's view as data: monthly ranges, what drives them, break-evens.

Built from the report document itself (every amount already in the report
currency), so it cannot disagree with the cost tables.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from llm_tco.cost.breakeven import (
    BreakEven,
    break_even_jobs_per_run,
    break_even_ongoing_hours,
    payback_months,
)
from llm_tco.cost.sensitivity import Tornado, tco_per_month, tornado
from llm_tco.money import Span
from llm_tco.report._quantity import num, q

Doc = dict[str, Any]
MILLION = Decimal(1_000_000)
SECONDS_PER_HOUR = Decimal(3600)
HOURS_PER_MONTH = Decimal(8760) / 12

# Tornado inputs: name -> (label, unit); the unit "{cur}" is the currency.
TORNADO_LABELS = {
    "rate_per_hour": ("Staff rate", "{cur}/h"),
    "setup_hours": ("Set-up hours", "h"),
    "ongoing_hours_per_month": ("Ongoing staff hours", "h/month"),
    "amortise_months": ("Set-up amortised over", "months"),
    "price_per_gpu_hour": ("GPU price", "{cur}/GPU-h"),
    "tokens_per_s": ("Throughput", "tokens/s"),
    "jobs_per_run": ("Jobs per {run}", "jobs"),
    "input_tokens_per_job": ("Input tokens per job", "tokens"),
    "output_tokens_per_job": ("Output tokens per job", "tokens"),
    "runs_per_month": ("{Run}s per month", "{run}s"),
    "startup_buffer_hours": ("Start-up / buffer hours", "h/{run}"),
}


def span(quantity: Doc | None) -> Span:
    """A Span from a document quantity (exact decimals)."""
    if quantity is None:
        raise ValueError("a quantity is missing")
    return Span(Decimal(str(quantity["low"])), Decimal(str(quantity["high"])))


def break_even_doc(value: BreakEven, unit: str) -> Doc:
    return {
        "low": None if value.low is None else num(value.low),
        "high": None if value.high is None else num(value.high),
        "unit": unit,
        "never_somewhere": value.never_somewhere,
        "beyond_capacity": value.beyond_capacity,
        "reason": value.reason,
    }


def finance_section(doc: Doc) -> Doc:
    cur, run = doc["currency"], doc["run_label"]
    api = doc["api"]
    monthly = [
        {
            "id": "api",
            "label": f"API ({api['provider']})",
            "rent_per_month": None,
            "tco_per_month": api["cost_per_month"],
        }
    ]
    monthly += [
        {
            "id": o["id"],
            "label": o["label"],
            "rent_per_month": o["cost_per_month"],
            "tco_per_month": o["tco_per_month"],
        }
        for o in doc["options"]
    ]
    priced = [o for o in doc["options"] if o.get("offer") and o.get("cost_per_month")]
    return {
        "monthly": monthly,
        "tornado": _tornado_doc(doc, cur, run),
        "break_even": [_break_evens(doc, o, cur, run) for o in priced],
        "payback": _payback(doc.get("buy")),
    }


def _api_per_job(doc: Doc) -> Span:
    w, api = doc["workload"], doc["api"]
    return (
        span(w["input_tokens_per_job"]) * span(api["input_price_per_1m"])
        + span(w["output_tokens_per_job"]) * span(api["output_price_per_1m"])
    ) / MILLION


def _tokens_per_job(doc: Doc) -> Span:
    w = doc["workload"]
    return span(w["input_tokens_per_job"]) + span(w["output_tokens_per_job"])


def max_jobs_per_run(doc: Doc, option: Doc) -> Decimal:
    """Jobs one server processes in the run's window (or its share of a month)."""
    w = doc["workload"]
    if w["window_hours"] is not None:
        hours = span(w["window_hours"]).low
    else:
        hours = HOURS_PER_MONTH / span(w["runs_per_month"]).high
    tokens = hours * SECONDS_PER_HOUR * span(option["tokens_per_s"]).low
    return tokens / _tokens_per_job(doc).high


def _break_evens(doc: Doc, option: Doc, cur: str, run: str) -> Doc:
    price = span(option["offer"]["price_per_gpu_hour"]) * option["gpus"]
    hours_per_job = _tokens_per_job(doc) / span(option["tokens_per_s"]) / 3600
    rent_per_job = hours_per_job * price
    buffer = Span(Decimal(0), span(option["startup_buffer_hours"]).high) * price
    api_per_job = _api_per_job(doc)
    runs = span(doc["workload"]["runs_per_month"])
    staff = doc["staff"]
    capacity = max_jobs_per_run(doc, option)

    def jobs(fixed: Span, with_buffer: Span) -> BreakEven:
        return break_even_jobs_per_run(
            api_cost_per_job=api_per_job,
            rent_cost_per_job=rent_per_job,
            buffer_cost_per_run=with_buffer,
            runs_per_month=runs,
            fixed_cost_per_month=fixed,
            max_jobs_per_run=capacity,
        )

    hours = break_even_ongoing_hours(
        api_cost_per_month=span(doc["api"]["cost_per_month"]),
        rent_cost_per_month=span(option["cost_per_month"]),
        rate_per_hour=span(staff["rate_per_hour"]),
        setup_hours=span(staff["setup_hours"]),
        amortise_months=int(staff["amortise_months"]),
    )
    unit = f"jobs/{run}"
    return {
        "id": option["id"],
        "label": option["label"],
        "api_cost_per_job": q(api_per_job, f"{cur}/job"),
        "rent_cost_per_job": q(rent_per_job, f"{cur}/job"),
        "buffer_rent_per_run": q(buffer, f"{cur}/{run}"),
        "capacity_jobs_per_run": q(Span.of(capacity), unit),
        "price_per_gpu_hour": option["break_even_price_per_gpu_hour"],
        "jobs_per_run_rent": break_even_doc(jobs(Span.of(0), buffer), unit),
        "jobs_per_run_tco": break_even_doc(
            jobs(span(staff["cost_per_month"]), buffer), unit
        ),
        "ongoing_hours_per_month": break_even_doc(hours, "h/month"),
    }


def _tornado_inputs(doc: Doc, option: Doc) -> dict[str, Span]:
    w, staff = doc["workload"], doc["staff"]
    return {
        "jobs_per_run": span(w["jobs_per_run"]),
        "input_tokens_per_job": span(w["input_tokens_per_job"]),
        "output_tokens_per_job": span(w["output_tokens_per_job"]),
        "runs_per_month": span(w["runs_per_month"]),
        "tokens_per_s": span(option["tokens_per_s"]),
        "price_per_gpu_hour": span(option["offer"]["price_per_gpu_hour"]),
        "gpus": Span.of(option["gpus"]),
        "startup_buffer_hours": Span(
            Decimal(0), span(option["startup_buffer_hours"]).high
        ),
        "rate_per_hour": span(staff["rate_per_hour"]),
        "setup_hours": span(staff["setup_hours"]),
        "amortise_months": Span.of(staff["amortise_months"]),
        "ongoing_hours_per_month": span(staff["ongoing_hours_per_month"]),
    }


def _tornado_doc(doc: Doc, cur: str, run: str) -> Doc | None:
    wanted = doc["summary"].get("cheapest_self_hosted")
    option = next((o for o in doc["options"] if o["id"] == wanted), None)
    if option is None or option.get("offer") is None:
        return None
    result: Tornado = tornado(
        _tornado_inputs(doc, option), tco_per_month, fixed=frozenset({"gpus"})
    )
    bars = []
    for bar in result.bars:
        label, unit = TORNADO_LABELS[bar.name]
        subs = {"{cur}": cur, "{run}": run, "{Run}": run.capitalize()}
        for key, value in subs.items():
            label, unit = label.replace(key, value), unit.replace(key, value)
        bars.append(
            {
                "input": bar.name,
                "label": label,
                "unit": unit,
                "low_value": num(bar.low_value),
                "high_value": num(bar.high_value),
                "varied_by": "±20 %" if bar.from_point else "range",
                "tco_at_low": num(bar.result_at_low),
                "tco_at_high": num(bar.result_at_high),
                "swing": num(bar.swing),
            }
        )
    return {
        "option": option["id"],
        "label": option["label"],
        "base_tco_per_month": num(result.base),
        "unit": f"{cur}/month",
        "api_cost_per_month": doc["api"]["cost_per_month"],
        "bars": bars,
    }


def _payback(buy: Doc | None) -> Doc | None:
    if buy is None:
        return None
    power = span(buy["power_w"]) / 1000 * span(buy["pue"]) * span(buy["price_per_kwh"])
    rate = span(buy["depreciation_per_year"])
    life = Span(12 / rate.high, 12 / rate.low)

    def months(part: Doc | None) -> Doc | None:
        if part is None:
            return None
        value = payback_months(
            purchase_price=span(buy["purchase_price"]),
            rent_price_per_hour=span(buy["rent_price_per_hour"]),
            electricity_price_per_hour=power,
            hours_per_month=span(part["hours_per_year"]) / 12,
        )
        result = break_even_doc(value, "months")
        result["within_depreciation"] = _within(value, life)
        return result

    return {
        "depreciation_months": q(life, "months"),
        "at_stated_hours": months(buy["at_stated_hours"]),
        "at_job_hours": months(buy.get("at_job_hours")),
    }


def _within(value: BreakEven, life: Span) -> bool | None:
    """Paid back before the card is written off: yes, no, or depends (None)."""
    if value.low is None or value.low > life.high:
        return False
    if value.high is not None and value.high <= life.low:
        return True
    return None
