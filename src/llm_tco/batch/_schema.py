"""The batch state database: one row per job, attempt and run."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    request TEXT NOT NULL,
    meta TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'done', 'failed')),
    generation INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    resends INTEGER NOT NULL DEFAULT 0,
    claimed_by INTEGER,
    answer TEXT,
    error TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    duration_s REAL,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, seq);
CREATE TABLE IF NOT EXISTS attempts (
    job_id TEXT NOT NULL,
    generation INTEGER NOT NULL,
    run_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    endpoint TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'retry', 'failed')),
    reason TEXT,
    http_status INTEGER,
    started_at TEXT NOT NULL,
    started_s REAL NOT NULL,
    duration_s REAL NOT NULL,
    backoff_s REAL,
    retry_after_s REAL,
    prompt_tokens INTEGER,
    completion_tokens INTEGER
);
CREATE INDEX IF NOT EXISTS attempts_job ON attempts (job_id);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    duration_s REAL NOT NULL DEFAULT 0,
    concurrency INTEGER NOT NULL,
    endpoints TEXT NOT NULL,
    model TEXT NOT NULL,
    recovered INTEGER NOT NULL DEFAULT 0,
    stop_reason TEXT
);
"""
