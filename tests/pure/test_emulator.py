"""The SP-API emulator over real HTTP: contract (Amazon's models), feed processing, faults, limits.

Response bodies are validated against the response schemas of Amazon's OpenAPI models with
`jsonschema` (a test dependency), strictly: a property the model does not declare is an error.
"""

import copy
import gzip
import json
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from lxml import etree

from spapi_emulator import FEED_ERRORS, Emulator, amazon, seeded_emulator

REPO_ROOT = Path(__file__).resolve().parents[2]
SELLER = "A1TESTSELLER01"
OTHER_SELLER = "A1OTHERSELLER1"
CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "test-secret"
REFRESH_TOKEN = "Atzr|test-refresh"
US = "ATVPDKIKX0DER"
UNSHIPPED = "111-0000001-0000001"
SHIPPED = "111-0000002-0000002"
PARTIAL = "111-0000003-0000003"
AMAZON_FULFILLED = "111-0000004-0000004"
ELSEWHERE = "111-0000009-0000009"
FEEDS_PATH = "/feeds/2021-06-30/feeds"
DOCUMENTS_PATH = "/feeds/2021-06-30/documents"
REPORTS_PATH = "/reports/2021-06-30/reports"
ORDERS_PATH = "/orders/2026-01-01/orders"
FEED_CONTENT_TYPE = "text/xml; charset=UTF-8"


def _prices(principal, shipping="0.00", tax="0.00", shipping_tax="0.00"):
    return {
        "Principal": Decimal(principal),
        "Shipping": Decimal(shipping),
        "Tax": Decimal(tax),
        "ShippingTax": Decimal(shipping_tax),
    }


def _seed(emulator):
    emulator.add_seller(SELLER, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
    emulator.add_seller(OTHER_SELLER, CLIENT_ID, CLIENT_SECRET, "Atzr|other-refresh")
    now = emulator.now()
    emulator.add_order(
        SELLER,
        UNSHIPPED,
        US,
        [
            {
                "order_item_id": "10000000000001",
                "sku": "MUG-RED",
                "quantity": 3,
                "prices": _prices("30.00", "5.00", "2.40", "0.40"),
            },
            {"order_item_id": "10000000000002", "sku": "BOOK", "prices": _prices("8.00")},
        ],
        purchase_date=now - timedelta(days=1),
    )
    emulator.add_order(
        SELLER,
        SHIPPED,
        US,
        [
            {
                "order_item_id": "20000000000001",
                "sku": "SHIRT-M",
                "asin": "B0SHIRT001",
                "title": "Shirt, size M",
                "quantity": 2,
                "quantity_shipped": 2,
                "prices": _prices("40.00", "6.00", "3.20", "0.48"),
            }
        ],
        purchase_date=now - timedelta(days=10),
    )
    emulator.add_order(
        SELLER,
        PARTIAL,
        US,
        [
            {
                "order_item_id": "30000000000001",
                "sku": "LAMP",
                "quantity_shipped": 1,
                "prices": _prices("25.00"),
            },
            {"order_item_id": "30000000000002", "sku": "BULB", "prices": _prices("5.00")},
        ],
        purchase_date=now - timedelta(days=5),
    )
    emulator.add_order(
        SELLER,
        AMAZON_FULFILLED,
        US,
        [{"order_item_id": "40000000000001", "sku": "CABLE", "prices": _prices("9.00")}],
        purchase_date=now - timedelta(days=3),
        fulfillment_channel="AFN",
    )
    emulator.add_order(
        OTHER_SELLER,
        ELSEWHERE,
        US,
        [{"order_item_id": "90000000000001", "sku": "X", "prices": _prices("1.00")}],
        purchase_date=now - timedelta(days=2),
    )


class FrozenClock:
    """Time moves only through Emulator.advance(): deterministic delays and rate limits."""

    def __call__(self):
        return 1000.0


@pytest.fixture
def emulator():
    emulator = Emulator(clock=FrozenClock())
    _seed(emulator)
    with emulator:
        yield emulator


@pytest.fixture(scope="module")
def http():
    # One client for the module: building an httpx client costs tens of milliseconds.
    with httpx.Client(timeout=5) as client:
        yield client


class Api:
    """httpx against the emulator, signed as one seller."""

    def __init__(self, emulator, http, seller_id=SELLER):
        self.emulator = emulator
        self.http = http
        self.token = emulator.access_token_for(seller_id)

    def as_seller(self, seller_id):
        return Api(self.emulator, self.http, seller_id)

    def call(self, method, path, token=None, **options):
        headers = {"x-amz-access-token": token or self.token}
        return self.http.request(method, self.emulator.url + path, headers=headers, **options)

    def get(self, path, token=None, **params):
        return self.call("GET", path, token, params=params)

    def post(self, path, body):
        return self.call("POST", path, json=body)

    def delete(self, path):
        return self.call("DELETE", path)

    def fetch(self, url):
        """A presigned document URL: no access token."""
        return self.http.get(url)

    def upload(self, xml, content_type=FEED_CONTENT_TYPE):
        """createFeedDocument, then the PUT to the returned URL; the document id."""
        created = self.post(DOCUMENTS_PATH, {"contentType": content_type})
        assert created.status_code == 201, created.text
        put = self.http.put(
            created.json()["url"], content=xml, headers={"Content-Type": content_type}
        )
        assert put.status_code == 200
        return created.json()["feedDocumentId"]

    def submit(self, feed_type, xml):
        document_id = self.upload(xml)
        response = self.post(
            FEEDS_PATH,
            {"feedType": feed_type, "marketplaceIds": [US], "inputFeedDocumentId": document_id},
        )
        assert response.status_code == 202, response.text
        return response.json()["feedId"]

    def feed(self, feed_id):
        response = self.get(f"{FEEDS_PATH}/{feed_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def processing_report(self, feed_id):
        """The feed's processing report, downloaded and gunzipped, as an lxml root."""
        feed = self.feed(feed_id)
        assert feed["processingStatus"] == "DONE"
        document = self.get(f"{DOCUMENTS_PATH}/{feed['resultFeedDocumentId']}").json()
        assert document["compressionAlgorithm"] == "GZIP"
        return etree.fromstring(gzip.decompress(self.fetch(document["url"]).content))

    def report_text(self, report_type, token=None, **body):
        """createReport, getReport until DONE, getReportDocument and download: the text."""
        body = {"reportType": report_type, "marketplaceIds": [US], **body}
        created = self.post(REPORTS_PATH, body)
        assert created.status_code == 202, created.text
        report = self.get(f"{REPORTS_PATH}/{created.json()['reportId']}").json()
        assert report["processingStatus"] == "DONE", report
        document = self.get(f"/reports/2021-06-30/documents/{report['reportDocumentId']}", token)
        assert document.status_code == 200, document.text
        download = self.fetch(document.json()["url"])
        content = download.content
        if document.json().get("compressionAlgorithm") == "GZIP":
            content = gzip.decompress(content)
        return content.decode(download.charset_encoding or "utf-8")


@pytest.fixture
def api(emulator, http):
    return Api(emulator, http)


# Feed documents ------------------------------------------------------------------------------


def envelope(message_type, *messages, merchant=SELLER):
    body = "".join(messages)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">'
        f"<Header><DocumentVersion>1.01</DocumentVersion>"
        f"<MerchantIdentifier>{merchant}</MerchantIdentifier></Header>"
        f"<MessageType>{message_type}</MessageType>{body}</AmazonEnvelope>"
    ).encode()


def adjustment(message_id, order_id, *items):
    """items: (item code, reason, {component: amount}, quantity cancelled, our reference)."""
    parts = []
    for item_id, reason, amounts, cancelled, reference in items:
        components = "".join(
            f'<Component><Type>{kind}</Type><Amount currency="USD">{amount}</Amount></Component>'
            for kind, amount in amounts.items()
        )
        prices = f"<ItemPriceAdjustments>{components}</ItemPriceAdjustments>" if amounts else ""
        quantity = f"<QuantityCancelled>{cancelled}</QuantityCancelled>" if cancelled else ""
        parts.append(
            f"<AdjustedItem><AmazonOrderItemCode>{item_id}</AmazonOrderItemCode>"
            f"<MerchantAdjustmentItemID>{reference}</MerchantAdjustmentItemID>"
            f"<AdjustmentReason>{reason}</AdjustmentReason>{prices}{quantity}</AdjustedItem>"
        )
    return (
        f"<Message><MessageID>{message_id}</MessageID><OrderAdjustment>"
        f"<AmazonOrderID>{order_id}</AmazonOrderID>{''.join(parts)}</OrderAdjustment></Message>"
    )


def refund(message_id, order_id, item_id, amounts, reference="REF-1", reason="CustomerReturn"):
    return adjustment(message_id, order_id, (item_id, reason, amounts, 0, reference))


def acknowledgement(message_id, order_id, *items, status="Failure"):
    lines = "".join(
        f"<Item><AmazonOrderItemCode>{item_id}</AmazonOrderItemCode>"
        f"<CancelReason>{reason}</CancelReason></Item>"
        for item_id, reason in items
    )
    return (
        f"<Message><MessageID>{message_id}</MessageID><OrderAcknowledgement>"
        f"<AmazonOrderID>{order_id}</AmazonOrderID><StatusCode>{status}</StatusCode>{lines}"
        "</OrderAcknowledgement></Message>"
    )


def results(report):
    """MessageID -> [(ResultMessageCode, ResultDescription)] of a processing report."""
    found = {}
    for result in report.iter("Result"):
        found.setdefault(result.findtext("MessageID"), []).append(
            (int(result.findtext("ResultMessageCode")), result.findtext("ResultDescription"))
        )
    return found


def summary(report):
    node = report.find(".//ProcessingSummary")
    return {child.tag: int(child.text) for child in node}


def code(key):
    return FEED_ERRORS[key][0]


# Contract with Amazon's models -----------------------------------------------------------------


@pytest.fixture(scope="session")
def models(request):
    """Amazon's models as contracts; None without the shared folder: then only contracts skip."""
    try:
        directory = request.getfixturevalue("spapi_models_dir")
    except pytest.skip.Exception:
        return None
    jsonschema = pytest.importorskip("jsonschema")
    names = (
        "feeds_2021-06-30",
        "reports_2021-06-30",
        "tokens_2021-03-01",
        "orders_2026-01-01",
        "ordersV0",
    )
    return {
        name: Contract(json.loads((directory / f"{name}.json").read_text()), jsonschema)
        for name in names
    }


class Contract:
    """One OpenAPI model, its definitions made strict: an undeclared property fails."""

    def __init__(self, model, jsonschema):
        self.model = model
        self.definitions = _strict(copy.deepcopy(model["definitions"]))
        self.jsonschema = jsonschema
        self.checker = jsonschema.FormatChecker()
        self.checker.checks("date-time", raises=ValueError)(_date_time)

    def validate(self, ref, body):
        schema = {"$ref": ref, "definitions": self.definitions}
        self.jsonschema.Draft4Validator(schema, format_checker=self.checker).validate(body)


def _date_time(value):
    if isinstance(value, str):
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def _strict(node):
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _strict(value)
    elif isinstance(node, list):
        for value in node:
            _strict(value)
    return node


def check_contract(models, model_name, path, response):
    """Validate a response against the model's schema for its path, method and status."""
    if models is None:
        return response.json() if response.content else None
    contract = models[model_name]
    method = response.request.method.lower()
    spec = contract.model["paths"][path][method]["responses"][str(response.status_code)]
    if "schema" not in spec:
        assert response.content in (b"", b"{}")
        return None
    body = response.json()
    contract.validate(spec["schema"]["$ref"], body)
    if "x-amzn-RateLimit-Limit" in spec.get("headers", {}) and response.status_code < 400:
        assert response.headers["x-amzn-RateLimit-Limit"]
    return body


# LWA and tokens --------------------------------------------------------------------------------


def _lwa(emulator, **overrides):
    form = {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
    }
    return httpx.post(emulator.lwa_url, data=form | overrides)


def test_lwa_issues_a_bearer_token_that_opens_the_api(emulator):
    answer = _lwa(emulator)
    assert answer.status_code == 200
    token = answer.json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 3600
    assert token["refresh_token"] == REFRESH_TOKEN
    feeds = httpx.get(
        emulator.url + FEEDS_PATH,
        params={"feedTypes": amazon.FEED_ADJUSTMENT},
        headers={"x-amz-access-token": token["access_token"]},
    )
    assert feeds.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "amzn1.application-oa2-client.unknown"}, 401, "invalid_client"),
        ({"refresh_token": "Atzr|revoked"}, 400, "invalid_grant"),
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
    ],
)
def test_lwa_refuses_bad_credentials_like_lwa(emulator, overrides, status, error):
    answer = _lwa(emulator, **overrides)
    assert answer.status_code == status
    assert answer.json()["error"] == error
    assert answer.json()["error_description"]


