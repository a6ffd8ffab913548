from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from llm_tco.bench.client import CHAT, COMPLETIONS, Client, ClientConfig
from llm_tco.bench.load import LoadSpec, run_load
from llm_tco.bench.prompts import (
    PromptMaker,
    PromptSpec,
    check_lengths,
    dataset_jobs,
    read_dataset,
)
from llm_tco.errors import InputError
from support.emulator import Emulator, Script


def _make(
    endpoint: str, tokenize: bool, script: Script | None = None, shared: bool = False
) -> tuple[list, list, object]:
    async def main() -> tuple[list, list, object]:
        emulator = Emulator(script or Script(ttft=1, gap=0.5), tokenize=tokenize)
        async with (
            emulator,
            Client(ClientConfig(emulator.base_url, endpoint=endpoint)) as client,
        ):
            spec = PromptSpec(
                "emu-model", endpoint == CHAT, 50, 7, seed=3, shared_prefix=shared
            )
            maker = PromptMaker(client, spec)
            await maker.calibrate()
            jobs = await maker.jobs("c2", 12)
            again = await PromptMaker(client, spec).jobs("c2", 12)
            result = await run_load(client.request, jobs, LoadSpec(4))
        assert [j.body for j in jobs] == [j.body for j in again]  # same seed
        return jobs, result.records, maker.calibration

    return asyncio.run(main())


@pytest.mark.parametrize("endpoint", [COMPLETIONS, CHAT])
def test_exact_lengths_with_tokenize(endpoint: str) -> None:
    jobs, records, calibration = _make(endpoint, tokenize=True)
    assert calibration.method == "tokenize"
    assert calibration.added_tokens == (4 if endpoint == CHAT else 1)
    assert all(r.input_tokens == 50 for r in records), [r.input_tokens for r in records]
    assert all(r.output_tokens == 7 for r in records)
    check = check_lengths(records)
    assert check.checked == 12 and check.input_mismatch == 0 and check.output_short == 0
    bodies = [json.loads(j.body) for j in jobs]
    assert all(b["ignore_eos"] and b["min_tokens"] == 7 for b in bodies)
    assert bodies[0]["stream_options"] == {"include_usage": True}
    starts = {(b.get("prompt") or b["messages"][0]["content"])[:12] for b in bodies}
    assert len(starts) == 12  # a unique start per request


def test_shared_prefix_puts_marker_last() -> None:
    jobs, _, _ = _make(COMPLETIONS, tokenize=True, shared=True)
    prompts = [json.loads(j.body)["prompt"] for j in jobs]
    assert all(p.endswith("]") for p in prompts)


def test_calibrated_without_tokenize_reports_lengths() -> None:
    _, records, calibration = _make(COMPLETIONS, tokenize=False)
    assert calibration.method == "calibrated"
    assert calibration.tokens_per_word is not None
    assert calibration.notes
    assert all(abs((r.input_tokens or 0) - 50) <= 3 for r in records)


def test_shortfall_reported_with_numbers() -> None:
    _, records, _ = _make(
        COMPLETIONS, tokenize=True, script=Script(ttft=1, gap=0.5, tokens=3)
    )
    check = check_lengths(records)
    assert check.output_short == 12 and check.output_min == 3
    message = " ".join(check.messages(50, 7))
    assert "12/12 outputs were shorter than 7 tokens (shortest 3)" in message


def test_dataset(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text(
        '{"prompt": "hello", "max_tokens": 5}\n\n{"messages": '
        '[{"role": "user", "content": "hi"}]}\n'
    )
    lines = read_dataset(path)
    assert len(lines) == 2
    spec = PromptSpec("m", True, 0, 9)
    jobs = dataset_jobs(lines, spec, 3)
    bodies = [json.loads(j.body) for j in jobs]
    assert bodies[0]["max_tokens"] == 5 and bodies[1]["max_tokens"] == 9
    assert "ignore_eos" not in bodies[0]
    with pytest.raises(InputError, match="chat/completions"):
        dataset_jobs(lines, PromptSpec("m", False, 0, 9), 2)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("nope\n", ":1 is not JSON"),
        ('{"x": 1}\n', 'needs "prompt"'),
        ('{"prompt": "a", "max_tokens": 0}\n', "positive integer"),
        ("", "no job"),
    ],
)
def test_dataset_errors(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    with pytest.raises(InputError, match=fragment):
        read_dataset(path)
