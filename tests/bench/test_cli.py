"""``llm-tco bench`` end to end against the emulator process."""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import pytest

from llm_tco.bench.reader import read_result_dir
from llm_tco.cli import main
from support.emulator import EmulatorProcess

SMALL = ["--random-input-len", "24", "--random-output-len", "6", "--num-warmups", "1"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--goodput", "ttft=2000"], "ttft:2000"),
        (["--max-concurrency", "1", "0"], "--max-concurrency '0'"),
        (["--max-concurrency", "x"], "--max-concurrency 'x'"),
        (["--endpoint", "/v1/foo"], "/v1/chat/completions"),
        (["--header", "novalue"], "KEY=VALUE"),
        (["--request-rate", "-1"], "--request-rate '-1'"),
        (["--metric-percentiles", "150"], "--metric-percentiles"),
        (["--percentile-metrics", "ttft,foo"], "ttft,tpot,itl,e2el"),
        (["--dataset-path", "/nonexistent.jsonl"], "does not exist"),
        (["--base-url", "localhost:8000"], "http://"),
        (["--saturation-gain", "3"], "fraction"),
        (["--offer", "no-such-offer"], "unknown"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert fragment in err


def test_unreachable_server_is_run_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = main(
        [
            "bench",
            "--base-url",
            f"http://127.0.0.1:{port}",
            "--model",
            "m",
            "--max-concurrency",
            "1",
            "--num-prompts",
            "1",
            *SMALL,
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "cannot reach" in err and err.count("llm-tco: error") == 1


def test_sweep_writes_results_and_table(
    emulator_process: EmulatorProcess,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        [
            "bench",
            "--base-url",
            emulator_process.base_url,
            "--max-concurrency",
            "1",
            "3",
            "--num-prompts",
            "6",
            *SMALL,
            "--result-dir",
            str(tmp_path),
            "--goodput",
            "ttft:2000",
            "tpot:50",
            "--header",
            "X-Emu-Script=ttft=5 gap=2",
            "--price-per-hour",
            "1.96",
            "--currency",
            "EUR",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "EUR / 1M tok" in out and "Parallel jobs" in out
    sweep = read_result_dir(tmp_path)
    assert [lv.concurrency for lv in sweep.levels] == [1, 3]
    assert all(lv.failed == 0 and lv.completed == 6 for lv in sweep.levels)
    assert all(lv.input_len == 24 and lv.output_len == 6 for lv in sweep.levels)
    level_file = next(tmp_path.glob("*concurrency3*.json"))
    extra = json.loads(level_file.read_text())["llm_tco"]
    assert extra["length_check"]["input_mismatch"] == 0
    assert extra["settings"]["header_names"] == ["X-Emu-Script"]


def test_offer_price(
    emulator_process: EmulatorProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "bench",
            "--base-url",
            emulator_process.base_url,
            "--max-concurrency",
            "2",
            "--num-prompts",
            "2",
            *SMALL,
            "--offer",
            "runpod-mi300x",
        ]
    )
    assert code == 0
    assert "EUR for the level" in capsys.readouterr().out


def test_api_key_never_written_or_logged(
    keyed_emulator: tuple[EmulatorProcess, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu, key = keyed_emulator
    monkeypatch.setenv("MY_KEY", key)
    caplog.set_level(logging.DEBUG)
    code = main(
        [
            "--debug",
            "bench",
            "--base-url",
            emu.base_url,
            "--api-key-env",
            "MY_KEY",
            "--max-concurrency",
            "1",
            "2",
            "--num-prompts",
            "3",
            *SMALL,
            "--result-dir",
            str(tmp_path),
            "--header",
            "X-Token=hdr-secret-77",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= 4
    for secret in (key, "hdr-secret-77"):
        for path in files:
            assert secret not in path.read_text(), path
        assert all(secret not in r.getMessage() for r in caplog.records)
        assert secret not in captured.out + captured.err
    assert "MY_KEY" in (tmp_path / "sweep-summary.json").read_text()


def test_wrong_key_fails_cleanly(
    keyed_emulator: tuple[EmulatorProcess, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu, _ = keyed_emulator
    monkeypatch.setenv("OPENAI_API_KEY", "wrong")
    assert (
        main(
            [
                "bench",
                "--base-url",
                emu.base_url,
                "--max-concurrency",
                "1",
                "--num-prompts",
                "1",
                *SMALL,
            ]
        )
        == 2
    )
    assert "OPENAI_API_KEY" in capsys.readouterr().err
