"""`llm-tco fit` and `llm-tco recipe` from the command line."""

from __future__ import annotations

import json

import pytest

from llm_tco.cli import main


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["fit", "gpt-oss-12b", "H100"], ["gpt-oss-12b", "gpt-oss-120b"]),
        (["fit", "gpt-oss-120b", "H1000"], ["H1000", "H100"]),
        (
            ["fit", "gpt-oss-120b", "H100", "--gpu-memory-utilization", "0"],
            ["0", "0.90"],
        ),
        (["fit", "gpt-oss-120b", "H100", "--gpu-memory-utilization", "1.5"], ["1.5"]),
        (["fit", "gpt-oss-120b", "H100", "--gpus", "0"], ["--gpus 0", "1 or more"]),
        (["fit", "gpt-oss-120b", "H100", "--max-model-len", "999999"], ["999999"]),
        (["fit", "gpt-oss-120b", "H100", "--seq-len", "40000"], ["40000", "32768"]),
        (["fit", "gpt-oss-120b", "H100", "--quantization", "GGUF"], ["GGUF", "MXFP4"]),
        (["recipe", "gpt-oss-120b", "MI300X", "--port", "0"], ["--port 0"]),
        (["recipe", "gpt-oss-120b", "MI300X", "--gpus", "-1"], ["--gpus -1"]),
        (["recipe", "gpt-oss-120b", "mi300", "--format", "k8s"], ["mi300", "mi300x"]),
        (["recipe", "gpt-oss-120b", "MI300X", "--served-model-name", "a b"], ["a b"]),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_value_and_fix(
    capsys: pytest.CaptureFixture[str], argv: list[str], names: list[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("llm-tco: error:")
    for name in names:
        assert name in lines[0]
    assert captured.out == ""


def test_fit_json_reports_every_number(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit", "gpt-oss-120b", "RTX PRO 6000", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    for key in (
        "weights_total_gb",
        "weights_per_gpu_gib",
        "reserve",
        "kv_budget_gib",
        "kv_budget_gb",
        "kv_bytes_per_token",
        "kv_capacity_tokens",
        "max_sequences_by_kv",
        "parallel_sequences",
        "verdict",
        "suggestions",
    ):
        assert key in doc, key
    assert doc["fits"] is True
    assert doc["seq_tokens"] == 5500
    assert 64 <= doc["parallel_sequences"] <= 128


def test_fit_terminal_shows_verdict_and_suggestions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["fit", "Deepseek-V4-Pro", "H100"]) == 1  # 1: does not fit
    out = capsys.readouterr().out
    assert "Does not fit: weights need" in out
    assert "weights_do_not_fit" not in out  # no internal codes for people
    assert "none: " in out  # no negative KV budget
    assert "What would fit" in out
    assert "--gpus 16" in out


def test_recipe_prints_the_chosen_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recipe", "gpt-oss-120b", "MI300X", "--format", "docker"]) == 0
    out = capsys.readouterr().out
    assert "docker run" in out
    assert "vllm/vllm-openai-rocm:v0.24.0" in out
    assert "--device /dev/kfd" in out
