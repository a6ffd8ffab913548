"""The run's state in SQLite (WAL): jobs, every attempt, and every run.

A job is ``pending``, ``running`` (claimed by a live run, request in flight),
``done`` (answer and usage stored) or ``failed`` (last reason stored). The
answer and ``done`` are written in one transaction, so a crash leaves a job
either answered once or not at all; a job found ``running`` at start belonged
to a dead run and goes back to ``pending`` (its ``resends`` counts that).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from llm_tco.batch._schema import SCHEMA
from llm_tco.batch.jobs import Job
from llm_tco.errors import InputError, RunError

logger = logging.getLogger(__name__)

STATUSES = ("pending", "running", "done", "failed")


@dataclass(frozen=True)
class AttemptRecord:
    """One request sent for a job, as it ended. ``started_s`` is
    ``time.perf_counter()`` seconds since the run began."""

    job_id: str
    run_id: int
    attempt: int
    endpoint: str
    outcome: str
    reason: str | None
    http_status: int | None
    started_at: str
    started_s: float
    duration_s: float
    backoff_s: float | None = None
    retry_after_s: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass(frozen=True)
class StoredJob:
    job: Job
    generation: int
    attempts: int


@dataclass(frozen=True)
class Counts:
    pending: int
    running: int
    done: int
    failed: int
    resends: int
    attempts: int

    @property
    def total(self) -> int:
        return self.pending + self.running + self.done + self.failed

    @property
    def left(self) -> int:
        return self.pending + self.running


class Store:
    """One SQLite database; a connection per process, autocommit plus explicit
    transactions."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        if not create and not path.is_file():
            raise InputError(f"state database {path} does not exist; run a batch first")
        _refuse_hard_links(path)
        self.path = path
        try:
            self._db = sqlite3.connect(path, isolation_level=None, timeout=10.0)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed answer survives a power cut, not only a crash.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise InputError(f"cannot open state database {path}: {exc}") from None
        self._lock: IO[str] | None = None

    def close(self) -> None:
        self.unlock()
        self._db.close()

    # -- one run at a time

    @property
    def lock_path(self) -> Path:
        """``DB.lock`` beside the real file: a symlink (or another spelling of
        the path) to the same database gets the same lock."""
        real = self.path.resolve()
        return real.with_name(real.name + ".lock")

    def lock_for_run(self) -> bool:
        """Hold an exclusive lock for this run; RunError if another run holds it.
        The kernel drops it when the process dies, even by SIGKILL. True if
        taken now, False if this store already held it."""
        if self._lock is not None:
            return False
        try:
            handle = open(self.lock_path, "w")  # noqa: SIM115 - held for the run
        except OSError as exc:
            raise InputError(
                f"cannot create the run lock {self.lock_path}: {exc.strerror}"
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            real = self.path.resolve()
            through = "" if real == self.path.absolute() else f" (= {real})"
            raise RunError(
                f"another batch run is using {self.path}{through}; wait for it "
                "or stop it"
            ) from None
        self._lock = handle
        return True

    def unlock(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- jobs in

    def add_jobs(self, jobs: Iterable[Job]) -> tuple[int, int]:
        """Insert new ids; returns (added, already known). A known id keeps its
        stored request: the id is the identity."""
        added = known = 0
        with self._transaction() as db:
            for job in jobs:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO jobs (id, request, meta) VALUES (?, ?, ?)",
                    (job.id, json.dumps(job.request), json.dumps(job.meta)),
                )
                if cursor.rowcount:
                    added += 1
                else:
                    known += 1
        return added, known

    # -- a run's life

    def recover(self) -> int:
        """Jobs a dead run left ``running`` go back to ``pending``; how many."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE jobs SET status = 'pending', claimed_by = NULL, "
                "resends = resends + 1 WHERE status = 'running'"
            )
        return cursor.rowcount

    def reset(self, statuses: tuple[str, ...]) -> int:
        """Finished jobs in ``statuses`` become pending again (a new generation)."""
        marks = ",".join("?" for _ in statuses)
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE jobs SET status = 'pending', generation = generation + 1, "
                "answer = NULL, error = NULL, prompt_tokens = NULL, "
                "completion_tokens = NULL, duration_s = NULL, finished_at = NULL "
                f"WHERE status IN ({marks})",
                statuses,
            )
        return cursor.rowcount

    def start_run(
        self,
        *,
        started_at: str,
        concurrency: int,
        endpoints: list[str],
        model: str,
        recovered: int,
    ) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (started_at, concurrency, endpoints, model, "
                "recovered) VALUES (?, ?, ?, ?, ?)",
                (started_at, concurrency, json.dumps(endpoints), model, recovered),
            )
        return int(cursor.lastrowid or 0)

    def touch_run(self, run_id: int, duration_s: float) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET duration_s = ? WHERE id = ?", (duration_s, run_id)
            )

    def end_run(
        self, run_id: int, *, duration_s: float, ended_at: str, stop_reason: str
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET duration_s = ?, ended_at = ?, stop_reason = ? "
                "WHERE id = ?",
                (duration_s, ended_at, stop_reason, run_id),
            )

    def claim(self, run_id: int) -> StoredJob | None:
        """The next pending job, now ``running`` for ``run_id``; None if none."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT id, request, meta, generation, attempts FROM jobs "
                "WHERE status = 'pending' ORDER BY seq LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE jobs SET status = 'running', claimed_by = ? WHERE id = ?",
                (run_id, row["id"]),
            )
        job = Job(row["id"], json.loads(row["request"]), json.loads(row["meta"]))
        return StoredJob(job, row["generation"], row["attempts"])

    def record_attempt(self, record: AttemptRecord, generation: int) -> None:
        """A failed attempt; the job stays ``running`` for the next one."""
        with self._transaction() as db:
            _insert_attempt(db, record, generation)

    def finish_done(
        self,
        record: AttemptRecord,
        generation: int,
        *,
        answer: str,
        duration_s: float,
    ) -> bool:
        """Answer, usage and ``done`` in one transaction; False if the row is no
        longer this run's (then nothing is written)."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE jobs SET status = 'done', answer = ?, error = NULL, "
                "prompt_tokens = ?, completion_tokens = ?, duration_s = ?, "
                "finished_at = ? WHERE id = ? AND status = 'running' "
                "AND claimed_by = ? AND generation = ?",
                (
                    answer,
                    record.prompt_tokens,
                    record.completion_tokens,
                    duration_s,
                    record.started_at,
                    record.job_id,
                    record.run_id,
                    generation,
                ),
            )
            if cursor.rowcount != 1:
                return False  # nothing was written; the empty commit is harmless
            _insert_attempt(db, record, generation)
        return True

    def finish_failed(
        self,
        record: AttemptRecord,
        generation: int,
        *,
        reason: str,
        answer: str | None,
    ) -> None:
        """``failed`` with its last reason (and raw text, if malformed)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET status = 'failed', error = ?, answer = ?, "
                "finished_at = ? WHERE id = ? AND status = 'running' "
                "AND claimed_by = ?",
                (reason, answer, record.started_at, record.job_id, record.run_id),
            )
            _insert_attempt(db, record, generation)

    def release(self, job_id: str, run_id: int, *, in_flight: bool) -> None:
        """Back to ``pending`` for a later run (the window closed)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET status = 'pending', claimed_by = NULL, "
                "resends = resends + ? WHERE id = ? AND status = 'running' "
                "AND claimed_by = ?",
                (1 if in_flight else 0, job_id, run_id),
            )

    # -- reading

    def counts(self) -> Counts:
        rows = self._db.execute(
            "SELECT status, count(*) AS n FROM jobs GROUP BY status"
        ).fetchall()
        by_status = {row["status"]: row["n"] for row in rows}
        totals = self._db.execute(
            "SELECT coalesce(sum(resends), 0) AS r, coalesce(sum(attempts), 0) AS a "
            "FROM jobs"
        ).fetchone()
        return Counts(
            pending=int(by_status.get("pending", 0)),
            running=int(by_status.get("running", 0)),
            done=int(by_status.get("done", 0)),
            failed=int(by_status.get("failed", 0)),
            resends=int(totals["r"]),
            attempts=int(totals["a"]),
        )

    def done_durations_s(self) -> list[float]:
        rows = self._db.execute(
            "SELECT duration_s FROM jobs WHERE status = 'done' "
            "AND duration_s IS NOT NULL"
        ).fetchall()
        return [float(r["duration_s"]) for r in rows]

    def jobs(self) -> list[sqlite3.Row]:
        return self._db.execute("SELECT * FROM jobs ORDER BY seq").fetchall()

    def attempts(self, job_id: str | None = None) -> list[sqlite3.Row]:
        if job_id is None:
            return self._db.execute("SELECT * FROM attempts ORDER BY rowid").fetchall()
        return self._db.execute(
            "SELECT * FROM attempts WHERE job_id = ? ORDER BY rowid", (job_id,)
        ).fetchall()

    def runs(self) -> list[sqlite3.Row]:
        return self._db.execute("SELECT * FROM runs ORDER BY id").fetchall()

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        return self._db.execute(sql, params).fetchall()


def _insert_attempt(
    db: sqlite3.Connection, record: AttemptRecord, generation: int
) -> None:
    db.execute(
        "INSERT INTO attempts (job_id, generation, run_id, attempt, endpoint, "
        "outcome, reason, http_status, started_at, started_s, duration_s, "
        "backoff_s, retry_after_s, prompt_tokens, completion_tokens) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.job_id,
            generation,
            record.run_id,
            record.attempt,
            record.endpoint,
            record.outcome,
            record.reason,
            record.http_status,
            record.started_at,
            record.started_s,
            record.duration_s,
            record.backoff_s,
            record.retry_after_s,
            record.prompt_tokens,
            record.completion_tokens,
        ),
    )
    db.execute("UPDATE jobs SET attempts = attempts + 1 WHERE id = ?", (record.job_id,))


def _refuse_hard_links(path: Path) -> None:
    """SQLite names its WAL after the path it was given: two names for one file
    mean two WALs and a corrupt database, and two run locks. Refuse it."""
    try:
        links = path.stat().st_nlink
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"cannot open state database {path}: {exc.strerror}") from None
    if links > 1:
        raise InputError(
            f"state database {path} has {links} hard links; SQLite needs one name "
            "per database file (use a symlink, or copy the file instead of linking)"
        )
