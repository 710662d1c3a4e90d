"""Report parsers: Amazon's real layouts, tolerant of what varies, strict on what is broken."""

import codecs
import gzip
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from amazon_api.errors import ReportParseError
from amazon_api.reports import (
    OrderReport,
    detect_returns_format,
    iter_returns,
    iter_returns_flat,
    iter_returns_xml,
    iter_settlement,
    open_text,
)
from amazon_api.xml_safety import iter_elements, open_binary

RETURNS_COLUMNS = [
    "Order ID",
    "Order date",
    "Return request date",
    "Return request status",
    "Amazon RMA ID",
    "Seller RMA ID",
    "Label type",
    "Label cost",
    "Currency code",
    "Return carrier",
    "Tracking ID",
    "Label to be paid by",
    "A-to-Z Claim",
    "Is prime",
    "ASIN",
    "Merchant SKU",
    "Item Name",
    "Return quantity",
    "Return Reason",
    "In policy",
    "Return type",
    "Resolution",
    "Invoice number",
    "Return delivery date",
    "Order Amount",
    "Order quantity",
    "SafeT Action reason",
    "SafeT claim id",
    "SafeT claim state",
    "SafeT claim creation time",
    "SafeT claim reimbursement amount",
    "Refunded Amount",
    "Category",
]

# Two RMAs: the first with two items (two rows), the second returnless.
RETURNS = [
    {
        "Order ID": "302-1111111-2222222",
        "Order date": "01-Jul-2025",
        "Return request date": "10-Jul-2025",
        "Return request status": "Approved",
        "Amazon RMA ID": "DQ7bMmnXRRMA",
        "Seller RMA ID": "RMA-0042",
        "Label type": "AmazonPrePaidLabel",
        "Label cost": "5.40",
        "Currency code": "EUR",
        "Return carrier": "DHL",
        "Tracking ID": "JJD000390007788",
        "Label to be paid by": "Seller",
        "A-to-Z Claim": "N",
        "Is prime": "Y",
        "ASIN": "B07Y3YBD8J",
        "Merchant SKU": "CHAIR-BLK-L",
        "Item Name": "Office chair, black",
        "Return quantity": "1",
        "Return Reason": "AMZ-PG-BAD-DESC",
        "In policy": "Y",
        "Return type": "C-Returns",
        "Resolution": "StandardRefund",
        "Return delivery date": "15-Jul-2025",
        "Order Amount": "59.90",
        "Order quantity": "1",
        "Refunded Amount": "59.90",
        "Category": "Furniture",
    },
    {
        "Order ID": "302-1111111-2222222",
        "Order date": "01-Jul-2025",
        "Return request date": "10-Jul-2025",
        "Return request status": "Approved",
        "Amazon RMA ID": "DQ7bMmnXRRMA",
        "Label type": "AmazonPrePaidLabel",
        "Label cost": "5.40",
        "Currency code": "EUR",
        "Return carrier": "DHL",
        "Tracking ID": "JJD000390007788",
        "Label to be paid by": "Seller",
        "A-to-Z Claim": "N",
        "Is prime": "Y",
        "ASIN": "B07Y3YZZZZ",
        "Merchant SKU": "CUSHION-GRY",
        "Item Name": "Seat cushion",
        "Return quantity": "2",
        "Return Reason": "CR-UNWANTED_ITEM",
        "In policy": "N",
        "Return type": "C-Returns",
        "Resolution": "StandardRefund",
        "Refunded Amount": "20.00",
    },
    {
        "Order ID": "028-3333333-4444444",
        "Order date": "2025-07-02",
        "Return request date": "2025-07-11T09:30:00Z",
        "Return request status": "Approved",
        "Amazon RMA ID": "Dbb12345RRMA",
        "Label type": "Returnless",
        "A-to-Z Claim": "Y",
        "Is prime": "N",
        "ASIN": "B000000001",
        "Merchant SKU": "MUG-01",
        "Item Name": "Mug",
        "Return quantity": "1",
        "Return Reason": "AMZ-PG-DAMAGED",
        "Return type": "Returnless refund",
        "Resolution": "Refund",
    },
]


def tsv(columns, rows, newline="\r\n"):
    lines = ["\t".join(columns)] + [
        "\t".join(row.get(name, "") for name in columns) for row in rows
    ]
    return newline.join(lines) + newline


