"""The run's bill against a hand computation from its recorded usage, and its
result folder as `llm-tco report` reads it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from batch_emulator import BatchEmulator
from batch_helpers import run

from llm_tco.batch.bill import GpuPrice, TokenPrice, measure, price_run
from llm_tco.batch.store import Store
from llm_tco.cli import main


@pytest.fixture(scope="module")
def finished_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("bill") / "state.db"
    with BatchEmulator(script={"j0": ["bad", "ok"], "j1": ["503", "ok"]}) as emu:
        run(db, [emu.base_url], [f"j{i}" for i in range(6)])
    return db


def _hand(db: Path) -> tuple[int, int, float]:
    store = Store(db)
    try:
        attempts = store.attempts()
        wall_s = sum(float(r["duration_s"]) for r in store.runs())
    finally:
        store.close()
    tokens_in = sum(r["prompt_tokens"] or 0 for r in attempts)
    tokens_out = sum(r["completion_tokens"] or 0 for r in attempts)
    return tokens_in, tokens_out, wall_s


def test_bill_matches_a_hand_computation(finished_db: Path) -> None:
    tokens_in, tokens_out, wall_s = _hand(finished_db)
    # 6 answers + 1 malformed answer carry usage (100 + len(id) in, 20 out);
    # the 503 carried none.
    assert (tokens_in, tokens_out) == (7 * 102, 7 * 20)
    store = Store(finished_db)
    measured = measure(store)
    store.close()
    bill = price_run(
        measured,
        GpuPrice(Decimal("1.96"), "EUR", "runpod-rtx-pro-6000"),
        TokenPrice(Decimal("0.036"), Decimal("0.158"), "EUR", "deepinfra"),
    )
    hours = wall_s / 3600
    assert measured.wall_s == pytest.approx(wall_s)
    assert measured.tokens_per_s == pytest.approx((tokens_in + tokens_out) / wall_s)
    assert float(bill.gpu_hours.mid) == pytest.approx(hours, rel=1e-9)
    assert float(bill.gpu_cost.mid) == pytest.approx(hours * 1.96, rel=1e-9)
    api_eur = tokens_in / 1e6 * 0.036 + tokens_out / 1e6 * 0.158
    assert float(bill.api.cost_per_run.mid) == pytest.approx(api_eur, rel=1e-9)
    per_1m = 1.96 / ((tokens_in + tokens_out) / wall_s * 3600 / 1e6)
    assert float(bill.gpu_cost_per_1m_tokens.mid) == pytest.approx(per_1m, rel=1e-9)
    assert (measured.jobs_done, measured.jobs_failed, measured.jobs_left) == (6, 0, 0)


def test_bill_cli_and_result_folder_for_report(
    finished_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results"
    code = main(
        [
            "batch",
            "bill",
            "--db",
            str(finished_db),
            "--offer",
            "runpod-rtx-pro-6000",
            "--results-dir",
            str(results),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "6 done, 0 failed, 0 left" in out
    assert "714 in, 140 out" in out
    assert "deepinfra-gpt-oss-120b" in out
    [path] = results.glob("*.json")
    doc = json.loads(path.read_text())
    tokens_in, tokens_out, wall_s = _hand(finished_db)
    for key in (
        "date",
        "backend",
        "model_id",
        "num_prompts",
        "request_rate",
        "max_concurrency",
        "duration",
        "completed",
        "failed",
        "total_input_tokens",
        "total_output_tokens",
        "request_throughput",
        "output_throughput",
        "total_token_throughput",
    ):
        assert key in doc, key
    assert doc["request_rate"] == "inf" and doc["max_concurrency"] == 4
    assert doc["total_token_throughput"] == pytest.approx(
        (tokens_in + tokens_out) / wall_s
    )
    try:
        from llm_tco.bench.reader import read_result_dir
    except ImportError:
        pytest.skip("llm_tco.bench.results is not there yet; format written only")
    sweep = read_result_dir(results)
    level = sweep.at(4)
    assert level.total_tokens_per_s == pytest.approx(doc["total_token_throughput"])
    assert level.completed == 6


def test_bill_with_a_price_per_hour(
    finished_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "batch",
            "bill",
            "--db",
            str(finished_db),
            "--price-per-hour",
            "2.5",
            "--currency",
            "EUR",
            "--gpus",
            "2",
        ]
    )
    assert code == 0
    assert "2.5 EUR/h" in capsys.readouterr().out
