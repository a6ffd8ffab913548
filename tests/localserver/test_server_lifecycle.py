"""Starting and stopping: errors are one clear line, and no process is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from llm_tco.errors import InputError, RunError
from llm_tco.localserver import LocalServer, ServerSettings

# One slot, small context: these tests only start and stop.
_SMALL = ServerSettings(n_parallel=1, n_ctx=512)


def _is_alive(pid: int) -> bool:
    """True if ``pid`` runs; a zombie (not reaped by a container's init) is dead."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_gone(pid: int, timeout_s: float) -> bool:
    deadline_s = time.perf_counter() + timeout_s
    while _is_alive(pid) and time.perf_counter() < deadline_s:
        time.sleep(0.1)
    return not _is_alive(pid)


@pytest.mark.server
def test_stop_leaves_no_process(model_cache_dir: Path, tmp_path: Path) -> None:
    server = LocalServer(_SMALL, cache_dir=model_cache_dir, log_path=tmp_path / "s.log")

    with server:
        pid = server.pid
        assert pid is not None and _is_alive(pid)
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server.rss_bytes() is not None

    assert not _is_alive(pid)
    assert server.stop_s is not None and server.stop_s < 10
    assert not server.is_running()
    server.stop()  # idempotent


@pytest.mark.server
def test_stop_kills_a_server_that_does_not_exit_in_time(
    model_cache_dir: Path, tmp_path: Path
) -> None:
    server = LocalServer(
        _SMALL,
        cache_dir=model_cache_dir,
        log_path=tmp_path / "s.log",
        stop_timeout_s=0.001,
    ).start()
    pid = server.pid
    assert pid is not None

    server.stop()

    assert not _is_alive(pid)


@pytest.mark.server
def test_server_stops_when_its_parent_is_killed(
    model_cache_dir: Path, tmp_path: Path
) -> None:
    script = textwrap.dedent(
        """
        import sys, time
        from llm_tco.localserver import LocalServer, ServerSettings
        settings = ServerSettings(n_parallel=1, n_ctx=512)
        server = LocalServer(settings, cache_dir=sys.argv[1], log_path=sys.argv[2])
        print(server.start().pid, flush=True)
        time.sleep(300)
        """
    )
    command = [sys.executable, "-c", script, str(model_cache_dir), str(tmp_path / "l")]
    parent = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child_pid = int(parent.stdout.readline())
        assert _is_alive(child_pid)

        parent.send_signal(signal.SIGKILL)
        parent.wait(10)

        assert _wait_gone(child_pid, timeout_s=10)
    finally:
        parent.kill()
        parent.wait(10)


def test_missing_model_file_is_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    server = LocalServer(model_path=missing, log_path=tmp_path / "s.log")

    with pytest.raises(InputError, match=r"model file not found: .*nope\.gguf"):
        server.start()
    assert server.pid is None


@pytest.mark.server
def test_corrupt_model_is_one_line_run_error(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(b"GGUF" + os.urandom(4096))
    log_path = tmp_path / "s.log"
    server = LocalServer(model_path=corrupt, log_path=log_path)

    with pytest.raises(RunError) as caught:
        server.start()

    message = str(caught.value)
    assert "\n" not in message
    assert "failed to load model" in message
    assert str(log_path) in message
    assert server.pid is not None and not _is_alive(server.pid)


@pytest.mark.server
def test_taken_port_is_run_error(
    local_server: LocalServer, model_cache_dir: Path, tmp_path: Path
) -> None:
    port = int(local_server.base_url.rsplit(":", 1)[1])
    settings = ServerSettings(port=port, n_parallel=1, n_ctx=512)
    server = LocalServer(settings, cache_dir=model_cache_dir, log_path=tmp_path / "l")

    with pytest.raises(RunError, match=f"couldn't bind .*port: {port}"):
        server.start()


@pytest.mark.server
def test_startup_timeout_is_run_error_naming_the_log(
    model_cache_dir: Path, tmp_path: Path
) -> None:
    log_path = tmp_path / "s.log"
    server = LocalServer(
        _SMALL, cache_dir=model_cache_dir, log_path=log_path, startup_timeout_s=0.1
    )

    with pytest.raises(RunError, match="not ready after") as caught:
        server.start()

    assert str(log_path) in str(caught.value)
    assert server.pid is not None and not _is_alive(server.pid)
