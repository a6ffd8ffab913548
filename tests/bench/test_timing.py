"""Client metrics against the emulator's own write times, 64 streams at once.

The emulator runs in its own process (its own event loop); ``perf_counter`` is
CLOCK_MONOTONIC on Linux, the same clock in both processes, so the client's
arrival times and the server's write times can be compared directly.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import statistics
from typing import Any

import aiohttp
import pytest

from llm_tco.bench import metrics
from llm_tco.bench.client import Client, ClientConfig
from llm_tco.bench.load import LoadSpec, run_load
from llm_tco.bench.records import Job, RequestRecord
from support.emulator import EmulatorProcess

TOLERANCE_MS = 2.0
# Other processes may share the 2 cores; a foreign CPU burst that pre-empts
# this process is not client error, so a timing check gets three tries.
ATTEMPTS = 5
STREAMS = 64


def _jobs(count: int, seed: int, staggered: bool) -> list[Job]:
    rng = random.Random(seed)
    jobs = []
    for i in range(count):
        if staggered:
            ttft = round(rng.uniform(20, 150), 2)
            gaps = ",".join(str(round(rng.uniform(4, 25), 2)) for _ in range(4))
        else:  # every stream emits at the same instants, like one batched step
            ttft = rng.choice([30, 60, 120])
            gaps = ",".join(str(rng.choice([5, 10, 20])) for _ in range(4))
        tpe = rng.choice([1, 1, 2, 3])
        tokens = rng.choice([1, 12, 24])
        directive = f"[[emu rid=t{seed}-{i} ttft={ttft} gaps={gaps} tpe={tpe} "
        directive += f"tokens={tokens} cont={int(tpe > 1)}]]"
        body = {
            "model": "emu-model",
            "prompt": f"job {i} {directive}",
            "max_tokens": tokens,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        jobs.append(Job(json.dumps(body).encode(), None, tokens, i))
    return jobs


async def _run(
    base_url: str, seed: int, staggered: bool
) -> tuple[list[RequestRecord], dict[str, Any]]:
    async with Client(ClientConfig(base_url)) as client:
        result = await run_load(
            client.request,
            _jobs(2 * STREAMS, seed, staggered),
            LoadSpec(max_concurrency=STREAMS),
        )
    async with (
        aiohttp.ClientSession() as session,
        session.get(base_url + "/_emu/log") as resp,
    ):
        log = await resp.json()
    return result.records, log


def _errors_ms(
    records: list[RequestRecord], log: dict[str, Any], seed: int
) -> dict[str, list[float]]:
    """Client metric minus ground truth, per metric, in ms."""
    errors: dict[str, list[float]] = {
        "ttft": [],
        "itl": [],
        "e2el": [],
        "tpot": [],
        "ttft_vs_script": [],
    }
    for record in records:
        server = log[f"t{seed}-{record.job_index}"]
        writes_s = server["write_s"]
        assert record.event_tokens == server["tokens"]
        assert record.output_tokens == sum(server["tokens"])
        ttft_ms, e2el_ms = metrics.ttft_ms(record), metrics.e2el_ms(record)
        assert ttft_ms is not None and e2el_ms is not None
        errors["ttft"].append(ttft_ms - (writes_s[0] - record.send_s) * 1000)
        errors["e2el"].append(e2el_ms - (writes_s[-1] - record.send_s) * 1000)
        truth_gaps = [(b - a) * 1000 for a, b in itertools.pairwise(writes_s)]
        errors["itl"].extend(
            c - t for c, t in zip(metrics.itl_ms(record), truth_gaps, strict=True)
        )
        tpot = metrics.tpot_ms(record)
        tokens = record.output_tokens or 0
        if tokens == 1:
            assert tpot is None
        else:
            assert tpot is not None
            errors["tpot"].append(
                tpot - (writes_s[-1] - writes_s[0]) * 1000 / (tokens - 1)
            )
        script = server["script"]
        # the script's TTFT counts from the server's receipt; the client's also
        # holds connect + send, which the emulator saw as its receive time
        server_delay_ms = (server["received_s"] - record.send_s) * 1000
        errors["ttft_vs_script"].append(ttft_ms - script["ttft"] - server_delay_ms)
        gaps_script = script["gaps"]
        for i, gap in enumerate(truth_gaps):  # the emulator played the script
            assert abs(gap - gaps_script[i % len(gaps_script)]) < 10.0
    return errors


def _summary(errors: dict[str, list[float]]) -> dict[str, tuple[float, ...]]:
    """Per metric: (p99 |error|, max |error|, mean error), in ms."""
    out = {}
    for name, values in errors.items():
        absolute = sorted(abs(e) for e in values)
        p99 = metrics.percentile(absolute, 99.0) or 0.0
        out[name] = (
            round(p99, 3),
            round(absolute[-1], 3),
            round(statistics.mean(values), 3),
        )
    return out


CLIENT_METRICS = ("ttft", "itl", "e2el", "tpot")


def test_metrics_match_ground_truth_at_64_streams(
    emulator_process: EmulatorProcess,
) -> None:
    """Staggered scripts, 64 streams, 128 requests. Client metric vs the
    server's own write times: p99 error within 2 ms (the worst single sample
    may reach ~3 ms when both processes share 2 cores). The script check
    (``ttft_vs_script``) also holds the emulator's own scheduling lag."""
    for attempt in range(ATTEMPTS):
        seed = 10 + attempt
        records, log = asyncio.run(
            _run(emulator_process.base_url, seed, staggered=True)
        )
        assert len(records) == 2 * STREAMS
        assert all(r.ok for r in records), [r.detail for r in records if not r.ok]
        assert sum(1 for r in records if r.slot_wait_s > 0.01) >= STREAMS // 2
        summary = _summary(_errors_ms(records, log, seed))
        print("staggered: (p99, max |error|, mean) ms:", summary)
        if (
            all(
                summary[n][0] <= TOLERANCE_MS and summary[n][1] <= 2.5 * TOLERANCE_MS
                for n in CLIENT_METRICS
            )
            and summary["ttft_vs_script"][0] <= 5.0
        ):
            return
    pytest.fail(f"client timing error above {TOLERANCE_MS} ms: {summary}")


def test_synchronised_bursts_stay_within_a_few_ms(
    emulator_process: EmulatorProcess,
) -> None:
    """All 64 streams emit at the same instants (as one batched decode step
    does): the client must parse 64 events at once, so the last one in a burst
    is seen later. Mean error stays sub-ms; the worst case is bounded looser."""
    for attempt in range(ATTEMPTS):
        seed = 20 + attempt
        records, log = asyncio.run(
            _run(emulator_process.base_url, seed, staggered=False)
        )
        assert all(r.ok for r in records)
        summary = _summary(_errors_ms(records, log, seed))
        print("synchronised: (p99, max |error|, mean) ms:", summary)
        if all(
            abs(mean) <= TOLERANCE_MS and worst <= 10.0
            for _, worst, mean in summary.values()
        ):
            return
    pytest.fail(f"client timing error in bursts too large: {summary}")
