"""The runner against a scripted emulator: retries, back-off, Retry-After,
cut and slow responses, replicas, the window; nothing lost."""

from __future__ import annotations

import itertools
import socket
from pathlib import Path

import pytest
from batch_emulator import BatchEmulator
from batch_helpers import jobs_file, run

from llm_tco.batch.retry import RetryPolicy
from llm_tco.batch.store import Store
from llm_tco.cli import main


def _attempts(db: Path, job_id: str) -> list[dict[str, object]]:
    store = Store(db)
    try:
        return [dict(r) for r in store.attempts(job_id)]
    finally:
        store.close()


def _jobs(db: Path) -> dict[str, dict[str, object]]:
    store = Store(db)
    try:
        return {r["id"]: dict(r) for r in store.jobs()}
    finally:
        store.close()


def test_retries_back_off_and_honour_retry_after(tmp_path: Path) -> None:
    script = {
        "r429": ["429:1.2", "ok"],
        "r429date": ["429date:2", "ok"],
        "r503": ["503", "503", "ok"],
        "cut": ["cut", "ok"],
        "slow": ["slow:0.6"],
        "bad": ["bad", "ok"],
    }
    ids = [*script, *(f"plain{i}" for i in range(6))]
    db = tmp_path / "state.db"
    policy = RetryPolicy(max_attempts=4, base_s=0.3, factor=2.0)
    with BatchEmulator(script=script) as emu:
        summary = run(db, [emu.base_url], ids, concurrency=3, policy=policy)
    assert summary.counts.done == len(ids) and summary.counts.left == 0
    assert summary.retries == 6

    # Retry-After in seconds: the gap between the two arrivals is at least 1.2 s.
    first, second = emu.hits("r429")
    gap_s = second.arrived_s - first.arrived_s
    print(f"Retry-After 1.2 s -> measured gap {gap_s:.3f} s")
    assert 1.2 <= gap_s < 2.5, gap_s
    assert _attempts(db, "r429")[0]["retry_after_s"] == pytest.approx(1.2)
    # As an HTTP date (whole seconds): at least ~1 s, honoured over the 0.15-0.3 s
    # back-off.
    first, second = emu.hits("r429date")
    assert second.arrived_s - first.arrived_s >= 1.0

    # 503 twice: the recorded back-offs grow (0.15-0.3 s, then 0.3-0.6 s) and the
    # measured gaps between arrivals are at least as long.
    rows = _attempts(db, "r503")
    assert [r["outcome"] for r in rows] == ["retry", "retry", "ok"]
    backoffs = [float(r["backoff_s"]) for r in rows[:2]]
    assert 0.15 <= backoffs[0] <= 0.3 and 0.3 <= backoffs[1] <= 0.6
    hits = emu.hits("r503")
    for before, after, backoff in zip(hits, hits[1:], backoffs, strict=False):
        gap_s = after.arrived_s - before.arrived_s
        print(f"503 back-off {backoff:.3f} s -> measured gap {gap_s:.3f} s")
        assert gap_s >= backoff
    for before, after in itertools.pairwise(rows):
        recorded_gap = float(after["started_s"]) - float(before["started_s"])
        assert recorded_gap >= float(before["backoff_s"])

    assert "cut response" in str(_attempts(db, "cut")[0]["reason"])
    assert "malformed answer" in str(_attempts(db, "bad")[0]["reason"])
    assert float(_jobs(db)["slow"]["duration_s"]) >= 0.6
    # One connection per request, and each answer stored once.
    assert all(h.get("Connection", "").lower() == "close" for h in emu.headers_seen)
    store = Store(db)
    oks = store.query(
        "SELECT job_id, count(*) AS n FROM attempts WHERE outcome = 'ok' "
        "GROUP BY job_id"
    )
    store.close()
    assert {r["job_id"]: r["n"] for r in oks} == dict.fromkeys(ids, 1)


