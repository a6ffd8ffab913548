"""The report document as Markdown (GitHub-flavoured tables)."""

from __future__ import annotations

import re
from typing import Any

from llm_tco.report._role_blocks import Code, Figure
from llm_tco.report._sections import (
    Block,
    Bullets,
    Chart,
    Paragraph,
    Table,
    byline,
    sections,
    title,
)

# Characters that would start markup (HTML, links, code, table cells, emphasis);
# ">" and "#" only matter at the start of a line.
_SPECIAL = re.compile(r"([\\`*<\[\]|])")
_LINE_START = re.compile(r"^([>#])")


def render_markdown(doc: dict[str, Any]) -> str:
    """The whole report as one Markdown document."""
    lines = [f"# {escape(title(doc))}", "", f"_{escape(byline(doc))}_", ""]
    for section in sections(doc):
        lines += [f"## {escape(section.title)}", ""]
        for block in section.blocks:
            lines += _block(block)
    return "\n".join(lines).rstrip() + "\n"


def escape(text: str) -> str:
    """Plain text safe inside Markdown: no markup, one line."""
    flat = _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    return _LINE_START.sub(r"\\\1", flat)


def _block(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        text = escape(block.text)
        return [f"> {text}" if block.lead else text, ""]
    if isinstance(block, Bullets):
        return [*(f"- {escape(item)}" for item in block.items), ""]
    if isinstance(block, Table):
        return table(block)
    if isinstance(block, Chart):
        return []  # charts are drawn in the HTML report only
    if isinstance(block, Figure):
        return []  # the table next to it carries the same numbers
    if isinstance(block, Code):
        caption = [f"_{escape(block.caption)}_", ""] if block.caption else []
        fence = "~~~~" if "```" in block.text else "```"
        return [*caption, f"{fence}sh", block.text, fence, ""]
    raise TypeError(f"unknown block {block!r}")


def table(block: Table) -> list[str]:
    """A pipe table; every row has the header's column count."""
    width = len(block.header)
    lines = [f"_{escape(block.caption)}_", ""] if block.caption else []
    lines.append(_row(block.header))
    lines.append("|" + "|".join("---:" if n else "---" for n in block.numeric) + "|")
    for index, row in enumerate(block.rows):
        cells = (tuple(row) + ("",) * width)[:width]
        lines.append(_row(cells, strong=index in block.strong_rows))
    return [*lines, ""]


def _row(cells: tuple[str, ...], *, strong: bool = False) -> str:
    marked = (f"**{escape(c)}**" if strong and c else escape(c) for c in cells)
    return "| " + " | ".join(marked) + " |"
