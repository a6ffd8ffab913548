from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from llm_tco.bench.load import LoadSpec, arrival_offsets_s, run_load
from llm_tco.bench.records import Job, RequestRecord


def test_poisson_offsets_span_exactly_n_over_rate() -> None:
    offsets = arrival_offsets_s(100, 10.0, 1.0, seed=1)
    assert offsets[0] == 0.0
    assert offsets == sorted(offsets)
    gaps = [b - a for a, b in itertools.pairwise(offsets)]
    assert sum(gaps) + (10.0 - offsets[-1]) == pytest.approx(10.0)
    assert arrival_offsets_s(100, 10.0, 1.0, seed=1) == offsets
    constant = arrival_offsets_s(4, 2.0, float("inf"), seed=0)
    assert constant == pytest.approx([0.0, 0.5, 1.0, 1.5])


def _sleeper(delays_s: dict[int, float]):
    async def request(job: Job) -> RequestRecord:
        record = RequestRecord(job_index=job.index, send_s=time.perf_counter())
        await asyncio.sleep(delays_s.get(job.index, 0.01))
        record.event_times_s.append(time.perf_counter())
        record.event_tokens.append(1)
        return record

    return request


def test_concurrency_slot_wait_and_warmups_excluded() -> None:
    jobs = [Job(b"", index=i) for i in range(6)]
    warm = [Job(b"", index=100 + i) for i in range(2)]
    result = asyncio.run(
        run_load(_sleeper({}), jobs, LoadSpec(max_concurrency=2), warmups=warm)
    )
    assert sorted(r.job_index for r in result.records) == list(range(6))
    assert len(result.warmup_records) == 2
    waits = sorted(r.slot_wait_s for r in result.records)
    assert waits[0] < 0.005 and waits[-1] >= 0.015


def test_time_cap_keeps_finished_records() -> None:
    jobs = [Job(b"", index=i) for i in range(4)]
    request = _sleeper({0: 0.01, 1: 0.01, 2: 5.0, 3: 5.0})
    result = asyncio.run(run_load(request, jobs, LoadSpec(4, time_cap_s=0.3)))
    assert result.time_capped
    assert sorted(r.job_index for r in result.records) == [0, 1]
    assert result.not_finished == 2
    assert result.duration_s < 1.0


def test_cancellation_keeps_finished_records() -> None:
    async def main() -> None:
        jobs = [Job(b"", index=i) for i in range(3)]
        task = asyncio.create_task(run_load(_sleeper({2: 5.0}), jobs, LoadSpec(None)))
        await asyncio.sleep(0.2)
        task.cancel()
        result = await task
        assert result.cancelled
        assert sorted(r.job_index for r in result.records) == [0, 1]

    asyncio.run(main())


def test_request_rate_paces_sends() -> None:
    jobs = [Job(b"", index=i) for i in range(5)]
    result = asyncio.run(
        run_load(_sleeper({}), jobs, LoadSpec(None, 20.0, float("inf")))
    )
    sends = sorted(r.send_s for r in result.records)
    assert sends[-1] - sends[0] == pytest.approx(0.2, abs=0.03)
