"""The product's exception tree. Only the CLI turns these into exit codes."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class LlmTcoError(Exception):
    """Base of every error llm-tco raises on purpose."""


class InputError(LlmTcoError):
    """Bad user input: a value, a file or a name. The CLI exits with 2."""


class RunError(LlmTcoError):
    """A run that could not finish (server gone, nothing measured). Exit 1."""


def closest(name: str, choices: Iterable[str], limit: int = 3) -> list[str]:
    """The known names nearest to ``name``, for "did you mean" hints."""
    by_lower = {c.lower(): c for c in choices}
    hits = difflib.get_close_matches(name.lower(), list(by_lower), n=limit, cutoff=0.4)
    return [by_lower[h] for h in hits]


def unknown_name(kind: str, name: str, choices: Iterable[str]) -> InputError:
    """An InputError for a name that is not in a catalog, with suggestions."""
    known = sorted(choices)
    near = closest(name, known)
    hint = f"did you mean {', '.join(near)}?" if near else f"known: {', '.join(known)}"
    return InputError(f"unknown {kind} {name!r}; {hint}")
