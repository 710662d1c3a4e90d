"""The client, python-amazon-sp-api underneath, against the emulator over real HTTP."""

import gzip
import io
import logging
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sp_api.base import ApiResponse

from amazon_api import client as client_module
from amazon_api import const
from amazon_api.client import AmazonClient, Connection
from amazon_api.errors import PermanentError, RetryableError, ThrottledError
from amazon_api.processing_report import parse_processing_report
from amazon_api.ratelimit import RateLimiter
from spapi_emulator import Emulator
from spapi_emulator.server import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
    DEMO_SELLER_ID,
)

US = "ATVPDKIKX0DER"
ORDER_ID = "112-1234567-1234567"


def _feed(order_id=ORDER_ID, item="11111111111111"):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">'
        f"<Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>{DEMO_SELLER_ID}"
        "</MerchantIdentifier></Header><MessageType>OrderAcknowledgement</MessageType>"
        f"<Message><MessageID>1</MessageID><OrderAcknowledgement><AmazonOrderID>{order_id}"
        "</AmazonOrderID><StatusCode>Failure</StatusCode><Item><AmazonOrderItemCode>"
        f"{item}</AmazonOrderItemCode><CancelReason>NoInventory</CancelReason></Item>"
        "</OrderAcknowledgement></Message></AmazonEnvelope>"
    ).encode()


def seed_seller_and_order(emulator):
    """The demo seller with one order of two mugs: what every client test starts from."""
    emulator.add_seller()
    emulator.add_order(
        DEMO_SELLER_ID,
        ORDER_ID,
        US,
        items=[
            {
                "order_item_id": "11111111111111",
                "sku": "MUG-1",
                "quantity": 2,
                "prices": {"Principal": Decimal("20.00"), "Tax": Decimal("1.60")},
            }
        ],
    )


@pytest.fixture
def emulator(clock):
    with Emulator(clock=clock, feed_delay=60, report_delay=60) as emulator:
        seed_seller_and_order(emulator)
        yield emulator


def _connection(emulator, **values):
    return Connection(
        **{
            "seller_id": DEMO_SELLER_ID,
            "marketplace_id": US,
            "endpoint": emulator.url,
            "lwa_url": emulator.lwa_url,
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
            "refresh_token": DEMO_REFRESH_TOKEN,
            "timeout": 5.0,
            **values,
        }
    )


@pytest.fixture
def client(emulator, clock):
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    return AmazonClient(_connection(emulator), limiter=limiter, max_wait=float("inf"))


def _submit(client, feed_type, content):
    """Upload a feed document and create its feed, as a batch does: (document id, feed id)."""
    document_id = client.create_feed_document(content)
    return document_id, client.create_feed(feed_type, document_id)


def _operations(emulator):
    return [(method, path) for method, path, _query, _status in emulator.requests]


def test_check_connection(client, emulator):
    assert client.check_connection() is True
    assert ("GET", "/feeds/2021-06-30/feeds") in _operations(emulator)


def test_feed_round_trip(client, emulator):
    document_id, feed_id = _submit(client, const.FEED_ACKNOWLEDGEMENT, _feed())
    assert emulator.feed_documents[document_id] == _feed()
    assert client.get_feed(feed_id).status in ("IN_QUEUE", "IN_PROGRESS")
    emulator.process_feeds()
    info = client.get_feed(feed_id)
    assert info.status == const.FEED_DONE
    report = parse_processing_report(client.download_feed_result(info.result_document_id))
    assert report.processed == 1
    assert report.outcome(1)[0] == "ok"
    assert emulator.orders[ORDER_ID].items["11111111111111"].quantity_cancelled == 2


def test_feed_errors_reported_by_message(client, emulator):
    _document_id, feed_id = _submit(
        client, const.FEED_ACKNOWLEDGEMENT, _feed(order_id="112-0000000-0000000")
    )
    emulator.process_feeds()
    info = client.get_feed(feed_id)
    report = parse_processing_report(client.download_feed_result(info.result_document_id))
    status, code, text = report.outcome(1)
    assert status == "error" and code and text