def returns_flat(columns=RETURNS_COLUMNS, rows=RETURNS, newline="\r\n"):
    return tsv(columns, rows, newline).encode()


def returns_xml(rows=RETURNS, namespace=""):
    """The same returns as Amazon's XML report: items first, label fields nested, per RMA."""
    groups = {}
    for row in rows:
        groups.setdefault(row["Amazon RMA ID"], []).append(row)
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope{namespace}>\n<Message>']
    for group in groups.values():
        first = group[0]
        parts.append("<return_details>")
        for row in group:
            parts.append(
                "<item_details>"
                f"<item_name>{row['Item Name']}</item_name><asin>{row['ASIN']}</asin>"
                f"<return_reason_code>{row['Return Reason']}</return_reason_code>"
                f"<merchant_sku>{row['Merchant SKU']}</merchant_sku>"
                + (f"<in_policy>{row['In policy']}</in_policy>" if row.get("In policy") else "")
                + f"<return_quantity>{row['Return quantity']}</return_quantity>"
                f"<resolution>{row['Resolution']}</resolution>"
                + (
                    f"<refund_amount>{row['Refunded Amount']}</refund_amount>"
                    if row.get("Refunded Amount")
                    else ""
                )
                + "</item_details>"
            )
        label = "".join(
            f"<{tag}>{first[column]}</{tag}>"
            for tag, column in (
                ("currency_code", "Currency code"),
                ("label_cost", "Label cost"),
                ("label_type", "Label type"),
            )
            if first.get(column)
        )
        fields = "".join(
            f"<{tag}>{first[column]}</{tag}>"
            for tag, column in (
                ("order_id", "Order ID"),
                ("order_date", "Order date"),
                ("amazon_rma_id", "Amazon RMA ID"),
                ("seller_rma_id", "Seller RMA ID"),
                ("return_request_date", "Return request date"),
                ("return_request_status", "Return request status"),
                ("return_carrier", "Return carrier"),
                ("tracking_id", "Tracking ID"),
                ("label_to_be_paid_by", "Label to be paid by"),
                ("return_type", "Return type"),
                ("return_delivery_date", "Return delivery date"),
            )
            if first.get(column)
        )
        a_to_z = "true" if first["A-to-Z Claim"] == "Y" else "false"
        parts.append(
            f"{fields}<a_to_z_claim>{a_to_z}</a_to_z_claim><is_prime>{first['Is prime']}</is_prime>"
            f"<label_details>{label}</label_details></return_details>"
        )
    parts.append("</Message>\n</AmazonEnvelope>\n")
    return "\n".join(parts).encode()


def check_returns(records):
    """The three rows of RETURNS read as two RMAs, whatever the format."""
    assert [record.amazon_rma_id for record in records] == ["DQ7bMmnXRRMA", "Dbb12345RRMA"]
    chair, mug = records
    assert chair.order_id == "302-1111111-2222222"
    assert chair.status == "Approved"
    assert chair.request_date == date(2025, 7, 10)
    assert chair.order_date == date(2025, 7, 1)
    assert chair.seller_rma_id == "RMA-0042"
    assert chair.label_cost == Decimal("5.40")
    assert (chair.currency, chair.carrier, chair.tracking_id) == ("EUR", "DHL", "JJD000390007788")
    assert chair.label_paid_by == "Seller"
    assert chair.a_to_z_claim is False and chair.is_prime is True
    assert chair.delivery_date == date(2025, 7, 15)
    assert chair.resolution == "StandardRefund"
    assert chair.refunded_amount == Decimal("79.90")
    assert not chair.returnless
    assert [(i.sku, i.asin, i.quantity, i.reason, i.in_policy) for i in chair.items] == [
        ("CHAIR-BLK-L", "B07Y3YBD8J", 1, "AMZ-PG-BAD-DESC", True),
        ("CUSHION-GRY", "B07Y3YZZZZ", 2, "CR-UNWANTED_ITEM", False),
    ]
    assert chair.items[0].name == "Office chair, black"
    assert chair.items[1].refunded_amount == Decimal("20.00")

    assert mug.request_date == date(2025, 7, 11)
    assert mug.order_date == date(2025, 7, 2)
    assert mug.a_to_z_claim is True and mug.is_prime is False
    assert mug.label_cost is None and mug.carrier is None and mug.tracking_id is None
    assert mug.refunded_amount is None
    assert mug.items[0].in_policy is None
    assert mug.returnless


