"""One non-streaming request to an OpenAI-compatible server, and what came back.

Every request has its own connection (``Connection: close``): llama.cpp's server
closes the socket after a response while advertising keep-alive, and a pooled
connection then fails the next request. The API key comes from the environment
and only ever goes into the ``Authorization`` header; since a server may echo
that header in an error body, every text read back (reasons, body excerpts,
answers) has the key masked before anyone stores, logs or exports it.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any

import aiohttp

from llm_tco._secret import mask
from llm_tco.batch.retry import is_retryable_status, parse_retry_after

CHAT_PATH = "/v1/chat/completions"
COMPLETIONS_PATH = "/v1/completions"
_BODY_EXCERPT_CHARS = 200


@dataclass(frozen=True)
class Reply:
    """What one request ended with. ``kind``: ``ok`` (an answer), ``retry``
    (worth another try), ``fatal`` (no point retrying), ``down`` (the endpoint
    did not accept the connection)."""

    kind: str
    reason: str | None = None
    http_status: int | None = None
    text: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    retry_after_s: float | None = None


def root_url(base_url: str) -> str:
    """``http://host:port`` from a URL that may end in ``/`` or ``/v1``."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


class Client:
    """An aiohttp session set up for one-connection-per-request."""

    def __init__(self, *, timeout_s: float, api_key_env: str) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._api_key_env = api_key_env
        self._session: aiohttp.ClientSession | None = None
        self._secrets: tuple[str, ...] = ()

    async def __aenter__(self) -> Client:
        headers = {"Connection": "close", "Content-Type": "application/json"}
        key = os.environ.get(self._api_key_env)
        if key:
            self._secrets = (key,)
            headers["Authorization"] = f"Bearer {key}"
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True, limit=0),
            headers=headers,
            timeout=self._timeout,
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

    async def send(self, base_url: str, body: Mapping[str, Any]) -> Reply:
        """The reply, with the API key masked in every text it carries."""
        reply = await self._send(base_url, body)
        return masked(reply, self._secrets)

    async def _send(self, base_url: str, body: Mapping[str, Any]) -> Reply:
        assert self._session is not None, "use Client as an async context manager"
        path = CHAT_PATH if "messages" in body else COMPLETIONS_PATH
        url = root_url(base_url) + path
        try:
            async with self._session.post(url, json=body) as response:
                raw = await response.read()
                return read_reply(response.status, response.headers, raw, self._secrets)
        except aiohttp.ClientConnectorError as exc:
            return Reply("down", f"connection failed: {_describe(exc)}")
        except TimeoutError:
            return Reply("retry", "timeout")
        except aiohttp.ClientError as exc:
            return Reply("retry", f"cut response: {_describe(exc)}")
        except asyncio.IncompleteReadError as exc:
            return Reply("retry", f"cut response: {_describe(exc)}")


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def masked(reply: Reply, secrets: tuple[str, ...]) -> Reply:
    """``reply`` with ``secrets`` masked in its reason and text."""
    if not secrets:
        return reply
    return replace(
        reply,
        reason=None if reply.reason is None else mask(reply.reason, secrets),
        text=None if reply.text is None else mask(reply.text, secrets),
    )


def read_reply(
    status: int,
    headers: Mapping[str, str],
    raw: bytes,
    secrets: tuple[str, ...] = (),
) -> Reply:
    """A :class:`Reply` from a complete HTTP response. ``secrets`` are masked
    in the whole body before the excerpt is cut, so a key straddling the cut
    cannot leave a fragment behind."""
    if status != 200:
        body = mask(raw.decode("utf-8", "replace"), secrets)
        excerpt = body[:_BODY_EXCERPT_CHARS]
        reason = f"HTTP {status}: {' '.join(excerpt.split())}".rstrip(": ")
        kind = "retry" if is_retryable_status(status) else "fatal"
        return Reply(
            kind,
            reason,
            status,
            retry_after_s=parse_retry_after(headers.get("Retry-After")),
        )
    try:
        payload = json.loads(raw)
    except ValueError:
        return Reply("retry", "cut response: body is not JSON", status)
    text = _answer_text(payload)
    if text is None:
        return Reply("retry", "response has no choices[0] text", status)
    usage = payload.get("usage") if isinstance(payload, dict) else None
    usage = usage if isinstance(usage, dict) else {}
    return Reply(
        "ok",
        http_status=status,
        text=text,
        prompt_tokens=_int_or_none(usage.get("prompt_tokens")),
        completion_tokens=_int_or_none(usage.get("completion_tokens")),
    )


def _answer_text(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return None
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    choice = choices[0]
    message = choice.get("message")
    if isinstance(message, dict) and isinstance(message.get("content"), str):
        return str(message["content"])
    text = choice.get("text")
    return text if isinstance(text, str) else None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
