"""One record per request: what happened and when, on the client's clock.

Every time here is a ``time.perf_counter()`` reading in seconds. A record keeps
per-event data as two flat lists (arrival time, tokens carried) so that a
streamed token costs one float and one int, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from llm_tco._secret import mask


class Failure(StrEnum):
    """Why a request did not succeed. None of these counts as a success."""

    CONNECT = "connect"  # no connection (refused, DNS, reset before a response)
    TIMEOUT = "timeout"  # connect, read (stall) or total timeout
    HTTP_429 = "http_429"
    HTTP_5XX = "http_5xx"
    HTTP_4XX = "http_4xx"
    STREAM_ERROR = "stream_error"  # an error object inside a 200 stream
    MALFORMED_SSE = "malformed_sse"  # a data line that is not JSON or not an object
    TRUNCATED = "truncated"  # stream ended without a finish_reason or [DONE]
    EMPTY = "empty"  # a complete stream that carried no token


class TokenSource(StrEnum):
    USAGE = "usage"  # the server's ``usage`` object
    CLIENT = "client"  # counted by the client (one token per text event)
    REQUESTED = "requested"  # what was asked for (input only, no usage seen)


@dataclass(frozen=True, slots=True)
class Job:
    """One request to send: the JSON body, ready, and what it asks for."""

    body: bytes
    input_tokens: int | None = None  # requested prompt length, if known
    output_tokens: int | None = None  # requested output length, if forced
    index: int = 0


@dataclass(slots=True)
class RequestRecord:
    """The outcome of one request.

    ``event_times_s`` holds the arrival time of each event that carried text
    (content, reasoning or completion text); role-only, empty and usage-only
    events are not in it. ``event_tokens`` holds how many tokens each of those
    events carried: from the server's running usage when it sends one per
    event, else 1.
    """

    job_index: int = 0
    failure: Failure | None = None
    detail: str = ""
    http_status: int | None = None
    slot_wait_s: float = 0.0
    send_s: float = 0.0
    done_s: float = 0.0
    event_times_s: list[float] = field(default_factory=list)
    event_tokens: list[int] = field(default_factory=list)
    requested_input_tokens: int | None = None
    requested_output_tokens: int | None = None
    input_tokens: int | None = None
    input_source: TokenSource | None = None
    output_tokens: int | None = None
    output_source: TokenSource | None = None
    cached_tokens: int | None = None
    finish_reason: str | None = None
    server_timings: dict[str, Any] | None = None
    # Texts never to keep in ``detail`` (the API key, --header values): the
    # client fills this in, and :meth:`fail` masks them on every path.
    secrets: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def ttft_s(self) -> float | None:
        """Send to the first text-bearing event."""
        if not self.event_times_s:
            return None
        return self.event_times_s[0] - self.send_s

    @property
    def e2e_s(self) -> float | None:
        """Send to the last text-bearing event (a trailing usage chunk or
        ``[DONE]`` does not move it)."""
        if not self.event_times_s:
            return None
        return self.event_times_s[-1] - self.send_s

    def fail(self, failure: Failure, detail: str, status: int | None = None) -> None:
        """Mark the record failed. The only place ``detail`` is set: every
        secret is masked here, before the text is cut to length (so no cut
        can leave half a key behind)."""
        self.failure = failure
        self.detail = mask(detail, self.secrets)[:500]
        if status is not None:
            self.http_status = status
