"""A tiny stdlib HTTP helper for the health check, shared by parent and child."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

__all__ = ["get_json", "is_healthy"]


def get_json(url: str, timeout_s: float = 2.0) -> Any:
    """GET ``url`` and decode its JSON body.

    ``Connection: close`` because llama.cpp's server may drop kept-alive sockets.
    """
    request = urllib.request.Request(url, headers={"Connection": "close"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        return json.loads(response.read())


def is_healthy(base_url: str, timeout_s: float = 2.0) -> bool:
    """True when ``/health`` answers ``{"status": "ok"}`` (503 while loading)."""
    try:
        body = get_json(f"{base_url}/health", timeout_s)
    except (OSError, ValueError):
        return False
    return isinstance(body, dict) and body.get("status") == "ok"
