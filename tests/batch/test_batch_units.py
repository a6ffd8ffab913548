"""Retry-After, back-off, the verdict check, the window, and crash recovery."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from batch_helpers import job

from llm_tco.batch.retry import RetryPolicy, parse_retry_after
from llm_tco.batch.store import Store
from llm_tco.batch.verdict import VERDICT_SCHEMA, parse_answer
from llm_tco.batch.window import Window


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2026, 12, 4, 2, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(later, now) == 30.0
    earlier = format_datetime(now - timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(earlier, now) == 0.0


def test_backoff_grows_with_jitter_and_retry_after_is_a_floor() -> None:
    policy = RetryPolicy(base_s=1.0, factor=2.0, cap_s=5.0)
    rng = random.Random(0)
    for retry, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)):
        waits = [policy.backoff_s(retry, rng) for _ in range(50)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert len(set(waits)) > 1  # jittered
    assert policy.wait_s(1, 30.0, rng) == 30.0


def test_verdict_check() -> None:
    good = '{"affected": false, "priority": "low", "rationale": "r", "fix": "none"}'
    assert parse_answer(good, VERDICT_SCHEMA)[1] is None
    for bad, why in (
        (
            '{"affected": "yes", "priority": "low", "rationale": "r", "fix": "f"}',
            "not boolean",
        ),
        (
            '{"affected": true, "priority": "urgent", "rationale": "r", "fix": "f"}',
            "not one of",
        ),
        ('{"affected": true, "priority": "low", "fix": "f"}', "lacks 'rationale'"),
        (
            '{"affected": true, "priority": "low", "rationale": "r", "fix": "f", '
            '"x": 1}',
            "unexpected",
        ),
        ('{"affected": true, "priority": "low", "rationale": "', "not JSON"),
        (
            '{"affected": true, "priority": "low", "rationale": "", "fix": "f"}',
            "shorter",
        ),
    ):
        value, problem = parse_answer(bad, VERDICT_SCHEMA)
        assert value is None and problem is not None and why in problem, problem


def test_window_starts_before_any_measurement_then_uses_p90() -> None:
    window = Window(start_s=0.0, length_s=10.0, margin=1.5)
    assert window.may_start([], now_s=9.9)
    durations = [1.0] * 9 + [4.0]  # p90 = 1.3 s -> needs 1.95 s
    assert window.may_start(durations, now_s=8.0)
    assert not window.may_start(durations, now_s=8.1)
    assert not window.may_start([], now_s=10.0)


def test_jobs_left_running_by_a_dead_run_go_back_to_pending(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    dead = Store(db)
    dead.add_jobs([job("a"), job("b"), job("c")])
    run_id = dead.start_run(
        started_at="t", concurrency=2, endpoints=["x"], model="m", recovered=0
    )
    assert dead.claim(run_id) is not None and dead.claim(run_id) is not None
    dead._db.close()  # the process dies: no clean-up of any kind

    store = Store(db)
    assert store.counts().running == 2
    assert store.recover() == 2
    counts = store.counts()
    assert (counts.pending, counts.running, counts.resends) == (3, 0, 2)
    store.close()


def test_bill_money_keeps_four_significant_digits_for_tiny_test_runs() -> None:
    from llm_tco.batch.summary import _money
    from llm_tco.money import Span

    assert _money(Span.of("0.000291"), "EUR") == "0.000291 EUR"
    assert _money(Span.of("1.905"), "EUR") == "1.905 EUR"
    assert _money(Span.of("57.15"), "EUR") == "57.15 EUR"


def test_batch_names_the_servers_model_when_none_is_given() -> None:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from llm_tco.cli._batch_run import _server_model

    class Models(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"data": [{"id": "served-model"}]}).encode()
            self.send_response(200 if self.path == "/v1/models" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Models)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        assert _server_model(url, "NO_SUCH_KEY_ENV") == "served-model"
        assert _server_model("http://127.0.0.1:1", "NO_SUCH_KEY_ENV") == ""
    finally:
        server.shutdown()
