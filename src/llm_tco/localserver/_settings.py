"""What the local server is started with, checked before any process is spawned."""

from __future__ import annotations

from dataclasses import dataclass

from llm_tco.errors import InputError

__all__ = [
    "DEFAULT_CTX_TOKENS",
    "DEFAULT_N_PARALLEL",
    "DEFAULT_N_THREADS",
    "HOST",
    "MODEL_ALIAS",
    "ServerSettings",
]

HOST = "127.0.0.1"
MODEL_ALIAS = "gemma-3-270m"
DEFAULT_N_PARALLEL = 4
DEFAULT_CTX_TOKENS = DEFAULT_N_PARALLEL * 2048
DEFAULT_N_THREADS = 2
_MAX_PORT = 65535


@dataclass(frozen=True)
class ServerSettings:
    """Settings of the llama.cpp server; the host is always 127.0.0.1.

    Attributes:
        port: TCP port; 0 picks a free one, read back after start.
        n_parallel: slots, i.e. sequences decoded at once (continuous batching).
        n_ctx: TOTAL KV-cache tokens. llama.cpp splits it evenly per slot, so each
            request may use at most ``n_ctx // n_parallel`` prompt + output tokens.
        n_threads: CPU threads for prompt processing and for decoding.
        model_alias: the model id served by ``/v1/models`` and used in requests.

    Raises:
        InputError: a value is out of range.
    """

    port: int = 0
    n_parallel: int = DEFAULT_N_PARALLEL
    n_ctx: int = DEFAULT_CTX_TOKENS
    n_threads: int = DEFAULT_N_THREADS
    model_alias: str = MODEL_ALIAS

    def __post_init__(self) -> None:
        if not 0 <= self.port <= _MAX_PORT:
            raise InputError(
                f"port must be 0..{_MAX_PORT} (0 = free port); got {self.port}"
            )
        _require_positive("parallel slots", self.n_parallel)
        _require_positive("threads", self.n_threads)
        if self.n_ctx < self.n_parallel:
            raise InputError(
                f"context {self.n_ctx} tokens is split over {self.n_parallel} slots; "
                f"need at least one token per slot"
            )
        if not self.model_alias.strip():
            raise InputError("model alias must not be empty")

    @property
    def n_ctx_per_slot(self) -> int:
        """Tokens (prompt + output) one request can use: ``n_ctx // n_parallel``."""
        return self.n_ctx // self.n_parallel

    def to_argv(self) -> list[str]:
        """The command-line flags of ``python -m llm_tco.localserver``."""
        return [
            f"--port={self.port}",
            f"--parallel={self.n_parallel}",
            f"--ctx={self.n_ctx}",
            f"--threads={self.n_threads}",
            f"--alias={self.model_alias}",
        ]


def _require_positive(what: str, value: int) -> None:
    if value < 1:
        raise InputError(f"{what} must be at least 1; got {value}")