def test_flat_returns_report():
    records = list(iter_returns_flat(returns_flat()))
    check_returns(records)
    assert [record.line for record in records] == [2, 4]


def test_xml_returns_report_reads_the_same():
    records = list(iter_returns_xml(returns_xml()))
    check_returns(records)
    assert all(record.line > 1 for record in records)


def test_both_formats_give_equal_records():
    def without_lines(records):
        for record in records:
            record.line = None
        return records

    flat = without_lines(list(iter_returns_flat(returns_flat())))
    xml = without_lines(list(iter_returns_xml(returns_xml(namespace=' xmlns="urn:amazon"'))))
    assert flat == xml


def test_flat_tolerates_reordered_unknown_and_renamed_columns_bom_and_blank_lines():
    columns = [*reversed(RETURNS_COLUMNS), "Some Column Amazon Added"]
    text = tsv(columns, RETURNS, newline="\n")
    # Header names as other downloads write them; a BOM, blank lines at both ends.
    text = text.replace("Amazon RMA ID", "amazon-rma-id").replace("Merchant SKU", "merchant_sku")
    text = text.replace("A-to-Z Claim", "A-TO-Z CLAIM")
    data = b"\xef\xbb\xbf\n" + text.encode() + b"\n\n  \n"
    check_returns(list(iter_returns_flat(data)))


def test_flat_reads_blank_space_cells_and_other_flag_spellings():
    rows = [dict(row) for row in RETURNS]
    rows[0].update({"Seller RMA ID": "   ", "A-to-Z Claim": " false ", "Is prime": "Yes"})
    rows[2].update({"A-to-Z Claim": "TRUE", "Is prime": "no", "Return Reason": " "})
    chair, mug = iter_returns_flat(returns_flat(rows=rows))
    assert chair.seller_rma_id is None
    assert (chair.a_to_z_claim, chair.is_prime) == (False, True)
    assert (mug.a_to_z_claim, mug.is_prime) == (True, False)
    assert mug.items[0].reason is None


def test_flat_in_windows_1252_is_decoded():
    rows = [dict(RETURNS[2], **{"Item Name": "Tasse Café 0,3 l \u2013 Geschenk €"})]
    data = returns_flat(rows=rows).decode().encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    (record,) = iter_returns_flat(data)
    assert record.items[0].name == "Tasse Café 0,3 l \u2013 Geschenk €"


def test_stray_latin_1_byte_after_a_utf_8_start_does_not_fail():
    rows = [
        dict(RETURNS[2], **{"Amazon RMA ID": f"R{n}", "Item Name": "Kaffeebecher"})
        for n in range(3000)
    ]
    rows[-1]["Item Name"] = "Café"
    data = returns_flat(rows=rows)
    assert len(data) > 70_000  # beyond the chunk the encoding is guessed from
    data = data.replace("Café".encode(), "Café".encode("latin-1"))
    records = list(iter_returns_flat(data))
    assert len(records) == 3000
    assert records[-1].items[0].name == "Café"
    assert records[0].items[0].name == "Kaffeebecher"


def test_gzipped_flat_file_from_a_file_on_disk(tmp_path):
    path = tmp_path / "returns.txt.gz"
    path.write_bytes(gzip.compress(returns_flat()))
    with open(path, "rb") as stream:
        check_returns(list(iter_returns_flat(stream)))


def test_rma_split_by_other_rows_comes_out_twice_for_the_importer_to_merge():
    rows = [RETURNS[0], RETURNS[2], RETURNS[1]]
    records = list(iter_returns_flat(returns_flat(rows=rows)))
    assert [record.amazon_rma_id for record in records] == [
        "DQ7bMmnXRRMA",
        "Dbb12345RRMA",
        "DQ7bMmnXRRMA",
    ]
    assert [record.items[0].sku for record in records] == ["CHAIR-BLK-L", "MUG-01", "CUSHION-GRY"]
    assert [record.line for record in records] == [2, 3, 4]


def test_returnless_detected_from_return_type_alone():
    rows = [dict(RETURNS[2], **{"Label type": ""})]
    (record,) = iter_returns_flat(returns_flat(rows=rows))
    assert record.label_type is None
    assert record.returnless