@pytest.mark.parametrize("token", [None, "Atza|forged"])
def test_calls_without_a_valid_token_get_403(emulator, models, token):
    headers = {"x-amz-access-token": token} if token else {}
    answer = httpx.get(
        emulator.url + FEEDS_PATH, params={"feedTypes": amazon.FEED_ADJUSTMENT}, headers=headers
    )
    assert answer.status_code == 403
    body = check_contract(models, "feeds_2021-06-30", FEEDS_PATH, answer)
    assert body["errors"][0]["code"] == "Unauthorized"
    assert body["errors"][0]["message"] == "Access to requested resource is denied."


def test_expired_access_token_is_refused_and_a_new_one_works(emulator, api):
    emulator.expire_access_tokens()
    answer = api.get(FEEDS_PATH, feedTypes=amazon.FEED_ADJUSTMENT)
    assert answer.status_code == 403
    assert "expired" in answer.json()["errors"][0]["details"]
    assert _lwa(emulator).json()["access_token"] == emulator.access_token_for(SELLER)


def test_restricted_data_token_shape(emulator, api, models):
    path = "/tokens/2021-03-01/restrictedDataToken"
    answer = api.post(
        path,
        {"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders/{orderId}"}]},
    )
    body = check_contract(models, "tokens_2021-03-01", path, answer)
    assert body["expiresIn"] == 3600
    refused = api.post(path, {"restrictedResources": [{"method": "GET", "path": FEEDS_PATH}]})
    assert refused.status_code == 400
    check_contract(models, "tokens_2021-03-01", path, refused)


# Feeds: the happy path and the model ------------------------------------------------------------


def test_feed_round_trip_matches_the_model(emulator, api, models):
    model = "feeds_2021-06-30"
    created = api.post(DOCUMENTS_PATH, {"contentType": FEED_CONTENT_TYPE})
    document = check_contract(models, model, DOCUMENTS_PATH, created)
    assert document["url"].startswith(emulator.url)
    xml = envelope("OrderAdjustment", refund(1, SHIPPED, "20000000000001", {"Principal": "10.00"}))
    assert api.http.put(document["url"], content=xml).status_code == 200
    assert emulator.feed_documents[document["feedDocumentId"]] == xml

    answer = api.post(
        FEEDS_PATH,
        {
            "feedType": amazon.FEED_ADJUSTMENT,
            "marketplaceIds": [US],
            "inputFeedDocumentId": document["feedDocumentId"],
        },
    )
    feed_id = check_contract(models, model, FEEDS_PATH, answer)["feedId"]
    feed = check_contract(
        models, model, FEEDS_PATH + "/{feedId}", api.get(f"{FEEDS_PATH}/{feed_id}")
    )
    assert feed["processingStatus"] == "DONE"
    assert feed["feedType"] == amazon.FEED_ADJUSTMENT
    assert feed["marketplaceIds"] == [US]
    for stamp in ("createdTime", "processingStartTime", "processingEndTime"):
        assert stamp in feed

    result = api.get(f"{DOCUMENTS_PATH}/{feed['resultFeedDocumentId']}")
    info = check_contract(models, model, DOCUMENTS_PATH + "/{feedDocumentId}", result)
    assert info["compressionAlgorithm"] == "GZIP"
    raw = api.fetch(info["url"]).content
    assert raw[:2] == b"\x1f\x8b"
    report = etree.fromstring(gzip.decompress(raw))
    assert report.findtext(".//DocumentTransactionID") == feed_id
    assert report.findtext(".//StatusCode") == "Complete"
    assert summary(report) == {
        "MessagesProcessed": 1,
        "MessagesSuccessful": 1,
        "MessagesWithError": 0,
        "MessagesWithWarning": 0,
    }


