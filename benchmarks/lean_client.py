"""The floor for client overhead: a lean streaming client in one process.

aiohttp on the default asyncio loop (the same loop llm-tco uses), one
connection per stream, ``--concurrency`` workers each sending its next request
as soon as the previous one ends. Per text event it records one
``time.perf_counter()`` reading (CLOCK_MONOTONIC on Linux, comparable with the
emulator's own record) and nothing else: SSE lines are split, not parsed as
JSON. Every request carries ``[[emu rid=lean-N]]`` in its prompt so its events
can be joined with the emulator's write times afterwards.

    python benchmarks/lean_client.py --url http://127.0.0.1:8000 \
        --concurrency 256 --requests 2048 --out lean.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import aiohttp

_FILLER = (
    "the quick brown fox jumps over a lazy dog while seven wise owls watch "
    "from an old oak tree near the river bank at dusk "
)


def make_bodies(
    n: int, prompt_words: int, max_tokens: int, model: str, tag: str = "lean"
) -> list[bytes]:
    words = (_FILLER * (prompt_words // 20 + 2)).split()[: max(prompt_words - 2, 1)]
    text = " ".join(words)
    return [
        json.dumps(
            {
                "model": model,
                "prompt": f"[[emu rid={tag}-{i}]] {text}",
                "max_tokens": max_tokens,
                "stream": True,
                "stream_options": {"include_usage": True},
            },
            separators=(",", ":"),
        ).encode()
        for i in range(n)
    ]


async def one(
    session: aiohttp.ClientSession, url: str, body: bytes
) -> tuple[float, list[float], str]:
    """Send one request; (send time, text event arrival times, error or '')."""
    times: list[float] = []
    perf_counter = time.perf_counter
    send_s = perf_counter()
    try:
        async with session.post(url, data=body) as resp:
            if resp.status != 200:
                return send_s, times, f"HTTP {resp.status}"
            pending = b""
            async for chunk in resp.content.iter_any():
                now = perf_counter()
                lines = (pending + chunk if pending else chunk).split(b"\n")
                pending = lines.pop()
                for line in lines:
                    # a text event; the final one carries "text":"" + usage
                    if line.startswith(b"data: {") and b'"text":""' not in line:
                        times.append(now)
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        return send_s, times, f"{type(exc).__name__}: {exc}"
    return send_s, times, ""


async def run(args: argparse.Namespace) -> dict[str, object]:
    url = args.url.rstrip("/") + "/v1/completions"
    bodies = make_bodies(args.requests, args.prompt_words, args.max_tokens, args.model)
    results: list[tuple[float, list[float], str] | None] = [None] * len(bodies)
    next_index = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal next_index
        while next_index < len(bodies):
            i = next_index
            next_index += 1
            results[i] = await one(session, url, bodies[i])

    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=600, sock_read=120)
    headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, headers=headers, read_bufsize=1 << 18
    ) as session:
        start_s = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(args.concurrency)))
        end_s = time.perf_counter()
    done = [r for r in results if r is not None]
    return {
        "client": "lean",
        "start_s": start_s,
        "end_s": end_s,
        "failed": sum(1 for r in done if r[2]),
        "errors": sorted({r[2] for r in done if r[2]})[:5],
        "requests": [
            {"rid": f"lean-{i}", "send_s": r[0], "events_s": r[1]}
            for i, r in enumerate(results)
            if r is not None and not r[2]
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--requests", type=int, default=512)
    parser.add_argument("--prompt-words", type=int, default=128)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--model", default="emu-model")
    parser.add_argument("--out", help="write per-request event times (JSON) here")
    args = parser.parse_args(argv)
    try:
        result = asyncio.run(run(args))
    except KeyboardInterrupt:
        return 130
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(result, fh)
    n = len(result["requests"])  # type: ignore[arg-type]
    print(f"lean: {n} ok, {result['failed']} failed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