@pytest.mark.parametrize(
    "column",
    ["Order ID", "Amazon RMA ID", "Return request status", "Merchant SKU", "Return quantity"],
)
def test_flat_without_a_required_column_is_refused(column):
    columns = [name for name in RETURNS_COLUMNS if name != column]
    with pytest.raises(ReportParseError, match=column) as caught:
        list(iter_returns_flat(returns_flat(columns=columns)))
    assert caught.value.column == column


@pytest.mark.parametrize(
    ("row", "column", "value", "kind"),
    [
        # Item columns are read on every row, RMA columns on the RMA's first row.
        (1, "Return quantity", "abc", "whole number"),
        (1, "Return quantity", "1.5", "whole number"),
        (1, "In policy", "2", "yes/no value"),
        (2, "Return request date", "31-Jun-2025", "date"),
        (2, "Return request date", "07/10/2025", "date"),
        (2, "Label cost", "5.4o", "amount"),
        (2, "A-to-Z Claim", "maybe", "yes/no value"),
    ],
)
def test_flat_bad_value_names_line_and_column(row, column, value, kind):
    rows = [dict(values) for values in RETURNS]
    rows[row][column] = value
    with pytest.raises(ReportParseError, match=kind) as caught:
        list(iter_returns_flat(returns_flat(rows=rows)))
    line = row + 2
    assert (caught.value.line, caught.value.column) == (line, column)
    assert f"line {line}, column {column}" in str(caught.value)


@pytest.mark.parametrize("column", ["Amazon RMA ID", "Merchant SKU", "Return quantity"])
def test_flat_missing_required_value_is_refused(column):
    rows = [dict(row) for row in RETURNS]
    rows[2][column] = " "
    with pytest.raises(ReportParseError, match="missing") as caught:
        list(iter_returns_flat(returns_flat(rows=rows)))
    assert (caught.value.line, caught.value.column) == (4, column)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "HTML"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"Order ID,Amazon RMA ID,Merchant SKU\n1,2,3\n", "lacks the columns"),
    ],
)
def test_flat_unknown_formats_are_refused(data, problem):
    with pytest.raises(ReportParseError, match=problem):
        list(iter_returns_flat(data))


def test_open_text_handles_bom_gzip_and_explicit_encoding():
    text = "Order ID\tName\r\n1\tKäse\r\n"
    assert open_text(b"\xef\xbb\xbf" + text.encode()).read() == text
    assert open_text(gzip.compress(text.encode("cp1252"))).read() == text
    assert open_text(text.encode("utf-16"), encoding="utf-16").read() == text
    lines = list(open_text(text.encode()))
    assert lines == ["Order ID\tName\r\n", "1\tKäse\r\n"]


def test_open_text_refuses_a_text_stream():
    with pytest.raises(TypeError):
        open_text(io.StringIO("a\tb\n"))


# XML returns ------------------------------------------------------------------------------------


def test_xml_with_gzip_and_a_stream():
    check_returns(list(iter_returns_xml(io.BytesIO(gzip.compress(returns_xml())))))


def test_xml_record_per_message_envelope_is_read():
    data = returns_xml().replace(b"</return_details>", b"</return_details></Message><Message>")
    assert len(list(iter_returns_xml(data))) == 2


@pytest.mark.parametrize(
    ("old", "new", "element", "problem"),
    [
        (b"<return_quantity>2<", b"<return_quantity>two<", "return_quantity", "whole number"),
        (
            b"<return_request_date>10-Jul-2025<",
            b"<return_request_date>soon<",
            "return_request_date",
            "date",
        ),
        (b"<a_to_z_claim>false<", b"<a_to_z_claim>perhaps<", "a_to_z_claim", "yes/no"),
        (b"<amazon_rma_id>Dbb12345RRMA</amazon_rma_id>", b"", "return_details", "amazon rma id"),
        (b"<merchant_sku>MUG-01</merchant_sku>", b"", "item_details", "sku"),
    ],
)
def test_xml_bad_value_names_element_and_line(old, new, element, problem):
    data = returns_xml()
    assert old in data
    data = data.replace(old, new, 1)
    with pytest.raises(ReportParseError, match=problem) as caught:
        list(iter_returns_xml(data))
    assert caught.value.element == element
    expected_line = data[: data.index(new or b"<return_details", 0)].count(b"\n") + 1
    if new:
        assert caught.value.line == expected_line
    else:
        assert caught.value.line > 1