def test_processing_report_is_valid_against_amazons_schema(api, xsd_dir):
    xml = envelope(
        "OrderAdjustment",
        refund(1, SHIPPED, "20000000000001", {"Principal": "10.00"}),
        refund(2, "111-9999999-9999999", "20000000000001", {"Principal": "1.00"}),
    )
    report = api.processing_report(api.submit(amazon.FEED_ADJUSTMENT, xml))
    schema = etree.XMLSchema(etree.parse(str(xsd_dir / "ProcessingReport.xsd")))
    processing_report = report.find(".//ProcessingReport")
    schema.assertValid(etree.ElementTree(copy.deepcopy(processing_report)))


def test_get_feeds_filters_pages_and_follows_the_model(emulator, api, models):
    model = "feeds_2021-06-30"
    xml = envelope("OrderAcknowledgement", acknowledgement(1, UNSHIPPED, status="Success"))
    created = [api.submit(amazon.FEED_ACKNOWLEDGEMENT, xml) for _ in range(3)]
    api.submit(
        amazon.FEED_ADJUSTMENT,
        envelope("OrderAdjustment", refund(1, SHIPPED, "20000000000001", {"Principal": "1.00"})),
    )
    first = check_contract(
        models,
        model,
        FEEDS_PATH,
        api.get(FEEDS_PATH, feedTypes=amazon.FEED_ACKNOWLEDGEMENT, pageSize=2),
    )
    assert len(first["feeds"]) == 2
    second = check_contract(
        models, model, FEEDS_PATH, api.get(FEEDS_PATH, nextToken=first["nextToken"])
    )
    assert "nextToken" not in second
    listed = [feed["feedId"] for feed in first["feeds"] + second["feeds"]]
    assert sorted(listed) == sorted(created)
    # The model's Feed has no inputFeedDocumentId: a lost feed id is found by time and type.
    assert all("inputFeedDocumentId" not in feed for feed in first["feeds"])
    both = api.get(
        FEEDS_PATH,
        feedTypes=f"{amazon.FEED_ACKNOWLEDGEMENT},{amazon.FEED_ADJUSTMENT}",
        processingStatuses="DONE",
    ).json()
    assert len(both["feeds"]) == 4
    future = (emulator.now() + timedelta(hours=1)).isoformat()
    assert api.get(FEEDS_PATH, feedTypes=amazon.FEED_ADJUSTMENT, createdSince=future).json() == {
        "feeds": []
    }
    assert api.get(FEEDS_PATH).status_code == 400
    mixed = api.get(FEEDS_PATH, nextToken="x", feedTypes=amazon.FEED_ADJUSTMENT)
    assert mixed.status_code == 400


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"feedType": "POST_PRODUCT_DATA"}, "feed type"),
        ({"marketplaceIds": ["XXXXXXXX"]}, "marketplace"),
        ({"inputFeedDocumentId": "amzn1.tortuga.4.na.unknown"}, "does not exist"),
    ],
)
def test_create_feed_rejects_bad_input(api, models, body, why):
    document_id = api.upload(envelope("OrderAdjustment", refund(1, SHIPPED, "20000000000001", {})))
    request = {
        "feedType": amazon.FEED_ADJUSTMENT,
        "marketplaceIds": [US],
        "inputFeedDocumentId": document_id,
    } | body
    answer = api.post(FEEDS_PATH, request)
    assert answer.status_code == 400
    error = check_contract(models, "feeds_2021-06-30", FEEDS_PATH, answer)["errors"][0]
    assert error["code"] == "InvalidInput"
    assert why in error["message"]


def test_create_feed_needs_the_document_uploaded_first(api):
    created = api.post(DOCUMENTS_PATH, {"contentType": FEED_CONTENT_TYPE}).json()
    answer = api.post(
        FEEDS_PATH,
        {
            "feedType": amazon.FEED_ADJUSTMENT,
            "marketplaceIds": [US],
            "inputFeedDocumentId": created["feedDocumentId"],
        },
    )
    assert answer.status_code == 400
    assert "upload" in answer.json()["errors"][0]["message"]


def test_upload_url_expires_after_five_minutes(emulator, api):
    created = api.post(DOCUMENTS_PATH, {"contentType": FEED_CONTENT_TYPE}).json()
    emulator.advance(301)
    put = api.http.put(created["url"], content=b"<x/>")
    assert put.status_code == 403
    assert b"Request has expired" in put.content


def test_feeds_of_another_seller_are_invisible(emulator, api):
    feed_id = api.submit(
        amazon.FEED_ADJUSTMENT,
        envelope("OrderAdjustment", refund(1, SHIPPED, "20000000000001", {"Principal": "1.00"})),
    )
    other = api.as_seller(OTHER_SELLER)
    assert other.get(f"{FEEDS_PATH}/{feed_id}").status_code == 404
    assert other.get(FEEDS_PATH, feedTypes=amazon.FEED_ADJUSTMENT).json() == {"feeds": []}


def test_feed_moves_through_its_statuses_with_the_delay(emulator, api):
    emulator.feed_delay = 60
    feed_id = api.submit(
        amazon.FEED_ADJUSTMENT,
        envelope("OrderAdjustment", refund(1, SHIPPED, "20000000000001", {"Principal": "1.00"})),
    )
    assert api.feed(feed_id)["processingStatus"] == "IN_QUEUE"
    emulator.advance(30)
    feed = api.feed(feed_id)
    assert feed["processingStatus"] == "IN_PROGRESS"
    assert "processingStartTime" in feed and "resultFeedDocumentId" not in feed
    assert emulator.orders[SHIPPED].items["20000000000001"].refunded == {}
    emulator.advance(30)
    feed = api.feed(feed_id)
    assert feed["processingStatus"] == "DONE"
    assert feed["resultFeedDocumentId"]
    assert emulator.orders[SHIPPED].items["20000000000001"].refunded == {
        "Principal": Decimal("1.00")
    }


def test_process_feeds_finishes_waiting_feeds_at_once(emulator, api):
    emulator.feed_delay = 3600
    feed_id = api.submit(
        amazon.FEED_ACKNOWLEDGEMENT, envelope("OrderAcknowledgement", acknowledgement(1, UNSHIPPED))
    )
    emulator.process_feeds()
    assert api.feed(feed_id)["processingStatus"] == "DONE"


def test_cancel_feed_only_while_queued(emulator, api, models):
    emulator.feed_delay = 60
    xml = envelope("OrderAcknowledgement", acknowledgement(1, UNSHIPPED))
    feed_id = api.submit(amazon.FEED_ACKNOWLEDGEMENT, xml)
    path = FEEDS_PATH + "/{feedId}"
    cancelled = api.delete(f"{FEEDS_PATH}/{feed_id}")
    assert cancelled.status_code == 200
    check_contract(models, "feeds_2021-06-30", path, cancelled)
    assert api.feed(feed_id)["processingStatus"] == "CANCELLED"
    emulator.advance(120)
    assert api.feed(feed_id)["processingStatus"] == "CANCELLED"
    assert emulator.orders[UNSHIPPED].fulfillment_status == "UNSHIPPED"

    done = api.submit(amazon.FEED_ACKNOWLEDGEMENT, xml)
    emulator.process_feeds()
    refused = api.delete(f"{FEEDS_PATH}/{done}")
    assert refused.status_code == 400
    check_contract(models, "feeds_2021-06-30", path, refused)
    assert api.delete(f"{FEEDS_PATH}/60099999999").status_code == 404


