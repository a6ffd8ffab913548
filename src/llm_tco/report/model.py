"""The main job as data: scenario → tokens → throughput → costs → document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from llm_tco import __version__
from llm_tco.catalog import Catalog
from llm_tco.cost import (
    ApiCost,
    RentCost,
    StaffCost,
    TokenVolume,
    api_cost,
    ownership_cost,
    rent_cost,
    staff_cost,
    token_volume,
)
from llm_tco.errors import InputError
from llm_tco.money import Span
from llm_tco.report._convert import Converter
from llm_tco.report._options import option_section, resolve_sweep
from llm_tco.report._quantity import q
from llm_tco.report._warnings import document_warnings
from llm_tco.scenario import LoadedScenario, SelfHosted, Workload
from llm_tco.sweep import Sweep

SCHEMA_VERSION = 1
HOURS_PER_MONTH = Decimal(8760) / 12


@dataclass(frozen=True)
class PricingInputs:
    """What a report is built from. ``measured`` holds sweeps of this run."""

    loaded: LoadedScenario
    catalog: Catalog
    currency: str | None = None
    fx: str | None = None
    extra_options: tuple[SelfHosted, ...] = ()
    measured: dict[str, Sweep] = field(default_factory=dict)
    # Roles whose sections the renderers show (finance, compliance, it; the
    # CLI's default is all three); () shows none. JSON carries all the data.
    roles: tuple[str, ...] = ()
    latency_target: str = ""
    latency_percentile: str = "p95"
    # Staff split on a shared server: "hours" or "equal" ("" = the scenario's).
    share_rule: str = ""
    # False skips the role sections (what-if steps only need the costs).
    with_roles: bool = True


def build_report(inputs: PricingInputs) -> dict[str, Any]:
    """The report document (``docs/report-json.md``) for one scenario."""
    scenario = inputs.loaded.scenario
    currency = (inputs.currency or scenario.scenario.currency).upper()
    fx_id = inputs.fx or scenario.scenario.fx
    convert = Converter(currency, inputs.catalog.fx_rate(fx_id) if fx_id else None)
    workload = scenario.workload
    volume = token_volume(
        workload.jobs_per_run,
        workload.input_tokens_per_job,
        workload.output_tokens_per_job,
    )
    api, api_doc = _api_section(inputs, volume, convert)
    staff = _staff(inputs, convert)
    options = [
        _option(
            inputs=inputs,
            option=option,
            volume=volume,
            api=api,
            staff=staff,
            convert=convert,
        )
        for option in (*scenario.self_hosted, *inputs.extra_options)
    ]
    _unique_ids(options)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": f"llm-tco {__version__}",
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": _scenario_section(inputs.loaded),
        "currency": currency,
        "run_label": workload.run_label,
        "workload": _workload_section(workload, volume),
        "api": api_doc,
        "options": options,
        "staff": _staff_section(staff, currency),
        "buy": _buy_section(inputs, convert, options),
        "summary": _summary(api_doc, options),
        "fx_used": [],
        "price_provenance": _provenance(inputs),
    }
    if inputs.with_roles:
        from llm_tco.report.roles import add_role_data

        add_role_data(doc, inputs, convert)
    # Last, so that conversions made by any section above are listed.
    doc["fx_used"] = convert.to_dict()
    doc["warnings"] = document_warnings(doc)
    return doc


def _unique_ids(options: list[dict[str, Any]]) -> None:
    """Two options priced on the same sweep or folder name stay apart."""
    seen: dict[str, int] = {}
    for option in options:
        count = seen.get(option["id"], 0) + 1
        seen[option["id"]] = count
        if count > 1:
            option["id"] = f"{option['id']}-{count}"
            option["label"] = f"{option['label']} ({count})"


def _scenario_section(loaded: LoadedScenario) -> dict[str, Any]:
    about = loaded.scenario.scenario
    return {
        "name": about.name,
        "path": loaded.path,
        "source": about.source,
        "description": about.description,
        "overrides": sorted(loaded.overrides),
    }


def _workload_section(workload: Workload, volume: TokenVolume) -> dict[str, Any]:
    per = f"tokens/{workload.run_label}"
    per_month = volume.total_tokens * workload.runs_per_month
    return {
        "name": workload.name,
        "jobs_per_run": q(workload.jobs_per_run, f"jobs/{workload.run_label}"),
        "input_tokens_per_job": q(workload.input_tokens_per_job, "tokens/job"),
        "output_tokens_per_job": q(workload.output_tokens_per_job, "tokens/job"),
        "runs_per_month": q(workload.runs_per_month, f"{workload.run_label}s/month"),
        "window_hours": q(workload.window_hours, "h"),
        "input_tokens_per_run": q(volume.input_tokens, per),
        "output_tokens_per_run": q(volume.output_tokens, per),
        "total_tokens_per_run": q(volume.total_tokens, per),
        "total_tokens_per_month": q(per_month, "tokens/month"),
        "source": workload.source,
    }


def _api_section(
    inputs: PricingInputs, volume: TokenVolume, convert: Converter
) -> tuple[ApiCost, dict[str, Any]]:
    price = inputs.catalog.api_prices.get(inputs.loaded.scenario.api.price)
    what = f"API price {price.id}"
    input_price = convert(Span.of(price.input_per_1m), price.currency, what)
    output_price = convert(Span.of(price.output_per_1m), price.currency, what)
    runs = inputs.loaded.scenario.workload.runs_per_month
    cost = api_cost(volume, runs, input_price, output_price)
    cur, run = convert.currency, inputs.loaded.scenario.workload.run_label
    return cost, {
        "id": price.id,
        "provider": price.provider,
        "model": price.model,
        "region": price.region,
        "eu": price.eu,
        "source": price.source,
        "as_of": price.as_of,
        "input_price_per_1m": q(input_price, f"{cur}/1M tokens"),
        "output_price_per_1m": q(output_price, f"{cur}/1M tokens"),
        "input_cost_per_run": q(cost.input_cost_per_run, f"{cur}/{run}"),
        "output_cost_per_run": q(cost.output_cost_per_run, f"{cur}/{run}"),
        "cost_per_run": q(cost.cost_per_run, f"{cur}/{run}"),
        "cost_per_month": q(cost.cost_per_month, f"{cur}/month"),
        "cost_per_1m_tokens_blended": q(
            cost.cost_per_1m_tokens_blended, f"{cur}/1M tokens"
        ),
    }


def _staff(inputs: PricingInputs, convert: Converter) -> StaffCost:
    staff = inputs.loaded.scenario.staff
    rate = convert(staff.rate_per_hour, staff.currency, "staff rate")
    return staff_cost(
        rate, staff.setup_hours, staff.amortise_months, staff.ongoing_hours_per_month
    )


def _staff_section(staff: StaffCost, currency: str) -> dict[str, Any]:
    return {
        "rate_per_hour": q(staff.rate_per_hour, f"{currency}/h"),
        "setup_hours": q(staff.setup_hours, "h"),
        "setup_cost": q(staff.setup_cost, currency),
        "amortise_months": staff.amortise_months,
        "setup_cost_per_month": q(staff.setup_cost_per_month, f"{currency}/month"),
        "ongoing_hours_per_month": q(staff.ongoing_hours_per_month, "h/month"),
        "ongoing_cost_per_month": q(staff.ongoing_cost_per_month, f"{currency}/month"),
        "cost_per_month": q(staff.cost_per_month, f"{currency}/month"),
    }


def _option(
    *,
    inputs: PricingInputs,
    option: SelfHosted,
    volume: TokenVolume,
    api: ApiCost,
    staff: StaffCost,
    convert: Converter,
) -> dict[str, Any]:
    sweep = resolve_sweep(
        option, inputs.catalog, inputs.loaded.base_dir, inputs.measured
    )
    level = sweep.choose(option.concurrency or None) if sweep else None
    tokens_per_s = (
        option.tokens_per_s
        if option.tokens_per_s is not None
        else Span.of(level.total_tokens_per_s)  # type: ignore[union-attr]
    )
    rent = _rent(
        inputs=inputs,
        option=option,
        volume=volume,
        tokens_per_s=tokens_per_s,
        api=api,
        convert=convert,
    )
    return option_section(
        option=option,
        catalog=inputs.catalog,
        sweep=sweep,
        level=level,
        tokens_per_s=tokens_per_s,
        volume=volume,
        rent=rent,
        staff=staff,
        workload=inputs.loaded.scenario.workload,
        currency=convert.currency,
    )


def _rent(
    *,
    inputs: PricingInputs,
    option: SelfHosted,
    volume: TokenVolume,
    tokens_per_s: Span,
    api: ApiCost,
    convert: Converter,
) -> RentCost | None:
    if not option.offer:
        return None
    offer = inputs.catalog.offers.get(option.offer)
    price = convert(
        Span.of(offer.price_per_gpu_hour), offer.currency, f"offer {offer.id}"
    )
    return rent_cost(
        total_tokens_per_run=volume.total_tokens,
        tokens_per_s=tokens_per_s,
        price_per_gpu_hour=price,
        runs_per_month=inputs.loaded.scenario.workload.runs_per_month,
        api_cost_per_run=api.cost_per_run,
        startup_buffer_hours=option.startup_buffer_hours,
        gpus=option.gpus,
    )


def _buy_section(
    inputs: PricingInputs, convert: Converter, options: list[dict[str, Any]]
) -> dict[str, Any] | None:
    buy = inputs.loaded.scenario.buy
    if buy is None:
        return None
    catalog = inputs.catalog
    gpu = catalog.gpus.get(buy.gpu)
    price, price_currency = _purchase_price(buy.purchase_price, buy.currency, gpu)
    purchase = convert(price, price_currency, f"purchase price {gpu.id}")
    offer = catalog.offers.get(buy.rent_offer)
    rent_price = convert(
        Span.of(offer.price_per_gpu_hour), offer.currency, f"offer {offer.id}"
    )
    power = buy.power_w or Span.of(gpu.power_w)
    cur = convert.currency
    kwh_currency = buy.currency or inputs.loaded.scenario.scenario.currency
    price_per_kwh = convert(buy.price_per_kwh, kwh_currency, "electricity price")

    def owning(hours_per_year: Span) -> dict[str, Any]:
        cost = ownership_cost(
            purchase_price=purchase,
            depreciation_rate_per_year=buy.depreciation_per_year,
            power_w=power,
            hours_per_year=hours_per_year,
            price_per_kwh=price_per_kwh,
            rent_price_per_hour=rent_price,
            pue=buy.pue,
        )
        return _ownership_doc(cost, cur)

    job_hours = _job_hours_per_year(inputs, offer.id, options)
    return {
        "gpu": gpu.id,
        "gpu_name": gpu.name,
        "purchase_price": q(purchase, cur),
        "purchase_source": gpu.purchase_source or buy.source,
        "power_w": q(power, "W"),
        "price_per_kwh": q(price_per_kwh, f"{cur}/kWh"),
        "pue": q(buy.pue, "ratio"),
        "depreciation_per_year": q(buy.depreciation_per_year, "share/year"),
        "rent_offer": offer.id,
        "rent_price_per_hour": q(rent_price, f"{cur}/h"),
        "at_stated_hours": owning(buy.hours_per_year),
        "at_job_hours": owning(job_hours) if job_hours is not None else None,
        "source": buy.source,
    }


def _purchase_price(price: Span | None, currency: str, gpu: Any) -> tuple[Span, str]:
    if price is not None:
        return price, currency
    if not gpu.purchase_price:
        raise InputError(
            f"no purchase price for GPU {gpu.id!r}; set buy.purchase_price in the "
            "scenario"
        )
    prices = tuple(gpu.purchase_price)
    return Span.of(prices, f"gpus.{gpu.id}.purchase_price"), gpu.purchase_currency


def _job_hours_per_year(
    inputs: PricingInputs, offer_id: str, options: list[dict[str, Any]]
) -> Span | None:
    """Billed hours per year of the option renting ``offer_id``, if any."""
    runs = inputs.loaded.scenario.workload.runs_per_month
    for option in options:
        if option["offer"] and option["offer"]["id"] == offer_id:
            hours = option["billed_hours_per_run"]
            billed = Span(Decimal(str(hours["low"])), Decimal(str(hours["high"])))
            return billed * runs * 12
    return None


def _ownership_doc(cost: Any, cur: str) -> dict[str, Any]:
    return {
        "hours_per_year": q(cost.hours_per_year, "h/year"),
        "depreciation_per_month": q(cost.depreciation_per_month, f"{cur}/month"),
        "energy_kwh_per_year": q(cost.energy_kwh_per_year, "kWh/year"),
        "electricity_per_year": q(cost.electricity_per_year, f"{cur}/year"),
        "electricity_per_month": q(cost.electricity_per_month, f"{cur}/month"),
        "cost_per_month": q(cost.cost_per_month, f"{cur}/month"),
        "rent_same_hours_per_month": q(cost.rent_same_hours_per_month, f"{cur}/month"),
        "owning_minus_renting_per_month": q(
            cost.owning_minus_renting_per_month, f"{cur}/month"
        ),
    }


def _summary(api: dict[str, Any], options: list[dict[str, Any]]) -> dict[str, Any]:
    priced = [o for o in options if o["tco_per_month"] is not None]
    api_month = api["cost_per_month"]["high"]
    cheapest = min(priced, key=lambda o: o["tco_per_month"]["low"], default=None)
    if cheapest is None:
        return {
            "cheapest": "api",
            "cheapest_self_hosted": None,
            "api_cheaper_than_every_tco": None,
            "api_cheaper_than_every_rent": None,
        }
    beats_api = cheapest["tco_per_month"]["low"] < api_month
    return {
        "cheapest": cheapest["id"] if beats_api else "api",
        "cheapest_self_hosted": cheapest["id"],
        "api_cheaper_than_every_tco": all(
            o["tco_per_month"]["low"] >= api_month for o in priced
        ),
        "api_cheaper_than_every_rent": all(
            o["cost_per_month"]["low"] >= api_month for o in priced
        ),
    }


def _provenance(inputs: PricingInputs) -> list[str]:
    catalog = inputs.catalog
    notes = []
    seen = [inputs.loaded.scenario.api.price] + [
        o.offer for o in (*inputs.loaded.scenario.self_hosted, *inputs.extra_options)
    ]
    for name in seen:
        if not name:
            continue
        entry: Any = (
            catalog.api_prices.get(name)
            if name in catalog.api_prices
            else catalog.offers.get(name)
        )
        if entry.converted_with:
            fx = catalog.fx_rate(entry.converted_with)
            notes.append(
                f"{entry.id}: {entry.currency} as published by its source, which "
                f"converted it at {fx.describe()}"
            )
    return notes
