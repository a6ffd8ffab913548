"""Every fault kind becomes a failed record with its reason; none is a success."""

from __future__ import annotations

import asyncio
import json
import socket

from llm_tco.bench.client import CHAT, COMPLETIONS, Client, ClientConfig
from llm_tco.bench.load import LoadSpec, run_load
from llm_tco.bench.metrics import level_metrics
from llm_tco.bench.records import Failure, Job
from support.emulator import Emulator, Script

FAULTS = {
    "error": Failure.STREAM_ERROR,
    "cut": Failure.TRUNCATED,
    "reset": Failure.TRUNCATED,
    "stall": Failure.TIMEOUT,
    "malformed": Failure.MALFORMED_SSE,
    "empty": Failure.EMPTY,
    "429": Failure.HTTP_429,
    "503": Failure.HTTP_5XX,
    "400": Failure.HTTP_4XX,
}


def _job(index: int, directive: str, chat: bool) -> Job:
    text = f"job {index} [[emu {directive}]]"
    body: dict[str, object] = {"model": "m", "stream": True, "max_tokens": 6}
    body["stream_options"] = {"include_usage": True}
    if chat:
        body["messages"] = [{"role": "user", "content": text}]
    else:
        body["prompt"] = text
    return Job(json.dumps(body).encode(), None, 6, index)


def _run(endpoint: str) -> None:
    async def main() -> None:
        async with Emulator(Script(ttft=5, gap=2)) as emu:
            config = ClientConfig(emu.base_url, endpoint=endpoint, read_timeout_s=0.5)
            jobs = [_job(0, "tokens=6", endpoint == CHAT)]
            jobs.append(_job(1, "tokens=6 fault=no_done", endpoint == CHAT))
            for i, fault in enumerate(FAULTS, start=2):
                jobs.append(_job(i, f"fault={fault} tokens=6", endpoint == CHAT))
            async with Client(config) as client:
                result = await run_load(client.request, jobs, LoadSpec(8))
        by_index = {r.job_index: r for r in result.records}
        assert by_index[0].ok and by_index[0].output_tokens == 6
        assert by_index[1].ok, "a finish_reason without [DONE] still completes"
        for i, (fault, reason) in enumerate(FAULTS.items(), start=2):
            record = by_index[i]
            assert record.failure is reason, (fault, record.failure, record.detail)
            assert record.detail
        assert "Retry-After: 1" in by_index[2 + list(FAULTS).index("429")].detail
        summary = level_metrics(result.records, result.duration_s)
        assert summary.completed == 2
        assert summary.failed == len(FAULTS)
        assert summary.failures == {
            "empty": 1,
            "http_429": 1,
            "http_4xx": 1,
            "http_5xx": 1,
            "malformed_sse": 1,
            "stream_error": 1,
            "timeout": 1,
            "truncated": 2,
        }

    asyncio.run(main())


def test_every_fault_counted_completions() -> None:
    _run(COMPLETIONS)


def test_every_fault_counted_chat() -> None:
    _run(CHAT)


def test_role_only_first_event_is_not_a_token() -> None:
    async def main() -> None:
        emu = Emulator(Script(ttft=40, gap=5, role=True))
        async with emu, Client(ClientConfig(emu.base_url, endpoint=CHAT)) as client:
            record = await client.request(_job(0, "tokens=3", chat=True))
        assert record.ok
        assert record.ttft_s is not None and record.ttft_s >= 0.039
        assert len(record.event_times_s) == 3

    asyncio.run(main())


def test_refused_connection_is_connect_failure() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def main() -> None:
        async with Client(ClientConfig(f"http://127.0.0.1:{port}")) as client:
            record = await client.request(_job(0, "", chat=False))
        assert record.failure is Failure.CONNECT

    asyncio.run(main())


def test_usage_missing_falls_back_to_client_counts() -> None:
    async def main() -> None:
        emu = Emulator(Script(ttft=5, gap=1, usage=False))
        async with emu, Client(ClientConfig(emu.base_url)) as client:
            record = await client.request(_job(0, "tokens=4", chat=False))
        assert record.ok
        assert record.output_tokens == 4
        assert str(record.output_source) == "client"

    asyncio.run(main())