# Feeds: what Amazon accepts and refuses ----------------------------------------------------------


def test_accepted_refund_is_recorded_per_component_and_settled(emulator, api):
    xml = envelope(
        "OrderAdjustment",
        refund(
            1,
            SHIPPED,
            "20000000000001",
            {"Principal": "40.00", "Tax": "3.20", "RestockingFee": "-4.00"},
            reference="ODOO-RF-7",
        ),
    )
    feed_id = api.submit(amazon.FEED_ADJUSTMENT, xml)
    assert results(api.processing_report(feed_id)) == {}
    item = emulator.orders[SHIPPED].items["20000000000001"]
    assert item.refunded == {
        "Principal": Decimal("40.00"),
        "Tax": Decimal("3.20"),
        "RestockingFee": Decimal("-4.00"),
    }
    message = emulator.feeds[feed_id].messages[0]
    assert (message.outcome, message.amazon_order_id) == ("applied", SHIPPED)
    assert message.items[0]["merchant_adjustment_item_id"] == "ODOO-RF-7"

    [report_id] = emulator.close_settlement(SELLER)
    report = api.get(f"{REPORTS_PATH}/{report_id}").json()
    document = api.get(f"/reports/2021-06-30/documents/{report['reportDocumentId']}").json()
    lines = api.fetch(document["url"]).text.splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]
    refund_rows = {
        row["amount-description"]: row for row in rows if row["transaction-type"] == "Refund"
    }
    assert refund_rows["Principal"]["amount"] == "-40.00"
    assert refund_rows["RestockingFee"]["amount"] == "4.00"
    assert refund_rows["Commission"]["amount"] == "6.00"
    assert refund_rows["RefundCommission"]["amount"] == "-1.20"
    assert {row["merchant-adjustment-item-id"] for row in refund_rows.values()} == {"ODOO-RF-7"}
    assert rows[0]["total-amount"] == "-34.40"


def test_refunds_are_checked_against_what_is_left_per_component(emulator, api):
    first = envelope(
        "OrderAdjustment", refund(1, SHIPPED, "20000000000001", {"Principal": "30.00"})
    )
    api.processing_report(api.submit(amazon.FEED_ADJUSTMENT, first))
    second = envelope(
        "OrderAdjustment",
        refund(1, SHIPPED, "20000000000001", {"Principal": "10.01"}),
        refund(2, SHIPPED, "20000000000001", {"Shipping": "6.00", "Principal": "10.00"}),
        refund(3, SHIPPED, "20000000000001", {"Principal": "0.01"}),
    )
    found = results(api.processing_report(api.submit(amazon.FEED_ADJUSTMENT, second)))
    assert [number for number, _ in found["1"]] == [code("refund_exceeds")]
    assert "Principal" in found["1"][0][1] and "10.00" in found["1"][0][1]
    assert "2" not in found
    assert [number for number, _ in found["3"]] == [code("refund_exceeds")]
    assert emulator.orders[SHIPPED].items["20000000000001"].refunded["Principal"] == Decimal(
        "40.00"
    )


NO_SUCH_ORDER = "111-9999999-9999999"


def _case(message, error, name):
    return pytest.param(message, error, id=name)


@pytest.mark.parametrize(
    ("message", "error"),
    [
        _case(
            refund(1, NO_SUCH_ORDER, "20000000000001", {"Principal": "1.00"}),
            "order_not_found",
            "unknown order",
        ),
        _case(
            refund(1, ELSEWHERE, "90000000000001", {"Principal": "1.00"}),
            "order_not_found",
            "order of another seller",
        ),
        _case(
            refund(1, SHIPPED, "99999999999999", {"Principal": "1.00"}),
            "item_not_found",
            "unknown item",
        ),
        _case(
            refund(1, UNSHIPPED, "10000000000001", {"Principal": "1.00"}),
            "refund_unshipped",
            "refund before shipping",
        ),
        _case(
            refund(1, SHIPPED, "20000000000001", {"Principal": "-1.00"}),
            "wrong_sign",
            "negative principal",
        ),
        _case(
            refund(1, SHIPPED, "20000000000001", {"RestockingFee": "1.00"}),
            "wrong_sign",
            "positive restocking fee",
        ),
        _case(
            refund(1, SHIPPED, "20000000000001", {"GiftWrap": "1.00"}),
            "refund_exceeds",
            "component never charged",
        ),
        _case(
            refund(1, SHIPPED, "20000000000001", {"Principal": "1.00", "RestockingFee": "-2.00"}),
            "net_not_positive",
            "net not a credit",
        ),
        _case(
            adjustment(1, UNSHIPPED, ("10000000000001", "NoInventory", {}, 4, "Q-1")),
            "quantity_too_large",
            "cancel more than open",
        ),
        _case(
            adjustment(1, SHIPPED, ("20000000000001", "NoInventory", {}, 1, "Q-1")),
            "item_shipped",
            "cancel shipped quantity",
        ),
        _case(
            adjustment(1, UNSHIPPED, ("10000000000001", "CustomerReturn", {}, 1, "Q-1")),
            "cancel_reason",
            "quantity cancel with wrong reason",
        ),
        _case(
            adjustment(1, AMAZON_FULFILLED, ("40000000000001", "NoInventory", {}, 1, "Q-1")),
            "amazon_fulfilled",
            "cancel an FBA order",
        ),
    ],
)
def test_adjustment_errors(emulator, api, message, error):
    before = copy.deepcopy(emulator.orders)
    report = api.processing_report(
        api.submit(amazon.FEED_ADJUSTMENT, envelope("OrderAdjustment", message))
    )
    assert [number for number, _ in results(report)["1"]] == [code(error)]
    assert summary(report)["MessagesWithError"] == 1
    assert report.findtext(".//AdditionalInfo/AmazonOrderID")
    assert emulator.orders == before


@pytest.mark.parametrize(
    ("message", "error"),
    [
        _case(acknowledgement(1, SHIPPED), "item_shipped", "shipped order"),
        _case(acknowledgement(1, PARTIAL), "item_shipped", "partly shipped order"),
        _case(
            acknowledgement(1, PARTIAL, ("30000000000001", "NoInventory")),
            "item_shipped",
            "shipped line",
        ),
        _case(
            acknowledgement(1, UNSHIPPED, ("99999999999999", "NoInventory")),
            "item_not_found",
            "unknown line",
        ),
        _case(acknowledgement(1, NO_SUCH_ORDER), "order_not_found", "unknown order"),
        _case(acknowledgement(1, AMAZON_FULFILLED), "amazon_fulfilled", "FBA order"),
    ],
)
def test_acknowledgement_errors(emulator, api, message, error):
    before = copy.deepcopy(emulator.orders)
    feed_id = api.submit(amazon.FEED_ACKNOWLEDGEMENT, envelope("OrderAcknowledgement", message))
    assert [number for number, _ in results(api.processing_report(feed_id))["1"]] == [code(error)]
    assert emulator.orders == before


def test_cancellations_apply_per_line_and_quantity(emulator, api):
    xml = envelope(
        "OrderAdjustment",
        adjustment(
            1,
            UNSHIPPED,
            ("10000000000001", "NoInventory", {"Principal": "10.00", "Tax": "0.80"}, 1, "C-1"),
        ),
    )
    assert results(api.processing_report(api.submit(amazon.FEED_ADJUSTMENT, xml))) == {}
    line = emulator.orders[UNSHIPPED].items["10000000000001"]
    assert (line.quantity_cancelled, line.quantity_unshipped) == (1, 2)
    assert line.refunded == {"Principal": Decimal("10.00"), "Tax": Decimal("0.80")}

    cancel_book = envelope(
        "OrderAcknowledgement", acknowledgement(1, UNSHIPPED, ("10000000000002", "BuyerCanceled"))
    )
    api.processing_report(api.submit(amazon.FEED_ACKNOWLEDGEMENT, cancel_book))
    book = emulator.orders[UNSHIPPED].items["10000000000002"]
    assert (book.quantity_cancelled, book.cancelled_by, book.cancel_reason) == (
        1,
        "MERCHANT",
        "BuyerCanceled",
    )
    again = results(api.processing_report(api.submit(amazon.FEED_ACKNOWLEDGEMENT, cancel_book)))
    assert [number for number, _ in again["1"]] == [code("item_cancelled")]

    whole = envelope("OrderAcknowledgement", acknowledgement(1, UNSHIPPED))
    assert results(api.processing_report(api.submit(amazon.FEED_ACKNOWLEDGEMENT, whole))) == {}
    assert emulator.orders[UNSHIPPED].fulfillment_status == "CANCELLED"
    assert line.quantity_cancelled == 3