def test_get_feeds_finds_a_feed_created_since(client, emulator, clock):
    before = emulator.now() - timedelta(seconds=1)
    _document_id, feed_id = _submit(client, const.FEED_ACKNOWLEDGEMENT, _feed())
    feeds = client.get_feeds(const.FEED_ACKNOWLEDGEMENT, created_since=before)
    assert [feed.feed_id for feed in feeds] == [feed_id]
    assert client.get_feeds(const.FEED_ADJUSTMENT, created_since=before) == []


def test_report_download(client, emulator):
    emulator.add_return(ORDER_ID, [{"sku": "MUG-1", "quantity": 1}], rma_id="DQ1RMA0001")
    start = emulator.now() - timedelta(days=2)
    report_id = client.request_report(const.REPORT_RETURNS_FLAT, start, emulator.now())
    emulator.process_reports()
    info = client.get_report(report_id)
    assert info.status == const.REPORT_DONE and info.document_id
    target = io.BytesIO()
    client.download_report(info.document_id, target, info.report_type)
    text = target.getvalue().decode()
    assert "DQ1RMA0001" in text and ORDER_ID in text


def test_gzipped_report_is_inflated(client, emulator):
    emulator.report_compression = "GZIP"
    report_id = client.request_report(const.REPORT_ORDERS_SHIPPING)
    emulator.process_reports()
    target = io.BytesIO()
    client.download_report(client.get_report(report_id).document_id, target)
    assert ORDER_ID in target.getvalue().decode()
    with pytest.raises(gzip.BadGzipFile):
        gzip.decompress(target.getvalue())


def test_restricted_report_uses_a_restricted_data_token(client, emulator):
    report_id = client.request_report(const.REPORT_ORDERS_UNSHIPPED)
    emulator.process_reports()
    info = client.get_report(report_id)
    target = io.BytesIO()
    client.download_report(info.document_id, target, const.REPORT_ORDERS_UNSHIPPED)
    assert ORDER_ID in target.getvalue().decode()
    assert ("POST", "/tokens/2021-03-01/restrictedDataToken") in _operations(emulator)


def test_restricted_report_without_token_is_refused(client, emulator):
    report_id = client.request_report(const.REPORT_ORDERS_UNSHIPPED)
    emulator.process_reports()
    with pytest.raises(PermanentError) as error:
        client.download_report(client.get_report(report_id).document_id, io.BytesIO())
    assert error.value.status == 403


def test_buyer_cancellations_from_the_orders_api(client, emulator):
    emulator.request_buyer_cancel(ORDER_ID, "Ordered by mistake")
    # Amazon's search stops two minutes before now unless told otherwise.
    emulator.advance(121)
    since = emulator.now() - timedelta(days=3)
    found = client.buyer_cancellations(since)
    assert [(c.order_id, c.order_item_ids, c.reason) for c in found] == [
        (ORDER_ID, ("11111111111111",), "Ordered by mistake")
    ]


def test_order_without_cancellation_request(client, emulator):
    assert client.buyer_cancellations(emulator.now() - timedelta(days=3)) == []


def test_burst_of_30_feeds_never_throttled(client, emulator, clock):
    for _ in range(30):
        _submit(client, const.FEED_ACKNOWLEDGEMENT, _feed())
    assert emulator.throttled_count == 0
    created = [path for method, path in _operations(emulator) if path.endswith("/feeds")]
    assert len(created) == 30
    # 15 createFeed calls go at once; the 16th waits for a token (one every ~120 s).
    long_waits = [seconds for seconds in clock.sleeps if seconds > 60]
    assert len(long_waits) == 15
    assert long_waits[0] == pytest.approx(1 / 0.0083, rel=0.1)


