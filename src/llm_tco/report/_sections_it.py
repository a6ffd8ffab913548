"""IT's section and the shared-server section."""

from __future__ import annotations

from llm_tco.report._blocks import Bullets, Doc, Paragraph, Section, Table
from llm_tco.report._format import (
    fmt_bool,
    fmt_hours,
    fmt_number,
    fmt_percent,
    fmt_range,
    money,
)
from llm_tco.report._role_blocks import Code, RoleBlock, role_section


def it(doc: Doc) -> Section:
    data = doc.get("it")
    if not data:
        return Section("it", "IT")
    target = data["latency_target"]["text"]
    window = data.get("window_hours")
    rows = []
    for o in data["options"]:
        fit = o.get("fit")
        rows.append(
            (
                o["label"],
                f"{fmt_number(o['peak_tokens_per_s'])} tok/s at {o['peak_concurrency']}"
                if o["peak_tokens_per_s"] is not None
                else fmt_range(o["tokens_per_s"]),
                fmt_hours(o["compute_hours_per_run"]),
                fmt_bool(o["fits_window"]),
                str(o["interactive_users"])
                if o["interactive_users"] is not None
                else o["interactive_note"],
                _fit_text(fit, data["sizing_available"]),
            )
        )
    window_text = f"the {fmt_hours(window)} window" if window else "the window"
    table = Table(
        (
            "Option",
            "Peak throughput",
            f"Compute per {doc['run_label']}",
            f"Fits {window_text}",
            f"Interactive users ({target})",
            "Fits in memory (llm-tco fit)",
        ),
        tuple(rows),
        (False, True, True, True, False, False),
        caption="Capacity: batch hours, interactive users, memory",
    )
    blocks: list[RoleBlock] = [
        table,
        Paragraph(
            "Interactive users are the most parallel requests at which the sweep's "
            f"measured latency meets the target ({target}); a sweep of throughput "
            "only (like the article's) has no latency data, so the answer is n/a, "
            "not 0. Measure with llm-tco bench to get it."
        ),
    ]
    blocks += _recipes(data)
    deprecation = [f"API: {data['api_deprecation']}"]
    deprecation += [f"{o['label']}: {o['deprecation']}" for o in data["options"]]
    blocks += [Paragraph("Who can take the model away:"), Bullets(tuple(deprecation))]
    return role_section("it", "IT: capacity, launch and deprecation risk", blocks)


def _fit_text(fit: Doc | None, available: bool) -> str:
    if not available:
        return "not available (sizing module missing)"
    if fit is None:
        return "not available for this option"
    if fit.get("fits") is None:
        return f"not available: {fit['reason']}"
    if not fit["fits"]:
        return f"no: {fit['reason']}"
    return (
        f"yes: {fit['parallel_jobs']} parallel jobs of {fit['seq_tokens']:,} tokens "
        f"({fit['kv_budget_gb']} GB KV cache)"
    )


def _recipes(data: Doc) -> list[RoleBlock]:
    blocks: list[RoleBlock] = []
    for o in data["options"]:
        recipe = o.get("recipe")
        if not recipe:
            continue
        env = f"{recipe['env']} " if recipe["env"] else ""
        blocks.append(
            Code(
                f"{env}{recipe['command']}",
                caption=f"Launch {recipe['title']} (image {recipe['image']}; "
                "full recipe: llm-tco recipe)",
            )
        )
    if not blocks and data["sizing_available"]:
        return [Paragraph("Launch recipe: not available for these options.")]
    if not data["sizing_available"]:
        return [Paragraph("Launch recipe: not available (sizing module missing).")]
    return blocks


def shared(doc: Doc) -> Section:
    data = doc.get("workloads")
    if not data:
        return Section("workloads", "Several workloads on one server")
    cur = doc["currency"]
    rows = tuple(
        (
            w["name"],
            w["kind"],
            f"{fmt_range(w['jobs_per_run'], unit='')} jobs × "
            f"{fmt_range(w['runs_per_month'], unit='')}/month",
            fmt_hours(w["window_hours"]),
            money(w["api_cost_per_month"]),
        )
        for w in data["workloads"]
    )
    blocks: list[RoleBlock] = [
        Paragraph(
            "The workloads share one server and one ops team. Batch work is billed "
            "for its compute (+ buffer) hours, interactive work for its whole window. "
            f"Rule: {data['rule_text']} (the other rule: --share-staff "
            f"{'equal' if data['rule'] == 'hours' else 'hours'})."
        ),
        Table(
            ("Workload", "Kind", "Volume", "Window", f"On the API ({cur}/month)"),
            rows,
            (False, False, True, True, True),
            caption="The workloads",
        ),
    ]
    for server in data["servers"]:
        blocks.append(_server_table(server, data))
    blocks.append(
        Paragraph(
            f"Alone, each workload would carry the whole staff cost of "
            f"{money(data['staff_cost_per_month'])} a month; shared, each carries "
            "its share above."
        )
    )
    return role_section("workloads", "Several workloads on one server", blocks)


def _server_table(server: Doc, data: Doc) -> Table:
    rows = []
    for w in server["workloads"]:
        rows.append(
            (
                w["name"],
                fmt_hours(w["billed_hours_per_month"], 1),
                fmt_bool(w["keeps_up"]),
                fmt_percent({"low": w["staff_share"], "high": w["staff_share"]}),
                money(w["rent_per_month"]),
                money(w["staff_per_month"]),
                money(w["tco_per_month"]),
                money(w["api_cost_per_month"]),
            )
        )
    hours = fmt_hours(server["billed_hours_per_month"], 1)
    rows.append(
        (
            "All together",
            hours,
            fmt_bool(server["keeps_up"]),
            "100 %",
            money(server["rent_per_month"]),
            money(server["staff_per_month"]),
            money(server["tco_per_month"]),
            money(server["api_cost_per_month"]),
        )
    )
    return Table(
        (
            "Workload",
            "Server hours a month",
            "Keeps up",
            "Staff share",
            "Rent",
            "Staff",
            "TCO",
            "API",
        ),
        tuple(rows),
        (False, True, True, True, True, True, True, True),
        strong_rows=frozenset({len(rows) - 1}),
        caption=(
            f"{server['label']} at {money(server['price_per_hour'])}/h: "
            f"{hours} of {fmt_number(server['hours_in_month'])} h a month"
            f"{'' if server['keeps_up'] else ' — does NOT keep up'}"
        ),
    )