def test_one_bad_message_does_not_fail_the_others(emulator, api):
    xml = envelope(
        "OrderAdjustment",
        refund(1, SHIPPED, "20000000000001", {"Principal": "5.00"}),
        refund(2, SHIPPED, "99999999999999", {"Principal": "5.00"}),
        refund(3, PARTIAL, "30000000000001", {"Principal": "5.00"}),
    )
    feed_id = api.submit(amazon.FEED_ADJUSTMENT, xml)
    report = api.processing_report(feed_id)
    assert list(results(report)) == ["2"]
    assert summary(report)["MessagesSuccessful"] == 2
    outcomes = [message.outcome for message in emulator.feeds[feed_id].messages]
    assert outcomes == ["applied", "error", "applied"]


@pytest.mark.parametrize(
    ("document", "error"),
    [
        _case(b"<AmazonEnvelope><Header>", "xml_fatal", "truncated"),
        _case(
            envelope("OrderAcknowledgement", acknowledgement(1, UNSHIPPED)),
            "xml_invalid",
            "message type of another feed",
        ),
        _case(
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "boom">]>'
            + envelope(
                "OrderAdjustment", refund(1, SHIPPED, "20000000000001", {"Principal": "&x;"})
            )[len(b'<?xml version="1.0" encoding="UTF-8"?>\n') :],
            "xml_fatal",
            "entity declarations",
        ),
    ],
)
def test_unusable_documents_fail_as_a_whole(emulator, api, document, error):
    report = api.processing_report(api.submit(amazon.FEED_ADJUSTMENT, document))
    assert [number for number, _ in results(report)["0"]] == [code(error)]
    assert summary(report)["MessagesProcessed"] == 0
    assert emulator.orders[SHIPPED].items["20000000000001"].refunded == {}


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(
            refund(1, SHIPPED, "20000000000001", {"Principal": "1.005"}), id="three decimals"
        ),
        pytest.param(refund(1, SHIPPED, "20000000000001", {"Principal": "ten"}), id="not a number"),
        pytest.param(refund(1, SHIPPED, "20000000000001", {"Bonus": "1.00"}), id="unknown type"),
        pytest.param(
            refund(1, SHIPPED, "20000000000001", {"Principal": "1.00"}, reason="Whim"),
            id="unknown reason",
        ),
        pytest.param(
            f"<Message><MessageID>1</MessageID><OrderAdjustment><AmazonOrderID>{SHIPPED}"
            "</AmazonOrderID></OrderAdjustment></Message>",
            id="no adjusted item",
        ),
        pytest.param("<Message><MessageID>x</MessageID></Message>", id="bad message id"),
    ],
)
def test_messages_that_break_the_schema_get_5000(api, broken):
    xml = envelope(
        "OrderAdjustment", broken, refund(2, SHIPPED, "20000000000001", {"Principal": "1.00"})
    )
    found = results(api.processing_report(api.submit(amazon.FEED_ADJUSTMENT, xml)))
    assert [number for errors in found.values() for number, _ in errors] == [code("xml_invalid")]
    assert "2" not in found


# Feeds: injected outcomes ----------------------------------------------------------------------


def test_fatal_feed_applies_nothing_and_has_no_report(emulator, api):
    emulator.next_feed_outcome = "FATAL"
    xml = envelope(
        "OrderAdjustment",
        refund(1, SHIPPED, "20000000000001", {"Principal": "1.00"}),
        refund(2, SHIPPED, "20000000000001", {"Principal": "1.00"}),
    )
    feed_id = api.submit(amazon.FEED_ADJUSTMENT, xml)
    feed = api.feed(feed_id)
    assert feed["processingStatus"] == "FATAL"
    assert "resultFeedDocumentId" not in feed
    assert emulator.orders[SHIPPED].items["20000000000001"].refunded == {}
    assert emulator.next_feed_outcome is None


def test_fatal_partial_feed_applies_the_first_message_only(emulator, api):
    emulator.next_feed_outcome = "FATAL_PARTIAL"
    xml = envelope(
        "OrderAdjustment",
        refund(1, SHIPPED, "20000000000001", {"Principal": "1.00"}),
        refund(2, SHIPPED, "20000000000001", {"Principal": "2.00"}),
    )
    feed_id = api.submit(amazon.FEED_ADJUSTMENT, xml)
    assert api.feed(feed_id)["processingStatus"] == "FATAL"
    assert [message.outcome for message in emulator.feeds[feed_id].messages] == [
        "applied",
        "not-applied",
    ]
    assert emulator.orders[SHIPPED].items["20000000000001"].refunded == {
        "Principal": Decimal("1.00")
    }


def test_cancelled_and_stuck_feeds(emulator, api):
    xml = envelope("OrderAcknowledgement", acknowledgement(1, UNSHIPPED))
    emulator.next_feed_outcome = "CANCELLED"
    cancelled = api.submit(amazon.FEED_ACKNOWLEDGEMENT, xml)
    emulator.next_feed_outcome = "STUCK"
    stuck = api.submit(amazon.FEED_ACKNOWLEDGEMENT, xml)
    emulator.advance(86_400)
    emulator.process_feeds()
    assert api.feed(cancelled)["processingStatus"] == "CANCELLED"
    assert api.feed(stuck)["processingStatus"] == "IN_PROGRESS"
    assert emulator.orders[UNSHIPPED].fulfillment_status == "UNSHIPPED"


def test_malformed_processing_report(emulator, api):
    emulator.malformed_report = True
    feed_id = api.submit(
        amazon.FEED_ADJUSTMENT,
        envelope("OrderAdjustment", refund(1, SHIPPED, "20000000000001", {"Principal": "1.00"})),
    )
    with pytest.raises(etree.XMLSyntaxError):
        api.processing_report(feed_id)


# Faults and rate limits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code_name"),
    [(500, "InternalFailure"), (503, "ServiceUnavailable"), (429, "QuotaExceeded")],
)
def test_injected_errors_are_json_error_lists(emulator, api, models, status, code_name):
    emulator.inject("getFeeds", status=status, times=2)
    for _ in range(2):
        answer = api.get(FEEDS_PATH, feedTypes=amazon.FEED_ADJUSTMENT)
        assert answer.status_code == status
        body = check_contract(models, "feeds_2021-06-30", FEEDS_PATH, answer)
        assert body["errors"][0]["code"] == code_name
    assert api.get(FEEDS_PATH, feedTypes=amazon.FEED_ADJUSTMENT).status_code == 200


