"""The CVE assessment job: one request per affected (package, advisory).

The prompt carries what a reviewer needs: the advisory id and aliases, its
summary and (trimmed) details, CVSS vectors, the affected ranges and fixed
versions, and the installed version; the answer's shape is fixed by
:mod:`llm_tco.batch.verdict`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from llm_tco.batch.attribution import ADVISORY_ATTRIBUTION
from llm_tco.batch.jobs import Job
from llm_tco.batch.match import Match, fixed_versions
from llm_tco.batch.osv import Affected
from llm_tco.batch.verdict import PRIORITIES, response_format

SYSTEM_PROMPT = (
    "You are a security engineer triaging vulnerability advisories for installed "
    "Python packages. Answer with one JSON object and nothing else."
)


@dataclass(frozen=True)
class PromptSettings:
    details_chars: int = 1200
    max_tokens: int = 400
    temperature: float = 0.0


def job_id(match: Match) -> str:
    """Stable across rebuilds: the same package, version and advisory."""
    pkg = match.package
    return f"{match.affected.name}=={pkg.version}:{match.advisory.id}"


def build_jobs(
    matches: Iterable[Match], settings: PromptSettings | None = None
) -> list[Job]:
    """One job per match; ids are unique (a repeated id is the same package,
    version and advisory, so only its first job is kept)."""
    chosen = settings or PromptSettings()
    jobs: dict[str, Job] = {}
    for match in matches:
        jobs.setdefault(job_id(match), build_job(match, chosen))
    return list(jobs.values())


def build_job(match: Match, settings: PromptSettings) -> Job:
    request: dict[str, Any] = {
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user_prompt(match, settings.details_chars)},
        ],
        "max_tokens": settings.max_tokens,
        "temperature": settings.temperature,
        "response_format": response_format(),
    }
    advisory = match.advisory
    meta = {
        "package": match.package.name,
        "installed_version": match.package.version,
        "ecosystem": match.package.ecosystem,
        "advisory": advisory.id,
        "aliases": list(advisory.aliases),
        "fixed_versions": fixed_versions(match.affected),
        "source": advisory.source,
        "attribution": ADVISORY_ATTRIBUTION,
    }
    return Job(id=job_id(match), request=request, meta=meta)


def user_prompt(match: Match, details_chars: int) -> str:
    advisory, package = match.advisory, match.package
    fixed = fixed_versions(match.affected)
    lines = [
        f"Advisory: {advisory.id}",
        f"Aliases: {', '.join(advisory.aliases) or 'none'}",
        f"Summary: {advisory.summary or 'none'}",
        f"Details: {trim(advisory.details, details_chars) or 'none'}",
        f"Severity: {_severity(advisory.severity)}",
        f"Affected ranges: {describe_ranges(match.affected)}",
        f"Fixed versions: {', '.join(fixed) or 'none known'}",
        f"Installed: {package.name} {package.version} ({package.ecosystem})",
        "",
        "Is the installed version affected, how urgent is the fix, and what is it?",
        'Reply as {"affected": true|false, "priority": '
        f"{'|'.join(PRIORITIES)}, "
        '"rationale": "<one short sentence>", "fix": "<e.g. upgrade to X>"}.',
    ]
    return "\n".join(lines)


def trim(text: str, limit: int) -> str:
    """``text`` with whitespace collapsed, cut at ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)].rstrip() + "…"


def _severity(severity: tuple[tuple[str, str], ...]) -> str:
    return "; ".join(f"{kind} {score}" for kind, score in severity) or "not given"


def describe_ranges(affected: Affected) -> str:
    parts = []
    for version_range in affected.ranges:
        if version_range.type != "ECOSYSTEM":
            continue
        events = ", ".join(f"{e.kind} {e.version}" for e in version_range.events)
        parts.append(f"[{events}]")
    if affected.versions and not parts:
        parts.append(f"versions {', '.join(affected.versions[:20])}")
    return " ".join(parts) or "not given"
