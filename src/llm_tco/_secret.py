"""Keep secrets out of stored, logged and exported text.

Servers and proxies sometimes echo the request's ``Authorization`` header (or
the whole request) in an error body, so an API key sent only in the header can
come back inside a reason we would store in a database, log, or export. Every
such text goes through :func:`mask` first.
"""

from __future__ import annotations

from collections.abc import Iterable

MASK = "***"
MIN_SECRET_CHARS = 4  # shorter "secrets" would mask ordinary words and digits


def mask(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret (at least
    :data:`MIN_SECRET_CHARS` long; shorter or empty ones are ignored) replaced
    by ``***``. Longer secrets go first, so one that contains another is
    masked whole."""
    usable = {s for s in secrets if s and len(s) >= MIN_SECRET_CHARS}
    for secret in sorted(usable, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
