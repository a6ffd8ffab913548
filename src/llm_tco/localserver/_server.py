"""The parent side: start the llama.cpp server in a child process, wait, stop.

The server never runs in the caller's process: a benchmark client must not share a
GIL with it, and a stuck server must be killable by its pid.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from llm_tco.errors import InputError, RunError
from llm_tco.localserver._http import is_healthy
from llm_tco.localserver._model import INSTALL_HINT, ensure_model, resolve_cache_dir
from llm_tco.localserver._settings import ServerSettings

__all__ = ["LocalServer"]

logger = logging.getLogger(__name__)

_POLL_S = 0.05
_LOG_TAIL_BYTES = 64 * 1024
# llama.cpp log lines look like "0.00.003.460 E srv    load_model: failed to ...".
_LLAMA_ERROR_LINE = re.compile(r"^[\d.]+ E (?:\w{1,4}\s+)?(?P<message>.+)$")

# Servers started and not yet stopped; stopped at interpreter exit whatever happens.
_RUNNING: set[LocalServer] = set()


class LocalServer:
    """llama.cpp's OpenAI-compatible server for Gemma 3 270M, on 127.0.0.1, on CPU.

    Use as a context manager, or call :meth:`start` and :meth:`stop`::

        with LocalServer() as server:
            url, model = server.base_url, server.model

    Args:
        settings: port, slots, total context, threads, alias; defaults if None.
        model_path: a GGUF file; None assembles the packaged model into the cache.
        cache_dir: the cache folder; None means ``$LLM_TCO_CACHE_DIR``, else
            ``$XDG_CACHE_HOME/llm-tco``, else ``~/.cache/llm-tco``.
        log_path: the server's log file; None means ``<cache>/logs/<time>-<pid>.log``.
        startup_timeout_s: how long :meth:`start` waits for ``/health``.
        stop_timeout_s: how long :meth:`stop` waits after SIGTERM before SIGKILL.
    """

    def __init__(
        self,
        settings: ServerSettings | None = None,
        *,
        model_path: str | os.PathLike[str] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        log_path: str | os.PathLike[str] | None = None,
        startup_timeout_s: float = 120.0,
        stop_timeout_s: float = 10.0,
    ) -> None:
        self.settings = settings or ServerSettings()
        self._model_path = None if model_path is None else Path(model_path)
        self._cache_dir = resolve_cache_dir(cache_dir)
        self._log_path = (
            Path(log_path) if log_path else _default_log_path(self._cache_dir)
        )
        self._startup_timeout_s = startup_timeout_s
        self._stop_timeout_s = stop_timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._ready_dir: Path | None = None
        self._base_url: str | None = None
        self._pid: int | None = None
        self.startup_s: float | None = None
        """Seconds from spawning the child to ``/health`` ok (assembly excluded)."""
        self.stop_s: float | None = None
        """Seconds :meth:`stop` took, SIGTERM to the child reaped."""

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash; set by :meth:`start`."""
        if self._base_url is None:
            raise RunError("the local server has not been started")
        return self._base_url

    @property
    def model(self) -> str:
        """The model id to send in requests (the alias, ``gemma-3-270m``)."""
        return self.settings.model_alias

    @property
    def n_parallel(self) -> int:
        """Slots: how many requests are decoded at once."""
        return self.settings.n_parallel

    @property
    def n_ctx(self) -> int:
        """Total KV-cache tokens, split evenly over the slots."""
        return self.settings.n_ctx

    @property
    def n_ctx_per_slot(self) -> int:
        """Prompt + output tokens one request may use."""
        return self.settings.n_ctx_per_slot

    @property
    def pid(self) -> int | None:
        """The child's pid once started; kept after :meth:`stop` for checks."""
        return self._pid

    @property
    def log_path(self) -> Path:
        """The server's log file (llama.cpp's stderr and stdout)."""
        return self._log_path

    @property
    def returncode(self) -> int | None:
        """The child's exit code if it has exited, else None."""
        return None if self._process is None else self._process.poll()

    def is_running(self) -> bool:
        """True while the child process is alive."""
        return self._process is not None and self._process.poll() is None

    def rss_bytes(self) -> int | None:
        """The child's resident memory, from ``/proc`` (None if unknown)."""
        if not self.is_running():
            return None
        return _rss_bytes(self._pid)

    def start(self) -> LocalServer:
        """Spawn the server and wait until it serves (``/health`` ok, task loop up).

        Raises:
            InputError: the model file or the ``local`` extras are missing.
            RunError: the server exited early or was not ready in time; the
                message names the log file.
        """
        if self._process is not None:
            raise RunError("the local server is already started")
        model_path = self._resolve_model()
        _require_xllamacpp()
        spawned_s = time.perf_counter()
        try:
            self._spawn(model_path)
            self._base_url = self._wait_ready(spawned_s)
        except BaseException:
            # Nothing was served yet, so nothing to shut down gracefully; a
            # SIGTERM would also wait for the model load to finish.
            self._shutdown(graceful=False)
            raise
        self.startup_s = time.perf_counter() - spawned_s
        logger.info(
            "local server pid %d ready at %s in %.2f s",
            self._pid,
            self._base_url,
            self.startup_s,
        )
        return self

    def stop(self) -> None:
        """SIGTERM the child, SIGKILL it after ``stop_timeout_s``; idempotent."""
        self._shutdown(graceful=True)

    def _shutdown(self, *, graceful: bool) -> None:
        process = self._process
        if process is None:
            return
        stopping_s = time.perf_counter()
        if process.poll() is None:
            _end_process(process, self._stop_timeout_s if graceful else 0.0)
        self.stop_s = time.perf_counter() - stopping_s
        self._process = None
        _RUNNING.discard(self)
        if self._ready_dir is not None:
            shutil.rmtree(self._ready_dir, ignore_errors=True)
        logger.info("local server pid %d stopped in %.2f s", process.pid, self.stop_s)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _resolve_model(self) -> Path:
        if self._model_path is None:
            return ensure_model(self._cache_dir)
        if not self._model_path.is_file():
            raise InputError(f"model file not found: {self._model_path}")
        return self._model_path

    def _spawn(self, model_path: Path) -> None:
        self._ready_dir = Path(tempfile.mkdtemp(prefix="llm-tco-server-"))
        ready_file = self._ready_dir / "ready.json"
        command = [
            sys.executable,
            "-m",
            "llm_tco.localserver",
            f"--model={model_path}",
            *self.settings.to_argv(),
            f"--ready-file={ready_file}",
            f"--parent-pid={os.getpid()}",
        ]
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with self._log_path.open("ab") as log:
            # A new session: Ctrl-C in a terminal reaches only us, and we stop
            # the child in order instead of both racing to handle SIGINT.
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self._pid = self._process.pid
        _RUNNING.add(self)
        logger.debug("spawned %s as pid %d", command, self._pid)

    def _wait_ready(self, spawned_s: float) -> str:
        assert self._process is not None and self._ready_dir is not None
        ready_file = self._ready_dir / "ready.json"
        deadline_s = spawned_s + self._startup_timeout_s
        while not ready_file.exists():
            code = self._process.poll()
            if code is not None:
                raise RunError(
                    f"the local server exited with code {code} before it was "
                    f"ready: {_failure_reason(self._log_path)}; log: {self._log_path}"
                )
            if time.perf_counter() >= deadline_s:
                raise RunError(
                    f"the local server was not ready after "
                    f"{self._startup_timeout_s:.0f} s; log: {self._log_path}"
                )
            time.sleep(_POLL_S)
        base_url = str(json.loads(ready_file.read_text(encoding="utf-8"))["base_url"])
        if not is_healthy(base_url, timeout_s=5.0):
            raise RunError(f"{base_url}/health is not ok; log: {self._log_path}")
        return base_url


