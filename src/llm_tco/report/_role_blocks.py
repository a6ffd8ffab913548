"""Blocks the role sections add to :mod:`llm_tco.report._blocks`: code to
copy and charts drawn from data (tornado, what-if lines)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, cast

from llm_tco.report._blocks import Block, Section


@dataclass(frozen=True)
class Code:
    """Text to copy as is (a command line); shown monospaced."""

    text: str
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """An SVG chart drawn in HTML from ``data``; Markdown and the terminal
    show the table that always accompanies it instead."""

    kind: str  # "tornado" or "whatif"
    data: Any


RoleBlock: TypeAlias = Block | Code | Figure


def role_section(key: str, title: str, blocks: Sequence[RoleBlock]) -> Section:
    """A section that may hold :class:`Code` and :class:`Figure` blocks too;
    every renderer of this package draws them."""
    return Section(key, title, cast(tuple[Block, ...], tuple(blocks)))
