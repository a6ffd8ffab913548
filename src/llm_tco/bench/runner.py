"""The sweep: one level per concurrency, each written when it finishes.

A sweep stops early when a level fails (more than ``max_failed_fraction`` of
its requests failed) or, if asked, when it is saturated (total tokens/s grew by
less than ``saturation_gain`` over the previous level). Ctrl-C ends the current
level unrecorded and keeps every finished one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from llm_tco.bench._names import DEFAULT_LEVELS
from llm_tco.bench.client import Client, ClientConfig
from llm_tco.bench.load import LoadResult, LoadSpec, run_load
from llm_tco.bench.metrics import METRICS, LevelMetrics, level_metrics
from llm_tco.bench.prompts import (
    Calibration,
    DatasetLine,
    LengthCheck,
    PromptMaker,
    PromptSpec,
    check_lengths,
    dataset_jobs,
    read_dataset,
)
from llm_tco.bench.records import Failure, Job, RequestRecord
from llm_tco.bench.results import ResultSetup, level_result, write_level, write_summary
from llm_tco.errors import RunError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BenchConfig:
    """Everything a sweep needs. ``None`` counts mean "per level" defaults:
    5 × concurrency prompts and 2 × concurrency warm-ups, as in the article."""

    client: ClientConfig
    levels: tuple[int, ...] = DEFAULT_LEVELS
    num_prompts: int | None = None
    num_warmups: int | None = None
    input_len: int = 4000
    output_len: int = 1500
    seed: int = 0
    request_rate_per_s: float | None = None
    burstiness: float = 1.0
    percentile_metrics: tuple[str, ...] = METRICS
    percentiles: tuple[float, ...] = (50.0, 95.0, 99.0)
    goodput_ms: Mapping[str, float] = field(default_factory=dict)
    result_dir: Path | None = None
    time_cap_s: float | None = None
    dataset_path: Path | None = None
    shared_prefix: bool = False
    max_failed_fraction: float = 0.5
    saturation_gain: float | None = None

    def prompts_at(self, concurrency: int) -> int:
        return self.num_prompts if self.num_prompts is not None else 5 * concurrency

    def warmups_at(self, concurrency: int) -> int:
        return self.num_warmups if self.num_warmups is not None else 2 * concurrency


class Progress(Protocol):
    def level_started(self, concurrency: int, requests: int) -> None: ...
    def request_done(self, record: RequestRecord) -> None: ...
    def level_finished(self, outcome: LevelOutcome) -> None: ...


@dataclass
class LevelOutcome:
    concurrency: int
    metrics: LevelMetrics
    lengths: LengthCheck
    result: dict[str, Any]
    path: Path | None = None
    records: list[RequestRecord] = field(default_factory=list, repr=False)


@dataclass
class SweepOutcome:
    model: str
    levels: list[LevelOutcome] = field(default_factory=list)
    stop_reason: str | None = None
    interrupted: bool = False
    calibration: Calibration | None = None
    summary_paths: tuple[Path, ...] = ()


async def run_sweep(
    config: BenchConfig, progress: Progress | None = None
) -> SweepOutcome:
    """Run every level of ``config``; RunError if the server is unreachable."""
    async with Client(config.client) as client:
        model = config.client.model or await client.first_model()
        spec = PromptSpec(
            model=model,
            chat=config.client.chat,
            input_len=config.input_len,
            output_len=config.output_len,
            seed=config.seed,
            shared_prefix=config.shared_prefix,
        )
        source = await _job_source(client, spec, config)
        outcome = SweepOutcome(model=model)
        if isinstance(source, PromptMaker):
            outcome.calibration = source.calibration
        await _levels(
            client,
            config=config,
            spec=spec,
            source=source,
            outcome=outcome,
            progress=progress,
        )
    if config.result_dir is not None and outcome.levels:
        outcome.summary_paths = write_summary(
            config.result_dir,
            [(lv.path, lv.result) for lv in outcome.levels if lv.path is not None],
            {
                "model": model,
                "stop_reason": outcome.stop_reason,
                "interrupted": outcome.interrupted,
                "settings": _settings(config, model),
            },
        )
    return outcome


async def _job_source(
    client: Client, spec: PromptSpec, config: BenchConfig
) -> PromptMaker | list[DatasetLine]:
    if config.dataset_path is not None:
        lines = read_dataset(config.dataset_path)
        return lines
    maker = PromptMaker(client, spec)
    await maker.calibrate()
    return maker


async def _levels(
    client: Client,
    *,
    config: BenchConfig,
    spec: PromptSpec,
    source: PromptMaker | list[DatasetLine],
    outcome: SweepOutcome,
    progress: Progress | None,
) -> None:
    for concurrency in config.levels:
        try:
            load = await _run_level(
                client,
                config=config,
                spec=spec,
                source=source,
                concurrency=concurrency,
                progress=progress,
            )
        except asyncio.CancelledError:
            load = None
        if load is None or load.cancelled:
            outcome.interrupted = True
            outcome.stop_reason = f"interrupted during concurrency {concurrency}"
            logger.warning("%s; finished levels are kept", outcome.stop_reason)
            return
        if not outcome.levels:
            _check_reachable(client, load.records)
        level = _finish_level(config, outcome, concurrency, load)
        outcome.levels.append(level)
        if progress is not None:
            progress.level_finished(level)
        reason = _stop_reason(config, outcome.levels)
        if reason:
            outcome.stop_reason = reason
            logger.warning("sweep stopped: %s", reason)
            return


async def _run_level(
    client: Client,
    *,
    config: BenchConfig,
    spec: PromptSpec,
    source: PromptMaker | list[DatasetLine],
    concurrency: int,
    progress: Progress | None,
) -> LoadResult:
    count, warm = config.prompts_at(concurrency), config.warmups_at(concurrency)
    jobs = await _jobs(spec, source, concurrency, count + warm)
    if progress is not None:
        progress.level_started(concurrency, count)
    load_spec = LoadSpec(
        max_concurrency=concurrency,
        request_rate_per_s=config.request_rate_per_s,
        burstiness=config.burstiness,
        time_cap_s=config.time_cap_s,
        seed=config.seed + concurrency,
    )
    return await run_load(
        client.request,
        jobs[warm:],
        load_spec,
        warmups=jobs[:warm],
        on_record=progress.request_done if progress is not None else None,
    )


async def _jobs(
    spec: PromptSpec,
    source: PromptMaker | list[DatasetLine],
    concurrency: int,
    count: int,
) -> list[Job]:
    if isinstance(source, PromptMaker):
        return await source.jobs(f"c{concurrency}", count)
    return dataset_jobs(source, spec, count, offset=concurrency * 7919)


def _check_reachable(client: Client, records: list[RequestRecord]) -> None:
    if records and all(r.failure is Failure.CONNECT for r in records):
        raise RunError(
            f"cannot reach {client.config.url} ({records[0].detail}); is the server "
            "running and --base-url right?"
        )


def _finish_level(
    config: BenchConfig, outcome: SweepOutcome, concurrency: int, load: LoadResult
) -> LevelOutcome:
    metrics = level_metrics(
        load.records,
        load.duration_s,
        percentiles=config.percentiles,
        goodput_ms=config.goodput_ms or None,
        not_finished=load.not_finished,
    )
    lengths = check_lengths(load.records)
    for message in lengths.messages(config.input_len, config.output_len):
        logger.warning("concurrency %d: %s", concurrency, message)
    setup = ResultSetup(
        date=time.strftime("%Y%m%d-%H%M%S"),
        backend="openai-chat" if config.client.chat else "openai",
        model_id=outcome.model,
        num_prompts=config.prompts_at(concurrency),
        max_concurrency=concurrency,
        request_rate_per_s=config.request_rate_per_s,
        burstiness=config.burstiness,
    )
    calibration = outcome.calibration
    extra = {
        "settings": {
            **_settings(config, outcome.model),
            "max_concurrency": concurrency,
        },
        "length_check": lengths.as_dict(),
        "prompt_lengths": None if calibration is None else calibration.__dict__,
        "time_capped": load.time_capped,
        "warmups": len(load.warmup_records),
        "warmups_failed": sum(1 for r in load.warmup_records if not r.ok),
    }
    result = level_result(
        setup,
        metrics,
        percentile_metrics=config.percentile_metrics,
        percentiles=config.percentiles,
        extra=extra,
    )
    path = None
    if config.result_dir is not None:
        path = write_level(config.result_dir, setup, result)
    return LevelOutcome(concurrency, metrics, lengths, result, path, load.records)


def _stop_reason(config: BenchConfig, levels: list[LevelOutcome]) -> str | None:
    current = levels[-1].metrics
    total = current.completed + current.failed
    if total and current.failed / total > config.max_failed_fraction:
        return (
            f"concurrency {levels[-1].concurrency}: {current.failed}/{total} requests "
            f"failed ({current.failures})"
        )
    if config.saturation_gain is None or len(levels) < 2:
        return None
    before = levels[-2].metrics.total_tokens_per_s
    now = current.total_tokens_per_s
    if before and now is not None and (now - before) / before < config.saturation_gain:
        return (
            f"saturated at concurrency {levels[-1].concurrency}: total tokens/s "
            f"{before:.1f} → {now:.1f} (gain below {config.saturation_gain:.0%})"
        )
    return None


def _settings(config: BenchConfig, model: str) -> dict[str, Any]:
    """Run settings for the result files: header names only, never values,
    and the *name* of the key variable, never the key."""
    client = config.client
    return {
        "base_url": _without_userinfo(client.base_url),
        "endpoint": client.endpoint,
        "model": model,
        "api_key_env": client.api_key_env,
        "header_names": [name for name, _ in client.headers],
        "random_input_len": None if config.dataset_path else config.input_len,
        "random_output_len": None if config.dataset_path else config.output_len,
        "dataset_path": str(config.dataset_path) if config.dataset_path else None,
        "num_prompts": config.num_prompts,
        "num_warmups": config.num_warmups,
        "seed": config.seed,
        "request_rate": config.request_rate_per_s,
        "burstiness": config.burstiness,
        "goodput_ms": dict(config.goodput_ms),
        "time_cap_s": config.time_cap_s,
        "timeout_s": client.timeout_s,
        "shared_prefix": config.shared_prefix,
        "levels": list(config.levels),
    }


def _without_userinfo(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    host, at, tail = rest.partition("@")
    if sep and at and "/" not in host:
        return f"{scheme}://***@{tail}"
    return url