def _end_process(process: subprocess.Popen[bytes], timeout_s: float) -> None:
    if timeout_s > 0:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
            return
        except subprocess.TimeoutExpired:
            logger.warning("local server pid %d ignored SIGTERM; killing", process.pid)
    process.kill()
    process.wait()


def _default_log_path(cache_dir: Path) -> Path:
    label = time.strftime("%Y%m%d-%H%M%S")
    return cache_dir / "logs" / f"local-server-{label}-{os.getpid()}.log"


def _require_xllamacpp() -> None:
    if importlib.util.find_spec("xllamacpp") is None:
        raise InputError(
            f"the local server package xllamacpp is not installed; {INSTALL_HINT}"
        )


def _failure_reason(log_path: Path) -> str:
    """The most telling line of a failed start: llama.cpp's last error, else the
    last line (a Python traceback ends with the exception)."""
    lines = _log_tail(log_path)
    errors = [m["message"] for m in map(_LLAMA_ERROR_LINE.match, lines) if m]
    telling = [e for e in errors if "exiting due to" not in e]
    if telling or errors:
        return (telling or errors)[-1].strip()
    return lines[-1].strip() if lines else "no output"


def _log_tail(log_path: Path) -> list[str]:
    try:
        with log_path.open("rb") as log:
            log.seek(max(0, log_path.stat().st_size - _LOG_TAIL_BYTES))
            text = log.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if line.strip()]


def _rss_bytes(pid: int | None) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


@atexit.register
def _stop_all() -> None:
    for server in list(_RUNNING):
        server.stop()
