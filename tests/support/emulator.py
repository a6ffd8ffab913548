"""An OpenAI-compatible streaming server with scripted timings, for tests.

Each request follows a :class:`Script`: time to the first token, gaps between
events, tokens per event, and an optional fault. A script is chosen, in order,
from a ``[[emu key=value ...]]`` directive inside the prompt, the
``X-Emu-Script`` header (same ``key=value`` syntax), or the server's default.
The server records, per request, when it received it and when each text event
was written (``time.perf_counter()``, which is CLOCK_MONOTONIC on Linux and so
comparable across processes), so tests can compare a client's metrics with
ground truth. ``GET /_emu/log`` returns those records as JSON.

Its tokenizer is one token per whitespace-separated word. The prompt length it
reports adds 1 (a BOS) on completions and 4 per message on chat.

Run in-process (``async with Emulator() as emu``) or as a separate process
(``python emulator.py --port 0``; it prints ``LISTENING <url>``) when timing
must not share the client's event loop.

Script keys: ``ttft`` (ms), ``gap`` (ms) or ``gaps`` (ms, comma list, cycled),
``tokens`` (total; default max_tokens or 8), ``tpe`` (tokens per event),
``role`` (chat role-only first event, 1/0), ``usage`` (1/0), ``cont``
(running usage on every text event), ``timings`` (1/0), ``fault`` (one of
``error cut reset stall malformed empty no_done 429 503 400``), ``after``
(text events before the fault), ``stall`` (ms), ``retry_after`` (s),
``rid`` (request id for the log), ``prompt_tokens`` (override usage).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field, fields, replace
from typing import Any

from aiohttp import web

_DIRECTIVE = re.compile(r"\[\[emu ([^\]]*)\]\]")
FAULTS = (
    "",
    "error",
    "cut",
    "reset",
    "stall",
    "malformed",
    "empty",
    "no_done",
    "429",
    "503",
    "400",
)


@dataclass(frozen=True)
class Script:
    ttft: float = 20.0
    gap: float = 5.0
    gaps: tuple[float, ...] = ()
    tokens: int | None = None
    tpe: int = 1
    role: bool = True
    usage: bool = True
    cont: bool = False
    timings: bool = True
    fault: str = ""
    after: int = 2
    stall: float = 60_000.0
    retry_after: int = 1
    rid: str = ""
    prompt_tokens: int | None = None

    def with_text(self, text: str) -> Script:
        """This script updated by ``key=value`` pairs in ``text``."""
        changes: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(self)}
        for pair in text.split():
            key, _, value = pair.partition("=")
            kind = str(types.get(key, ""))
            if not kind:
                raise ValueError(f"unknown emulator script key {key!r}")
            if key == "gaps":
                changes[key] = tuple(float(v) for v in value.split(","))
            elif "bool" in kind:
                changes[key] = value not in ("0", "false", "no")
            elif "int" in kind:
                changes[key] = int(value)
            elif "float" in kind:
                changes[key] = float(value)
            else:
                changes[key] = value
        script = replace(self, **changes)
        if script.fault not in FAULTS:
            raise ValueError(f"unknown fault {script.fault!r}")
        return script

    def gap_ms(self, i: int) -> float:
        return self.gaps[i % len(self.gaps)] if self.gaps else self.gap


@dataclass
class EmuRecord:
    """What the server did for one request (its own clock)."""

    rid: str
    endpoint: str
    received_s: float
    prompt_tokens: int
    script: dict[str, Any]
    headers: dict[str, str]
    body: dict[str, Any]
    write_s: list[float] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Emulator:
    """The server. ``await start()`` / ``await stop()`` or ``async with``."""

    def __init__(
        self,
        script: Script | None = None,
        *,
        model: str = "emu-model",
        api_key: str | None = None,
        tokenize: bool = True,
        keep_bodies: bool = True,
    ) -> None:
        self.default = script or Script()
        self.model = model
        self.api_key = api_key
        self.keep_bodies = keep_bodies
        self.log: dict[str, EmuRecord] = {}
        self._counter = itertools.count()
        self._vocab: dict[str, int] = {}
        self._words: list[str] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        app = web.Application()
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/health", self._health)
        app.router.add_post("/v1/completions", self._completions)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/_emu/log", self._get_log)
        if tokenize:
            app.router.add_post("/tokenize", self._tokenize)
            app.router.add_post("/detokenize", self._detokenize)
        self.app = app

    async def start(self, port: int = 0) -> str:
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port, backlog=2048)
        await site.start()
        server = site._server
        assert server is not None
        sock_port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{sock_port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------- helpers

    def _ids(self, text: str) -> list[int]:
        out = []
        for word in text.split():
            if word not in self._vocab:
                self._vocab[word] = len(self._words)
                self._words.append(word)
            out.append(self._vocab[word])
        return out

    def _authorized(self, request: web.Request) -> bool:
        if self.api_key is None:
            return True
        return request.headers.get("Authorization") == f"Bearer {self.api_key}"

    # ------------------------------------------------------------ handlers

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _models(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": {"message": "bad key"}}, status=401)
        return web.json_response(
            {"object": "list", "data": [{"id": self.model, "object": "model"}]}
        )

    async def _get_log(self, request: web.Request) -> web.Response:
        return web.json_response({k: v.as_json() for k, v in self.log.items()})

    async def _tokenize(self, request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"tokens": self._ids(str(body.get("content", "")))})

    async def _detokenize(self, request: web.Request) -> web.Response:
        body = await request.json()
        words = [self._words[i] for i in body.get("tokens", [])]
        return web.json_response({"content": " ".join(words)})

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, chat=False)

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, chat=True)

    async def _serve(self, request: web.Request, chat: bool) -> web.StreamResponse:
        received_s = time.perf_counter()
        if not self._authorized(request):
            return web.json_response({"error": {"message": "bad key"}}, status=401)
        body = await request.json()
        if chat:
            messages = body.get("messages", [])
            text = " ".join(str(m.get("content", "")) for m in messages)
            prompt_tokens = len(text.split()) + 4 * len(messages)
        else:
            text = str(body.get("prompt", ""))
            prompt_tokens = len(text.split()) + 1
        script = self.default
        header = request.headers.get("X-Emu-Script")
        if header:
            script = script.with_text(header)
        match = _DIRECTIVE.search(text)
        if match:
            script = script.with_text(match[1])
        rid = script.rid or str(next(self._counter))
        record = EmuRecord(
            rid=rid,
            endpoint=request.path,
            received_s=received_s,
            prompt_tokens=script.prompt_tokens or prompt_tokens,
            script=script.__dict__ | {"gaps": list(script.gaps)},
            headers=dict(request.headers),
            body=body if self.keep_bodies else {},
        )
        self.log[rid] = record
        if script.fault in ("429", "503", "400"):
            return _http_error(script)
        return await _stream(request, body, script, record, chat)


def _http_error(script: Script) -> web.Response:
    status = int(script.fault)
    headers = {"Retry-After": str(script.retry_after)} if status == 429 else {}
    return web.json_response(
        {"error": {"message": f"emulated {status}", "code": status}},
        status=status,
        headers=headers,
    )


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def _text_payload(chat: bool, text: str) -> dict[str, Any]:
    if chat:
        choice = {"index": 0, "delta": {"content": text}, "finish_reason": None}
    else:
        choice = {"text": text, "index": 0, "finish_reason": None}
    return {"object": "emu.chunk", "choices": [choice]}


async def _stream(
    request: web.Request,
    body: dict[str, Any],
    script: Script,
    record: EmuRecord,
    chat: bool,
) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    write = response.write
    if chat and script.role:
        role = {
            "index": 0,
            "delta": {"role": "assistant", "content": None},
            "finish_reason": None,
        }
        await write(_event({"choices": [role]}))
    max_tokens = body.get("max_tokens") or body.get("max_completion_tokens")
    total = script.tokens if script.tokens is not None else int(max_tokens or 8)
    events = 0 if script.fault == "empty" else math.ceil(total / script.tpe)
    want_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    start_s = record.received_s
    target_s = start_s + script.ttft / 1000.0
    sent = 0
    for i in range(events):
        if (
            script.fault
            and i == script.after
            and await _fault(request, response, script)
        ):
            return response
        delay_s = target_s - time.perf_counter()
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        n = min(script.tpe, total - sent)
        sent += n
        payload = _text_payload(chat, " tok" * n)
        if script.cont:
            payload["usage"] = _usage(record.prompt_tokens, sent)
        await write(_event(payload))
        record.write_s.append(time.perf_counter())
        record.tokens.append(n)
        target_s += script.gap_ms(i) / 1000.0
    await _finish(
        response,
        script=script,
        record=record,
        chat=chat,
        sent=sent,
        want_usage=want_usage,
    )
    return response


async def _fault(
    request: web.Request, response: web.StreamResponse, script: Script
) -> bool:
    """Play the fault; True when the stream must end here."""
    if script.fault == "error":
        await response.write(
            _event({"error": {"message": "emulated failure", "type": "server_error"}})
        )
        await response.write(b"data: [DONE]\n\n")
        return True
    if script.fault == "malformed":
        await response.write(b"data: {this is not json\n\n")
        return True
    if script.fault == "cut":
        await response.write_eof()
        return True
    if script.fault == "reset":
        if request.transport is not None:
            request.transport.abort()
        return True
    if script.fault == "stall":
        await asyncio.sleep(script.stall / 1000.0)
    return False


def _usage(prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0},
    }


async def _finish(
    response: web.StreamResponse,
    *,
    script: Script,
    record: EmuRecord,
    chat: bool,
    sent: int,
    want_usage: bool,
) -> None:
    usage = _usage(record.prompt_tokens, sent)
    timings = {
        "prompt_n": record.prompt_tokens,
        "prompt_ms": script.ttft,
        "predicted_n": sent,
        "predicted_ms": (record.write_s[-1] - record.received_s) * 1000.0
        if record.write_s
        else 0.0,
    }
    if chat:
        await response.write(
            _event({"choices": [{"index": 0, "delta": {}, "finish_reason": "length"}]})
        )
        if script.usage and want_usage:
            last: dict[str, Any] = {"choices": [], "usage": usage}
            if script.timings:
                last["timings"] = timings
            await response.write(_event(last))
    else:
        final: dict[str, Any] = {
            "choices": [{"text": "", "index": 0, "finish_reason": "length"}]
        }
        if script.usage:
            final["usage"] = usage
        if script.timings:
            final["timings"] = timings
        await response.write(_event(final))
    if script.fault != "no_done":
        await response.write(b"data: [DONE]\n\n")
    await response.write_eof()


@dataclass
class EmulatorProcess:
    """An emulator running in its own process (its own event loop)."""

    base_url: str
    process: subprocess.Popen[str]

    def stop(self) -> None:
        os.kill(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_process(*extra: str) -> EmulatorProcess:
    """Start ``python emulator.py --port 0 *extra`` and wait for its URL."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--port", "0", *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("LISTENING "):
        process.kill()
        raise RuntimeError(f"emulator did not start: {line!r}")
    return EmulatorProcess(line.split()[1], process)


async def _serve_forever(args: argparse.Namespace) -> None:
    script = Script().with_text(args.script) if args.script else Script()
    emulator = Emulator(
        script, model=args.model, api_key=args.api_key or None, keep_bodies=False
    )
    url = await emulator.start(args.port)
    print(f"LISTENING {url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--model", default="emu-model")
    parser.add_argument("--script", default="", help="default script, key=value ...")
    parser.add_argument("--api-key", default="")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
