"""Jobs and stores for the batch tests."""

from __future__ import annotations

import asyncio
from pathlib import Path

from llm_tco.batch.jobs import Job, write_jobs
from llm_tco.batch.retry import RetryPolicy
from llm_tco.batch.runner import RunSettings, RunSummary, run_batch
from llm_tco.batch.store import Store
from llm_tco.batch.verdict import response_format


def job(job_id: str) -> Job:
    """A job whose only message is its id (the emulator reads it)."""
    return Job(
        id=job_id,
        request={
            "messages": [{"role": "user", "content": job_id}],
            "max_tokens": 32,
            "response_format": response_format(),
        },
        meta={"attribution": "test data"},
    )


def jobs_file(tmp_path: Path, ids: list[str]) -> Path:
    path = tmp_path / "jobs.jsonl"
    write_jobs(path, [job(i) for i in ids])
    return path


def run(
    db: Path,
    urls: list[str],
    ids: list[str] | None = None,
    **settings: object,
) -> RunSummary:
    store = Store(db)
    try:
        if ids:
            store.add_jobs([job(i) for i in ids])
        policy = settings.pop("policy", RetryPolicy(max_attempts=4, base_s=0.2))
        run_settings = RunSettings(
            base_urls=urls,
            model="emu",
            policy=policy,
            seed=1,
            **settings,
        )
        return asyncio.run(run_batch(store, run_settings))
    finally:
        store.close()
