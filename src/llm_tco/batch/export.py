"""Results out as JSON Lines: one line per job with its answer or its reason.

A job whose ``meta`` carries an ``attribution`` (the CVE jobs credit the
advisory database, as CC BY 4.0 asks) keeps it on its exported line.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from llm_tco._files import write_atomic
from llm_tco.batch.store import Store
from llm_tco.batch.verdict import parse_answer, schema_of


def export_rows(
    store: Store, statuses: tuple[str, ...] = ()
) -> Iterator[dict[str, Any]]:
    for row in store.jobs():
        if statuses and row["status"] not in statuses:
            continue
        yield _row(row)


def _row(row: sqlite3.Row) -> dict[str, Any]:
    request = json.loads(row["request"])
    meta = json.loads(row["meta"])
    out: dict[str, Any] = {
        "id": row["id"],
        "status": row["status"],
        "attempts": row["attempts"],
        "resends": row["resends"],
        "answer": row["answer"],
    }
    schema = schema_of(request)
    if row["status"] == "done" and schema is not None and row["answer"] is not None:
        out["verdict"], _ = parse_answer(row["answer"], schema)
    out["error"] = row["error"]
    out["usage"] = {
        "prompt_tokens": row["prompt_tokens"],
        "completion_tokens": row["completion_tokens"],
    }
    out["duration_s"] = row["duration_s"]
    out["finished_at"] = row["finished_at"]
    out["meta"] = meta
    if "attribution" in meta:
        out["attribution"] = meta["attribution"]
    return out


def write_export(store: Store, path: Path, statuses: tuple[str, ...] = ()) -> int:
    lines = [json.dumps(r, ensure_ascii=False) for r in export_rows(store, statuses)]
    write_atomic(path, "".join(line + "\n" for line in lines))
    return len(lines)
