"""Feed documents: valid against Amazon's schemas, and every bad request refused by reference."""

import copy
import statistics
import time
from decimal import Decimal

import pytest
from lxml import etree

from amazon_api import const
from amazon_api.documents import (
    AcknowledgementItem,
    AcknowledgementMessage,
    AdjustmentItem,
    AdjustmentMessage,
    build_acknowledgement_feed,
    build_adjustment_feed,
    check_adjustment_message,
)
from amazon_api.errors import DocumentError

ORDER = "302-1234567-7654321"
ITEM = "12345678901234"
ITEM_2 = "22345678901234"


@pytest.fixture(scope="module")
def adjustment_schema(xsd_dir):
    return etree.XMLSchema(etree.parse(str(xsd_dir / "OrderAdjustment.xsd")))


@pytest.fixture(scope="module")
def acknowledgement_schema(xsd_dir):
    return etree.XMLSchema(etree.parse(str(xsd_dir / "OrderAcknowledgement.xsd")))


@pytest.fixture(scope="module")
def envelope_schema(xsd_dir):
    """amzn-envelope.xsd's structure for our two message types.

    The real envelope schema includes some 28 category schemas we do not have; this one declares
    the same AmazonEnvelope / Header / MessageType / Message sequence over Amazon's own
    amzn-header.xsd, OrderAdjustment.xsd and OrderAcknowledgement.xsd.
    """
    includes = "".join(
        f'<xsd:include schemaLocation="{(xsd_dir / name).as_uri()}"/>'
        for name in ("amzn-header.xsd", "OrderAdjustment.xsd", "OrderAcknowledgement.xsd")
    )
    wrapper = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"
        elementFormDefault="qualified">{includes}
      <xsd:element name="AmazonEnvelope"><xsd:complexType><xsd:sequence>
        <xsd:element ref="Header"/>
        <xsd:element name="MessageType"><xsd:simpleType>
          <xsd:restriction base="xsd:string">
            <xsd:enumeration value="OrderAcknowledgement"/>
            <xsd:enumeration value="OrderAdjustment"/>
          </xsd:restriction></xsd:simpleType></xsd:element>
        <xsd:element name="Message" maxOccurs="unbounded"><xsd:complexType><xsd:sequence>
          <xsd:element name="MessageID" type="IDNumber"/>
          <xsd:element name="OperationType" minOccurs="0" type="xsd:string"/>
          <xsd:choice>
            <xsd:element ref="OrderAdjustment"/>
            <xsd:element ref="OrderAcknowledgement"/>
          </xsd:choice>
        </xsd:sequence></xsd:complexType></xsd:element>
      </xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>"""
    return etree.XMLSchema(etree.fromstring(wrapper.encode()))


def assert_valid(document, payload_schema, envelope_schema, message_type):
    """The whole envelope, and each message's payload on its own against Amazon's schema."""
    root = etree.fromstring(document)
    envelope_schema.assertValid(root)
    assert root.findtext("MessageType") == message_type
    assert root.findtext("Header/DocumentVersion") == "1.01"
    payloads = root.findall(f"Message/{message_type}")
    assert payloads and len(payloads) == len(root.findall("Message"))
    for payload in payloads:
        payload_schema.assertValid(etree.ElementTree(copy.deepcopy(payload)))
        assert payload.getparent().find("OperationType") is None
    return root


def refund(message_id=1, request="REQ-1", **item_changes):
    item = {
        "order_item_code": ITEM,
        "reason": "CustomerReturn",
        "components": {"Principal": Decimal("19.99"), "Shipping": Decimal("4.50")},
        "reference": f"{request}/1",
    }
    item.update(item_changes)
    return AdjustmentMessage(message_id, ORDER, [AdjustmentItem(**item)], request)


def cancel(message_id=1, reference="CAN-1", items=None, **changes):
    message = AcknowledgementMessage(
        message_id,
        ORDER,
        items if items is not None else [AcknowledgementItem(ITEM, "NoInventory")],
        reference,
    )
    for name, value in changes.items():
        setattr(message, name, value)
    return message


def test_adjustment_feed_is_valid_and_complete(adjustment_schema, envelope_schema):
    messages = [
        AdjustmentMessage(
            1,
            ORDER,
            [
                AdjustmentItem(
                    ITEM,
                    "CustomerReturn",
                    {
                        # Given out of the schema's order, zero shipping to be left out.
                        "RestockingFee": Decimal("3.00"),
                        "Shipping": Decimal("0.00"),
                        "Principal": Decimal(30),
                        "Tax": Decimal("5.70"),
                    },
                    merchant_adjustment_item_id="ODOO-REFUND-17-1",
                    reference="REQ-1/1",
                ),
                AdjustmentItem(ITEM_2, "GeneralAdjustment", {"Goodwill": 5}, quantity=1),
            ],
            "REQ-1",
        ),
        # Part of a line's quantity cancelled: no money, only QuantityCancelled.
        AdjustmentMessage(
            2,
            "171-0000001-0000002",
            [AdjustmentItem(ITEM, "NoInventory", {}, quantity_cancelled=2)],
            "REQ-2",
        ),
        AdjustmentMessage(
            7,
            "171-0000001-0000003",
            [AdjustmentItem(ITEM, "CustomerCancel", {"Principal": 12.5}, quantity_cancelled=1)],
            "REQ-3",
        ),
    ]
    document = build_adjustment_feed("A2MERCHANT", messages, "EUR")
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = assert_valid(document, adjustment_schema, envelope_schema, "OrderAdjustment")
    assert root.findtext("Header/MerchantIdentifier") == "A2MERCHANT"
    assert [m.findtext("MessageID") for m in root.iter("Message")] == ["1", "2", "7"]

    first, goodwill = root.findall("Message/OrderAdjustment")[0].findall("AdjustedItem")
    assert [child.tag for child in first] == [
        "AmazonOrderItemCode",
        "MerchantAdjustmentItemID",
        "AdjustmentReason",
        "ItemPriceAdjustments",
    ]
    components = [
        (c.findtext("Type"), c.findtext("Amount"), c.find("Amount").get("currency"))
        for c in first.iter("Component")
    ]
    assert components == [
        ("Principal", "30.00", "EUR"),
        ("Tax", "5.70", "EUR"),
        ("RestockingFee", "-3.00", "EUR"),
    ]
    assert goodwill.findtext("Quantity") == "1"
    assert goodwill.findtext("ItemPriceAdjustments/Component/Amount") == "5.00"

    quantity_only = root.findall("Message/OrderAdjustment")[1].find("AdjustedItem")
    assert quantity_only.find("ItemPriceAdjustments") is None
    assert quantity_only.findtext("QuantityCancelled") == "2"
    partial = root.findall("Message/OrderAdjustment")[2].find("AdjustedItem")
    assert [child.tag for child in partial] == [
        "AmazonOrderItemCode",
        "AdjustmentReason",
        "ItemPriceAdjustments",
        "QuantityCancelled",
    ]
    assert partial.findtext("ItemPriceAdjustments/Component/Amount") == "12.50"


@pytest.mark.parametrize("reason", sorted(const.ADJUSTMENT_REASONS))
def test_every_adjustment_reason_is_valid(reason, adjustment_schema, envelope_schema):
    document = build_adjustment_feed("A2MERCHANT", [refund(reason=reason)], "GBP")
    assert_valid(document, adjustment_schema, envelope_schema, "OrderAdjustment")


def test_every_price_component_is_valid(adjustment_schema, envelope_schema):
    components = {name: Decimal("1.00") for name in const.PRICE_COMPONENTS}
    document = build_adjustment_feed("A2MERCHANT", [refund(components=components)], "USD")
    root = assert_valid(document, adjustment_schema, envelope_schema, "OrderAdjustment")
    written = {c.findtext("Type"): c.findtext("Amount") for c in root.iter("Component")}
    assert written == {
        name: "-1.00" if name in const.KEPT_COMPONENTS else "1.00"
        for name in const.PRICE_COMPONENTS
    }


def test_fifteen_messages_fit_in_one_feed(adjustment_schema, envelope_schema):
    messages = [refund(number, f"REQ-{number}") for number in range(1, 16)]
    document = build_adjustment_feed("A2MERCHANT", messages, "EUR")
    root = assert_valid(document, adjustment_schema, envelope_schema, "OrderAdjustment")
    assert len(root.findall("Message")) == 15


def test_largest_batch_fits_and_one_more_is_refused(adjustment_schema, envelope_schema):
    messages = [refund(number, f"REQ-{number}") for number in range(1, 1001)]
    document = build_adjustment_feed("A2MERCHANT", messages, "EUR")
    assert_valid(document, adjustment_schema, envelope_schema, "OrderAdjustment")
    assert len(document) < const.FEED_MAX_BYTES
    messages.append(refund(1001, "REQ-1001"))
    with pytest.raises(DocumentError, match="at most 1000 messages"):
        build_adjustment_feed("A2MERCHANT", messages, "EUR")


def test_document_over_amazons_size_limit_is_refused(monkeypatch):
    messages = [refund(number, f"REQ-{number}") for number in range(1, 16)]
    monkeypatch.setattr(const, "FEED_MAX_BYTES", 4000)
    with pytest.raises(DocumentError, match="over Amazon's 10 MiB"):
        build_adjustment_feed("A2MERCHANT", messages, "EUR")


@pytest.mark.parametrize(
    ("changes", "reference", "problem"),
    [
        ({"order_item_code": "1234"}, "REQ-9/1", "not 14 digits"),
        ({"order_item_code": "1234567890123X"}, "REQ-9/1", "not 14 digits"),
        ({"reason": "Refund"}, "REQ-9/1", "Unknown adjustment reason"),
        ({"components": {"Principle": Decimal(1)}}, "REQ-9/1", "Unknown price component"),
        ({"components": {"Principal": Decimal("1.005")}}, "REQ-9/1", "more than two decimals"),
        ({"components": {"Principal": 0.1 + 0.2}}, "REQ-9/1", "more than two decimals"),
        ({"components": {"Principal": Decimal(-5)}}, "REQ-9/1", "negative"),
        ({"components": {"Principal": Decimal("NaN")}}, "REQ-9/1", "not a number"),
        ({"components": {"Principal": "12.00"}}, "REQ-9/1", "not a number"),
        ({"components": {"Principal": Decimal("1E+18")}}, "REQ-9/1", "too large"),
        ({"components": {"Principal": Decimal(0)}}, "REQ-9/1", "Nothing to adjust"),
        ({"components": {}}, "REQ-9/1", "Nothing to adjust"),
        (
            {"components": {"Principal": Decimal(5), "RestockingFee": Decimal(5)}},
            "REQ-9/1",
            "nets to 0.00",
        ),
        (
            {
                "components": {"RestockingFee": Decimal(2)},
                "quantity_cancelled": 1,
                "reason": "NoInventory",
            },
            "REQ-9/1",
            "nets to -2.00",
        ),
        ({"components": {}, "quantity_cancelled": 0}, "REQ-9/1", "Quantity cancelled"),
        ({"components": {}, "quantity_cancelled": True}, "REQ-9/1", "Quantity cancelled"),
        (
            {"components": {}, "quantity_cancelled": 1, "reason": "CustomerReturn"},
            "REQ-9/1",
            "NoInventory or CustomerCancel",
        ),
        ({"quantity": -1}, "REQ-9/1", "Quantity must be"),
        ({"merchant_adjustment_item_id": "X" * 51}, "REQ-9/1", "longer than 50"),
        ({"merchant_adjustment_item_id": ""}, "REQ-9/1", "is missing"),
        ({"merchant_adjustment_item_id": "A\nB"}, "REQ-9/1", "line break"),
        # Without its own reference the item is named by its request.
        ({"reference": None, "reason": "Oops"}, "REQ-9", "Unknown adjustment reason"),
    ],
)
def test_bad_adjustment_is_refused_by_reference(changes, reference, problem):
    messages = [refund(1, "REQ-1"), refund(2, "REQ-9", **changes)]
    with pytest.raises(DocumentError, match=problem) as caught:
        build_adjustment_feed("A2MERCHANT", messages, "EUR")
    assert caught.value.reference == reference
    assert str(caught.value).startswith(f"{reference}: ")


def test_bad_order_id_names_the_request():
    message = refund(3, "REQ-3")
    message.amazon_order_id = "302-123456-7654321"
    with pytest.raises(DocumentError, match="123-1234567-1234567") as caught:
        build_adjustment_feed("A2MERCHANT", [message], "EUR")
    assert caught.value.reference == "REQ-3"


def test_same_line_twice_in_a_refund_is_refused():
    message = refund(1, "REQ-1")
    message.items.append(AdjustmentItem(ITEM, "GeneralAdjustment", {"Goodwill": 1}))
    with pytest.raises(DocumentError, match="appears twice") as caught:
        build_adjustment_feed("A2MERCHANT", [message], "EUR")
    assert caught.value.reference == "REQ-1"


def test_refund_without_lines_is_refused():
    message = AdjustmentMessage(1, ORDER, [], "REQ-5")
    with pytest.raises(DocumentError, match="no order lines") as caught:
        check_adjustment_message(message)
    assert caught.value.reference == "REQ-5"


def test_duplicate_message_id_names_the_second_request():
    with pytest.raises(DocumentError, match="MessageID 4 is used twice") as caught:
        build_adjustment_feed("A2MERCHANT", [refund(4, "REQ-A"), refund(4, "REQ-B")], "EUR")
    assert caught.value.reference == "REQ-B"


@pytest.mark.parametrize("message_id", [0, -1, "1", None, True])
def test_message_id_must_be_a_positive_integer(message_id):
    with pytest.raises(DocumentError, match="MessageID") as caught:
        build_adjustment_feed("A2MERCHANT", [refund(message_id, "REQ-X")], "EUR")
    assert caught.value.reference == "REQ-X"


@pytest.mark.parametrize("currency", ["eur", "EURO", "", None, "E1R"])
def test_currency_must_be_three_letters(currency):
    with pytest.raises(DocumentError, match="three-letter"):
        build_adjustment_feed("A2MERCHANT", [refund()], currency)


@pytest.mark.parametrize("merchant_id", ["", None, "M" * 51])
def test_merchant_identifier_is_checked(merchant_id):
    with pytest.raises(DocumentError, match="Merchant identifier"):
        build_adjustment_feed(merchant_id, [refund()], "EUR")


def test_empty_feed_is_refused():
    with pytest.raises(DocumentError, match="at least one message"):
        build_acknowledgement_feed("A2MERCHANT", [])


def test_acknowledgement_feed_is_valid(acknowledgement_schema, envelope_schema):
    messages = [
        cancel(
            1,
            "CAN-1",
            [
                AcknowledgementItem(ITEM, "NoInventory"),
                AcknowledgementItem(ITEM_2, "BuyerCanceled"),
            ],
        ),
        cancel(2, "CAN-2", merchant_order_id="SO0042"),
    ]
    document = build_acknowledgement_feed("A2MERCHANT", messages)
    root = assert_valid(document, acknowledgement_schema, envelope_schema, "OrderAcknowledgement")
    first, second = root.findall("Message/OrderAcknowledgement")
    assert [child.tag for child in first] == ["AmazonOrderID", "StatusCode", "Item", "Item"]
    assert first.findtext("StatusCode") == "Failure"
    assert [
        (item.findtext("AmazonOrderItemCode"), item.findtext("CancelReason"))
        for item in first.findall("Item")
    ] == [(ITEM, "NoInventory"), (ITEM_2, "BuyerCanceled")]
    assert [child.tag for child in second] == [
        "AmazonOrderID",
        "MerchantOrderID",
        "StatusCode",
        "Item",
    ]


@pytest.mark.parametrize("reason", sorted(const.CANCEL_REASONS))
def test_every_cancel_reason_is_valid(reason, acknowledgement_schema, envelope_schema):
    document = build_acknowledgement_feed(
        "A2MERCHANT", [cancel(items=[AcknowledgementItem(ITEM, reason)])]
    )
    assert_valid(document, acknowledgement_schema, envelope_schema, "OrderAcknowledgement")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"items": []}, "no order lines"),
        ({"items": [AcknowledgementItem("123", "NoInventory")]}, "not 14 digits"),
        ({"items": [AcknowledgementItem(ITEM, "NoStock")]}, "Unknown cancel reason"),
        (
            {"items": [AcknowledgementItem(ITEM, "NoInventory")] * 2},
            "appears twice",
        ),
        ({"amazon_order_id": "ABC"}, "not of the form"),
        ({"merchant_order_id": "S" * 51}, "longer than 50"),
    ],
)
def test_bad_cancellation_is_refused_by_reference(changes, problem):
    messages = [cancel(1, "CAN-1"), cancel(2, "CAN-7", **changes)]
    with pytest.raises(DocumentError, match=problem) as caught:
        build_acknowledgement_feed("A2MERCHANT", messages)
    assert caught.value.reference == "CAN-7"
    assert "CAN-7" in str(caught.value)


def test_fifteen_message_feeds_build_well_under_ten_milliseconds():
    refunds = [
        AdjustmentMessage(
            number,
            ORDER,
            [
                AdjustmentItem(ITEM, "CustomerReturn", {"Principal": Decimal("9.99")}),
                AdjustmentItem(ITEM_2, "CustomerReturn", {"Principal": Decimal("1.00")}),
            ],
            f"REQ-{number}",
        )
        for number in range(1, 16)
    ]
    cancels = [cancel(number, f"CAN-{number}") for number in range(1, 16)]
    timings = []
    for _ in range(30):
        start = time.perf_counter()
        build_adjustment_feed("A2MERCHANT", refunds, "EUR")
        build_acknowledgement_feed("A2MERCHANT", cancels)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.010
