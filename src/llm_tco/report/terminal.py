"""The report as rich tables for a terminal."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

from llm_tco.report._format import (
    fmt_bool,
    fmt_hours,
    fmt_number,
    fmt_percent,
    fmt_range,
    fmt_ratio,
    money,
)
from llm_tco.report._verdict import verdict


def render_terminal(
    doc: dict[str, Any], width: int | None = None, color: bool = False
) -> str:
    """Every section of the report as text with tables; ANSI colours only when
    ``color`` (the CLI asks for them on a terminal, not in a pipe or file)."""
    buffer = io.StringIO()
    console = text_console(buffer, width, color)
    for part in _parts(doc):
        console.print(part)
        console.print()
    return buffer.getvalue()


def text_console(buffer: io.StringIO, width: int | None, color: bool) -> Console:
    """A console writing to ``buffer``: ``width`` columns (110 by default)."""
    return Console(
        file=buffer,
        width=width or 110,
        force_terminal=color,
        no_color=not color,
        highlight=False,
    )


def _parts(doc: dict[str, Any]) -> list[Any]:
    from llm_tco.report._sections_roles import (
        role_sections,
        selected_roles,
        shared,
    )
    from llm_tco.report._terminal_blocks import section_parts

    chosen = selected_roles(doc)
    finance = not chosen or "finance" in chosen
    it = not chosen or "it" in chosen
    parts: list[Any] = [_headline(doc)]
    for section in role_sections(doc, chosen):
        parts += section_parts(section)
    parts.append(_workload(doc))
    if it:
        parts.append(_sweeps(doc))
    if finance:
        parts += [_costs(doc), _staff(doc["staff"])]
    if doc.get("buy") and (finance or it):
        parts.append(_buy(doc["buy"]))
    if finance or it:
        parts += section_parts(shared(doc))
    parts.append(_footnotes(doc))
    return parts


def _headline(doc: dict[str, Any]) -> str:
    title = f"[bold]{_esc(doc['scenario']['name'])}[/bold]"
    lines = [title, _esc(verdict(doc))]
    warnings = doc.get("warnings") or []
    if warnings:
        lines.append("[bold yellow]Read with care:[/bold yellow]")
        lines.extend(f"- {_esc(w)}" for w in warnings)
    return "\n".join(lines)


def _workload(doc: dict[str, Any]) -> Table:
    w, run = doc["workload"], doc["run_label"]
    table = Table(title=f"Workload: {_esc(w['name'])}", title_justify="left")
    table.add_column("")
    table.add_column("value", justify="right")
    rows = [
        (f"jobs per {run}", fmt_range(w["jobs_per_run"], unit="")),
        ("tokens per job (in / out)", _in_out(w)),
        (f"input tokens per {run}", fmt_range(w["input_tokens_per_run"], unit="")),
        (f"output tokens per {run}", fmt_range(w["output_tokens_per_run"], unit="")),
        (f"total tokens per {run}", fmt_range(w["total_tokens_per_run"], unit="")),
        (f"{run}s per month", fmt_range(w["runs_per_month"], unit="")),
        ("time window", fmt_hours(w["window_hours"], 1)),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table


def _in_out(w: dict[str, Any]) -> str:
    inp = fmt_range(w["input_tokens_per_job"], unit="")
    out = fmt_range(w["output_tokens_per_job"], unit="")
    return f"{inp} / {out}"


def _sweeps(doc: dict[str, Any]) -> Table:
    sweeps = [o["sweep"] for o in doc["options"] if o["sweep"]]
    table = Table(
        title="Measured throughput: total tokens/s (input + output)",
        title_justify="left",
    )
    table.add_column("parallel jobs", justify="right")
    by_level: dict[int, dict[str, float]] = {}
    for sweep in sweeps:
        table.add_column(_esc(sweep["label"]), justify="right")
        for level in sweep["levels"]:
            by_level.setdefault(level["concurrency"], {})[sweep["id"]] = level[
                "total_tokens_per_s"
            ]
    for concurrency in sorted(by_level):
        cells = [fmt_number(by_level[concurrency].get(s["id"])) for s in sweeps]
        table.add_row(str(concurrency), *cells)
    return table


def _costs(doc: dict[str, Any]) -> Table:
    api, options = doc["api"], doc["options"]
    table = Table(title="Cost per option", title_justify="left")
    table.add_column("")
    table.add_column(f"API ({_esc(api['provider'])})", justify="right")
    for option in options:
        table.add_column(_esc(option["label"]), justify="right")
    staff = money(doc["staff"]["cost_per_month"])
    for label, api_cell, option_cell in _cost_rows(doc["run_label"], staff):
        table.add_row(label, api_cell(api), *(option_cell(o) for o in options))
    return table


Cell = Any  # a function from a document section to the text of one cell


def _cost_rows(run: str, staff: str) -> list[tuple[str, Cell, Cell]]:
    def blank(_: Any) -> str:
        return ""

    def field(key: str, fmt: Any) -> Cell:
        return lambda section: fmt(section.get(key))

    return [
        ("price", _api_price, field("offer", _offer_price)),
        ("parallel jobs priced", blank, field("chosen_concurrency", _plain)),
        ("throughput", blank, field("tokens_per_s", fmt_range)),
        (f"compute hours per {run}", blank, field("compute_hours_per_run", fmt_hours)),
        (f"billed hours per {run}", blank, field("billed_hours_per_run", fmt_hours)),
        ("fits the time window", blank, field("fits_window", fmt_bool)),
        (f"cost per {run}", field("cost_per_run", money), field("cost_per_run", money)),
        (
            "cost per 1M tokens",
            field("cost_per_1m_tokens_blended", money),
            field("cost_per_1m_tokens", money),
        ),
        ("ratio to the API", lambda _: "1×", field("ratio_to_api", fmt_ratio)),
        (
            "break-even price per GPU-hour",
            blank,
            field("break_even_price_per_gpu_hour", money),
        ),
        (
            "rent per month (compute … + buffer)",
            field("cost_per_month", money),
            field("cost_per_month", money),
        ),
        ("staff per month (set-up + ongoing)", lambda _: "–", lambda _: staff),
        (
            "TCO per month",
            field("cost_per_month", money),
            field("tco_per_month", money),
        ),
    ]


def _staff(staff: dict[str, Any]) -> Table:
    table = Table(title="Staff time for self-hosting", title_justify="left")
    table.add_column("")
    table.add_column("hours", justify="right")
    table.add_column("cost", justify="right")
    months = staff["amortise_months"]
    rows = [
        ("rate", "", f"{money(staff['rate_per_hour'])}/h"),
        (
            "set-up, one-off",
            fmt_hours(staff["setup_hours"], 0),
            money(staff["setup_cost"]),
        ),
        (
            f"set-up spread over {months} months",
            "",
            f"{money(staff['setup_cost_per_month'])}/month",
        ),
        (
            "ongoing care",
            f"{fmt_range(staff['ongoing_hours_per_month'], unit='')} h/month",
            f"{money(staff['ongoing_cost_per_month'])}/month",
        ),
        ("staff per month", "", f"{money(staff['cost_per_month'])}/month"),
    ]
    for row in rows:
        table.add_row(*row)
    return table


def _api_price(api: dict[str, Any]) -> str:
    return (
        f"{money(api['input_price_per_1m'], 3)} in / "
        f"{money(api['output_price_per_1m'], 3)} out per 1M"
    )


def _offer_price(offer: dict[str, Any] | None) -> str:
    if offer is None:
        return "n/a"
    return f"{money(offer['price_per_gpu_hour'])}/GPU-h ({_esc(offer['provider'])})"


def _plain(value: Any) -> str:
    return "n/a" if value is None else str(value)


def _buy(buy: dict[str, Any]) -> Table:
    stated, job = buy["at_stated_hours"], buy["at_job_hours"]
    table = Table(
        title=f"Buy vs rent: {_esc(buy['gpu_name'])} "
        f"({money(buy['purchase_price'])}, {fmt_range(buy['power_w'])})",
        title_justify="left",
    )
    table.add_column("")
    table.add_column("continuous use", justify="right")
    table.add_column("the job's hours only", justify="right")
    rows: list[tuple[str, str, Callable[[Any], str]]] = [
        ("hours of use per year", "hours_per_year", fmt_range),
        ("depreciation per month", "depreciation_per_month", money),
        ("electricity per year", "electricity_per_year", money),
        ("owning per month", "cost_per_month", money),
        ("renting the same hours per month", "rent_same_hours_per_month", money),
        ("owning minus renting per month", "owning_minus_renting_per_month", money),
    ]
    for label, key, fmt in rows:
        table.add_row(label, fmt(stated[key]), fmt(job[key]) if job else "n/a")
    table.caption = (
        f"depreciation {fmt_percent(buy['depreciation_per_year'])} a year, "
        f"electricity {money(buy['price_per_kwh'], 2)}/kWh, PUE "
        f"{fmt_range(buy['pue'], 2, unit='')}"
    )
    return table


def _footnotes(doc: dict[str, Any]) -> str:
    lines = ["[bold]Sources and conversions[/bold]"]
    for fx in doc["fx_used"]:
        lines.append(
            f"converted at 1 {fx['base']} = {fx['rate']} {fx['quote']} "
            f"({fx['id']}, {fx['as_of']}): {', '.join(fx['applied_to'])}"
        )
    lines.extend(f"- {_esc(note)}" for note in doc["price_provenance"])
    api = doc["api"]
    lines.append(f"- API price: {_esc(api['source'])} (as of {api['as_of']})")
    for option in doc["options"]:
        if option["sweep"]:
            s = option["sweep"]
            lines.append(f"- {_esc(s['label'])}: {_esc(s['source'])} ({s['as_of']})")
        if option["offer"]:
            o = option["offer"]
            lines.append(f"- {o['id']}: {_esc(o['source'])} ({o['as_of']})")
    return "\n".join(lines)


def _esc(text: str) -> str:
    return text.replace("[", r"\[")
