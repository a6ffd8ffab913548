"""`llm-tco report --results` prices a folder of `vllm bench serve` results,
in the new and the old key shapes, and a folder our own bench wrote."""

import json
from pathlib import Path
from typing import Any

import pytest

from llm_tco.cli import main

DATA = Path(__file__).parents[1] / "bench" / "data"


def priced(capsys: pytest.CaptureFixture[str], folder: Path) -> dict[str, Any]:
    args = ["report", "--format", "json", "--results", str(folder)]
    assert main([*args, "--offer", "runpod-mi300x", "--results-label", "x"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (option,) = [o for o in doc["options"] if o["id"] == "x"]
    return option


@pytest.mark.parametrize("shape", ["vllm_new", "vllm_old"])
def test_report_prices_a_vllm_bench_serve_folder(
    shape: str, capsys: pytest.CaptureFixture[str]
) -> None:
    option = priced(capsys, DATA / shape)
    peak = max(_total_tokens_per_s(p) for p in (DATA / shape).glob("*.json"))
    assert option["tokens_per_s"]["low"] == pytest.approx(peak)
    per_1m = 2.06 / (peak * 3600 / 1e6)
    assert option["cost_per_1m_tokens"]["low"] == pytest.approx(per_1m)


def _total_tokens_per_s(path: Path) -> float:
    """By hand: the saved throughput, else tokens over duration (old files)."""
    raw = json.loads(path.read_text())
    if "duration" not in raw:
        return 0.0  # not a result file
    if raw.get("total_token_throughput") is not None:
        return float(raw["total_token_throughput"])
    tokens = raw["total_input_tokens"] + raw["total_output_tokens"]
    return float(tokens / raw["duration"])
