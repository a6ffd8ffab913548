"""Sharing one server and one ops team: each workload's staff share < the whole."""

from __future__ import annotations

from decimal import Decimal

import pytest

from llm_tco.cost.sharing import WorkloadLoad, share_server
from llm_tco.errors import InputError
from llm_tco.money import Span

D = Decimal

# The article's batch on the MI300X: 1.0 h compute (+0.2 h buffer) a night.
BATCH = WorkloadLoad(
    name="Nightly CVE batch",
    compute_hours_per_run=Span.of(1),
    billed_hours_per_run=Span.of([1, D("1.2")]),
    runs_per_month=Span.of(30),
    window_hours=Span.of(6),
    api_cost_per_month=Span.of(D("57.15")),
)
# A second batch, half the size (an assumption for the test).
SECOND = WorkloadLoad(
    name="Weekly report batch",
    compute_hours_per_run=Span.of(D("0.5")),
    billed_hours_per_run=Span.of([D("0.5"), D("0.7")]),
    runs_per_month=Span.of(30),
    window_hours=Span.of(6),
    api_cost_per_month=Span.of(D("28.575")),
)

STAFF = Span.of([100, 400])  # article: €100–400 a month
PRICE = Span.of(D("2.06"))


def test_staff_split_by_server_hours() -> None:
    server = share_server([BATCH, SECOND], price_per_hour=PRICE, staff_per_month=STAFF)
    batch, second = server.workloads
    # Mid hours a month: 30 × 1.1 = 33 and 30 × 0.6 = 18 -> shares 33/51, 18/51.
    assert batch.share == D(33) / D(51)
    assert second.share == D(18) / D(51)
    assert batch.staff_per_month.low == D(100) * 33 / 51  # €64.71 instead of €100
    assert batch.staff_per_month.high == D(400) * 33 / 51  # €258.82 instead of €400
    for w in server.workloads:
        assert w.staff_per_month.high < STAFF.high and w.staff_per_month.low < STAFF.low
    total = batch.staff_per_month.low + second.staff_per_month.low
    assert total == pytest.approx(D(100))
    assert server.rent_per_month.low == (30 + 15) * D("2.06")
    assert server.keeps_up


def test_equal_rule_halves_the_staff_cost() -> None:
    server = share_server(
        [BATCH, SECOND], price_per_hour=PRICE, staff_per_month=STAFF, rule="equal"
    )
    assert [w.staff_per_month for w in server.workloads] == [Span.of([50, 200])] * 2


def test_window_group_counts_up_time_once() -> None:
    chat = WorkloadLoad(
        "chat", Span.of(2), Span.of(10), Span.of(22), Span.of(10), Span.of(1), "day"
    )
    code = WorkloadLoad(
        "code", Span.of(6), Span.of(10), Span.of(22), Span.of(10), Span.of(1), "day"
    )
    server = share_server([chat, code], price_per_hour=PRICE, staff_per_month=STAFF)
    assert server.billed_hours_per_month == Span.of(220)  # not 440
    assert [w.billed_hours_per_month for w in server.workloads] == [
        Span.of(55),
        Span.of(165),
    ]


def test_unknown_rule_is_an_input_error() -> None:
    with pytest.raises(InputError, match="equal"):
        share_server([BATCH], price_per_hour=PRICE, staff_per_month=STAFF, rule="x")
