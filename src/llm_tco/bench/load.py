"""The load runner: fixed concurrency or a request rate, no HTTP.

It is handed an async request function (job -> record) and only schedules
calls. Fixed concurrency is a semaphore; the time a request waits for a slot is
recorded apart (``slot_wait_s``) and is not part of its TTFT or E2E. A request
rate draws gamma inter-arrival gaps up front (shape = burstiness, 1 = Poisson),
rescaled so the schedule spans exactly ``n / rate``, as ``vllm bench serve``
does. Warm-ups run first and are dropped. A time cap or a cancellation stops
the level and keeps every record that had finished.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from llm_tco.bench.records import Job, RequestRecord

logger = logging.getLogger(__name__)

RequestFn = Callable[[Job], Awaitable[RequestRecord]]
OnRecord = Callable[[RequestRecord], None]


@dataclass(frozen=True)
class LoadSpec:
    """How to send one level. ``request_rate_per_s`` None means all at once."""

    max_concurrency: int | None
    request_rate_per_s: float | None = None
    burstiness: float = 1.0
    time_cap_s: float | None = None
    seed: int = 0


@dataclass
class LoadResult:
    """The finished records of one level and its wall time."""

    records: list[RequestRecord]
    duration_s: float
    not_finished: int = 0
    time_capped: bool = False
    cancelled: bool = False
    warmup_records: list[RequestRecord] = field(default_factory=list)


def arrival_offsets_s(
    n: int, rate_per_s: float, burstiness: float, seed: int
) -> list[float]:
    """Absolute send offsets for ``n`` requests at ``rate_per_s`` on average."""
    if n <= 0:
        return []
    rng = random.Random(seed)
    if math.isinf(burstiness):
        gaps = [1.0 / rate_per_s] * n
    else:
        scale = 1.0 / (rate_per_s * burstiness)
        gaps = [rng.gammavariate(burstiness, scale) for _ in range(n)]
    offsets: list[float] = []
    total = 0.0
    for gap in gaps:
        total += gap
        offsets.append(total)
    # Rescale so the span is exactly n / rate (removes the drift of a raw sum);
    # the first request goes at 0.
    span = n / rate_per_s
    factor = span / offsets[-1] if offsets[-1] > 0 else 0.0
    return [0.0] + [o * factor for o in offsets[:-1]]


async def run_load(
    request_fn: RequestFn,
    jobs: Sequence[Job],
    spec: LoadSpec,
    *,
    warmups: Sequence[Job] = (),
    on_record: OnRecord | None = None,
) -> LoadResult:
    """Run ``warmups`` (dropped) then ``jobs`` under ``spec``."""
    warm: list[RequestRecord] = []
    if warmups:
        warm_spec = LoadSpec(spec.max_concurrency, None, time_cap_s=spec.time_cap_s)
        warm_result = await _run_phase(request_fn, warmups, warm_spec, None)
        warm = warm_result.records
        if warm_result.cancelled:
            return LoadResult([], 0.0, len(jobs), cancelled=True, warmup_records=warm)
        logger.info("%d warm-up requests done", len(warm))
    # As vllm bench serve does: move the heap out of the collector's sight so
    # a full collection cannot pause the loop mid-level.
    gc.collect()
    gc.freeze()
    try:
        result = await _run_phase(request_fn, jobs, spec, on_record)
    finally:
        gc.unfreeze()
    result.warmup_records = warm
    return result


async def _run_phase(
    request_fn: RequestFn,
    jobs: Sequence[Job],
    spec: LoadSpec,
    on_record: OnRecord | None,
) -> LoadResult:
    limit = spec.max_concurrency
    semaphore = asyncio.Semaphore(limit) if limit else None
    records: list[RequestRecord] = []

    async def one(job: Job) -> None:
        arrived_s = time.perf_counter()
        if semaphore is None:
            record = await request_fn(job)
        else:
            async with semaphore:
                slot_wait_s = time.perf_counter() - arrived_s
                record = await request_fn(job)
            record.slot_wait_s = slot_wait_s
        records.append(record)
        if on_record is not None:
            on_record(record)

    start_s = time.perf_counter()
    tasks: list[asyncio.Task[None]] = []
    dispatcher = asyncio.create_task(_dispatch(one, jobs, spec, tasks, start_s))
    time_capped = cancelled = False
    try:
        await asyncio.wait_for(_wait_all(dispatcher, tasks), spec.time_cap_s)
    except TimeoutError:
        time_capped = True
        logger.warning("level stopped by the time cap of %s s", spec.time_cap_s)
    except asyncio.CancelledError:
        # Ctrl-C: keep what finished; the caller sees ``cancelled`` and stops.
        cancelled = True
    end_s = time.perf_counter()
    await _cancel(dispatcher, tasks)
    return LoadResult(
        records,
        end_s - start_s,
        not_finished=len(jobs) - len(records),
        time_capped=time_capped,
        cancelled=cancelled,
    )


async def _dispatch(
    one: Callable[[Job], Coroutine[Any, Any, None]],
    jobs: Sequence[Job],
    spec: LoadSpec,
    tasks: list[asyncio.Task[None]],
    start_s: float,
) -> None:
    if spec.request_rate_per_s is None or math.isinf(spec.request_rate_per_s):
        tasks.extend(asyncio.create_task(one(job)) for job in jobs)
        return
    offsets = arrival_offsets_s(
        len(jobs), spec.request_rate_per_s, spec.burstiness, spec.seed
    )
    for job, offset_s in zip(jobs, offsets, strict=True):
        delay_s = start_s + offset_s - time.perf_counter()
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        tasks.append(asyncio.create_task(one(job)))


async def _wait_all(
    dispatcher: asyncio.Task[None], tasks: list[asyncio.Task[None]]
) -> None:
    await dispatcher
    if tasks:
        await asyncio.gather(*tasks)


async def _cancel(
    dispatcher: asyncio.Task[None], tasks: list[asyncio.Task[None]]
) -> None:
    pending = [t for t in (dispatcher, *tasks) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