def test_injected_proxy_page_is_not_json(emulator, api):
    emulator.inject("createFeedDocument", status=502, non_json=True)
    answer = api.post(DOCUMENTS_PATH, {"contentType": FEED_CONTENT_TYPE})
    assert answer.status_code == 502
    assert answer.headers["content-type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        answer.json()


def test_injected_timeout_delays_the_answer_but_does_the_work(emulator, api):
    document_id = api.upload(envelope("OrderAcknowledgement", acknowledgement(1, UNSHIPPED)))
    emulator.inject_timeout("createFeed", seconds=0.5)
    with pytest.raises(httpx.ReadTimeout):
        api.call(
            "POST",
            FEEDS_PATH,
            json={
                "feedType": amazon.FEED_ACKNOWLEDGEMENT,
                "marketplaceIds": [US],
                "inputFeedDocumentId": document_id,
            },
            timeout=0.1,
        )
    # As at Amazon, the feed exists although its id never reached the caller.
    deadline = time.monotonic() + 5
    while not emulator.feeds and time.monotonic() < deadline:
        time.sleep(0.05)
    listed = api.get(FEEDS_PATH, feedTypes=amazon.FEED_ACKNOWLEDGEMENT).json()["feeds"]
    assert len(listed) == 1


def test_create_feed_is_throttled_after_its_burst_and_recovers(emulator, api, models):
    document_id = api.upload(
        envelope("OrderAcknowledgement", acknowledgement(1, UNSHIPPED, status="Success"))
    )
    body = {
        "feedType": amazon.FEED_ACKNOWLEDGEMENT,
        "marketplaceIds": [US],
        "inputFeedDocumentId": document_id,
    }
    for _ in range(15):
        answer = api.post(FEEDS_PATH, body)
        assert answer.status_code == 202
        assert answer.headers["x-amzn-RateLimit-Limit"] == "0.0083"
    throttled = api.post(FEEDS_PATH, body)
    assert throttled.status_code == 429
    error = check_contract(models, "feeds_2021-06-30", FEEDS_PATH, throttled)["errors"][0]
    assert (error["code"], error["message"]) == (
        "QuotaExceeded",
        "You exceeded your quota for the requested resource.",
    )
    assert emulator.throttled_count == 1
    # Limits are per seller: another account still has its burst.
    other = api.as_seller(OTHER_SELLER)
    other_document = other.upload(
        envelope("OrderAcknowledgement", acknowledgement(1, ELSEWHERE, status="Success"))
    )
    assert other.post(FEEDS_PATH, body | {"inputFeedDocumentId": other_document}).status_code == 202
    emulator.advance(60)
    assert api.post(FEEDS_PATH, body).status_code == 429
    emulator.advance(61)
    assert api.post(FEEDS_PATH, body).status_code == 202
    assert emulator.throttled_count == 2
    throttled_requests = [entry for entry in emulator.requests if entry[3] == 429]
    assert throttled_requests[0][:2] == ("POST", FEEDS_PATH)


def test_rate_limits_can_be_switched_off(emulator, api):
    emulator.enforce_rate_limits = False
    for _ in range(25):
        assert api.get(FEEDS_PATH, feedTypes=amazon.FEED_ADJUSTMENT).status_code == 200


# Reports ----------------------------------------------------------------------------------------


@pytest.fixture
def returns(emulator):
    now = emulator.now()
    emulator.add_return(
        SHIPPED,
        [{"sku": "SHIRT-M", "quantity": 1, "reason": "AMZ-PG-APP-TOO-SMALL"}],
        rma_id="DfqRyqfBRRMA",
        request_date=datetime(2025, 7, 14, 9, 30, tzinfo=now.tzinfo),
        tracking_id="9202090339598363834190",
        carrier="USPS",
    )
    emulator.add_return(
        PARTIAL,
        [{"order_item_id": "30000000000001", "reason": "CR-DEFECTIVE"}],
        rma_id="RETURNLESSRMA",
        request_date=datetime(2025, 7, 20, tzinfo=now.tzinfo),
        returnless=True,
        a_to_z_claim=True,
    )
    return {"dataStartTime": "2025-07-01T00:00:00Z", "dataEndTime": "2025-08-01T00:00:00Z"}


def _rows(text):
    lines = text.splitlines()
    header = lines[0].split("\t")
    return header, [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def test_returns_flat_file(api, returns):
    header, rows = _rows(api.report_text(amazon.REPORT_RETURNS_FLAT, **returns))
    assert header[:5] == [
        "Order ID",
        "Order date",
        "Return request date",
        "Return request status",
        "Amazon RMA ID",
    ]
    assert {"Merchant SKU", "Return quantity", "A-to-Z Claim", "Resolution", "Tracking ID"} <= set(
        header
    )
    first, second = rows
    assert first["Order ID"] == SHIPPED
    assert first["Return request date"] == "14-Jul-2025"
    assert (first["Tracking ID"], first["Return carrier"]) == ("9202090339598363834190", "USPS")
    assert (first["Merchant SKU"], first["ASIN"], first["Return quantity"]) == (
        "SHIRT-M",
        "B0SHIRT001",
        "1",
    )
    assert (first["A-to-Z Claim"], first["Is prime"], first["In policy"]) == ("N", "N", "Y")
    assert first["Merchant RMA ID"] == " "
    assert (second["A-to-Z Claim"], second["Tracking ID"], second["Label type"]) == ("Y", "", "")
    assert second["Resolution"] == "ReturnlessRefund"


def test_returns_xml_report(api, returns):
    root = etree.fromstring(api.report_text(amazon.REPORT_RETURNS_XML, **returns).encode())
    details = root.findall(".//return_details")
    assert [node.findtext("amazon_rma_id") for node in details] == ["DfqRyqfBRRMA", "RETURNLESSRMA"]
    first = details[0]
    assert first.findtext("order_id") == SHIPPED
    assert first.findtext("return_request_date") == "2025-07-14T09:30:00Z"
    assert (first.findtext("a_to_z_claim"), first.findtext("is_prime")) == ("false", "N")
    assert (first.findtext("tracking_id"), first.findtext("return_carrier")) == (
        "9202090339598363834190",
        "USPS",
    )
    item = first.find("item_details")
    assert (item.findtext("merchant_sku"), item.findtext("return_quantity")) == ("SHIRT-M", "1")
    assert item.findtext("return_reason_code") == "AMZ-PG-APP-TOO-SMALL"
    assert details[1].findtext("a_to_z_claim") == "true"


def test_returns_report_window_is_at_most_sixty_days(api, models):
    answer = api.post(
        REPORTS_PATH,
        {
            "reportType": amazon.REPORT_RETURNS_FLAT,
            "marketplaceIds": [US],
            "dataStartTime": "2025-01-01T00:00:00Z",
            "dataEndTime": "2025-03-15T00:00:00Z",
        },
    )
    assert answer.status_code == 400
    assert (
        check_contract(models, "reports_2021-06-30", REPORTS_PATH, answer)["errors"][0]["code"]
        == "InvalidInput"
    )


def test_report_without_data_is_cancelled(api):
    created = api.post(
        REPORTS_PATH,
        {
            "reportType": amazon.REPORT_RETURNS_FLAT,
            "marketplaceIds": [US],
            "dataStartTime": "2020-01-01T00:00:00Z",
            "dataEndTime": "2020-01-31T00:00:00Z",
        },
    ).json()
    report = api.get(f"{REPORTS_PATH}/{created['reportId']}").json()
    assert report["processingStatus"] == "CANCELLED"
    assert "reportDocumentId" not in report


def test_report_life_and_listing_follow_the_model(emulator, api, models, returns):
    model = "reports_2021-06-30"
    emulator.report_delay = 10
    created = api.post(
        REPORTS_PATH, {"reportType": amazon.REPORT_RETURNS_XML, "marketplaceIds": [US], **returns}
    )
    report_id = check_contract(models, model, REPORTS_PATH, created)["reportId"]
    path = REPORTS_PATH + "/{reportId}"
    assert (
        check_contract(models, model, path, api.get(f"{REPORTS_PATH}/{report_id}"))[
            "processingStatus"
        ]
        == "IN_QUEUE"
    )
    emulator.advance(5)
    assert api.get(f"{REPORTS_PATH}/{report_id}").json()["processingStatus"] == "IN_PROGRESS"
    emulator.advance(5)
    report = check_contract(models, model, path, api.get(f"{REPORTS_PATH}/{report_id}"))
    assert report["processingStatus"] == "DONE"
    assert report["dataStartTime"].startswith("2025-07-01")
    document = api.get(f"/reports/2021-06-30/documents/{report['reportDocumentId']}")
    check_contract(models, model, "/reports/2021-06-30/documents/{reportDocumentId}", document)
    listed = check_contract(
        models,
        model,
        REPORTS_PATH,
        api.get(REPORTS_PATH, reportTypes=amazon.REPORT_RETURNS_XML, processingStatuses="DONE"),
    )
    assert [entry["reportId"] for entry in listed["reports"]] == [report_id]
    assert api.get(REPORTS_PATH).status_code == 400
    assert api.get(f"{REPORTS_PATH}/70099999999").status_code == 404


def test_cancel_report_only_while_queued(emulator, api, models):
    emulator.report_delay = 60
    path = REPORTS_PATH + "/{reportId}"
    body = {"reportType": amazon.REPORT_ORDERS_SHIPPING, "marketplaceIds": [US]}
    queued = api.post(REPORTS_PATH, body).json()["reportId"]
    cancelled = api.delete(f"{REPORTS_PATH}/{queued}")
    check_contract(models, "reports_2021-06-30", path, cancelled)
    assert api.get(f"{REPORTS_PATH}/{queued}").json()["processingStatus"] == "CANCELLED"
    done = api.post(REPORTS_PATH, body).json()["reportId"]
    emulator.process_reports()
    refused = api.delete(f"{REPORTS_PATH}/{done}")
    assert refused.status_code == 400
    check_contract(models, "reports_2021-06-30", path, refused)


def test_injected_report_outcome(emulator, api):
    emulator.next_report_outcome = "FATAL"
    body = {"reportType": amazon.REPORT_ORDERS_SHIPPING, "marketplaceIds": [US]}
    report_id = api.post(REPORTS_PATH, body).json()["reportId"]
    report = api.get(f"{REPORTS_PATH}/{report_id}").json()
    assert report["processingStatus"] == "FATAL" and "reportDocumentId" not in report


def test_settlement_reports_cannot_be_requested(api):
    answer = api.post(
        REPORTS_PATH, {"reportType": amazon.REPORT_SETTLEMENT, "marketplaceIds": [US]}
    )
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "column", ["is-buyer-requested-cancellation", "is-buyer-requested-cancelation", None]
)
def test_order_report_buyer_cancel_column_variants(emulator, api, column):
    emulator.order_report_cancel_column = column
    emulator.request_buyer_cancel(UNSHIPPED, "Found cheaper somewhere else")
    window = {
        "dataStartTime": (emulator.now() - timedelta(days=30)).isoformat(),
        "dataEndTime": emulator.now().isoformat(),
    }
    header, rows = _rows(api.report_text(amazon.REPORT_ORDERS_SHIPPING, **window))
    assert {
        "order-id",
        "order-item-id",
        "sku",
        "quantity-purchased",
        "item-price",
        "currency",
    } <= set(header)
    mugs = next(row for row in rows if row["order-item-id"] == "10000000000001")
    assert (mugs["item-price"], mugs["shipping-tax"], mugs["currency"]) == ("30.00", "0.40", "USD")
    if column:
        assert mugs[column] == "true"
        assert mugs["buyer-requested-cancel-reason"] == "Found cheaper somewhere else"
    else:
        assert not [name for name in header if "cancel" in name]
    assert {row["order-id"] for row in rows} == {UNSHIPPED, SHIPPED, PARTIAL, AMAZON_FULFILLED}


def test_unshipped_report_needs_a_restricted_data_token(emulator, api):
    created = api.post(
        REPORTS_PATH, {"reportType": amazon.REPORT_ORDERS_UNSHIPPED, "marketplaceIds": [US]}
    ).json()
    report = api.get(f"{REPORTS_PATH}/{created['reportId']}").json()
    path = f"/reports/2021-06-30/documents/{report['reportDocumentId']}"
    refused = api.get(path)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "Unauthorized"

    def rdt(resource_path):
        answer = api.post(
            "/tokens/2021-03-01/restrictedDataToken",
            {"restrictedResources": [{"method": "GET", "path": resource_path}]},
        )
        return answer.json()["restrictedDataToken"]

    other_document = rdt("/reports/2021-06-30/documents/amzn1.spdoc.other")
    assert api.get(path, other_document).status_code == 403
    token = rdt(path)
    # An RDT opens only the resources it names.
    assert api.get(FEEDS_PATH, token, feedTypes=amazon.FEED_ADJUSTMENT).status_code == 403
    document = api.get(path, token)
    assert document.status_code == 200
    header, rows = _rows(api.fetch(document.json()["url"]).text)
    assert "is-buyer-requested-cancellation" in header and "quantity-to-ship" in header
    open_lines = {(row["order-id"], row["order-item-id"], row["quantity-to-ship"]) for row in rows}
    assert open_lines == {
        (UNSHIPPED, "10000000000001", "3"),
        (UNSHIPPED, "10000000000002", "1"),
        (PARTIAL, "30000000000002", "1"),
    }
    emulator.advance(3601)
    assert api.get(path, token).status_code == 403


def test_report_encoding_and_compression_options(emulator, api, returns):
    emulator.report_encoding = "iso-8859-1"
    emulator.report_compression = "GZIP"
    emulator.orders[SHIPPED].items["20000000000001"].title = "Chemise à carreaux"
    text = api.report_text(amazon.REPORT_RETURNS_FLAT, **returns)
    assert "Chemise à carreaux" in text
    report_id = api.post(
        REPORTS_PATH, {"reportType": amazon.REPORT_RETURNS_FLAT, "marketplaceIds": [US], **returns}
    ).json()["reportId"]
    report = api.get(f"{REPORTS_PATH}/{report_id}").json()
    document = api.get(f"/reports/2021-06-30/documents/{report['reportDocumentId']}").json()
    assert document["compressionAlgorithm"] == "GZIP"
    download = api.fetch(document["url"])
    assert download.headers["content-type"] == "text/plain; charset=iso-8859-1"
    assert "Chemise à carreaux".encode("latin-1") in gzip.decompress(download.content)


# Orders -----------------------------------------------------------------------------------------


def test_search_orders_with_cancellation_data_follows_the_model(emulator, api, models):
    emulator.request_buyer_cancel(
        UNSHIPPED, "Found cheaper somewhere else", emulator.now() - timedelta(hours=1)
    )
    answer = api.get(
        ORDERS_PATH,
        lastUpdatedAfter=(emulator.now() - timedelta(days=2)).isoformat(),
        includedData=["CANCELLATION", "FULFILLMENT", "PROCEEDS"],
        fulfillmentStatuses="UNSHIPPED,PARTIALLY_SHIPPED",
    )
    body = check_contract(models, "orders_2026-01-01", ORDERS_PATH, answer)
    assert [order["orderId"] for order in body["orders"]] == [UNSHIPPED]
    item = body["orders"][0]["orderItems"][0]
    assert item["cancellation"]["cancellationRequest"] == {
        "requester": "BUYER",
        "cancelReason": "Found cheaper somewhere else",
    }
    assert item["fulfillment"] == {"quantityFulfilled": 0, "quantityUnfulfilled": 3}
    assert body["orders"][0]["proceeds"]["grandTotal"] == {"amount": "45.80", "currencyCode": "USD"}
    assert "lastUpdatedBefore" in body


def test_search_orders_datasets_come_only_when_asked(emulator, api):
    body = api.get(
        ORDERS_PATH, createdAfter=(emulator.now() - timedelta(days=30)).isoformat()
    ).json()
    assert {order["orderId"] for order in body["orders"]} == {
        UNSHIPPED,
        SHIPPED,
        PARTIAL,
        AMAZON_FULFILLED,
    }
    assert all("fulfillment" not in order and "proceeds" not in order for order in body["orders"])


def test_search_orders_pages(emulator, api, models):
    after = (emulator.now() - timedelta(days=30)).isoformat()
    first = api.get(ORDERS_PATH, createdAfter=after, maxResultsPerPage=3).json()
    assert len(first["orders"]) == 3
    token = first["pagination"]["nextToken"]
    second = api.get(
        ORDERS_PATH, createdAfter=after, paginationToken=token, includedData="FULFILLMENT"
    )
    body = check_contract(models, "orders_2026-01-01", ORDERS_PATH, second)
    assert len(body["orders"]) == 1 and "pagination" not in body
    assert body["orders"][0]["fulfillment"]["fulfillmentStatus"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"createdAfter": "2025-01-01T00:00:00Z", "lastUpdatedAfter": "2025-01-01T00:00:00Z"},
        {"createdAfter": "not a date"},
        {"createdAfter": "2025-01-01T00:00:00Z", "createdBefore": "2999-01-01T00:00:00Z"},
        {"createdAfter": "2025-01-01T00:00:00Z", "includedData": "EVERYTHING"},
        {"createdAfter": "2025-01-01T00:00:00Z", "maxResultsPerPage": "500"},
    ],
)
def test_search_orders_rejects_bad_parameters(api, models, params):
    answer = api.get(ORDERS_PATH, **params)
    assert answer.status_code == 400
    check_contract(models, "orders_2026-01-01", ORDERS_PATH, answer)


