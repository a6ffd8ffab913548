"""The job file: JSON Lines, one job a line, its ``id`` its identity.

A line holds ``id`` (text), ``messages`` (chat) or ``prompt`` (completions),
an optional ``meta`` object (kept and exported, never sent), and any request
parameters (``max_tokens``, ``temperature``, ``response_format``, ``model``...),
which go into the request body as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_tco._files import write_atomic
from llm_tco.errors import InputError

RESERVED = ("id", "meta")
TOKEN_CAPS = ("max_tokens", "max_completion_tokens")


@dataclass(frozen=True)
class Job:
    """One request to send: ``request`` is the body minus the default model."""

    id: str
    request: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def is_chat(self) -> bool:
        return "messages" in self.request

    def to_line(self) -> str:
        row = {"id": self.id, **self.request}
        if self.meta:
            row["meta"] = self.meta
        return json.dumps(row, ensure_ascii=False, sort_keys=False)


def parse_job(row: Any, where: str) -> Job:
    """A :class:`Job` from one decoded line; ``where`` names it in errors."""
    if not isinstance(row, dict):
        raise InputError(f"{where}: a job must be a JSON object")
    job_id = row.get("id")
    if not isinstance(job_id, str) or not job_id.strip():
        raise InputError(f"{where}: 'id' must be a non-empty string")
    has_messages = isinstance(row.get("messages"), list) and bool(row["messages"])
    has_prompt = isinstance(row.get("prompt"), str)
    if has_messages == has_prompt:
        raise InputError(
            f"{where}: job {job_id!r} needs exactly one of 'messages' (a non-empty "
            "list) or 'prompt' (a string)"
        )
    meta = row.get("meta", {})
    if not isinstance(meta, dict):
        raise InputError(f"{where}: job {job_id!r}: 'meta' must be an object")
    request = {k: v for k, v in row.items() if k not in RESERVED}
    _check_request(request, f"{where}: job {job_id!r}")
    return Job(id=job_id, request=request, meta=meta)


def _check_request(request: dict[str, Any], where: str) -> None:
    """The parameters the runner depends on: a positive token cap, and a whole
    (non-streamed) answer."""
    for key in TOKEN_CAPS:
        if key not in request:
            continue
        value = request[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InputError(
                f"{where}: {key!r} must be a whole number of tokens >= 1, "
                f"got {json.dumps(value)}"
            )
    if "stream" in request and request["stream"] is not False:
        raise InputError(
            f"{where}: 'stream' is {json.dumps(request['stream'])}, but the runner "
            "reads whole answers (and their usage); remove 'stream' or set it "
            "to false"
        )


def read_jobs(path: Path) -> list[Job]:
    """Every job in ``path``; InputError naming the line of any bad one."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read jobs {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(
            f"jobs file {path} is not UTF-8 text; give the JSON Lines file "
            "(one job a line) saved as UTF-8"
        ) from None
    jobs: list[Job] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg})") from None
        job = parse_job(row, where)
        if job.id in first_line:
            raise InputError(
                f"{where}: duplicate job id {job.id!r} (first on line "
                f"{first_line[job.id]})"
            )
        first_line[job.id] = number
        jobs.append(job)
    return jobs


def write_jobs(path: Path, jobs: Iterable[Job]) -> int:
    """Write ``jobs`` as JSON Lines; returns how many."""
    lines = [job.to_line() for job in jobs]
    text = "\n".join(lines) + ("\n" if lines else "")
    write_atomic(path, text)
    return len(lines)


def job_from_stored(
    job_id: str, request: Mapping[str, Any], meta: Mapping[str, Any]
) -> Job:
    return Job(id=job_id, request=dict(request), meta=dict(meta))
