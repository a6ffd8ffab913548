from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from llm_tco.bench.metrics import level_metrics
from llm_tco.bench.reader import read_result_dir, read_result_file
from llm_tco.bench.records import RequestRecord, TokenSource
from llm_tco.bench.results import (
    ResultSetup,
    level_result,
    write_level,
    write_summary,
)
from llm_tco.errors import InputError

DATA = Path(__file__).parent / "data"


def _records(n: int) -> list[RequestRecord]:
    out = []
    for i in range(n):
        record = RequestRecord(send_s=0.0, event_times_s=[0.1, 0.2, 0.3 + i / 100])
        record.event_tokens = [1, 1, 1]
        record.input_tokens, record.output_tokens = 100, 3
        record.input_source = record.output_source = TokenSource.USAGE
        out.append(record)
    return out


def _write(tmp_path: Path, concurrency: int, tokens: int) -> Path:
    metrics = level_metrics(_records(tokens), 2.0, goodput_ms={"ttft": 500})
    setup = ResultSetup("20260101-000000", "openai", "org/model-x", tokens, concurrency)
    extra = {
        "settings": {
            "max_concurrency": concurrency,
            "random_input_len": 100,
            "random_output_len": 3,
        }
    }
    return write_level(tmp_path, setup, level_result(setup, metrics, extra=extra))


def test_round_trip(tmp_path: Path) -> None:
    paths = [_write(tmp_path, c, n) for c, n in ((1, 2), (4, 8))]
    raw = json.loads(paths[1].read_text())
    assert raw["request_rate"] == "inf"
    assert raw["max_concurrency"] == 4
    assert raw["total_token_throughput"] == pytest.approx(8 * 103 / 2.0)
    assert "p99_e2el_ms" in raw and "median_tpot_ms" in raw
    assert raw["llm_tco"]["failures"] == {}
    write_summary(tmp_path, [(p, json.loads(p.read_text())) for p in paths], {})
    sweep = read_result_dir(tmp_path)  # the summary is skipped
    assert [lv.concurrency for lv in sweep.levels] == [1, 4]
    top = sweep.at(4)
    assert top.total_tokens_per_s == pytest.approx(412.0)
    assert top.input_len == 100 and top.output_len == 3
    assert top.goodput_per_s == pytest.approx(4.0)
    assert top.ttft_ms["p50"] == pytest.approx(100.0)
    assert top.failed == 0
    assert sweep.model == "org/model-x"
    assert (tmp_path / "sweep-summary.csv").read_text().startswith("max_concurrency,")
    assert not list(tmp_path.glob(".*"))  # no temp files left behind


def test_vllm_new_shape(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    sweep = read_result_dir(DATA / "vllm_new")
    assert [lv.concurrency for lv in sweep.levels] == [4, 8]
    four, eight = sweep.levels
    assert four.total_tokens_per_s == pytest.approx(1290.17)
    assert four.goodput_per_s == pytest.approx(0.2346)
    assert four.e2el_ms["p95"] == pytest.approx(17250.4)
    assert four.input_len == 4000 and four.output_len == 1500
    assert eight.failed == 1 and eight.goodput_per_s is None
    assert "concurrency 8 from the filename" in sweep.notes
    assert any("skipping notes.json" in m for m in caplog.messages)


def test_vllm_old_shape() -> None:
    sweep = read_result_dir(DATA / "vllm_old")
    sixteen, thirty_two = sweep.levels
    assert sixteen.goodput_per_s == pytest.approx(0.95)  # "request_goodput:"
    assert sixteen.failed == 2  # no "failed" key: num_prompts − completed
    assert sixteen.tpot_ms["p99"] == pytest.approx(27.0)
    assert thirty_two.total_tokens_per_s == pytest.approx(240000 / 70.0)
    assert "old format" in sweep.notes
    assert sweep.model == "meta-llama/Llama-3.1-8B-Instruct"


def test_read_result_file() -> None:
    level_file = read_result_file(next((DATA / "vllm_old").glob("*concurrency16*")))
    assert level_file.level.concurrency == 16
    with pytest.raises(InputError, match="not a benchmark result"):
        read_result_file(DATA / "vllm_new" / "notes.json")


def test_malformed_file_names_file_and_fix(tmp_path: Path) -> None:
    shutil.copy(next((DATA / "vllm_old").glob("*concurrency16*")), tmp_path)
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(
        InputError, match=r"broken\.json is not valid JSON.*fix or remove"
    ):
        read_result_dir(tmp_path)


def test_bad_value_names_key(tmp_path: Path) -> None:
    (tmp_path / "c4.json").write_text(
        json.dumps({"completed": 1, "duration": "long", "max_concurrency": 4})
    )
    with pytest.raises(InputError, match="'duration' is 'long'"):
        read_result_dir(tmp_path)


def test_no_usable_level(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(InputError, match="no usable level"):
        read_result_dir(tmp_path)
    with pytest.raises(InputError, match="not a directory"):
        read_result_dir(tmp_path / "missing")


def test_concurrency_unknown(tmp_path: Path) -> None:
    raw = {
        "completed": 1,
        "duration": 1.0,
        "max_concurrency": None,
        "request_rate": 2.0,
        "total_token_throughput": 5.0,
    }
    (tmp_path / "run.json").write_text(json.dumps(raw))
    with pytest.raises(InputError, match="rename it"):
        read_result_dir(tmp_path)