def test_throttled_call_says_when_to_come_back(emulator, clock):
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    client = AmazonClient(_connection(emulator), limiter=limiter, max_wait=0)
    emulator.inject("createFeed", status=429)
    document_id = client.create_feed_document(_feed())
    with pytest.raises(ThrottledError) as error:
        client.create_feed(const.FEED_ACKNOWLEDGEMENT, document_id)
    assert error.value.retry_after >= 1 / 0.0083
    # The bucket is empty now: the next call is held back on our side, not sent to Amazon.
    calls = len(emulator.requests)
    with pytest.raises(ThrottledError):
        client.create_feed(const.FEED_ACKNOWLEDGEMENT, document_id)
    assert len(emulator.requests) == calls
    clock.now += error.value.retry_after
    assert client.create_feed(const.FEED_ACKNOWLEDGEMENT, document_id)


def test_rate_follows_amazons_header(client, emulator):
    client.get_feed(_submit(client, const.FEED_ACKNOWLEDGEMENT, _feed())[1])
    bucket = client.limiter._buckets[(client.connection.limiter_key, "getFeed")]
    assert bucket.rate == 2.0


def test_reserved_token_is_spent_by_the_call_or_given_back(emulator, clock):
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    client = AmazonClient(_connection(emulator), limiter=limiter, max_wait=0)
    document_id = client.create_feed_document(_feed())
    for _ in range(14):
        client.create_feed(const.FEED_ACKNOWLEDGEMENT, document_id)
    client.reserve_feed_submission()
    # The last token of the burst is ours: a call without it is refused before reaching Amazon.
    with pytest.raises(ThrottledError):
        AmazonClient(_connection(emulator), limiter=limiter, max_wait=0).create_feed(
            const.FEED_ACKNOWLEDGEMENT, document_id
        )
    client.unreserve_feed_submission()
    client.reserve_feed_submission()
    assert client.create_feed(const.FEED_ACKNOWLEDGEMENT, document_id)
    # Spent by the call: the next one has to wait for the bucket.
    with pytest.raises(ThrottledError):
        client.create_feed(const.FEED_ACKNOWLEDGEMENT, document_id)
    assert len([path for _method, path in _operations(emulator) if path.endswith("/feeds")]) == 15
    assert emulator.throttled_count == 0


def test_scaled_quotas_on_both_sides_stay_within_the_burst_and_rate(clock):
    """At 60 times Amazon's pace a createFeed token comes every two seconds, not two minutes."""
    with Emulator(clock=clock, rate_scale=60) as emulator:
        emulator.add_seller()
        limiter = RateLimiter(clock=clock, sleep=clock.sleep, rate_scale=60)
        client = AmazonClient(_connection(emulator), limiter=limiter, max_wait=5)
        document_id = client.create_feed_document(_feed())
        for _ in range(20):
            client.create_feed(const.FEED_ACKNOWLEDGEMENT, document_id)
        assert emulator.throttled_count == 0
        waits = [seconds for seconds in clock.sleeps if seconds > 0]
        assert len(waits) == 5
        assert waits[0] == pytest.approx(1.05 / (0.0083 * 60), rel=0.01)
        # The answers still announce Amazon's rate, which the limiter scales itself.
        assert limiter._buckets[(client.connection.limiter_key, "createFeed")].rate == (
            pytest.approx(0.0083 * 60)
        )


def test_unscaled_emulator_throttles_a_scaled_client(clock):
    with Emulator(clock=clock) as emulator:
        emulator.add_seller()
        limiter = RateLimiter(clock=clock, sleep=clock.sleep, rate_scale=60)
        client = AmazonClient(_connection(emulator), limiter=limiter, max_wait=5)
        document_id = client.create_feed_document(_feed())
        with pytest.raises(ThrottledError):
            for _ in range(20):
                client.create_feed(const.FEED_ACKNOWLEDGEMENT, document_id)
        assert emulator.throttled_count == 1


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retryable(client, emulator, status):
    emulator.inject("getFeeds", status=status)
    with pytest.raises(RetryableError) as error:
        client.get_feeds(const.FEED_ADJUSTMENT)
    assert not isinstance(error.value, PermanentError)


def test_non_json_error_page_is_retryable(client, emulator):
    emulator.inject("getFeeds", status=502, non_json=True)
    with pytest.raises(RetryableError) as error:
        client.get_feeds(const.FEED_ADJUSTMENT)
    assert error.value.status == 502


