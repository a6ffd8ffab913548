"""Neutral content blocks: what a report says, before any markup."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

Doc: TypeAlias = dict[str, Any]
NOT_APPLICABLE = "—"


@dataclass(frozen=True)
class Paragraph:
    text: str
    lead: bool = False


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    strong_rows: frozenset[int] = frozenset()
    caption: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Chart:
    kind: Literal["throughput", "monthly"]


Block: TypeAlias = Paragraph | Bullets | Table | Chart


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)


def kv_table(
    rows: list[tuple[str, str]], strong: frozenset[int] = frozenset()
) -> Table:
    """A two-column ``Item | Value`` table."""
    return Table(("Item", "Value"), tuple(rows), (False, True), strong, kind="kv")
