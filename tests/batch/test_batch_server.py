"""Against the real llama.cpp server: a CVE batch from this machine's packages,
killed with SIGKILL at 10 random moments and resumed each time. In the end
every job is finished exactly once: none lost, none answered twice."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from llm_tco.batch.jobs import read_jobs
from llm_tco.batch.store import Store
from llm_tco.cli import main

ADVISORY_DB = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "pypa-advisory-database"
    / "vulns"
)
# This venv has few old packages (setuptools 65.5.0 matches one advisory), so a
# copy of the real inventory gets a few pinned-old ones (not installed here):
# 10 more jobs, few enough to stay fast on 2 shared CPU cores.
PINNED_OLD = [
    {"name": "requests", "version": "2.19.1"},
    {"name": "Jinja2", "version": "2.10"},
    {"name": "Flask", "version": "2.2.0"},
    {"name": "sqlparse", "version": "0.4.3"},
    {"name": "cryptography", "version": "41.0.0"},
    {"name": "certifi", "version": "2022.9.24"},
]
KILLS = 10


def _inventory(tmp_path: Path) -> Path:
    listing = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    real = json.loads(listing)
    names = {row["name"].lower() for row in real}
    extra = [row for row in PINNED_OLD if row["name"].lower() not in names]
    path = tmp_path / "pip.json"
    path.write_text(json.dumps(real + extra))
    return path


def _finished(db: Path) -> int:
    if not db.exists():
        return 0
    store = Store(db, create=False)
    try:
        counts = store.counts()
    finally:
        store.close()
    return counts.done + counts.failed


def _wait_for_progress(db: Path, before: int, proc: subprocess.Popen[bytes]) -> None:
    """Until an answer is committed after ``before`` (or the run ends, or 12 s)."""
    deadline_s = time.perf_counter() + 12.0
    while time.perf_counter() < deadline_s and proc.poll() is None:
        if _finished(db) > before:
            return
        time.sleep(0.05)


def _status(db: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "llm_tco", "batch", "status", "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.mark.server
@pytest.mark.skipif(not ADVISORY_DB.is_dir(), reason=f"no advisories at {ADVISORY_DB}")
def test_sigkill_ten_times_then_resume(local_server: Any, tmp_path: Path) -> None:
    jobs_path = tmp_path / "jobs.jsonl"
    assert (
        main(
            [
                "batch",
                "build-cve",
                "--inventory",
                str(_inventory(tmp_path)),
                "--advisories",
                str(ADVISORY_DB),
                "--out",
                str(jobs_path),
                "--max-tokens",
                "48",
                "--details-chars",
                "300",
            ]
        )
        == 0
    )
    job_ids = {job.id for job in read_jobs(jobs_path)}
    assert len(job_ids) >= 8
    db = tmp_path / "state.db"
    command = [
        sys.executable,
        "-m",
        "llm_tco",
        "batch",
        "run",
        "--db",
        str(db),
        "--jobs",
        str(jobs_path),
        "--base-url",
        local_server.base_url,
        "--model",
        local_server.model,
        "--concurrency",
        "4",
        "--max-attempts",
        "2",
        "--backoff-s",
        "0.2",
        "--no-progress",
    ]
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    killed = 0
    for round_no in range(KILLS):
        before = _finished(db)
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if round_no == 0:
            time.sleep(1.5)
            assert _status(db)["total"] == len(job_ids)  # read while it runs
        if round_no % 2:
            # Just after a commit: the next answers are in flight or being stored.
            _wait_for_progress(db, before, proc)
            time.sleep(rng.uniform(0.0, 0.3))
        else:
            time.sleep(rng.uniform(0.5, 4.0))  # anywhere: start-up, claim, request
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(timeout=30)
    final = subprocess.run(
        command, capture_output=True, text=True, timeout=240, check=False
    )
    assert final.returncode == 0, final.stderr

    store = Store(db)
    try:
        jobs = {row["id"]: dict(row) for row in store.jobs()}
        answers = store.query(
            "SELECT a.job_id, count(*) AS n FROM attempts a JOIN jobs j "
            "ON a.job_id = j.id AND a.generation = j.generation "
            "WHERE a.outcome = 'ok' GROUP BY a.job_id"
        )
        recovered = sum(int(r["recovered"]) for r in store.runs())
        runs = len(store.runs())
    finally:
        store.close()
    answered = {row["job_id"]: row["n"] for row in answers}
    done = {i for i, j in jobs.items() if j["status"] == "done"}
    failed = {i for i, j in jobs.items() if j["status"] == "failed"}
    print(
        f"seed {seed}: {len(jobs)} jobs, {killed} kills, {runs} runs, "
        f"{len(done)} done, {len(failed)} failed, {recovered} re-sent after a kill"
    )
    assert set(jobs) == job_ids  # nothing lost, nothing added
    assert done | failed == job_ids and not done & failed  # each ended once
    assert answered == dict.fromkeys(done, 1)  # each done job answered once
    assert all(jobs[i]["answer"] for i in done)
    assert all(jobs[i]["error"] for i in failed)  # failed with its reason
    assert sum(int(j["resends"]) for j in jobs.values()) == recovered
    assert killed >= 5  # most kills landed mid-run
