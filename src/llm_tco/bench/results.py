"""Result files: one JSON per level in ``vllm bench serve --save-result``'s key
shape (our extras under one ``llm_tco`` key), a sweep summary (JSON + CSV), and
a reader that turns a directory of such files, ours or vLLM's (old and new
shapes), into a :class:`llm_tco.sweep.Sweep`.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llm_tco._files import write_atomic
from llm_tco.bench.metrics import METRICS, LevelMetrics, pct_key

logger = logging.getLogger(__name__)

SUMMARY_JSON = "sweep-summary.json"
SUMMARY_CSV = "sweep-summary.csv"


@dataclass(frozen=True)
class ResultSetup:
    """The traffic settings written at the top of every level file."""

    date: str  # YYYYMMDD-HHMMSS, like vLLM
    backend: str  # "openai" (completions) or "openai-chat"
    model_id: str
    num_prompts: int
    max_concurrency: int | None
    request_rate_per_s: float | None = None  # None = inf
    burstiness: float = 1.0


def level_result(
    setup: ResultSetup,
    metrics: LevelMetrics,
    *,
    percentile_metrics: Sequence[str] = METRICS,
    percentiles: Sequence[float] = (50.0, 95.0, 99.0),
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The dict of one level file, keys in ``vllm bench serve``'s order."""
    rate: float | str = (
        "inf" if setup.request_rate_per_s is None else setup.request_rate_per_s
    )
    result: dict[str, Any] = {
        "date": setup.date,
        "endpoint_type": setup.backend,
        "backend": setup.backend,
        "label": None,
        "model_id": setup.model_id,
        "tokenizer_id": setup.model_id,
        "num_prompts": setup.num_prompts,
        "request_rate": rate,
        "burstiness": setup.burstiness,
        "max_concurrency": setup.max_concurrency,
        "duration": metrics.duration_s,
        "completed": metrics.completed,
        "failed": metrics.failed,
        "total_input_tokens": metrics.total_input_tokens,
        "total_output_tokens": metrics.total_output_tokens,
        "request_throughput": metrics.request_throughput_per_s,
        "request_goodput": metrics.goodput_per_s,
        "output_throughput": metrics.output_tokens_per_s,
        "total_token_throughput": metrics.total_tokens_per_s,
    }
    for name in percentile_metrics:
        values = metrics.latency_ms[name]
        for stat in ("mean", "median", "std"):
            result[f"{stat}_{name}_ms"] = values.get(stat)
        for pct in percentiles:
            result[f"{pct_key(pct)}_{name}_ms"] = values.get(pct_key(pct))
    result["llm_tco"] = {
        "failures": metrics.failures,
        "not_finished": metrics.not_finished,
        "token_sources": metrics.token_sources,
        "multi_token_events": metrics.multi_token_events,
        "cached_prompt_tokens": metrics.cached_prompt_tokens,
        "slot_wait_ms": metrics.slot_wait_ms,
        **(extra or {}),
    }
    return result


def result_filename(setup: ResultSetup) -> str:
    """vLLM's default name: ``{backend}-{rate}qps-concurrency{N}-{model}-{date}``."""
    rate = (
        "inf" if setup.request_rate_per_s is None else f"{setup.request_rate_per_s:g}"
    )
    model = re.sub(r"[^A-Za-z0-9._-]+", "_", setup.model_id.rsplit("/", 1)[-1])
    conc = f"-concurrency{setup.max_concurrency}" if setup.max_concurrency else ""
    return f"{setup.backend}-{rate}qps{conc}-{model}-{setup.date}.json"


def write_level(
    result_dir: Path, setup: ResultSetup, result: Mapping[str, Any]
) -> Path:
    path = result_dir / result_filename(setup)
    write_atomic(
        path, json.dumps(result, indent=2, allow_nan=False) + "\n", make_dirs=True
    )
    logger.info("level written to %s", path)
    return path


SUMMARY_COLUMNS = (
    "max_concurrency",
    "completed",
    "failed",
    "duration",
    "total_token_throughput",
    "output_throughput",
    "request_throughput",
    "request_goodput",
    "median_ttft_ms",
    "p95_ttft_ms",
    "median_tpot_ms",
    "p95_tpot_ms",
    "median_e2el_ms",
    "file",
)


def write_summary(
    result_dir: Path,
    levels: Sequence[tuple[Path, Mapping[str, Any]]],
    info: Mapping[str, Any],
) -> tuple[Path, Path]:
    """``sweep-summary.json`` and ``.csv`` over the finished levels."""
    rows = [
        {
            col: (path.name if col == "file" else result.get(col))
            for col in SUMMARY_COLUMNS
        }
        for path, result in levels
    ]
    json_path = result_dir / SUMMARY_JSON
    summary = {"llm_tco_sweep": {**info, "levels": rows}}
    write_atomic(
        json_path,
        json.dumps(summary, indent=2, allow_nan=False) + "\n",
        make_dirs=True,
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    csv_path = result_dir / SUMMARY_CSV
    write_atomic(csv_path, buffer.getvalue(), make_dirs=True)
    return json_path, csv_path
