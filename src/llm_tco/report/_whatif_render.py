"""A what-if document as neutral blocks, and as terminal, Markdown or HTML."""

from __future__ import annotations

import dataclasses
import io
import json
from html import escape
from typing import Any

from llm_tco.report._blocks import Bullets, Doc, Paragraph, Section, Table
from llm_tco.report._format import fmt_number, money
from llm_tco.report._role_blocks import Figure, RoleBlock, role_section


def _money(value: float, currency: str) -> str:
    return money({"low": value, "high": value, "unit": f"{currency}/month"}, 2)


def _range(low: float, high: float, currency: str) -> str:
    return money({"low": low, "high": high, "unit": f"{currency}/month"}, 2)


def _value(value: float) -> str:
    return fmt_number(value, 0 if abs(value) >= 100 else 2, trim=True)


def whatif_sections(doc: Doc) -> list[Section]:
    if doc["kind"] == "whatif_grid":
        return [_grid(doc)]
    cur, param = doc["currency"], doc["param"]
    series = doc["series"]
    header = (param, *(s["label"] for s in series))
    rows = []
    for i, step in enumerate(doc["steps"]):
        rows.append(
            (
                _value(step["value"]),
                *(_cell(s, i, cur) for s in series),
            )
        )
    table = Table(
        header,
        tuple(rows),
        (True,) * len(header),
        caption=f"Cost per month ({cur}) by {param}, low–high",
    )
    late = any(False in s.get("fits_window", []) for s in series)
    if late:
        table = dataclasses.replace(
            table,
            caption=f"{table.caption}; † the card cannot finish a run inside the "
            "time window at that value",
        )
    unchanged = _no_cost_moves(series)
    lines = [
        f"{c['series']} meets the API at {param} = {_value(c['value'])} "
        f"({_money(c['cost'], cur)} a month; {c['method']})."
        for c in doc["crossings"]
    ] or [
        f"No line crosses the API between {param} = {_value(doc['steps'][0]['value'])} "
        f"and {_value(doc['steps'][-1]['value'])}."
    ]
    if unchanged:
        lines = [
            f"No cost in this report changes with {param}: the key is not used to "
            "price the API or any option (a secondary workload's keys only move the "
            "shared-server section of llm-tco report)."
        ]
    intro = Paragraph(
        f"{doc['scenario']}: {param} from {_value(doc['steps'][0]['value'])} to "
        f"{_value(doc['steps'][-1]['value'])}, everything else as in the scenario"
        f"{_base(doc)}. Rent runs from compute hours alone to compute + buffer; TCO "
        "adds the staff cost."
    )
    blocks: list[RoleBlock] = [
        intro,
        Figure("whatif", doc),
        Bullets(tuple(lines)),
        table,
    ]
    return [role_section("whatif", f"What if {param} changes", blocks)]


def _no_cost_moves(series: list[Doc]) -> bool:
    return all(len(set(s["low"])) == 1 and len(set(s["high"])) == 1 for s in series)


def _cell(series: Doc, index: int, cur: str) -> str:
    text = _range(series["low"][index], series["high"][index], cur)
    fits = series.get("fits_window")
    return f"{text} †" if fits and fits[index] is False else text


def _base(doc: Doc) -> str:
    base = doc.get("base_overrides") or []
    return f" with {', '.join(base)}" if base else ""


def _grid(doc: Doc) -> Section:
    cur = doc["currency"]
    rows_key, cols_key = doc["params"]
    header = (f"{rows_key} ↓ / {cols_key} →", *(_value(c) for c in doc["cols"]))
    rows = []
    for value, cells in zip(doc["rows"], doc["cells"], strict=True):
        rows.append(
            (
                _value(value),
                *(
                    f"{cell['label']}{' ≈' if cell['overlap'] else ''} "
                    f"{_money(cell['cost_per_month'], cur)}"
                    for cell in cells
                ),
            )
        )
    table = Table(
        header,
        tuple(rows),
        (False,) * len(header),
        caption=f"Cheapest option per cell ({cur} a month, middle of its range)",
    )
    note = Paragraph(
        f"{doc['scenario']}: each cell names the cheapest of the API and every "
        "self-hosted option's TCO, compared at the middle of their ranges; ≈ marks "
        f"cells where another option's range overlaps the cheapest one's{_base(doc)}."
    )
    return Section("whatif", f"What if {rows_key} and {cols_key} change", (note, table))


def render_whatif(
    doc: Doc, fmt: str, width: int | None = None, color: bool = False
) -> str:
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    sections = whatif_sections(doc)
    if fmt == "markdown":
        from llm_tco.report import markdown

        lines = [f"# {markdown.escape(sections[0].title)}", ""]
        for section in sections:
            for block in section.blocks:
                lines += markdown._block(block)
        return "\n".join(lines).rstrip() + "\n"
    if fmt == "html":
        return _html(doc, sections)
    from llm_tco.report._terminal_blocks import section_parts
    from llm_tco.report.terminal import text_console

    buffer = io.StringIO()
    console = text_console(buffer, width or 130, color)
    for section in sections:
        for part in section_parts(section):
            console.print(part)
            console.print()
    return buffer.getvalue()


def _html(doc: Doc, sections: list[Section]) -> str:
    from llm_tco.report import html

    body: list[str] = []
    for section in sections:
        body.append(f"<h1>{escape(section.title)}</h1>")
        body += [html._block(block, doc) for block in section.blocks]
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(sections[0].title)}</title>\n<style>{html._CSS}</style>\n"
        "</head>\n<body>\n<main>\n"
    )
    return head + "\n".join(body) + "\n</main>\n</body>\n</html>\n"


__all__: list[Any] = ["render_whatif", "whatif_sections"]
