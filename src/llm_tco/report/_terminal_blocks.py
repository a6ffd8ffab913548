"""Neutral report blocks as rich renderables, for the terminal report."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text

from llm_tco.report._blocks import Bullets, Chart, Paragraph, Section, Table
from llm_tco.report._role_blocks import Code, Figure


def section_parts(section: Section) -> list[Any]:
    """A section's title and blocks; charts are left out (tables carry them)."""
    if not section.blocks:
        return []
    parts: list[Any] = [f"[bold underline]{escape(section.title)}[/]"]
    for block in section.blocks:
        part = block_part(block)
        if part is not None:
            parts.append(part)
    return parts


def block_part(block: object) -> Any:
    if isinstance(block, Paragraph):
        text = escape(block.text)
        return f"[bold]{text}[/bold]" if block.lead else text
    if isinstance(block, Bullets):
        return "\n".join(f"• {escape(item)}" for item in block.items)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Code):
        caption = f"[dim]{escape(block.caption)}[/dim]\n" if block.caption else ""
        return Text.from_markup(caption) + Text(block.text, style="cyan")
    if isinstance(block, Chart | Figure):
        return None
    raise TypeError(f"unknown block {block!r}")


def _table(block: Table) -> RichTable:
    table = RichTable(
        title=escape(block.caption) if block.caption else None, title_justify="left"
    )
    for name, numeric in zip(block.header, block.numeric, strict=True):
        table.add_column(escape(name), justify="right" if numeric else "left")
    width = len(block.header)
    for index, row in enumerate(block.rows):
        cells = (tuple(row) + ("",) * width)[:width]
        style = "bold" if index in block.strong_rows else None
        table.add_row(*(escape(c) for c in cells), style=style)
    return table
