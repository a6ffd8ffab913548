"""A scripted OpenAI-compatible (non-streaming) server for the batch tests.

Each job's last message is its id; ``script[id]`` lists what the server does on
the 1st, 2nd, ... request for it (the last entry repeats):

- ``ok``: a valid verdict with usage ``prompt_tokens = 100 + n``,
  ``completion_tokens = 20``
- ``429:S``: 429 with ``Retry-After: S`` (seconds); ``429date:S``: as an HTTP date
- ``503``: 503 without Retry-After
- ``cut``: headers promise 4096 bytes, 20 are sent, then the socket is closed
- ``slow:S``: wait S seconds, then ``ok``
- ``bad``: 200 whose answer is not the verdict shape
- ``400``: a client error (not retried)
- ``echo:S``: status S with a JSON error body quoting the request's
  ``Authorization`` header (as some servers and proxies do);
  ``echolong:S``: the same after 145 characters of padding, so a key of 10+
  characters straddles the 200-character excerpt the client keeps;
  ``echoanswer``: 200 whose answer text quotes that header

It runs on its own event loop in a thread, so the code under test may call
``asyncio.run`` itself. Every request is logged with its arrival time
(``time.perf_counter()``).
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

VERDICT = {
    "affected": True,
    "priority": "high",
    "rationale": "installed version is in range",
    "fix": "upgrade",
}


@dataclass
class Hit:
    job_id: str
    action: str
    arrived_s: float


@dataclass
class BatchEmulator:
    script: dict[str, list[str]] = field(default_factory=dict)
    default: str = "ok"
    log: list[Hit] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runner: web.AppRunner | None = None

    def __enter__(self) -> BatchEmulator:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._thread is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def hits(self, job_id: str) -> list[Hit]:
        return [h for h in self.log if h.job_id == job_id]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrived_s = time.perf_counter()
        body = await request.json()
        job_id = body["messages"][-1]["content"]
        steps = self.script.get(job_id, [self.default])
        action = steps[min(len(self.hits(job_id)), len(steps) - 1)]
        self.log.append(Hit(job_id, action, arrived_s))
        self.headers_seen.append(dict(request.headers))
        return await self._act(request, action, job_id)

    async def _act(
        self, request: web.Request, action: str, job_id: str
    ) -> web.StreamResponse:
        kind, _, arg = action.partition(":")
        if kind == "429":
            return web.Response(status=429, headers={"Retry-After": arg}, text="busy")
        if kind == "429date":
            when = email.utils.formatdate(time.time() + float(arg), usegmt=True)
            return web.Response(status=429, headers={"Retry-After": when}, text="busy")
        if kind in ("503", "400"):
            return web.Response(status=int(kind), text=f"emulated {kind}")
        auth = request.headers.get("Authorization", "")
        if kind in ("echo", "echolong"):
            pad = "x" * 145 if kind == "echolong" else ""
            error = {"error": {"message": f"{pad}bad request from {auth}"}}
            return web.json_response(error, status=int(arg))
        if kind == "echoanswer":
            return web.json_response(_completion(f"you sent {auth}", 100))
        if kind == "cut":
            return await _cut(request)
        if kind == "slow":
            await asyncio.sleep(float(arg))
        content = "not json at all" if kind == "bad" else json.dumps(VERDICT)
        return web.json_response(_completion(content, 100 + len(job_id)))


async def _cut(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(status=200)
    response.content_length = 4096
    response.content_type = "application/json"
    await response.prepare(request)
    await response.write(b'{"choices": [{"mess')
    assert request.transport is not None
    request.transport.close()
    return response


def _completion(content: str, prompt_tokens: int) -> dict[str, Any]:
    return {
        "id": "emu",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": 20,
            "total_tokens": prompt_tokens + 20,
        },
    }