def test_truncated_xml_is_refused_after_the_complete_records():
    data = returns_xml()
    records = iter_returns_xml(data[: len(data) - 60])
    assert next(records).amazon_rma_id == "DQ7bMmnXRRMA"
    with pytest.raises(ReportParseError, match="malformed or truncated") as caught:
        next(records)
    assert caught.value.line is not None


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<AmazonEnvelope><return_details><amazon_rma_id>&lol4;</amazon_rma_id></return_details>
</AmazonEnvelope>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<AmazonEnvelope><return_details><amazon_rma_id>&secret;</amazon_rma_id></return_details>
</AmazonEnvelope>"""
# A comment that looks like the root element must not hide the DOCTYPE behind it.
HIDDEN_DOCTYPE = b"<?xml version='1.0'?><!-- <AmazonEnvelope> -->" + EXTERNAL_ENTITY[22:]
EXTERNAL_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://example.com/evil.dtd"><AmazonEnvelope/>'
)


@pytest.mark.parametrize(
    "data",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, HIDDEN_DOCTYPE, EXTERNAL_DTD, gzip.compress(BILLION_LAUGHS)],
)
def test_hostile_xml_is_refused(data):
    with pytest.raises(ReportParseError, match="DOCTYPE"):
        list(iter_returns_xml(data))


def test_doctype_past_the_sniffed_head_is_still_refused():
    padding = b"<!--" + b"x" * 70_000 + b"-->"
    data = b"<?xml version='1.0'?>" + padding + EXTERNAL_ENTITY[22:]
    with pytest.raises(ReportParseError, match="no element found at its start"):
        list(iter_returns_xml(data))


def test_parser_refuses_a_doctype_the_sniffing_missed():
    # As if the head had looked clean: the parser's own document info still shows the DTD.
    elements = iter_elements(b"<AmazonEnvelope>", io.BytesIO(EXTERNAL_ENTITY), "return_details")
    with pytest.raises(ReportParseError, match="DOCTYPE"):
        list(elements)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"<html><head><title>Error</title></head><body></body></html>", "HTML"),
        ("<AmazonEnvelope/>".encode("utf-16"), "not UTF-8"),
        (b"Order ID\tAmazon RMA ID\n", "not XML"),
    ],
)
def test_xml_unknown_formats_are_refused(data, problem):
    with pytest.raises(ReportParseError, match=problem):
        list(iter_returns_xml(data))


def test_xml_size_cap():
    data = returns_xml()
    assert len(list(iter_returns_xml(data, max_bytes=len(data)))) == 2
    with pytest.raises(ReportParseError, match="larger than the limit"):
        list(iter_returns_xml(data, max_bytes=len(data) - 1))


def test_gzip_bomb_is_capped_by_its_decompressed_size():
    bomb = gzip.compress(b"<AmazonEnvelope>" + b" " * 5_000_000 + b"</AmazonEnvelope>")
    assert len(bomb) < 10_000
    with pytest.raises(ReportParseError, match="larger than the limit"):
        list(iter_returns_xml(bomb, max_bytes=1_000_000))


def test_iterparse_frees_each_record_and_its_wrapper():
    count = 20_000
    records = "".join(
        f"<Message><return_details><n>{number}</n></return_details></Message>"
        for number in range(count)
    )
    head, stream = open_binary(f"<AmazonEnvelope>{records}</AmazonEnvelope>".encode())
    widths = []
    for element in iter_elements(head, stream, "{*}return_details"):
        assert element.findtext("n") == str(len(widths))
        root = element.getroottree().getroot()
        widths.append(len(root))
    # Without freeing, the envelope would hold every Message parsed so far; with it, at most
    # those of the chunk lxml has read ahead, and only the last one at the end.
    assert len(widths) == count
    assert max(widths) < count / 10
    assert len(root) == 1


# Format detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (returns_xml()[:100], "xml"),
        (b"\xef\xbb\xbf  <AmazonEnvelope>", "xml"),
        (gzip.compress(returns_xml())[:80], "xml"),
        (returns_flat()[:50], "flat"),
        (b"\xef\xbb\xbf" + returns_flat(), "flat"),
        (gzip.compress(returns_flat()), "flat"),
    ],
)
def test_detect_returns_format(data, kind):
    assert detect_returns_format(data) == kind


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"%PDF-1.4", "PDF"),
        (b"<!DOCTYPE html>\n<html lang='en'>", "HTML"),
        (b"Order ID,Amazon RMA ID\n", "neither XML nor"),
        (b"\x1f\x8bgarbage", "damaged"),
    ],
)
def test_detect_returns_format_refuses_unknown_files(data, problem):
    with pytest.raises(ReportParseError, match=problem):
        detect_returns_format(data)


@pytest.mark.parametrize("make", [returns_flat, returns_xml])
def test_iter_returns_reads_either_format(make, tmp_path):
    path = tmp_path / "upload"
    path.write_bytes(gzip.compress(make()))
    with open(path, "rb") as stream:
        check_returns(list(iter_returns(stream)))


# Order report -----------------------------------------------------------------------------------

ORDER_COLUMNS = [
    "order-id",
    "order-item-id",
    "purchase-date",
    "payments-date",
    "buyer-email",
    "sku",
    "product-name",
    "quantity-purchased",
    "quantity-shipped",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "ship-service-level",
    "fulfillment-channel",
    "is-buyer-requested-cancellation",
    "buyer-requested-cancel-reason",
]
ORDERS = [
    {
        "order-id": "302-1111111-2222222",
        "order-item-id": "12345678901234",
        "purchase-date": "2025-07-10T08:15:00+02:00",
        "sku": "CHAIR-BLK-L",
        "quantity-purchased": "2",
        "quantity-shipped": "0",
        "currency": "EUR",
        "item-price": "119.80",
        "fulfillment-channel": "Merchant",
        "is-buyer-requested-cancellation": "true",
        "buyer-requested-cancel-reason": "Ordered by mistake",
    },
    {
        "order-id": "302-1111111-3333333",
        "order-item-id": "22345678901234",
        "purchase-date": "2025-07-10T06:00:00Z",
        "sku": "MUG-01",
        "quantity-purchased": "1",
        "is-buyer-requested-cancellation": "false",
    },
    {
        "order-id": "302-1111111-4444444",
        "order-item-id": "32345678901234",
        "purchase-date": "2025-07-11 06:00:00 UTC",
        "sku": "MUG-01",
        "quantity-purchased": "1",
    },
]


def test_order_report_with_buyer_cancel_columns():
    report = OrderReport(tsv(ORDER_COLUMNS, ORDERS).encode())
    assert report.has_buyer_cancel_column
    first, second, third = report
    assert (first.order_id, first.order_item_id, first.sku) == (
        "302-1111111-2222222",
        "12345678901234",
        "CHAIR-BLK-L",
    )
    assert (first.quantity, first.quantity_shipped) == (2, 0)
    assert first.purchase_date == datetime(2025, 7, 10, 6, 15)
    assert first.fulfillment_channel == "Merchant"
    assert first.buyer_cancel_requested is True
    assert first.buyer_cancel_reason == "Ordered by mistake"
    assert (second.buyer_cancel_requested, second.buyer_cancel_reason) == (False, None)
    assert second.purchase_date == datetime(2025, 7, 10, 6, 0)
    assert third.buyer_cancel_requested is False
    assert third.purchase_date == datetime(2025, 7, 11, 6, 0)
    assert [row.line for row in (first, second, third)] == [2, 3, 4]


def test_order_report_with_the_one_l_spelling():
    columns = [
        name.replace("cancellation", "cancelation") for name in ORDER_COLUMNS if name != "sku"
    ]
    rows = [
        {key.replace("cancellation", "cancelation"): value for key, value in row.items()}
        for row in ORDERS
    ]
    report = OrderReport(tsv(list(reversed(columns)), rows).encode())
    assert report.has_buyer_cancel_column
    assert [row.buyer_cancel_requested for row in report] == [True, False, False]


def test_order_report_without_buyer_cancel_columns():
    columns = ORDER_COLUMNS[:-2]
    report = OrderReport(tsv(columns, ORDERS, newline="\n").encode())
    assert not report.has_buyer_cancel_column
    rows = list(report)
    assert [(row.buyer_cancel_requested, row.buyer_cancel_reason) for row in rows] == [
        (None, None)
    ] * 3


def test_order_report_unknown_buyer_cancel_value_is_kept_apart():
    rows = [dict(row) for row in ORDERS]
    rows[0]["is-buyer-requested-cancellation"] = "maybe"
    first, second, _third = OrderReport(tsv(ORDER_COLUMNS, rows).encode())
    assert (first.buyer_cancel_requested, first.buyer_cancel_value) == (None, "maybe")
    assert (second.buyer_cancel_requested, second.buyer_cancel_value) == (False, "false")


def test_order_report_errors():
    with pytest.raises(ReportParseError, match="order-item-id") as caught:
        OrderReport(
            tsv([name for name in ORDER_COLUMNS if name != "order-item-id"], ORDERS).encode()
        )
    assert caught.value.column == "order-item-id"
    rows = [dict(row) for row in ORDERS]
    rows[2]["purchase-date"] = "yesterday"
    with pytest.raises(ReportParseError, match="date and time") as caught:
        list(OrderReport(tsv(ORDER_COLUMNS, rows).encode()))
    assert (caught.value.line, caught.value.column) == (4, "purchase-date")


# Settlement report ------------------------------------------------------------------------------

SETTLEMENT_COLUMNS = [
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
    "transaction-type",
    "order-id",
    "merchant-order-id",
    "adjustment-id",
    "shipment-id",
    "marketplace-name",
    "amount-type",
    "amount-description",
    "amount",
    "fulfillment-id",
    "posted-date",
    "posted-date-time",
    "order-item-code",
    "merchant-order-item-id",
    "merchant-adjustment-item-id",
    "sku",
    "quantity-purchased",
    "promotion-id",
]


def settlement_rows(start, end, posted, posted_time):
    common = {"settlement-id": "11817066171"}
    refund = dict(
        common,
        **{
            "transaction-type": "Refund",
            "order-id": "302-1111111-2222222",
            "adjustment-id": "amzn1.adj.1",
            "marketplace-name": "Amazon.de",
            "fulfillment-id": "MFN",
            "posted-date": posted,
            "posted-date-time": posted_time,
            "order-item-code": "12345678901234",
            "merchant-adjustment-item-id": "ODOO-REFUND-17-1",
            "sku": "CHAIR-BLK-L",
        },
    )
    return [
        dict(
            common,
            **{
                "settlement-start-date": start,
                "settlement-end-date": end,
                "deposit-date": end,
                "total-amount": "1234.56",
                "currency": "EUR",
            },
        ),
        dict(
            refund,
            **{
                "amount-type": "ItemPrice",
                "amount-description": "Principal",
                "amount": "-59.90",
            },
        ),
        dict(
            refund,
            **{"amount-type": "ItemFees", "amount-description": "Commission", "amount": "8.99"},
        ),
        dict(
            refund,
            **{
                "amount-type": "ItemFees",
                "amount-description": "RefundCommission",
                "amount": "-1.80",
                "quantity-purchased": "1",
            },
        ),
    ]


@pytest.mark.parametrize(
    ("start", "end", "posted", "posted_time"),
    [
        (
            "2025-07-01 08:00:00 UTC",
            "2025-07-15 08:00:00 UTC",
            "2025-07-10",
            "2025-07-10 09:30:00 UTC",
        ),
        (
            "01.07.2025 08:00:00 UTC",
            "15.07.2025 08:00:00 UTC",
            "10.07.2025",
            "10.07.2025 09:30:00 UTC",
        ),
        (
            "2025-07-01T08:00:00+00:00",
            "2025-07-15T10:00:00+02:00",
            "2025-07-10",
            "2025-07-10T09:30:00Z",
        ),
    ],
)
def test_settlement_report(start, end, posted, posted_time):
    summary, principal, commission, refund_commission = iter_settlement(
        tsv(SETTLEMENT_COLUMNS, settlement_rows(start, end, posted, posted_time)).encode()
    )
    assert summary.is_summary and not principal.is_summary
    assert (summary.start, summary.end) == (datetime(2025, 7, 1, 8), datetime(2025, 7, 15, 8))
    assert summary.deposit_date == datetime(2025, 7, 15, 8)
    assert (summary.total_amount, summary.currency) == (Decimal("1234.56"), "EUR")
    assert principal.transaction_type == "Refund"
    assert (principal.amount_type, principal.amount_description) == ("ItemPrice", "Principal")
    assert principal.amount == Decimal("-59.90")
    assert principal.posted_date == date(2025, 7, 10)
    assert principal.posted_at == datetime(2025, 7, 10, 9, 30)
    assert principal.merchant_adjustment_item_id == "ODOO-REFUND-17-1"
    assert principal.order_item_code == "12345678901234"
    assert commission.amount == Decimal("8.99")
    assert refund_commission.amount == Decimal("-1.80") and refund_commission.quantity == 1
    assert [row.line for row in (summary, principal, commission, refund_commission)] == [2, 3, 4, 5]


def test_settlement_with_decimal_commas_and_a_bad_amount():
    rows = settlement_rows("2025-07-01", "2025-07-15", "2025-07-10", "")
    rows[0]["total-amount"] = "1.234,56"
    rows[1]["amount"] = "-59,90"
    summary, principal, *_rest = iter_settlement(tsv(SETTLEMENT_COLUMNS, rows).encode())
    assert summary.total_amount == Decimal("1234.56")
    assert principal.amount == Decimal("-59.90")
    rows[2]["amount"] = "8.99 EUR"
    with pytest.raises(ReportParseError, match="amount") as caught:
        list(iter_settlement(tsv(SETTLEMENT_COLUMNS, rows).encode()))
    assert (caught.value.line, caught.value.column) == (4, "amount")


def test_settlement_without_transaction_type_is_refused():
    columns = [name for name in SETTLEMENT_COLUMNS if name != "transaction-type"]
    with pytest.raises(ReportParseError, match="transaction-type"):
        list(iter_settlement(tsv(columns, []).encode()))


# Amazon's own marking of a returnless refund: the Resolution column, a plain C-Returns return
# type, no label and no tracking.
RETURNLESS_AS_AMAZON_WRITES_IT = dict(
    RETURNS[2],
    **{
        "Label type": "",
        "Return type": "C-Returns",
        "Resolution": "ReturnlessRefund",
        "A-to-Z Claim": "N",
    },
)


@pytest.mark.parametrize("fmt", ["flat", "xml"])
def test_returnless_refund_recognised_by_amazons_resolution(fmt):
    rows = [RETURNS[0], RETURNLESS_AS_AMAZON_WRITES_IT]
    content = returns_flat(rows=rows) if fmt == "flat" else returns_xml(rows=rows)
    standard, returnless = iter_returns(content)
    assert (returnless.resolution, returnless.return_type) == ("ReturnlessRefund", "C-Returns")
    assert (returnless.label_type, returnless.tracking_id) == (None, None)
    assert returnless.returnless
    assert not standard.returnless


@pytest.mark.parametrize(
    "marking",
    [{"Return type": "Returnless"}, {"Label type": "Returnless"}],
)
def test_returnless_refund_recognised_by_return_or_label_type(marking):
    row = RETURNS[0] | {"Resolution": "StandardRefund", "Label type": ""} | marking
    (record,) = iter_returns_flat(returns_flat(rows=[row]))
    assert record.returnless


ACCENTED = dict(RETURNS[0], **{"Item Name": "Chaise de bureau, noir \u2013 Größe L"})


@pytest.mark.parametrize(
    ("encode", "name"),
    [
        (lambda text: text.encode("utf-8"), "UTF-8"),
        (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "UTF-8 with BOM"),
        (lambda text: codecs.BOM_UTF8 + text.encode("cp1252"), "UTF-8 BOM, Windows-1252 text"),
        (lambda text: text.encode("cp1252"), "Windows-1252"),
        (lambda text: text.replace("\u2013", "-").encode("latin-1"), "Latin-1"),
        (lambda text: text.encode("utf-16"), "UTF-16 with BOM (Excel's Unicode Text)"),
        (lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "UTF-16 big endian"),
    ],
)
def test_returns_flat_file_in_every_encoding_users_save(encode, name):
    content = encode(returns_flat(rows=[ACCENTED]).decode())
    (record,) = iter_returns(content)
    assert record.order_id == "302-1111111-2222222", name
    assert record.items[0].name.replace("-", "\u2013") == ACCENTED["Item Name"], name


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 64,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\t\x00",
        b"Order ID\tAmazon RMA ID\n\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c",
    ],
)
def test_binary_content_is_not_a_text_report(data):
    with pytest.raises(ReportParseError, match="binary, not a text report"):
        list(iter_returns(data))
    with pytest.raises(ReportParseError, match="binary, not a text report"):
        OrderReport(data)


def test_an_unknown_announced_charset_is_ignored():
    content = returns_flat(rows=[ACCENTED]).decode().encode("cp1252")
    (record,) = iter_returns(content, encoding="x-mac-unknown-charset")
    assert record.items[0].name == ACCENTED["Item Name"]
