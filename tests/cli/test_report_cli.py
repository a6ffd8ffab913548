"""`llm-tco report` end to end: outputs, what-ifs, and bad input handling."""

import json
from pathlib import Path
from typing import Any

import pytest

from llm_tco.cli import main


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["report", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_default_report_prices_api_and_both_cards(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = run_json(capsys)
    assert doc["api"]["cost_per_run"]["low"] == 1.905
    ids = [o["id"] for o in doc["options"]]
    assert ids == ["article-rtx-pro-6000", "article-mi300x"]
    assert doc["summary"]["cheapest"] == "api"
    assert doc["fx_used"] == []


def test_jobs_what_if_scales_the_api_bill(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "--jobs", "10000")
    assert doc["api"]["cost_per_run"]["low"] == 3.81
    assert "workload.jobs_per_run=10000" in doc["scenario"]["overrides"]


def test_currency_change_states_its_rate(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "--currency", "USD")
    (fx,) = doc["fx_used"]
    assert fx["id"] == "article-costs"
    assert fx["rate"] == "0.93"
    assert any("API price" in item for item in fx["applied_to"])
    assert doc["api"]["cost_per_run"]["unit"] == "USD/night"
    assert abs(doc["api"]["cost_per_run"]["low"] - 1.905 / 0.93) < 1e-9


def test_other_fx_rate_can_be_chosen(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "--currency", "USD", "--fx", "article-providers")
    assert doc["fx_used"][0]["rate"] == "1.15"
    assert abs(doc["api"]["cost_per_run"]["low"] - 1.905 * 1.15) < 1e-9


def test_price_what_if_moves_break_even_ratio(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = run_json(capsys, "--set", "offers.runpod-mi300x.price_per_gpu_hour=1.8")
    mi = doc["options"][1]
    assert mi["offer"]["price_per_gpu_hour"]["low"] == 1.8
    assert mi["ratio_to_api"]["low"] < 1


BAD_INPUTS = [
    (["--set", "api.price=deepinfar"], "did you mean"),
    (["--set", "self_hosted.0.offer=runpod-rtx-6000"], "did you mean"),
    (["--set", "self_hosted.0.sweep=article-rtx"], "unknown sweep"),
    (["--set", "offers.runpod-mi300x.price_per_gpu_hour=0"], "must be above 0"),
    (["--set", "offers.runpod-mi300x.price_per_gpu_hour=-2"], "must be above 0"),
    (["--jobs", "0"], "jobs per run must be above 0"),
    (["--jobs", "-5"], "jobs per run must be above 0"),
    (
        ["--set", "self_hosted.0.tokens_per_s=0", "--set", "self_hosted.0.sweep=''"],
        "throughput",
    ),
    (["--currency", "GBP"], "no EUR<->GBP rate"),
    (["--fx", "nope"], "unknown fx"),
    (["--scenario", "/nonexistent/s.toml"], "file not found"),
    (["--catalog", "/nonexistent/c.toml"], "file not found"),
    (["--results", "/nonexistent/dir"], "not a folder"),
    (["--set", "self_hosted.0.concurrency=3"], "no level at concurrency 3"),
]


@pytest.mark.parametrize(("args", "fragment"), BAD_INPUTS)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str],
    fragment: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    out = tmp_path / "r.json"
    assert main(["report", *args, "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("llm-tco: error:")
    assert fragment in err
    assert "Traceback" not in err
    assert not out.exists()


def test_malformed_catalog_file_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text("[offers.x]\nprovider = 'A'\ngpu = 'h100'\n")
    assert main(["report", "--catalog", str(bad)]) == 2
    assert "missing key(s)" in capsys.readouterr().err


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    assert main(["report", "--format", "json", "--output", str(out)]) == 0
    assert json.loads(out.read_text())["schema_version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_init_writes_an_editable_scenario_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mine.toml"
    assert main(["init", str(path)]) == 0
    assert main(["report", "--scenario", str(path), "--format", "json"]) == 0
    assert main(["init", str(path)]) == 2
    assert "--force" in capsys.readouterr().err


def test_debug_shows_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--debug", "report", "--jobs", "0"]) == 2
    assert "Traceback" in capsys.readouterr().err
