"""The role sections in reading order: one summary line per role, then
Finance, Compliance/DPO and IT, each only when chosen (``--for``)."""

from __future__ import annotations

from llm_tco.report._blocks import Bullets, Doc, Section
from llm_tco.report._sections_compliance import compliance
from llm_tco.report._sections_finance import finance
from llm_tco.report._sections_it import it, shared
from llm_tco.report.roles import ROLE_TITLES, selected_roles

__all__ = ["role_sections", "selected_roles", "shared"]

_BUILDERS = {"finance": finance, "compliance": compliance, "it": it}


def role_sections(doc: Doc, chosen: tuple[str, ...]) -> list[Section]:
    """The summary section and each chosen role's section."""
    roles = doc.get("roles")
    if not roles:
        return []
    summaries = roles["summaries"]
    lines = tuple(f"{ROLE_TITLES[r]}: {summaries[r]}" for r in chosen)
    built = [Section("roles", "The answer by role", (Bullets(lines),))]
    built += [_BUILDERS[r](doc) for r in chosen]
    return built
