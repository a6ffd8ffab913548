"""The real llama.cpp server of the session fixture: what the benchmark needs."""

from __future__ import annotations

import json
import socket
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from llm_tco.localserver import LocalServer

pytestmark = pytest.mark.server

_TIMEOUT_S = 120.0


def _open(url: str, body: dict[str, Any] | None = None) -> Any:
    # Connection: close, because the server drops kept-alive sockets after SSE.
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        headers={"Connection": "close", "Content-Type": "application/json"},
    )
    return urllib.request.urlopen(request, timeout=_TIMEOUT_S)


def _json(url: str, body: dict[str, Any] | None = None) -> Any:
    with _open(url, body) as response:
        return json.loads(response.read())


def _sse_events(url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    events = []
    with _open(url, body) as response:
        for raw in response:
            line = raw.decode().strip()
            if not line.startswith("data:"):
                continue
            payload = line.removeprefix("data:").strip()
            if payload == "[DONE]":
                break
            events.append(json.loads(payload))
    return events


def _unique_prompt() -> str:
    # A unique prefix keeps the server's prefix cache out of the counts.
    return f"Run {uuid.uuid4().hex}: the history of the city of"


def test_health_is_ok(local_server: LocalServer) -> None:
    assert _json(f"{local_server.base_url}/health") == {"status": "ok"}


def test_models_lists_the_alias_with_the_per_slot_context(
    local_server: LocalServer,
) -> None:
    models = _json(f"{local_server.base_url}/v1/models")["data"]

    assert [m["id"] for m in models] == [local_server.model] == ["gemma-3-270m"]
    assert models[0]["meta"]["n_ctx"] == local_server.n_ctx // local_server.n_parallel


def test_props_reports_the_slots(local_server: LocalServer) -> None:
    props = _json(f"{local_server.base_url}/props")

    assert props["total_slots"] == local_server.n_parallel == 4


def test_streamed_completion_ignoring_eos_has_exactly_max_tokens(
    local_server: LocalServer,
) -> None:
    body = {
        "model": local_server.model,
        "prompt": _unique_prompt(),
        "max_tokens": 16,
        "ignore_eos": True,
        "temperature": 0,
        "stream": True,
        "stream_options": {"include_usage": True},
    }

    events = _sse_events(f"{local_server.base_url}/v1/completions", body)

    usage = events[-1]["usage"]
    assert usage["completion_tokens"] == 16
    assert events[-1]["choices"][0]["finish_reason"] == "length"
    texts = [e["choices"][0]["text"] for e in events if e["choices"][0]["text"]]
    assert 0 < len(texts) <= 16
    assert {e["model"] for e in events} == {local_server.model}


def test_tokenize_returns_ids_without_bos(local_server: LocalServer) -> None:
    body = {"content": "Hello world"}

    tokens = _json(f"{local_server.base_url}/tokenize", body)["tokens"]

    assert tokens == [9259, 1902]


def test_prompt_of_token_ids_is_counted_exactly(local_server: LocalServer) -> None:
    bos_token_id, hello_token_id = 2, 9259
    prompt_ids = [bos_token_id] + [hello_token_id] * 99
    body = {
        "model": local_server.model,
        "prompt": prompt_ids,
        "max_tokens": 1,
        "cache_prompt": False,
    }

    usage = _json(f"{local_server.base_url}/v1/completions", body)["usage"]

    assert usage["prompt_tokens"] == 100
    assert usage["completion_tokens"] == 1


def test_server_listens_on_loopback_only(local_server: LocalServer) -> None:
    port = int(local_server.base_url.rsplit(":", 1)[1])

    addresses = _listening_addresses(port)

    assert addresses == {"0100007F"}  # 127.0.0.1, little-endian hex, IPv4 only
    for address in _non_loopback_addresses():
        with pytest.raises(OSError), socket.create_connection((address, port), 2):
            pass


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on ``port``, from /proc/net/tcp{,6}."""
    listen_state = "0A"
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for row in path.read_text().splitlines()[1:]:
            local, _remote, state = row.split()[1:4]
            address, port_hex = local.split(":")
            if state == listen_state and int(port_hex, 16) == port:
                found.add(address)
    return found


def _non_loopback_addresses() -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return sorted({str(i[4][0]) for i in infos if not str(i[4][0]).startswith("127.")})
