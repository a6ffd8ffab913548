"""The report document as one self-contained HTML file.

Inline CSS and inline SVG only: no scripts, fonts, images or links to
anything outside the file, so nothing is fetched when it is opened and it
prints as it shows. Every string from the document is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from llm_tco.report import _svg, _svg_roles
from llm_tco.report._role_blocks import Code, Figure
from llm_tco.report._sections import (
    Block,
    Bullets,
    Chart,
    Paragraph,
    Section,
    Table,
    byline,
    sections,
    sweeps,
    title,
)

_CSS = """
:root { --ink: #1d2330; --muted: #5b6472; --rule: #d8dde3; --band: #f4f6f9;
  --accent: #1f4e79; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--ink); font-size: 15px;
  line-height: 1.5; font-family: system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 32px 40px 48px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 6px; }
h2 { font-size: 19px; margin: 36px 0 12px; padding-bottom: 4px;
  border-bottom: 2px solid var(--accent); color: var(--accent); }
p { margin: 8px 0 12px; max-width: 78ch; }
.byline { color: var(--muted); font-size: 13px; margin: 0 0 16px; max-width: none; }
.answer { background: var(--band); border-left: 4px solid var(--accent);
  padding: 14px 18px; font-size: 16px; max-width: none; }
nav.toc { font-size: 13px; color: var(--muted); }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 14px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 18px;
  font-size: 14px; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: 600;
  color: var(--muted); padding: 4px 0 6px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--rule);
  text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); font-weight: 600;
  vertical-align: bottom; }
tbody th { font-weight: normal; }
.num { text-align: right; }
.nowrap { white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
tr.total th, tr.total td { font-weight: 700; border-top: 1.5px solid var(--ink); }
table.sources td, table.sources th { font-size: 13px; }
table.kv { width: auto; min-width: 560px; }
.wide { overflow-x: auto; max-width: 100%; }
table.dense { font-size: 13px; }
table.dense th, table.dense td { padding: 5px 7px; }
ul { margin: 6px 0 14px; padding-left: 22px; }
li { margin: 3px 0; }
figure { margin: 12px 0 20px; }
svg.chart { display: block; max-width: 100%; height: auto;
  font-family: inherit; font-variant-numeric: tabular-nums; }
pre { background: var(--band); padding: 10px 12px; white-space: pre-wrap;
  overflow-wrap: break-word; font-size: 12.5px; margin: 4px 0 14px;
  font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; }
figcaption { color: var(--muted); font-size: 13px; font-weight: 600; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print {
  @page { size: A4; margin: 14mm; }
  .wide { overflow: visible; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  .answer { background: none; border: 1px solid #888; border-left-width: 4px; }
  tbody tr:nth-child(even) { background: none; }
  table { font-size: 9.5pt; }
  thead { display: table-header-group; }
  tr, figure, svg, .answer, table.keep { break-inside: avoid;
    page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  svg.chart { width: 100%; }
}
"""

# Cells shorter than this stay on one line; longer text may wrap.
_NOWRAP_MAX = 28
# Tables wider than this get smaller type so they fit the page.
_DENSE_COLUMNS = 5
# Tables up to this many rows are kept on one printed page.
_KEEP_ROWS = 18


def render_html(doc: dict[str, Any]) -> str:
    """The whole report as one self-contained HTML page."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title(doc))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{escape(title(doc))}</h1>",
        f'<p class="byline">{escape(byline(doc))}</p>',
    ]
    found = sections(doc)
    parts.append(_toc(found))
    parts += [_section(section, doc) for section in found]
    parts.append(_footer(doc))
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _toc(found: list[Section]) -> str:
    links = "".join(f'<a href="#{escape(s.key)}">{escape(s.title)}</a>' for s in found)
    return f'<nav class="toc" aria-label="Contents">{links}</nav>'


def _section(section: Section, doc: dict[str, Any]) -> str:
    body = "\n".join(_block(block, doc) for block in section.blocks)
    return (
        f'<section id="{escape(section.key)}">\n'
        f"<h2>{escape(section.title)}</h2>\n{body}\n</section>"
    )


def _block(block: Block, doc: dict[str, Any]) -> str:
    if isinstance(block, Paragraph):
        css = ' class="answer"' if block.lead else ""
        return f"<p{css}>{escape(block.text)}</p>"
    if isinstance(block, Bullets):
        items = "".join(f"<li>{escape(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>"
    if isinstance(block, Table):
        return table(block)
    if isinstance(block, Chart):
        return _chart(block, doc)
    if isinstance(block, Code):
        return _code(block)
    if isinstance(block, Figure):
        return _figure(block, doc)
    raise TypeError(f"unknown block {block!r}")


def _chart(block: Chart, doc: dict[str, Any]) -> str:
    if block.kind == "throughput":
        svg = _svg.throughput_chart(_svg.series_from_sweeps(sweeps(doc)))
    else:
        svg = _svg.monthly_cost_chart(doc)
    return f"<figure>{svg}</figure>" if svg else ""


def _code(block: Code) -> str:
    caption = (
        f"<figcaption>{escape(block.caption)}</figcaption>" if block.caption else ""
    )
    text = escape(block.text)
    return f'<figure class="code">{caption}<pre><code>{text}</code></pre></figure>'


def _figure(block: Figure, doc: dict[str, Any]) -> str:
    if block.kind == "tornado":
        svg = _svg_roles.tornado_chart(block.data, doc["currency"])
    else:
        svg = _svg_roles.whatif_chart(block.data)
    return f"<figure>{svg}</figure>" if svg else ""


def table(block: Table) -> str:
    """A table with a header row; the first column heads each row."""
    head = "".join(
        f'<th scope="col"{" class=num" if n else ""}>{escape(text)}</th>'
        for text, n in zip(block.header, block.numeric, strict=True)
    )
    rows = [_row(row, block, index) for index, row in enumerate(block.rows)]
    caption = f"<caption>{escape(block.caption)}</caption>" if block.caption else ""
    names = [block.kind] if block.kind else []
    if len(block.header) > _DENSE_COLUMNS:
        names.append("dense")
    if len(block.rows) <= _KEEP_ROWS:
        names.append("keep")
    cls = f' class="{escape(" ".join(names))}"' if names else ""
    html = (
        f"<table{cls}>{caption}<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    # A many-column table scrolls inside its own box, not the whole page.
    return f'<div class="wide">{html}</div>' if "dense" in names else html


def _row(row: tuple[str, ...], block: Table, index: int) -> str:
    cells = []
    for column, (text, numeric) in enumerate(zip(row, block.numeric, strict=False)):
        tag = "th" if column == 0 else "td"
        scope = ' scope="row"' if column == 0 else ""
        cells.append(
            f"<{tag}{scope}{_cell_class(numeric, text)}>{escape(text)}</{tag}>"
        )
    total = ' class="total"' if index in block.strong_rows else ""
    return f"<tr{total}>{''.join(cells)}</tr>"


def _cell_class(numeric: bool, text: str) -> str:
    names = []
    if numeric:
        names.append("num")
    if len(text) <= _NOWRAP_MAX:
        names.append("nowrap")
    return f' class="{" ".join(names)}"' if names else ""


def _footer(doc: dict[str, Any]) -> str:
    text = (
        f"Built by {doc['tool']} from the report document (schema version "
        f"{doc['schema_version']}) at {doc['generated_at']}. Ranges run low–high; "
        "n/a means not measured or not defined."
    )
    return f"<footer><p>{escape(text)}</p></footer>"
