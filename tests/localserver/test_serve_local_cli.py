"""``llm-tco serve-local`` as a user runs it."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from llm_tco.cli import main


@pytest.mark.server
def test_serve_local_for_seconds_prints_the_url_and_exits_0(
    model_cache_dir: Path, tmp_path: Path
) -> None:
    command = [
        sys.executable, "-m", "llm_tco", "serve-local",
        "--for-seconds", "3", "--parallel", "2", "--ctx", "1024",
        "--cache-dir", str(model_cache_dir), "--log-file", str(tmp_path / "s.log"),
    ]  # fmt: skip

    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False
    )

    assert done.returncode == 0, done.stderr
    url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", done.stdout)
    assert url is not None, done.stdout
    assert f"--base-url {url[1]} " in done.stdout
    assert "1024 tokens in all, 512 per slot" in done.stdout
    assert "stopped" in done.stdout


def test_serve_local_rejects_zero_slots(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["serve-local", "--parallel", "0"])

    err = capsys.readouterr().err
    assert code == 2
    assert err == "llm-tco: error: parallel slots must be at least 1; got 0\n"


@pytest.mark.server
def test_serve_local_stops_cleanly_on_sigterm(
    model_cache_dir: Path, tmp_path: Path
) -> None:
    command = [
        sys.executable, "-m", "llm_tco", "serve-local", "--parallel", "1",
        "--ctx", "512", "--cache-dir", str(model_cache_dir),
        "--log-file", str(tmp_path / "s.log"),
    ]  # fmt: skip
    cli = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert cli.stdout is not None
        first_line = cli.stdout.readline()
        assert "listening on http://127.0.0.1:" in first_line

        cli.send_signal(signal.SIGTERM)
        rest = cli.communicate(timeout=30)[0]
    finally:
        cli.kill()
        cli.wait(10)

    assert cli.returncode == 0
    assert re.search(r"stopped \(pid \d+\)", rest)
