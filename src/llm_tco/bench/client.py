"""Streaming client for OpenAI-compatible ``/v1/completions`` and
``/v1/chat/completions`` (server-sent events), on aiohttp.

One connection per streamed request (``force_close``): llama.cpp's server
closes the socket after each stream while still advertising keep-alive, so a
pooled connection fails the next request. A request never raises: every
failure becomes a record with a :class:`Failure` reason. The API key is read
from the environment when the session opens, sent only as a header, and
scrubbed from any error text kept in a record (by ``RequestRecord.fail``).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp

from llm_tco._secret import mask
from llm_tco.bench._names import CHAT, COMPLETIONS
from llm_tco.bench.records import Failure, Job, RequestRecord, TokenSource
from llm_tco.errors import InputError, RunError

logger = logging.getLogger(__name__)

ENDPOINTS = (COMPLETIONS, CHAT)
_READ_BUFSIZE = 1 << 18  # aiohttp's 64 KiB default collapses long streams


@dataclass(frozen=True)
class ClientConfig:
    """Where and how to connect. Holds the *name* of the key variable only."""

    base_url: str
    endpoint: str = COMPLETIONS
    model: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    headers: tuple[tuple[str, str], ...] = ()
    timeout_s: float = 1800.0
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 300.0
    verify_tls: bool = True

    @property
    def chat(self) -> bool:
        return self.endpoint == CHAT

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + self.endpoint


class Client:
    """An open session to one server. Use as ``async with Client(cfg) as c``."""

    def __init__(self, config: ClientConfig) -> None:
        if config.endpoint not in ENDPOINTS:
            raise InputError(
                f"--endpoint {config.endpoint!r} is not supported; use "
                f"{COMPLETIONS} or {CHAT}"
            )
        self.config = config
        self._session: aiohttp.ClientSession | None = None
        self._secrets: tuple[str, ...] = ()

    async def __aenter__(self) -> Client:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        headers.update(dict(self.config.headers))
        key = os.environ.get(self.config.api_key_env, "")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self._secrets = tuple(
            s for s in (key, *(v for _, v in self.config.headers)) if len(s) >= 4
        )
        connector = aiohttp.TCPConnector(
            limit=0, force_close=True, ssl=self.config.verify_tls
        )
        timeout = aiohttp.ClientTimeout(
            total=self.config.timeout_s,
            connect=self.config.connect_timeout_s,
            sock_read=self.config.read_timeout_s,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers=headers,
            timeout=timeout,
            read_bufsize=_READ_BUFSIZE,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("Client used outside 'async with'")
        return self._session

    def redact(self, text: str) -> str:
        """``text`` with the API key and every --header value replaced."""
        return mask(text, self._secrets)

    # ------------------------------------------------------------------ setup

    async def first_model(self) -> str:
        """The first model id ``/v1/models`` lists; RunError if unreachable."""
        url = self.config.base_url.rstrip("/") + "/v1/models"
        body = await self._get_json(url)
        data = body.get("data") if isinstance(body, dict) else None
        if not data or not isinstance(data, list) or "id" not in data[0]:
            raise InputError(f"{url} lists no model; pass --model NAME")
        return str(data[0]["id"])

    async def _get_json(self, url: str) -> Any:
        try:
            async with self.session.get(url) as resp:
                text = await resp.text()
                status = resp.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RunError(
                f"cannot reach {self.config.base_url} ({type(exc).__name__}: "
                f"{self.redact(str(exc))}); is the server running and --base-url right?"
            ) from None
        if status in (401, 403):
            raise InputError(
                f"{url} answered HTTP {status}; put the API key in the environment "
                f"variable {self.config.api_key_env} or name another with --api-key-env"
            )
        if status != 200:
            raise InputError(f"{url} answered HTTP {status}; pass --model NAME")
        try:
            return json.loads(text)
        except ValueError:
            raise InputError(f"{url} did not answer JSON; check --base-url") from None

    async def tokenize(self, text: str) -> list[int] | None:
        """The server's token ids for ``text`` (llama.cpp/vLLM ``/tokenize``),
        or None when the server has no such endpoint."""
        body = await self._post_json("/tokenize", {"content": text})
        tokens = body.get("tokens") if isinstance(body, dict) else None
        if not isinstance(tokens, list):
            return None
        return [int(t["id"]) if isinstance(t, dict) else int(t) for t in tokens]

    async def detokenize(self, tokens: list[int]) -> str | None:
        body = await self._post_json("/detokenize", {"tokens": tokens})
        content = body.get("content") if isinstance(body, dict) else None
        if content is None and isinstance(body, dict):
            content = body.get("prompt")  # vLLM's field name
        return content if isinstance(content, str) else None

    async def _post_json(self, path: str, payload: dict[str, Any]) -> Any:
        url = self.config.base_url.rstrip("/") + path
        try:
            async with self.session.post(url, json=payload) as resp:
                if resp.status != 200:
                    return None
                return await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError):
            return None

    # ---------------------------------------------------------------- request

    async def request(self, job: Job) -> RequestRecord:
        """Send one streamed request; a failed record instead of any exception."""
        record = RequestRecord(
            job_index=job.index,
            requested_input_tokens=job.input_tokens,
            requested_output_tokens=job.output_tokens,
            secrets=self._secrets,
        )
        got_headers = False
        record.send_s = time.perf_counter()
        try:
            async with self.session.post(self.config.url, data=job.body) as resp:
                got_headers = True
                record.http_status = resp.status
                if resp.status != 200:
                    await self._http_failure(resp, record)
                elif resp.content_type == "application/json":
                    await self._json_instead_of_stream(resp, record)
                else:
                    await _read_stream(resp, record, self.config.chat)
        except TimeoutError as exc:
            record.fail(Failure.TIMEOUT, f"{type(exc).__name__} {exc}".strip())
        except aiohttp.ClientConnectorError as exc:
            record.fail(Failure.CONNECT, f"{type(exc).__name__}: {exc}")
        except (aiohttp.ClientError, OSError) as exc:
            reason = Failure.TRUNCATED if got_headers else Failure.CONNECT
            record.fail(reason, f"{type(exc).__name__}: {exc}")
        record.done_s = time.perf_counter()
        _settle_counts(record)
        return record

    async def _http_failure(
        self, resp: aiohttp.ClientResponse, record: RequestRecord
    ) -> None:
        status = resp.status
        body = (await resp.content.read(2000)).decode("utf-8", "replace")
        detail = body.strip()  # RequestRecord.fail masks the secrets
        if status == 429:
            retry_after = resp.headers.get("Retry-After")
            if retry_after:
                detail = f"Retry-After: {retry_after}; {detail}"
            record.fail(Failure.HTTP_429, detail, status)
        elif status >= 500:
            record.fail(Failure.HTTP_5XX, f"HTTP {status}: {detail}", status)
        else:
            record.fail(Failure.HTTP_4XX, f"HTTP {status}: {detail}", status)

    async def _json_instead_of_stream(
        self, resp: aiohttp.ClientResponse, record: RequestRecord
    ) -> None:
        body = (await resp.content.read(2000)).decode("utf-8", "replace")
        if '"error"' in body:
            record.fail(Failure.STREAM_ERROR, body)
        else:
            record.fail(Failure.MALFORMED_SSE, f"expected text/event-stream: {body}")


class _StreamState:
    """Per-request parse state; plain attributes, no per-token objects."""

    __slots__ = ("continuous", "done", "last_completion", "usage")

    def __init__(self) -> None:
        self.done = False
        self.continuous = False  # the server sends running usage per text event
        self.last_completion = 0
        self.usage: Any = None


async def _read_stream(
    resp: aiohttp.ClientResponse, record: RequestRecord, chat: bool
) -> None:
    """Parse the SSE body into ``record``; sets a failure on a bad stream.

    Reads whatever bytes have arrived (not line by line): fewer awaits per
    event, and every event in a read shares that read's arrival time, which is
    when it became available.
    """
    state = _StreamState()
    perf_counter = time.perf_counter
    pending = b""
    async for chunk in resp.content.iter_any():
        now_s = perf_counter()
        lines = (pending + chunk if pending else chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            if line.startswith(b"data:") and not _on_data(
                line[5:].strip(), now_s, record, state, chat
            ):
                return
        if state.done:
            break
    tail = pending[5:].strip() if pending.startswith(b"data:") else b""
    if tail and not _on_data(tail, perf_counter(), record, state, chat):
        return
    _apply_usage(record, state.usage)
    if not state.done and record.finish_reason is None:
        record.fail(
            Failure.TRUNCATED,
            f"stream ended after {len(record.event_times_s)} text events without "
            "a finish_reason or [DONE]",
        )
    elif not record.event_times_s:
        record.fail(Failure.EMPTY, "the stream carried no text")


def _on_data(
    data: bytes, now_s: float, record: RequestRecord, state: _StreamState, chat: bool
) -> bool:
    """Handle one ``data:`` payload; False when the stream has failed."""
    if state.done:
        return True
    if data == b"[DONE]":
        state.done = True
        return True
    # Snippets are cut well past the 500 characters a record keeps: fail()
    # masks secrets first, then cuts, so no part of a key can survive a cut.
    try:
        event = json.loads(data)
    except ValueError:
        record.fail(Failure.MALFORMED_SSE, f"not JSON: {data[:2000]!r}")
        return False
    if not isinstance(event, dict):
        record.fail(Failure.MALFORMED_SSE, f"not an object: {data[:2000]!r}")
        return False
    if "error" in event:
        record.fail(Failure.STREAM_ERROR, json.dumps(event["error"]))
        return False
    _on_event(event, now_s, record, state, chat)
    return True


def _on_event(
    event: dict[str, Any],
    now_s: float,
    record: RequestRecord,
    state: _StreamState,
    chat: bool,
) -> None:
    choices = event.get("choices")
    usage = event.get("usage")
    if choices:
        choice = choices[0]
        if _has_text(choice, chat):
            times = record.event_times_s
            times.append(now_s)
            record.event_tokens.append(1)
            if usage and len(times) == 1:
                state.continuous = True
            if state.continuous and usage:
                tokens = int(usage.get("completion_tokens") or 0)
                record.event_tokens[-1] = max(tokens - state.last_completion, 1)
                state.last_completion = tokens
        finish = choice.get("finish_reason")
        if finish:
            record.finish_reason = finish
    if usage:
        state.usage = usage
    if "timings" in event:
        record.server_timings = event["timings"]


def _has_text(choice: dict[str, Any], chat: bool) -> bool:
    if not chat:
        return bool(choice.get("text"))
    delta = choice.get("delta")
    if not delta:
        return False
    return bool(
        delta.get("content")
        or delta.get("reasoning_content")
        or delta.get("reasoning")
        or delta.get("tool_calls")
    )


def _apply_usage(record: RequestRecord, usage: Any) -> None:
    if not isinstance(usage, dict):
        return
    prompt = usage.get("prompt_tokens")
    completion = usage.get("completion_tokens")
    if isinstance(prompt, int):
        record.input_tokens = prompt
        record.input_source = TokenSource.USAGE
    if isinstance(completion, int):
        record.output_tokens = completion
        record.output_source = TokenSource.USAGE
    details = usage.get("prompt_tokens_details")
    if isinstance(details, dict) and isinstance(details.get("cached_tokens"), int):
        record.cached_tokens = details["cached_tokens"]


def _settle_counts(record: RequestRecord) -> None:
    """Fill token counts the server did not report."""
    if record.output_tokens is None and record.event_tokens:
        record.output_tokens = sum(record.event_tokens)
        record.output_source = TokenSource.CLIENT
    if record.input_tokens is None and record.requested_input_tokens is not None:
        record.input_tokens = record.requested_input_tokens
        record.input_source = TokenSource.REQUESTED
