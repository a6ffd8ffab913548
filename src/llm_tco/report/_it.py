"""IT's view as data: throughput, interactive capacity, fit, launch recipe,
and who can take the model away (deprecation risk)."""

from __future__ import annotations

import importlib
import math
from decimal import Decimal
from typing import Any

from llm_tco.catalog import Catalog
from llm_tco.errors import InputError, LlmTcoError

Doc = dict[str, Any]
LATENCY_KEYS = ("ttft", "tpot", "itl", "e2el")
PERCENTILES = ("median", "p95", "p99")
DEFAULT_TARGET = "ttft:2000,tpot:50"
DEFAULT_PERCENTILE = "p95"
NO_LATENCY = "n/a (no latency data in this sweep)"


def parse_latency_target(text: str, percentile: str = DEFAULT_PERCENTILE) -> Doc:
    """``"ttft:2000,tpot:50"`` -> ``{"ttft_ms": 2000, "tpot_ms": 50, ...}``."""
    if percentile not in PERCENTILES:
        raise InputError(
            f"latency percentile {percentile!r} is unknown; use one of "
            f"{', '.join(PERCENTILES)}"
        )
    limits: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        key, sep, value = part.partition(":")
        key = key.strip().lower()
        try:
            limit = float(value)
        except ValueError:
            limit = -1.0
        if not sep or key not in LATENCY_KEYS or not 0 < limit < math.inf:
            raise InputError(
                f"--latency-target {text!r}: {part!r} is not METRIC:MS; write e.g. "
                f"{DEFAULT_TARGET} (metrics: {', '.join(LATENCY_KEYS)})"
            )
        limits[f"{key}_ms"] = limit
    if not limits:
        raise InputError(
            f"--latency-target {text!r} is empty; write e.g. {DEFAULT_TARGET}"
        )
    described = ", ".join(
        f"{k.removesuffix('_ms').upper()} {percentile} ≤ {v:g} ms"
        for k, v in limits.items()
    )
    return {"limits_ms": limits, "percentile": percentile, "text": described}


def it_section(doc: Doc, catalog: Catalog, target: Doc) -> Doc:
    api, w = doc["api"], doc["workload"]
    model_id = api["model"]
    options = [_option(doc, o, catalog, target, model_id) for o in doc["options"]]
    return {
        "latency_target": target,
        "sizing_available": _sizing() is not None,
        "options": options,
        "api_deprecation": (
            f"Can be retired: {api['provider']} decides how long it serves "
            f"{api['model']}; a retirement or a change of the model behind the "
            "endpoint forces a migration on the provider's schedule. Watch its "
            "deprecation notices; the open weights are the fallback."
        ),
        "window_hours": w["window_hours"],
    }


def _option(doc: Doc, option: Doc, catalog: Catalog, target: Doc, model: str) -> Doc:
    sweep = option.get("sweep")
    users, note = interactive_users(sweep, target)
    gpu = option.get("gpu")
    model_id = (sweep or {}).get("model") or model
    fit, recipe = _sizing_for(catalog, model_id, gpu, option["gpus"], doc)
    return {
        "id": option["id"],
        "label": option["label"],
        "gpu": gpu["name"] if gpu else None,
        "gpus": option["gpus"],
        "peak_tokens_per_s": _peak(sweep),
        "peak_concurrency": sweep["peak_concurrency"] if sweep else None,
        "tokens_per_s": option["tokens_per_s"],
        "compute_hours_per_run": option["compute_hours_per_run"],
        "fits_window": option["fits_window"],
        "interactive_users": users,
        "interactive_note": note,
        "fit": fit,
        "recipe": recipe,
        "deprecation": (
            "Cannot be retired from under you: the open weights and the engine "
            "image are pinned in your own copy. The rental offer can change price "
            "or disappear; the same weights then run on another provider's card."
        ),
    }


def _peak(sweep: Doc | None) -> float | None:
    if not sweep:
        return None
    return max(float(lv["total_tokens_per_s"]) for lv in sweep["levels"])


