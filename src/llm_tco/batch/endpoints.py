"""Replicas of one model, shared by least outstanding requests.

An endpoint that refuses connections is marked down for ``down_for_s`` and is
skipped meanwhile; the others carry on. When every endpoint is down, the one
coming back soonest is handed out after a wait.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from llm_tco.errors import InputError

logger = logging.getLogger(__name__)


@dataclass
class Endpoint:
    url: str
    outstanding: int = 0
    down_until_s: float = 0.0  # time.perf_counter() value
    sent: int = 0
    refused: int = 0


class EndpointPool:
    def __init__(self, urls: list[str], down_for_s: float = 15.0) -> None:
        if not urls:
            raise InputError("give at least one --base-url")
        if len(set(urls)) != len(urls):
            raise InputError("a --base-url is given twice")
        self.endpoints = [Endpoint(url) for url in urls]
        self.down_for_s = down_for_s

    def pick(self, now_s: float | None = None) -> tuple[Endpoint, float]:
        """The endpoint to use and how long to wait before using it (0 if up).
        The caller must :meth:`release` it after the request."""
        now = time.perf_counter() if now_s is None else now_s
        up = [e for e in self.endpoints if e.down_until_s <= now]
        if up:
            chosen = min(up, key=lambda e: (e.outstanding, e.sent))
            wait_s = 0.0
        else:
            chosen = min(self.endpoints, key=lambda e: e.down_until_s)
            wait_s = chosen.down_until_s - now
        chosen.outstanding += 1
        chosen.sent += 1
        return chosen, wait_s

    def release(self, endpoint: Endpoint) -> None:
        endpoint.outstanding -= 1

    def mark_down(self, endpoint: Endpoint, reason: str) -> None:
        endpoint.refused += 1
        endpoint.down_until_s = time.perf_counter() + self.down_for_s
        logger.warning(
            "%s is down (%s); skipping it for %.0f s",
            endpoint.url,
            reason,
            self.down_for_s,
        )
