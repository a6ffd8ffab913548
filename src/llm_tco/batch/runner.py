"""The run: workers claim jobs, send them to the least busy replica, retry,
and store each answer once; the window decides when no new job may start.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from llm_tco.batch.endpoints import EndpointPool
from llm_tco.batch.http import Client, Reply
from llm_tco.batch.retry import RetryPolicy
from llm_tco.batch.store import AttemptRecord, Counts, Store, StoredJob
from llm_tco.batch.verdict import parse_answer, schema_of
from llm_tco.batch.window import Window
from llm_tco.errors import InputError

logger = logging.getLogger(__name__)

ALL_FINISHED = "all jobs finished"
WINDOW_CLOSED = "window closed"

OnFinish = Callable[[str, str], None]  # (job id, "done" | "failed")


@dataclass(frozen=True)
class RunSettings:
    base_urls: list[str]
    model: str = ""
    concurrency: int = 4
    timeout_s: float = 120.0
    api_key_env: str = "OPENAI_API_KEY"
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    window_s: float | None = None
    window_margin: float = 1.5
    down_for_s: float = 15.0
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise InputError(f"concurrency must be at least 1, got {self.concurrency}")
        if not (math.isfinite(self.timeout_s) and self.timeout_s > 0):
            raise InputError(f"timeout must be above 0 s, got {self.timeout_s:g}")
        if not (math.isfinite(self.down_for_s) and self.down_for_s >= 0):
            raise InputError(
                f"down-for time must be at least 0 s, got {self.down_for_s:g}"
            )
        if self.window_s is not None and not math.isfinite(self.window_s):
            raise InputError(f"the window must be finite, got {self.window_s:g} s")


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    done: int
    failed: int
    retries: int
    recovered: int
    released: int
    duration_s: float
    stop_reason: str
    counts: Counts

    @property
    def left(self) -> int:
        return self.counts.left


@dataclass
class _Run:
    store: Store
    settings: RunSettings
    run_id: int
    window: Window
    pool: EndpointPool
    client: Client
    rng: random.Random
    durations_s: list[float]
    on_finish: OnFinish | None
    done: int = 0
    failed: int = 0
    retries: int = 0
    released: int = 0
    window_closed: bool = False

    def elapsed_s(self) -> float:
        return time.perf_counter() - self.window.start_s


@dataclass
class _Claim:
    stored: StoredJob | None = None
    in_flight: bool = False


def _now_label() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


async def run_batch(
    store: Store, settings: RunSettings, on_finish: OnFinish | None = None
) -> RunSummary:
    """Run pending jobs until none is left or the window closes."""
    took_lock = store.lock_for_run()  # the CLI may have taken it already
    try:
        return await _run_locked(store, settings, on_finish)
    finally:
        if took_lock:
            store.unlock()


async def _run_locked(
    store: Store, settings: RunSettings, on_finish: OnFinish | None
) -> RunSummary:
    recovered = store.recover()
    if recovered:
        logger.warning(
            "%d job(s) left running by a dead run will be re-sent", recovered
        )
    start_s = time.perf_counter()
    run_id = store.start_run(
        started_at=_now_label(),
        concurrency=settings.concurrency,
        endpoints=settings.base_urls,
        model=settings.model,
        recovered=recovered,
    )
    window = Window(start_s, settings.window_s, settings.window_margin)
    async with Client(
        timeout_s=settings.timeout_s, api_key_env=settings.api_key_env
    ) as client:
        run = _Run(
            store=store,
            settings=settings,
            run_id=run_id,
            window=window,
            pool=EndpointPool(settings.base_urls, settings.down_for_s),
            client=client,
            rng=random.Random(settings.seed),
            durations_s=store.done_durations_s(),
            on_finish=on_finish,
        )
        await _work(run)
    duration_s = time.perf_counter() - start_s
    counts = store.counts()
    reason = WINDOW_CLOSED if run.window_closed and counts.left else ALL_FINISHED
    store.end_run(
        run_id, duration_s=duration_s, ended_at=_now_label(), stop_reason=reason
    )
    return RunSummary(
        run_id=run_id,
        done=run.done,
        failed=run.failed,
        retries=run.retries,
        recovered=recovered,
        released=run.released,
        duration_s=duration_s,
        stop_reason=reason,
        counts=counts,
    )


async def _work(run: _Run) -> None:
    tasks = [asyncio.create_task(_worker(run)) for _ in range(run.settings.concurrency)]
    left_s = run.window.left_s()
    timeout_s = None if left_s == float("inf") else max(left_s, 0.0)
    _, pending = await asyncio.wait(tasks, timeout=timeout_s)
    if pending:
        # The window's end is hard: jobs still in flight go back for next time.
        run.window_closed = True
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]


async def _worker(run: _Run) -> None:
    claim = _Claim()
    try:
        while True:
            if not run.window.may_start(run.durations_s):
                run.window_closed = True
                return
            claim.stored = run.store.claim(run.run_id)
            if claim.stored is None:
                return
            await _process(run, claim.stored, claim)
            claim.stored = None
    except asyncio.CancelledError:
        if claim.stored is not None:
            run.store.release(
                claim.stored.job.id, run.run_id, in_flight=claim.in_flight
            )
            run.released += 1
        raise


async def _process(run: _Run, stored: StoredJob, claim: _Claim) -> None:
    job = stored.job
    body: dict[str, Any] = {"model": run.settings.model} if run.settings.model else {}
    body.update(job.request)
    schema = schema_of(job.request)
    claimed_s = time.perf_counter()
    policy = run.settings.policy
    for attempt in range(1, policy.max_attempts + 1):
        record, reply = await _attempt(run, stored, attempt, body, claim)
        reason = reply.reason
        if reply.kind == "ok":
            text = reply.text or ""
            _, problem = parse_answer(text, schema) if schema else (text, None)
            if problem is None:
                _finish_done(run, stored, record, text, time.perf_counter() - claimed_s)
                return
            reason = f"malformed answer: {problem}"
        if reply.kind == "fatal" or attempt == policy.max_attempts:
            _finish_failed(run, stored, record, reason or "failed", reply)
            return
        wait_s = (
            0.0
            if reply.kind == "down"
            else policy.wait_s(attempt, reply.retry_after_s, run.rng)
        )
        run.store.record_attempt(
            _with(record, "retry", reason, wait_s, reply), stored.generation
        )
        run.retries += 1
        if wait_s > run.window.left_s():
            run.store.release(job.id, run.run_id, in_flight=False)
            run.released += 1
            run.window_closed = True
            return
        await asyncio.sleep(wait_s)


async def _attempt(
    run: _Run, stored: StoredJob, attempt: int, body: dict[str, Any], claim: _Claim
) -> tuple[AttemptRecord, Reply]:
    endpoint, wait_s = run.pool.pick()
    try:
        if wait_s > 0:
            await asyncio.sleep(wait_s)
        started_s = time.perf_counter()
        started_at = _now_label()
        claim.in_flight = True
        reply = await run.client.send(endpoint.url, body)
        claim.in_flight = False
    finally:
        run.pool.release(endpoint)
    if reply.kind == "down":
        run.pool.mark_down(endpoint, reply.reason or "refused")
    record = AttemptRecord(
        job_id=stored.job.id,
        run_id=run.run_id,
        attempt=stored.attempts + attempt,
        endpoint=endpoint.url,
        outcome="ok",
        reason=None,
        http_status=reply.http_status,
        started_at=started_at,
        started_s=started_s - run.window.start_s,
        duration_s=time.perf_counter() - started_s,
        prompt_tokens=reply.prompt_tokens,
        completion_tokens=reply.completion_tokens,
    )
    return record, reply


def _with(
    record: AttemptRecord,
    outcome: str,
    reason: str | None,
    backoff_s: float | None,
    reply: Reply,
) -> AttemptRecord:
    return AttemptRecord(
        **{
            **record.__dict__,
            "outcome": outcome,
            "reason": reason,
            "backoff_s": backoff_s,
            "retry_after_s": reply.retry_after_s,
        }
    )


def _finish_done(
    run: _Run, stored: StoredJob, record: AttemptRecord, text: str, duration_s: float
) -> None:
    if run.store.finish_done(
        record, stored.generation, answer=text, duration_s=duration_s
    ):
        run.done += 1
        run.durations_s.append(duration_s)
        _after_finish(run, stored.job.id, "done")


def _finish_failed(
    run: _Run, stored: StoredJob, record: AttemptRecord, reason: str, reply: Reply
) -> None:
    raw = reply.text if reply.kind == "ok" else None
    run.store.finish_failed(
        _with(record, "failed", reason, None, reply),
        stored.generation,
        reason=reason,
        answer=raw,
    )
    run.failed += 1
    logger.info("job %s failed: %s", stored.job.id, reason)
    _after_finish(run, stored.job.id, "failed")


def _after_finish(run: _Run, job_id: str, status: str) -> None:
    run.store.touch_run(run.run_id, run.elapsed_s())
    if run.on_finish is not None:
        run.on_finish(job_id, status)