def _stat(stats: Doc | None, percentile: str) -> float | None:
    if not stats:
        return None
    if percentile == "median":
        value = stats.get("median", stats.get("p50"))
    else:
        value = stats.get(percentile)
    return None if value is None else float(value)


def interactive_users(sweep: Doc | None, target: Doc) -> tuple[int | None, str]:
    """Most parallel users whose latency meets ``target`` at the measured levels.

    ``None`` with a reason when the sweep has no latency data, or no measured
    level meets the target; never a made-up 0.
    """
    if sweep is None:
        return None, "n/a (no sweep: throughput given in the scenario)"
    limits: dict[str, float] = target["limits_ms"]
    pct = target["percentile"]
    measured = [
        lv
        for lv in sweep["levels"]
        if all(_stat(lv.get(key), pct) is not None for key in limits)
    ]
    if not measured:
        return None, _no_latency_reason(sweep, limits, pct)
    meeting = [lv["concurrency"] for lv in measured if _meets(lv, limits, pct)]
    if not meeting:
        lowest = min(lv["concurrency"] for lv in measured)
        return None, f"none of the measured levels meets the target (from {lowest})"
    best = max(meeting)
    top = max(lv["concurrency"] for lv in measured)
    more = " (the highest level measured; more may fit)" if best == top else ""
    return int(best), f"{best} parallel users meet {target['text']}{more}"


def _meets(level: Doc, limits: dict[str, float], pct: str) -> bool:
    for key, limit in limits.items():
        value = _stat(level.get(key), pct)
        if value is None or value > limit:
            return False
    return True


def _no_latency_reason(sweep: Doc, limits: dict[str, float], pct: str) -> str:
    """Say which statistic would work: vLLM saves only p99 by default."""
    for other in PERCENTILES:
        if other != pct and any(
            all(_stat(lv.get(key), other) is not None for key in limits)
            for lv in sweep["levels"]
        ):
            return (
                f"n/a (this sweep has no {pct} latencies; try "
                f"--latency-percentile {other})"
            )
    return NO_LATENCY


def _sizing() -> Any:
    try:
        return importlib.import_module("llm_tco.sizing")
    except ImportError:
        return None


def _sizing_for(
    catalog: Catalog, model_id: str, gpu: Doc | None, gpus: int, doc: Doc
) -> tuple[Doc | None, Doc | None]:
    sizing = _sizing()
    if sizing is None or gpu is None or model_id not in catalog.models:
        return None, None
    model, card = catalog.models.get(model_id), catalog.gpus.get(gpu["id"])
    w = doc["workload"]
    seq = int(
        Decimal(str(w["input_tokens_per_job"]["high"]))
        + Decimal(str(w["output_tokens_per_job"]["high"]))
    )
    try:
        recipe_mod = importlib.import_module("llm_tco.sizing.recipe")
        spec = recipe_mod.RecipeSpec(model=model, gpu=card, gpus=gpus)
        report = sizing.check_fit(recipe_mod.serve_fit_spec(spec, seq))
    except LlmTcoError as exc:
        return {"fits": None, "reason": str(exc)}, None
    result = report.result
    fit = {
        "fits": result.fits,
        "verdict": result.verdict,
        "reason": result.reason,
        "parallel_jobs": result.parallel_sequences if result.fits else None,
        "seq_tokens": seq,
        "kv_budget_gb": round(result.kv_budget_gb, 1),
        "weights_gb": result.weights_total_gb,
    }
    return fit, _recipe(model, card, gpus)


def _recipe(model: Any, card: Any, gpus: int) -> Doc | None:
    try:
        recipe_mod = importlib.import_module("llm_tco.sizing.recipe")
        recipe = recipe_mod.build_recipe(
            recipe_mod.RecipeSpec(model=model, gpu=card, gpus=gpus)
        )
        words = recipe_mod.flag_words(recipe.serve_flags)
    except (ImportError, AttributeError, LlmTcoError):
        return None
    env = " ".join(f"{k}={v}" for k, v in recipe.env.items())
    command = " ".join(["vllm serve", recipe.model_ref, *words])
    return {
        "title": recipe.title,
        "image": recipe.image,
        "env": env,
        "command": command,
        "warnings": list(recipe.warnings),
    }
