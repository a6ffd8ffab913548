"""One self-hosted option in the report: its sweep, offer and costs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llm_tco.catalog import Catalog
from llm_tco.cost import RentCost, StaffCost, TokenVolume
from llm_tco.money import Span
from llm_tco.report._quantity import q
from llm_tco.scenario import SelfHosted, Workload
from llm_tco.sweep import Level, Sweep


def resolve_sweep(
    option: SelfHosted,
    catalog: Catalog,
    base_dir: Path | None,
    measured: dict[str, Sweep],
) -> Sweep | None:
    """The sweep an option is priced on: measured now, shipped, or a folder."""
    if option.sweep:
        if option.sweep in measured:
            return measured[option.sweep]
        return catalog.sweep(option.sweep)
    if option.results:
        from llm_tco.bench.reader import read_result_dir

        path = Path(option.results).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return read_result_dir(path)
    return None


def option_section(
    *,
    option: SelfHosted,
    catalog: Catalog,
    sweep: Sweep | None,
    level: Level | None,
    tokens_per_s: Span,
    volume: TokenVolume,
    rent: RentCost | None,
    staff: StaffCost,
    workload: Workload,
    currency: str,
) -> dict[str, Any]:
    offer = catalog.offers.get(option.offer) if option.offer else None
    gpu_id = offer.gpu if offer else (sweep.gpu if sweep else None)
    gpu = catalog.gpus.get(gpu_id) if gpu_id and gpu_id in catalog.gpus else None
    hours = volume.total_tokens / tokens_per_s / 3600
    run = workload.run_label
    doc: dict[str, Any] = {
        "id": _option_id(option, sweep),
        "label": option.label or (sweep.label if sweep else option.offer),
        "gpu": _gpu_doc(gpu),
        "gpus": option.gpus,
        "offer": _offer_doc(offer, rent, currency),
        "sweep": sweep_doc(sweep) if sweep else None,
        "chosen_concurrency": level.concurrency if level else None,
        "tokens_per_s": q(tokens_per_s, "tokens/s"),
        "compute_hours_per_run": q(hours, f"h/{run}"),
        "startup_buffer_hours": q(
            option.startup_buffer_hours, f"h/{workload.run_label}"
        ),
        "billed_hours_per_run": q(
            Span(hours.low, hours.high + option.startup_buffer_hours.high),
            f"h/{run}",
        ),
        "fits_window": _fits(hours, workload.window_hours),
    }
    doc.update(_money_fields(rent, staff, currency, workload.run_label))
    return doc


def _option_id(option: SelfHosted, sweep: Sweep | None) -> str:
    if option.label:
        return option.label
    if sweep is not None:
        return sweep.id
    return option.offer


def _fits(hours: Span, window: Span | None) -> bool | None:
    if window is None:
        return None
    return hours.high <= window.low


def _gpu_doc(gpu: Any) -> dict[str, Any] | None:
    if gpu is None:
        return None
    return {
        "id": gpu.id,
        "name": gpu.name,
        "vendor": gpu.vendor,
        "memory_gb": gpu.memory_gb,
        "source": gpu.source,
        "as_of": gpu.as_of,
    }


def _offer_doc(
    offer: Any, rent: RentCost | None, currency: str
) -> dict[str, Any] | None:
    if offer is None or rent is None:
        return None
    return {
        "id": offer.id,
        "provider": offer.provider,
        "gpu": offer.gpu,
        "region": offer.region,
        "country": offer.country,
        "eu": offer.eu,
        "kind": offer.kind,
        "price_note": offer.price_note,
        "price_per_gpu_hour": q(rent.price_per_hour / rent.gpus, f"{currency}/GPU-h"),
        "source": offer.source,
        "as_of": offer.as_of,
    }


def _money_fields(
    rent: RentCost | None, staff: StaffCost, cur: str, run: str
) -> dict[str, Any]:
    if rent is None:
        keys = (
            "cost_per_run compute_cost_per_month cost_per_month cost_per_1m_tokens "
            "ratio_to_api break_even_price_per_gpu_hour "
            "break_even_price_per_gpu_hour_with_buffer tco_per_month"
        )
        return dict.fromkeys(keys.split())
    return {
        "cost_per_run": q(rent.cost_per_run, f"{cur}/{run}"),
        "compute_cost_per_month": q(rent.compute_cost_per_month, f"{cur}/month"),
        "cost_per_month": q(rent.cost_per_month, f"{cur}/month"),
        "cost_per_1m_tokens": q(rent.cost_per_1m_tokens, f"{cur}/1M tokens"),
        "ratio_to_api": q(rent.ratio_to_api, "ratio"),
        "break_even_price_per_gpu_hour": q(
            rent.break_even_price_per_gpu_hour, f"{cur}/GPU-h"
        ),
        "break_even_price_per_gpu_hour_with_buffer": q(
            rent.break_even_price_per_gpu_hour_with_buffer, f"{cur}/GPU-h"
        ),
        "tco_per_month": q(rent.cost_per_month + staff.cost_per_month, f"{cur}/month"),
    }


def sweep_doc(sweep: Sweep) -> dict[str, Any]:
    peak = sweep.peak()
    return {
        "id": sweep.id,
        "label": sweep.label,
        "gpu": sweep.gpu,
        "model": sweep.model,
        "source": sweep.source,
        "as_of": sweep.as_of,
        "notes": sweep.notes,
        "peak_concurrency": peak.concurrency,
        "dropped_concurrency": [lv.concurrency for lv in sweep.dropped_levels],
        "levels": [_level_doc(lv) for lv in sweep.usable_levels],
    }


def _level_doc(level: Level) -> dict[str, Any]:
    return {
        "concurrency": level.concurrency,
        "total_tokens_per_s": level.total_tokens_per_s,
        "output_tokens_per_s": level.output_tokens_per_s,
        "request_throughput_per_s": level.request_throughput_per_s,
        "completed": level.completed,
        "failed": level.failed,
        "ttft_ms": level.ttft_ms or None,
        "tpot_ms": level.tpot_ms or None,
        "itl_ms": level.itl_ms or None,
        "e2el_ms": level.e2el_ms or None,
        "goodput_per_s": level.goodput_per_s,
        "input_len": level.input_len,
        "output_len": level.output_len,
    }
