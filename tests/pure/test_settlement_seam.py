"""Settlement reports listed with getReports and refunds read with listTransactions, through the
client against the emulator over real HTTP."""

import io
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from test_client import ORDER_ID, _connection, _operations, emulator  # noqa: F401

from amazon_api import const
from amazon_api.client import AmazonClient
from amazon_api.ratelimit import RateLimiter
from amazon_api.reports import iter_settlement
from spapi_emulator.server import DEMO_SELLER_ID

ITEM = "11111111111111"


@pytest.fixture
def client(emulator, clock):  # noqa: F811
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    return AmazonClient(_connection(emulator), limiter=limiter, max_wait=float("inf"))


@pytest.mark.parametrize(
    "kind, settlement_type, transaction_type",
    [
        ("amazon", "Refund", "Refund"),
        ("atoz", "A-to-z Guarantee Refund", "GuaranteeClaim"),
        ("chargeback", "Chargeback Refund", "Chargeback"),
    ],
)
def test_amazon_refund_in_transactions_and_settlement(
    client,
    emulator,  # noqa: F811
    kind,
    settlement_type,
    transaction_type,
):
    since = emulator.now() - timedelta(days=1)
    emulator.amazon_refund(ORDER_ID, ITEM, {"Principal": "20.00", "Tax": "1.60"}, kind=kind)
    (refund,) = client.refund_transactions(since, order_id=ORDER_ID)
    assert refund.transaction_type == transaction_type
    assert (refund.order_id, refund.sku) == (ORDER_ID, "MUG-1")
    assert refund.amounts == {"Principal": Decimal("20.0"), "Tax": Decimal("1.6")}
    assert refund.fees == {"Commission": Decimal("3.0"), "RefundCommission": Decimal("-0.6")}
    assert refund.adjustment_id == emulator.refunds[0].adjustment_id
    (report_id,) = emulator.close_settlement(DEMO_SELLER_ID)
    (listed,) = client.settlement_reports(created_since=since)
    assert (listed.report_id, listed.status) == (report_id, const.REPORT_DONE)
    target = io.BytesIO()
    client.download_report(listed.document_id, target, const.REPORT_SETTLEMENT)
    summary, *rows = list(iter_settlement(target.getvalue()))
    assert summary.is_summary
    assert summary.total_amount == sum(row.amount for row in rows)
    assert {row.transaction_type for row in rows} == {settlement_type}
    assert {row.adjustment_id for row in rows} == {refund.adjustment_id}


def test_transactions_are_paged_and_rate_limited(client, emulator, clock):  # noqa: F811
    emulator.transactions_page_size = 2
    since = emulator.now() - timedelta(days=1)
    for _ in range(5):
        emulator.amazon_refund(ORDER_ID, ITEM, {"Principal": "1.00"})
    for _ in range(12):
        assert len(client.refund_transactions(since)) == 5
    calls = [p for _m, p, _q, _s in emulator.requests if p.startswith("/finances/")]
    assert len(calls) == 36, "three pages per reading"
    assert clock.sleeps, "beyond the burst of 10 the client waits for Amazon's 0.5/s"
    assert emulator.throttled_count == 0


def test_settlement_reports_are_listed_page_after_page(client, emulator):  # noqa: F811
    since = emulator.now() - timedelta(days=1)
    ids = []
    for _ in range(3):
        emulator.amazon_refund(ORDER_ID, ITEM, {"Principal": "1.00"})
        ids += emulator.close_settlement(DEMO_SELLER_ID)
        emulator.advance(60)
    reports = client.settlement_reports(created_since=since, page_size=1)
    assert sorted(report.report_id for report in reports) == sorted(ids)
    assert ("GET", "/reports/2021-06-30/reports") in _operations(emulator)


def test_orders_amazon_cancelled(client, emulator):  # noqa: F811
    since = emulator.now() - timedelta(days=1)
    emulator.amazon_cancel(ORDER_ID)
    emulator.advance(600)
    assert client.cancelled_orders(since) == [ORDER_ID]


def test_control_endpoints_make_amazon_refunds_and_settlements(emulator):  # noqa: F811
    answer = httpx.post(
        f"{emulator.url}/_emulator/control/amazon-refunds",
        json={
            "amazonOrderId": ORDER_ID,
            "orderItemId": ITEM,
            "amounts": {"Principal": "5.00"},
            "kind": "chargeback",
        },
    )
    assert answer.status_code == 201
    assert answer.json()["adjustmentId"] == emulator.refunds[0].adjustment_id
    assert emulator.refunds[0].kind == "chargeback"
    bad = httpx.post(
        f"{emulator.url}/_emulator/control/amazon-refunds",
        json={"amazonOrderId": ORDER_ID, "orderItemId": ITEM, "amounts": {}, "kind": "gift"},
    )
    assert bad.status_code == 400
    closed = httpx.post(
        f"{emulator.url}/_emulator/control/settlements", json={"sellerId": DEMO_SELLER_ID}
    )
    assert closed.status_code == 201
    (report_id,) = closed.json()["reportIds"]
    assert emulator.reports[report_id].status == "DONE"
    assert emulator.refunds[0].settlement_id
