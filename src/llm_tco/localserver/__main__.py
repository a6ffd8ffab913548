"""The child process: ``python -m llm_tco.localserver --model PATH [flags]``.

It runs llama.cpp's own HTTP server (embedded in xllamacpp) on 127.0.0.1 until
SIGTERM or SIGINT, or until the process that started it is gone. Once ``/health``
and ``/slots`` answer, it prints one JSON line to stdout (``{"base_url": ...,
"pid": ...}``) and writes the same JSON to ``--ready-file`` if given. llama.cpp
logs to stderr, so the parent points stderr at a log file. Exit codes: 0 clean
stop, 3 the server did not start (bad model, port taken), 4 it never became ready.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llm_tco.localserver._http import get_json, is_healthy
from llm_tco.localserver._settings import (
    DEFAULT_CTX_TOKENS,
    DEFAULT_N_PARALLEL,
    DEFAULT_N_THREADS,
    HOST,
    MODEL_ALIAS,
    ServerSettings,
)

EXIT_NOT_STARTED = 3
EXIT_NOT_READY = 4
_READY_TIMEOUT_S = 60.0
_POLL_S = 0.2

logger = logging.getLogger("llm_tco.localserver.child")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="llm-tco-child: %(message)s")
    args = _parse_args(argv)
    settings = ServerSettings(
        port=args.port,
        n_parallel=args.parallel,
        n_ctx=args.ctx,
        n_threads=args.threads,
        model_alias=args.alias,
    )
    stop = _stop_on_signals()
    return _serve(args.model, settings, stop, args.ready_file, args.parent_pid)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m llm_tco.localserver")
    parser.add_argument("--model", type=Path, required=True, help="GGUF file")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--parallel", type=int, default=DEFAULT_N_PARALLEL)
    parser.add_argument("--ctx", type=int, default=DEFAULT_CTX_TOKENS)
    parser.add_argument("--threads", type=int, default=DEFAULT_N_THREADS)
    parser.add_argument("--alias", default=MODEL_ALIAS)
    parser.add_argument("--ready-file", type=Path, default=None)
    parser.add_argument("--parent-pid", type=int, default=None)
    return parser.parse_args(argv)


@dataclass
class _StopRequest:
    # A plain flag, not a threading.Event: Event.set() takes a lock that the
    # interrupted main thread may hold, so calling it from a handler can deadlock.
    requested: bool = False

    def set(self, *_: object) -> None:
        self.requested = True


def _stop_on_signals() -> _StopRequest:
    # Installed before the model loads: a SIGTERM during loading then stops the
    # server as soon as xllamacpp returns control to Python.
    stop = _StopRequest()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop.set)
    return stop


def _serve(
    model: Path,
    settings: ServerSettings,
    stop: _StopRequest,
    ready_file: Path | None,
    parent_pid: int | None,
) -> int:
    started_s = time.perf_counter()
    try:
        server = _start_server(model, settings)
    except RuntimeError as exc:
        logger.error("server did not start: %s", exc)
        return EXIT_NOT_STARTED
    base_url = str(server.listening_address).rstrip("/")
    if not _wait_serving(base_url):
        logger.error("%s did not become ready", base_url)
        return EXIT_NOT_READY
    logger.info("ready at %s after %.2f s", base_url, time.perf_counter() - started_s)
    if not stop.requested:
        _announce({"base_url": base_url, "pid": os.getpid()}, ready_file)

    _wait_for_stop(stop, parent_pid)
    stopping_s = time.perf_counter()
    del server  # xllamacpp shuts the HTTP server and the model down here
    logger.info("stopped in %.2f s", time.perf_counter() - stopping_s)
    return 0


def _start_server(model: Path, settings: ServerSettings) -> Any:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.hostnames = [HOST]
    params.port = settings.port
    params.n_parallel = settings.n_parallel
    params.n_ctx = settings.n_ctx
    params.cpuparams.n_threads = settings.n_threads
    params.cpuparams_batch.n_threads = settings.n_threads
    params.endpoint_metrics = True
    params.endpoint_slots = True
    params.model_alias = {settings.model_alias}
    return xllamacpp.Server(params)  # blocks until the model is loaded


def _wait_serving(base_url: str) -> bool:
    # /health turns ok just before llama.cpp's task loop starts; deleting the
    # server in that gap hangs it (the loop overwrites the stop flag). /slots is
    # answered by the task loop itself, so an answer proves the loop is running.
    # Hence no early exit on a stop request: stopping is only safe after this.
    deadline_s = time.perf_counter() + _READY_TIMEOUT_S
    while time.perf_counter() < deadline_s:
        if is_healthy(base_url) and _slots_answer(base_url):
            return True
        time.sleep(0.05)
    return False


def _slots_answer(base_url: str) -> bool:
    try:
        return isinstance(get_json(f"{base_url}/slots"), list)
    except (OSError, ValueError):
        return False


def _announce(info: dict[str, Any], ready_file: Path | None) -> None:
    line = json.dumps(info)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    if ready_file is not None:
        # Written under another name and renamed: the parent never reads half a file.
        partial = ready_file.with_name(ready_file.name + ".partial")
        partial.write_text(line, encoding="utf-8")
        os.replace(partial, ready_file)


def _wait_for_stop(stop: _StopRequest, parent_pid: int | None) -> None:
    # Polling the parent id covers a parent killed with SIGKILL, which cannot
    # clean up after itself: we are then re-parented and stop on our own.
    while not stop.requested:
        time.sleep(_POLL_S)
        if parent_pid is not None and os.getppid() != parent_pid:
            logger.warning("parent %d is gone; stopping", parent_pid)
            return


if __name__ == "__main__":
    raise SystemExit(main())