def test_bad_request_is_permanent_with_amazons_code(client, emulator):
    with pytest.raises(PermanentError) as error:
        client.create_feed(const.FEED_ACKNOWLEDGEMENT, "never-uploaded")
    assert error.value.status == 400
    assert error.value.code == "InvalidInput"


def test_timeout_is_retryable(emulator, clock):
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    client = AmazonClient(_connection(emulator, timeout=0.3), limiter=limiter)
    emulator.inject_timeout("getFeeds", 1.0)
    with pytest.raises(RetryableError, match="did not answer in time"):
        client.get_feeds(const.FEED_ADJUSTMENT)


def test_unreachable_amazon_is_retryable(emulator, clock):
    connection = _connection(emulator, endpoint="http://127.0.0.1:9", lwa_url=emulator.lwa_url)
    client = AmazonClient(connection, limiter=RateLimiter(clock=clock, sleep=clock.sleep))
    with pytest.raises(RetryableError) as error:
        client.get_feeds(const.FEED_ADJUSTMENT)
    assert str(error.value) == "Cannot reach http://127.0.0.1:9: check the SP-API address"


def test_unreachable_token_address_is_named(emulator, clock):
    connection = _connection(emulator, lwa_url="http://127.0.0.1:9/auth/o2/token")
    client = AmazonClient(connection, limiter=RateLimiter(clock=clock, sleep=clock.sleep))
    with pytest.raises(RetryableError) as error:
        client.get_feeds(const.FEED_ADJUSTMENT)
    assert str(error.value) == "Cannot reach http://127.0.0.1:9: check the LWA token address"


def test_wrong_credentials_are_permanent(emulator, clock):
    connection = _connection(emulator, client_secret="wrong", refresh_token="Atzr|other-token")
    client = AmazonClient(connection, limiter=RateLimiter(clock=clock, sleep=clock.sleep))
    with pytest.raises(PermanentError, match="refused the account's credentials"):
        client.check_connection()


def test_missing_id_in_a_success_is_an_error(client, monkeypatch):
    monkeypatch.setattr(
        client_module._Feeds, "create_feed", lambda self, *args, **kwargs: ApiResponse(payload={})
    )
    with pytest.raises(RetryableError, match="no feedId"):
        client.create_feed(const.FEED_ACKNOWLEDGEMENT, "doc-1")


def test_default_marketplace_override_is_ignored(emulator, clock, monkeypatch):
    monkeypatch.setenv("SP_API_DEFAULT_MARKETPLACE", "DE")
    client = AmazonClient(
        _connection(emulator), limiter=RateLimiter(clock=clock, sleep=clock.sleep)
    )
    client.get_feeds(const.FEED_ADJUSTMENT)
    _method, _path, query, status = emulator.requests[-1]
    assert status == 200
    assert query["marketplaceIds"] == [US]


def test_credentials_never_logged(client, emulator, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("sp_api.base.client", "sp_api.auth.access_token_client"):
        caplog.set_level(logging.DEBUG, logger=name)
    _document_id, feed_id = _submit(client, const.FEED_ACKNOWLEDGEMENT, _feed())
    client.get_feed(feed_id)
    client.restricted_data_token([{"method": "GET", "path": "/orders/v0/orders"}])
    text = caplog.text
    assert "Request Headers" in text
    for secret in (
        DEMO_CLIENT_SECRET,
        DEMO_REFRESH_TOKEN,
        emulator.access_token_for(DEMO_SELLER_ID),
    ):
        assert secret not in text
    assert DEMO_CLIENT_SECRET not in repr(client.connection)


def test_time_is_sent_in_utc(client, emulator):
    local = datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    client.request_report(const.REPORT_RETURNS_FLAT, local, local + timedelta(days=1))
    report = next(iter(emulator.reports.values()))
    assert report.data_start == datetime(2026, 1, 1, 10, 0, tzinfo=timezone.utc)
