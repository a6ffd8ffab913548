"""Several workloads on one server: hours, keeping up, cost per workload.

Each workload's tokens are divided by the throughput of the sweep level it
runs at (its ``concurrency``, else the option's); a batch is billed for its
compute (+ buffer) hours, an interactive workload for its whole window.
The staff cost is split by :func:`llm_tco.cost.sharing.share_server`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from llm_tco.cost import api_cost, token_volume
from llm_tco.cost.sharing import SharedServer, WorkloadLoad, share_server
from llm_tco.errors import InputError
from llm_tco.money import Span
from llm_tco.report._finance import span
from llm_tco.report._it import parse_latency_target
from llm_tco.report._quantity import num, q
from llm_tco.scenario import Workload

Doc = dict[str, Any]
SECONDS_PER_HOUR = Decimal(3600)


def workloads_section(doc: Doc, workloads: list[Workload], rule: str) -> Doc | None:
    """``None`` for a scenario with a single workload."""
    if len(workloads) < 2:
        return None
    cur = doc["currency"]
    servers = [
        _server(doc, option, workloads, rule)
        for option in doc["options"]
        if option.get("offer") is not None
    ]
    return {
        "rule": rule,
        "rule_text": (
            "staff cost split by each workload's share of the server hours"
            if rule == "hours"
            else "staff cost split in equal parts"
        ),
        "staff_cost_per_month": doc["staff"]["cost_per_month"],
        "workloads": [_workload_doc(w, doc) for w in workloads],
        "servers": [_server_doc(s, o, cur) for s, o in servers],
    }


def _workload_doc(w: Workload, doc: Doc) -> Doc:
    volume = token_volume(
        w.jobs_per_run, w.input_tokens_per_job, w.output_tokens_per_job
    )
    api = _api_month(w, doc)
    if w.latency_target:
        try:
            parse_latency_target(w.latency_target)
        except InputError as exc:
            raise InputError(f"workload {w.name!r}: {exc}") from None
    return {
        "name": w.name,
        "kind": w.kind,
        "run_label": w.run_label,
        "jobs_per_run": q(w.jobs_per_run, f"jobs/{w.run_label}"),
        "total_tokens_per_run": q(volume.total_tokens, f"tokens/{w.run_label}"),
        "runs_per_month": q(w.runs_per_month, f"{w.run_label}s/month"),
        "window_hours": q(w.window_hours, "h"),
        "concurrency": w.concurrency or None,
        "latency_target": w.latency_target,
        "window_group": w.window_group,
        "api_cost_per_month": q(api, f"{doc['currency']}/month"),
        "source": w.source,
    }


def _api_month(w: Workload, doc: Doc) -> Span:
    volume = token_volume(
        w.jobs_per_run, w.input_tokens_per_job, w.output_tokens_per_job
    )
    api = doc["api"]
    cost = api_cost(
        volume,
        w.runs_per_month,
        span(api["input_price_per_1m"]),
        span(api["output_price_per_1m"]),
    )
    return cost.cost_per_month


def _tokens_per_s(option: Doc, w: Workload) -> Span:
    if not w.concurrency:
        return span(option["tokens_per_s"])
    sweep = option.get("sweep")
    levels = {lv["concurrency"]: lv for lv in (sweep or {}).get("levels", [])}
    if w.concurrency not in levels:
        measured = ", ".join(str(c) for c in sorted(levels)) or "none"
        raise InputError(
            f"workload {w.name!r} runs at concurrency {w.concurrency}, but "
            f"{option['label']} has no such level (measured: {measured}); set "
            "concurrency to a measured level or 0 for the option's"
        )
    return Span.of(Decimal(str(levels[w.concurrency]["total_tokens_per_s"])))


def _server(
    doc: Doc, option: Doc, workloads: list[Workload], rule: str
) -> tuple[SharedServer, Doc]:
    loads = []
    for w in workloads:
        volume = token_volume(
            w.jobs_per_run, w.input_tokens_per_job, w.output_tokens_per_job
        )
        compute = volume.total_tokens / _tokens_per_s(option, w) / SECONDS_PER_HOUR
        if w.kind == "interactive" and w.window_hours is not None:
            billed = w.window_hours
        else:
            buffer = span(option["startup_buffer_hours"]).high
            billed = Span(compute.low, compute.high + buffer)
        loads.append(
            WorkloadLoad(
                name=w.name,
                compute_hours_per_run=compute,
                billed_hours_per_run=billed,
                runs_per_month=w.runs_per_month,
                window_hours=w.window_hours,
                api_cost_per_month=_api_month(w, doc),
                group=w.window_group,
            )
        )
    price = span(option["offer"]["price_per_gpu_hour"]) * option["gpus"]
    server = share_server(
        loads,
        price_per_hour=price,
        staff_per_month=span(doc["staff"]["cost_per_month"]),
        rule=rule,
    )
    return server, option


def _server_doc(server: SharedServer, option: Doc, cur: str) -> Doc:
    month = f"{cur}/month"
    return {
        "id": option["id"],
        "label": option["label"],
        "price_per_hour": q(
            span(option["offer"]["price_per_gpu_hour"]) * option["gpus"], f"{cur}/h"
        ),
        "compute_hours_per_month": q(server.compute_hours_per_month, "h/month"),
        "billed_hours_per_month": q(server.billed_hours_per_month, "h/month"),
        "hours_in_month": num(server.hours_in_month),
        "keeps_up": server.keeps_up,
        "rent_per_month": q(server.rent_per_month, month),
        "staff_per_month": q(server.staff_per_month, month),
        "tco_per_month": q(server.tco_per_month, month),
        "api_cost_per_month": q(server.api_cost_per_month, month),
        "workloads": [
            {
                "name": s.name,
                "compute_hours_per_month": q(s.compute_hours_per_month, "h/month"),
                "billed_hours_per_month": q(s.billed_hours_per_month, "h/month"),
                "window_hours_per_month": q(s.window_hours_per_month, "h/month"),
                "keeps_up": s.keeps_up,
                "staff_share": num(s.share),
                "rent_per_month": q(s.rent_per_month, month),
                "staff_per_month": q(s.staff_per_month, month),
                "tco_per_month": q(s.tco_per_month, month),
                "api_cost_per_month": q(s.api_cost_per_month, month),
            }
            for s in server.workloads
        ],
    }
