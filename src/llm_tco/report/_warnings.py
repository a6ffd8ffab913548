"""What a reader must know before trusting a price: mismatches between a
measured sweep and the workload it prices. Read off the report document."""

from __future__ import annotations

from typing import Any

# A job shape this far from the measured one changes throughput noticeably
# (prefill and decode scale differently), so the price is an extrapolation.
SHAPE_TOLERANCE = 0.25

Doc = dict[str, Any]


def document_warnings(doc: Doc) -> list[str]:
    """One line per priced option whose sweep does not match the workload."""
    model = doc["api"]["model"]
    workload = doc["workload"]
    wanted = {
        "input": workload["input_tokens_per_job"]["high"],
        "output": workload["output_tokens_per_job"]["high"],
    }
    found: list[str] = []
    for option in doc["options"]:
        if option["sweep"]:
            found.extend(_option_warnings(option, model, wanted))
    return found


def _option_warnings(option: Doc, model: str, wanted: dict[str, float]) -> list[str]:
    label, sweep = option["label"], option["sweep"]
    found = []
    if sweep["model"] and model and _norm(sweep["model"]) != _norm(model):
        found.append(
            f"{label}: measured with {sweep['model']}, but the workload runs "
            f"{model}; its throughput says little about the workload's model"
        )
    found.extend(_card_and_failures(option))
    level = _chosen_level(sweep, option["chosen_concurrency"])
    for what, tokens in wanted.items():
        measured = level.get(f"{what}_len") if level else None
        if measured and abs(measured - tokens) > SHAPE_TOLERANCE * tokens:
            found.append(
                f"{label}: measured at {measured:,.0f} {what} tokens per job, the "
                f"workload has {tokens:,.0f}; re-measure with the workload's shape"
            )
    return found


def _card_and_failures(option: Doc) -> list[str]:
    label, sweep, offer = option["label"], option["sweep"], option["offer"]
    found = []
    if offer and sweep["gpu"] and sweep["gpu"] != offer["gpu"]:
        found.append(
            f"{label}: measured on {sweep['gpu']}, priced at the {offer['gpu']} "
            f"offer {offer['id']}; measure on the card you rent"
        )
    level = _chosen_level(sweep, option["chosen_concurrency"]) or {}
    if level.get("failed"):
        total = (level.get("completed") or 0) + level["failed"]
        found.append(
            f"{label}: {level['failed']} of {total} requests failed at "
            f"{option['chosen_concurrency']} parallel jobs, the level priced"
        )
    dropped = sweep.get("dropped_concurrency") or []
    if dropped:
        levels = ", ".join(str(c) for c in sorted(dropped))
        found.append(
            f"{label}: left out the level(s) at {levels} parallel jobs, where most "
            "requests failed"
        )
    return found


def _chosen_level(sweep: Doc, concurrency: int | None) -> Doc | None:
    for level in sweep["levels"]:
        if level["concurrency"] == concurrency:
            return dict(level)
    return None


def _norm(name: str) -> str:
    return name.rsplit("/", 1)[-1].lower()
