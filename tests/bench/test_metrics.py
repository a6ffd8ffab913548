from __future__ import annotations

import pytest

from llm_tco.bench import metrics
from llm_tco.bench.records import Failure, RequestRecord, TokenSource
from llm_tco.errors import InputError


def _record(
    times: list[float], tokens: int | None = None, send: float = 0.0
) -> RequestRecord:
    record = RequestRecord(
        send_s=send, event_times_s=times, event_tokens=[1] * len(times)
    )
    record.output_tokens = len(times) if tokens is None else tokens
    record.output_source = TokenSource.USAGE
    record.input_tokens = 10
    return record


def test_definitions() -> None:
    record = _record([0.1, 0.12, 0.15, 0.2])
    assert metrics.ttft_ms(record) == pytest.approx(100)
    assert metrics.e2el_ms(record) == pytest.approx(200)
    assert metrics.tpot_ms(record) == pytest.approx(100 / 3)
    assert metrics.itl_ms(record) == pytest.approx([20, 30, 50])


def test_tpot_uses_token_count_not_events() -> None:
    record = _record([0.1, 0.2], tokens=5)  # two events, five tokens
    assert metrics.tpot_ms(record) == pytest.approx(25)


def test_one_token_has_no_tpot_but_can_be_good() -> None:
    record = _record([0.05])
    assert metrics.tpot_ms(record) is None
    assert metrics.itl_ms(record) == []
    assert metrics.is_good(record, {"ttft": 100, "tpot": 1})
    assert not metrics.is_good(record, {"ttft": 10})


def test_zero_successes_are_none_not_zero() -> None:
    failed = RequestRecord(failure=Failure.HTTP_5XX)
    result = metrics.level_metrics([failed, failed], 1.0, goodput_ms={"ttft": 1})
    assert result.completed == 0
    assert result.failed == 2
    assert result.failures == {"http_5xx": 2}
    assert result.total_tokens_per_s is None
    assert result.output_tokens_per_s is None
    assert result.request_throughput_per_s is None
    assert result.goodput_per_s is None
    assert result.latency_ms["ttft"]["mean"] is None
    assert result.latency_ms["tpot"]["p99"] is None


def test_level_rates_over_wall_time() -> None:
    records = [_record([0.1, 0.2]), _record([0.1, 0.3, 0.4])]
    result = metrics.level_metrics(records, 2.0, goodput_ms={"ttft": 150, "tpot": 151})
    assert result.total_input_tokens == 20
    assert result.total_output_tokens == 5
    assert result.total_tokens_per_s == pytest.approx(12.5)
    assert result.output_tokens_per_s == pytest.approx(2.5)
    assert result.request_throughput_per_s == pytest.approx(1.0)
    assert result.goodput_per_s == pytest.approx(1.0)  # both meet both limits
    assert result.latency_ms["itl"]["mean"] == pytest.approx((100 + 200 + 100) / 3)


def test_stats_match_numpy_linear() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 10.0]
    out = metrics.stats(values, [50, 95, 99, 99.9])
    assert out["median"] == 3.0
    assert out["p95"] == pytest.approx(8.8)  # np.percentile(values, 95)
    assert out["p99"] == pytest.approx(9.76)
    assert "p99.9" in out
    assert out["std"] == pytest.approx(3.1622776601683795)  # population std


@pytest.mark.parametrize(
    ("items", "fragment"),
    [(["ttft=2000"], "ttft:2000"), (["foo:1"], "NAME:MS"), (["ttft:-1"], "positive")],
)
def test_goodput_errors(items: list[str], fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        metrics.parse_goodput(items)


def test_goodput_parse() -> None:
    assert metrics.parse_goodput(["ttft:2000", "tpot:50"]) == {"ttft": 2000, "tpot": 50}
