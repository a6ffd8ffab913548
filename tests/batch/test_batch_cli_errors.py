"""Bad input: one line on stderr, exit 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from batch_emulator import BatchEmulator
from batch_helpers import run

from llm_tco.cli import main


def _fails_cleanly(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    return err


def test_missing_jobs_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _fails_cleanly(
        [
            "batch",
            "run",
            "--db",
            str(tmp_path / "s.db"),
            "--jobs",
            str(tmp_path / "nope.jsonl"),
            "--base-url",
            "http://127.0.0.1:9",
        ],
        capsys,
    )
    assert "nope.jsonl" in err


def test_malformed_jsonl_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text('{"id": "a", "prompt": "x"}\n{"id": "b", "prompt": \n')
    err = _fails_cleanly(
        [
            "batch",
            "run",
            "--db",
            str(tmp_path / "s.db"),
            "--jobs",
            str(jobs),
            "--base-url",
            "http://127.0.0.1:9",
        ],
        capsys,
    )
    assert "jobs.jsonl:2" in err


def test_duplicate_id_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(
        '{"id": "a", "prompt": "x"}\n\n{"id": "b", "prompt": "y"}\n'
        '{"id": "a", "prompt": "z"}\n'
    )
    err = _fails_cleanly(
        [
            "batch",
            "run",
            "--db",
            str(tmp_path / "s.db"),
            "--jobs",
            str(jobs),
            "--base-url",
            "http://127.0.0.1:9",
        ],
        capsys,
    )
    assert "jobs.jsonl:4" in err and "'a'" in err and "line 1" in err


def test_unknown_offer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.db"
    with BatchEmulator() as emu:
        run(db, [emu.base_url], ["a"])
    err = _fails_cleanly(
        ["batch", "bill", "--db", str(db), "--offer", "runpod-h1000"], capsys
    )
    assert "unknown offer" in err


def test_missing_inventory_and_advisories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "jobs.jsonl")
    _fails_cleanly(
        [
            "batch",
            "build-cve",
            "--inventory",
            str(tmp_path / "pip.json"),
            "--advisories",
            str(tmp_path),
            "--out",
            out,
        ],
        capsys,
    )
    inventory = tmp_path / "pip.json"
    inventory.write_text("[]")
    _fails_cleanly(
        [
            "batch",
            "build-cve",
            "--inventory",
            str(inventory),
            "--advisories",
            str(tmp_path / "nope"),
            "--out",
            out,
        ],
        capsys,
    )


def test_status_of_a_missing_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fails_cleanly(["batch", "status", "--db", str(tmp_path / "none.db")], capsys)