def test_get_order_follows_the_model(emulator, api, models):
    path = ORDERS_PATH + "/{orderId}"
    emulator.ship(PARTIAL, "30000000000002")
    answer = api.get(
        f"{ORDERS_PATH}/{PARTIAL}", includedData="FULFILLMENT,PACKAGES,PROCEEDS,CANCELLATION"
    )
    order = check_contract(models, "orders_2026-01-01", path, answer)["order"]
    assert order["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert len(order["packages"]) == 2
    missing = api.get(f"{ORDERS_PATH}/111-9999999-9999999")
    assert missing.status_code == 404
    check_contract(models, "orders_2026-01-01", path, missing)
    assert api.get(f"{ORDERS_PATH}/{ELSEWHERE}").status_code == 404


def test_cancellation_execution_after_a_feed(emulator, api):
    api.processing_report(
        api.submit(
            amazon.FEED_ACKNOWLEDGEMENT,
            envelope(
                "OrderAcknowledgement",
                acknowledgement(1, UNSHIPPED, ("10000000000002", "NoInventory")),
            ),
        )
    )
    order = api.get(f"{ORDERS_PATH}/{UNSHIPPED}", includedData="CANCELLATION").json()["order"]
    book = next(item for item in order["orderItems"] if item["orderItemId"] == "10000000000002")
    assert book["cancellation"] == {
        "cancellationExecution": {"cancelledBy": "MERCHANT", "cancelReason": "NoInventory"}
    }


def test_v0_order_items_carry_buyer_requested_cancel(emulator, api, models):
    path = "/orders/v0/orders/{orderId}/orderItems"
    emulator.request_buyer_cancel(UNSHIPPED, "No longer needed")
    answer = api.get(f"/orders/v0/orders/{UNSHIPPED}/orderItems")
    payload = check_contract(models, "ordersV0", path, answer)["payload"]
    assert payload["AmazonOrderId"] == UNSHIPPED
    first = payload["OrderItems"][0]
    assert first["BuyerRequestedCancel"] == {
        "IsBuyerRequestedCancel": "true",
        "BuyerCancelReason": "No longer needed",
    }
    assert first["ItemPrice"] == {"CurrencyCode": "USD", "Amount": "30.00"}
    missing = api.get("/orders/v0/orders/111-9999999-9999999/orderItems")
    assert missing.status_code == 404
    check_contract(models, "ordersV0", path, missing)


# Lifecycle and demo -----------------------------------------------------------------------------


def test_requests_are_recorded(emulator, api):
    api.get(FEEDS_PATH, feedTypes=amazon.FEED_ADJUSTMENT)
    api.get("/no/such/path")
    assert emulator.requests[-2][:2] == ("GET", FEEDS_PATH)
    assert emulator.requests[-2][2] == {"feedTypes": [amazon.FEED_ADJUSTMENT]}
    assert emulator.requests[-1] == ("GET", "/no/such/path", {}, 404)


def test_stop_frees_the_port():
    first = Emulator().start()
    port = first.port
    httpx.get(first.url + "/anything")
    first.stop()
    with Emulator(port=port) as second:
        assert second.port == port


def test_only_loopback_addresses():
    with pytest.raises(ValueError):
        Emulator(host="0.0.0.0")


def test_seeded_emulator_has_data_for_every_report():
    with seeded_emulator(clock=FrozenClock()) as emulator:
        assert len({order.marketplace_id for order in emulator.orders.values()}) == 4
        assert any(order.buyer_cancel_reason for order in emulator.orders.values())
        assert any(rma.returnless for rma in emulator.returns.values())
        settlements = [
            report
            for report in emulator.reports.values()
            if report.report_type == amazon.REPORT_SETTLEMENT
        ]
        assert settlements and all(report.status == "DONE" for report in settlements)


def test_command_line_serves_the_demo():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "spapi_emulator", "--port", str(port), "--seed", "demo"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first_line = process.stdout.readline()
        assert first_line.strip() == f"SP-API endpoint: http://127.0.0.1:{port}"
        from spapi_emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN

        token = httpx.post(
            f"http://127.0.0.1:{port}/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": DEMO_CLIENT_ID,
                "client_secret": DEMO_CLIENT_SECRET,
                "refresh_token": DEMO_REFRESH_TOKEN,
            },
        )
        assert token.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_get_order_for_import_follows_the_model_with_buyer_data_only_by_token(
    emulator, api, models
):
    emulator.add_order(
        SELLER,
        "111-0000009-0000001",
        US,
        [
            {
                "order_item_id": "50000000000001",
                "sku": "MUG-RED",
                "quantity": 2,
                "promotion_ids": ["PROMO-SPRING"],
                "prices": {"Principal": "20.00", "Discount": "-2.00", "GiftWrap": "3.00"},
            }
        ],
        latest_ship_date=emulator.now() + timedelta(days=2),
        facilitator_tax=True,
        buyer_name="Jane Buyer",
    )
    path = ORDERS_PATH + "/{orderId}"
    datasets = "BUYER,RECIPIENT,FULFILLMENT,PROCEEDS,PROMOTION,TAX"
    plain = api.get(f"{ORDERS_PATH}/111-0000009-0000001", includedData=datasets)
    order = check_contract(models, "orders_2026-01-01", path, plain)["order"]
    assert "buyer" not in order and "recipient" not in order
    assert order["fulfillment"]["shipByWindow"]["latestDateTime"]
    [item] = order["orderItems"]
    assert item["promotion"] == {"breakdowns": [{"promotionId": "PROMO-SPRING"}]}
    assert item["tax"]["taxCollections"][0]["model"] == "MARKETPLACE_FACILITATOR"
    kinds = {b["type"]: b["subtotal"]["amount"] for b in item["proceeds"]["breakdowns"]}
    assert kinds == {"ITEM": "20.00", "DISCOUNT": "-2.00", "GIFT_WRAP": "3.00"}
    token = api.post(
        "/tokens/2021-03-01/restrictedDataToken",
        {"restrictedResources": [{"method": "GET", "path": f"{ORDERS_PATH}/111-0000009-0000001"}]},
    ).json()["restrictedDataToken"]
    with_token = api.get(f"{ORDERS_PATH}/111-0000009-0000001", token, includedData=datasets)
    order = check_contract(models, "orders_2026-01-01", path, with_token)["order"]
    assert order["buyer"]["buyerName"] == "Jane Buyer"
    address = order["recipient"]["deliveryAddress"]
    assert (address["name"], address["city"], address["countryCode"]) == (
        "Jane Buyer",
        "Seattle",
        "US",
    )


def test_pending_order_released_is_updated_and_unshipped(emulator, api):
    emulator.add_order(
        SELLER,
        "111-0000009-0000002",
        US,
        [{"order_item_id": "50000000000002", "sku": "BOOK", "prices": {"Principal": "8.00"}}],
        status="PENDING",
    )
    emulator.advance(600)
    emulator.release("111-0000009-0000002", when=emulator.now() - timedelta(minutes=5))
    answer = api.get(
        ORDERS_PATH,
        lastUpdatedAfter=(emulator.now() - timedelta(minutes=10)).isoformat(),
        includedData="FULFILLMENT",
    ).json()
    [order] = answer["orders"]
    assert order["orderId"] == "111-0000009-0000002"
    assert order["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
