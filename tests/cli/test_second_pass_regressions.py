"""Second tester pass: each test is named after what it guards."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from llm_tco.cli import main


def report_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["report", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_electricity_price_changes_currency_with_the_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = report_json(capsys, "--currency", "USD", "--fx", "article-providers")
    buy = doc["buy"]
    assert buy["price_per_kwh"]["low"] == pytest.approx(0.20 * 1.15)
    assert buy["at_stated_hours"]["electricity_per_year"]["low"] == pytest.approx(
        900 * 1.15
    )
    assert "electricity price (EUR -> USD)" in doc["fx_used"][0]["applied_to"]


def _vllm_level(
    folder: Path, conc: int, completed: int, failed: int, tps: float
) -> None:
    record = {
        "date": "20251201-101010",
        "backend": "vllm",
        "model_id": "openai/gpt-oss-120b",
        "num_prompts": completed + failed,
        "request_rate": "inf",
        "max_concurrency": conc,
        "duration": 100.0,
        "completed": completed,
        "failed": failed,
        "total_input_tokens": completed * 4000,
        "total_output_tokens": completed * 1500,
        "total_token_throughput": tps,
    }
    (folder / f"vllm-c{conc}.json").write_text(json.dumps(record))


def test_mostly_failed_level_is_not_priced_as_the_peak(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _vllm_level(tmp_path, 4, 20, 0, 1100.0)
    _vllm_level(tmp_path, 64, 320, 3, 4400.0)
    _vllm_level(tmp_path, 256, 200, 1080, 9000.0)
    doc = report_json(
        capsys,
        "--results",
        str(tmp_path),
        "--offer",
        "runpod-mi300x",
        "--results-label",
        "r",
    )
    option = doc["options"][-1]
    assert option["chosen_concurrency"] == 64
    assert option["sweep"]["as_of"] == "2025-12-01"
    assert any("3 of 323 requests failed" in w for w in doc["warnings"])
    assert any("left out the level(s) at 256" in w for w in doc["warnings"])


def test_sweep_priced_at_another_cards_offer_is_flagged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = report_json(capsys, "--set", "self_hosted.1.offer=aws-h100")
    assert any("measured on mi300x, priced at the h100" in w for w in doc["warnings"])


def test_two_options_on_one_sweep_get_distinct_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = report_json(capsys, "--set", 'self_hosted.1.sweep="article-rtx-pro-6000"')
    ids = [o["id"] for o in doc["options"]]
    assert len(set(ids)) == len(ids) == 2


def test_overridden_price_is_attributed_to_the_override_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    override = tmp_path / "o.toml"
    override.write_text('[offers.runpod-mi300x]\nprice_per_gpu_hour = "2.40"\n')
    doc = report_json(capsys, "--catalog", str(override))
    assert doc["options"][1]["offer"]["source"] == f"override in {override}"


def test_jobs_what_if_works_on_a_scenario_with_only_workload_lists(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shared = Path(__file__).parents[2] / "src/llm_tco/scenarios/shared-server.toml"
    doc = report_json(capsys, "--scenario", str(shared), "--jobs", "20000")
    assert doc["workload"]["jobs_per_run"]["low"] == 20000


@pytest.mark.parametrize("window", ["0", "-1"])
def test_non_positive_window_is_refused(
    window: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--set", f"workload.window_hours={window}"]) == 2
    assert "window_hours must be above 0" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["bench", "batch"])
def test_credentials_in_base_url_are_refused_without_echoing_them(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "http://user:sekritpw@127.0.0.1:1"
    if command == "bench":
        args = ["bench", "--base-url", url, "--max-concurrency", "1"]
    else:
        jobs = tmp_path / "j.jsonl"
        jobs.write_text('{"id": "j1", "prompt": "hi", "max_tokens": 4}\n')
        args = ["batch", "run", "--db", str(tmp_path / "n.db"), "--jobs", str(jobs)]
        args += ["--base-url", url, "--model", "m"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "user name or password" in err
    assert "sekritpw" not in err


def test_columns_sets_the_width_of_piped_terminal_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["report"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= 80


@pytest.mark.server
def test_sigterm_during_bench_local_stops_the_server_it_started(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llm_tco",
            "bench",
            "--local",
            "--max-concurrency",
            "1",
            "--random-input-len",
            "32",
            "--random-output-len",
            "64",
            "--num-prompts",
            "50",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.glob("llm-tco-server-*")):
        time.sleep(0.1)
    time.sleep(3)  # the server is up or starting; the sweep may be running
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    time.sleep(1)
    leftovers = subprocess.run(
        ["pgrep", "-f", f"ready-file={tmp_path}"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert leftovers.stdout.strip() == ""
    assert list(tmp_path.glob("llm-tco-server-*")) == []


def test_missing_percentile_names_the_one_the_sweep_has() -> None:
    from llm_tco.report._it import interactive_users, parse_latency_target

    level = {"concurrency": 8, "ttft_ms": {"p99": 900.0}, "tpot_ms": {"p99": 30.0}}
    users, why = interactive_users(
        {"levels": [level]}, parse_latency_target("ttft:2000,tpot:50")
    )
    assert users is None
    assert why == "n/a (this sweep has no p95 latencies; try --latency-percentile p99)"


@pytest.mark.parametrize("target", ["ttft:abc", "ttft:nan"])
def test_workload_latency_target_in_a_scenario_is_checked(
    target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = Path(__file__).parents[2] / "src/llm_tco/scenarios/shared-server.toml"
    args = ["report", "--scenario", str(shared)]
    assert main([*args, "--set", f'workloads.1.latency_target="{target}"']) == 2
    assert "is not METRIC:MS" in capsys.readouterr().err