def test_a_job_that_keeps_failing_ends_failed_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    script = {"always503": ["503"], "always_bad": ["bad"], "client_error": ["400"]}
    db = tmp_path / "state.db"
    policy = RetryPolicy(max_attempts=3, base_s=0.05)
    with BatchEmulator(script=script) as emu:
        summary = run(db, [emu.base_url], [*script, "fine"], policy=policy)
    jobs = _jobs(db)
    assert summary.counts.failed == 3 and summary.counts.done == 1
    assert jobs["always503"]["attempts"] == 3
    assert "HTTP 503" in str(jobs["always503"]["error"])
    assert jobs["always_bad"]["answer"] == "not json at all"  # raw text kept
    assert "malformed" in str(jobs["always_bad"]["error"])
    assert jobs["client_error"]["attempts"] == 1  # a 400 is not retried
    assert len(emu.hits("always503")) == 3


def _refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more


def test_a_replica_that_refuses_is_marked_down_and_others_carry_on(
    tmp_path: Path,
) -> None:
    db = tmp_path / "state.db"
    ids = [f"j{i}" for i in range(12)]
    with BatchEmulator(default="slow:0.05") as emu:
        summary = run(db, [_refused_url(), emu.base_url], ids, down_for_s=60.0)
    assert summary.counts.done == 12
    store = Store(db)
    refused = store.query(
        "SELECT count(*) AS n FROM attempts WHERE reason LIKE 'conn%'"
    )
    store.close()
    # Marked down at its first refusal: only jobs already headed there retried.
    assert 1 <= refused[0]["n"] <= 4
    assert len(emu.log) == 12


def test_least_outstanding_spreads_over_replicas(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with (
        BatchEmulator(default="slow:0.2") as one,
        BatchEmulator(default="slow:0.2") as two,
    ):
        run(
            db, [one.base_url, two.base_url], [f"j{i}" for i in range(8)], concurrency=4
        )
    assert len(one.log) == 4 and len(two.log) == 4


def test_a_short_window_leaves_the_rest_pending_with_a_clear_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = [f"j{i:02d}" for i in range(30)]
    db = tmp_path / "state.db"
    with BatchEmulator(default="slow:0.3") as emu:
        code = main(
            [
                "batch",
                "run",
                "--db",
                str(db),
                "--jobs",
                str(jobs_file(tmp_path, ids)),
                "--base-url",
                emu.base_url,
                "--concurrency",
                "2",
                "--window-hours",
                str(1.5 / 3600),
                "--no-progress",
            ]
        )
    out = capsys.readouterr().out
    jobs = _jobs(db)
    done = sum(1 for j in jobs.values() if j["status"] == "done")
    pending = sum(1 for j in jobs.values() if j["status"] == "pending")
    assert code == 0
    assert 2 <= done < 30 and done + pending == 30
    assert f"{pending} left for the next run (the window closed)" in out
    # No job started once the time left could not hold p90 × 1.5 (0.45 s): the
    # last arrival is at least that far before the end.
    assert len(emu.log) == done

    # The next night picks up exactly the rest.
    with BatchEmulator(default="ok") as emu2:
        code = main(
            [
                "batch",
                "run",
                "--db",
                str(db),
                "--base-url",
                emu2.base_url,
                "--no-progress",
            ]
        )
    assert code == 0
    assert sorted(h.job_id for h in emu2.log) == sorted(
        i for i, j in jobs.items() if j["status"] == "pending"
    )
    assert "nothing left for the next run" in capsys.readouterr().out


def test_the_api_key_goes_only_into_the_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-test-DO-NOT-STORE-0123456789"
    monkeypatch.setenv("MY_KEY", secret)
    db = tmp_path / "state.db"
    with BatchEmulator(script={"a": ["503", "ok"]}) as emu:
        run(db, [emu.base_url], ["a", "b"], api_key_env="MY_KEY")
    assert all(h["Authorization"] == f"Bearer {secret}" for h in emu.headers_seen)
    out = tmp_path / "export.jsonl"
    assert main(["batch", "export", "--db", str(db), "--out", str(out)]) == 0
    for path in tmp_path.iterdir():
        assert secret.encode() not in path.read_bytes(), path
