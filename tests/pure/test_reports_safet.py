"""SAFE-T claim columns of Amazon's returns report, in the flat file and the XML."""

import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from test_client import ORDER_ID, client, emulator  # noqa: F401
from test_reports import RETURNS, RETURNS_COLUMNS, returns_flat, tsv

from amazon_api import const
from amazon_api.errors import ReportParseError
from amazon_api.reports import iter_returns, iter_returns_flat, iter_returns_xml

CLAIM = {
    "SafeT Action reason": "Item returned damaged",
    "SafeT claim id": "1234567890",
    "SafeT claim state": "Under Investigation",
    "SafeT claim creation time": "2025-07-20T10:15:00+00:00",
    "SafeT claim reimbursement amount": "",
}


def _with_claim(claim):
    """RETURNS with `claim` on both rows of the first RMA, as Amazon repeats it per item."""
    return [{**row, **claim} if index < 2 else row for index, row in enumerate(RETURNS)]


def test_flat_file_claim_read_per_rma():
    chair, mug = iter_returns_flat(returns_flat(rows=_with_claim(CLAIM)))
    assert chair.safet_claim_id == "1234567890"
    assert chair.safet_claim_state == "Under Investigation"
    assert chair.safet_action_reason == "Item returned damaged"
    assert chair.safet_claim_created_at == datetime(2025, 7, 20, 10, 15)
    assert chair.safet_reimbursement_amount is None
    assert chair.items[1].safet_claim_id == "1234567890"
    assert (mug.safet_claim_id, mug.safet_claim_state, mug.safet_action_reason) == (None,) * 3


def test_flat_file_reimbursement_of_one_claim_counts_once():
    claim = CLAIM | {
        "SafeT claim state": "Granted",
        "SafeT claim creation time": "20-Jul-2025",
        "SafeT claim reimbursement amount": "79.90",
    }
    chair, _mug = iter_returns_flat(returns_flat(rows=_with_claim(claim)))
    assert chair.safet_claim_state == "Granted"
    assert chair.safet_reimbursement_amount == Decimal("79.90")
    assert chair.safet_claim_created_at == datetime(2025, 7, 20)


def test_flat_file_without_safet_columns():
    columns = [name for name in RETURNS_COLUMNS if not name.startswith("SafeT")]
    chair, mug = iter_returns_flat(tsv(columns, _with_claim(CLAIM)).encode())
    assert chair.amazon_rma_id == "DQ7bMmnXRRMA"
    assert chair.safet_claim_id is None and chair.safet_reimbursement_amount is None
    assert mug.safet_claim_state is None


def test_flat_file_bad_reimbursement_names_the_column():
    claim = CLAIM | {"SafeT claim reimbursement amount": "lots"}
    with pytest.raises(ReportParseError) as caught:
        list(iter_returns_flat(returns_flat(rows=_with_claim(claim))))
    assert caught.value.column == "SafeT claim reimbursement amount"


def _xml(item_claim="", details_claim=""):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope><Message><return_details>'
        "<item_details><item_name>Chair</item_name><merchant_sku>CHAIR-BLK-L</merchant_sku>"
        "<return_quantity>1</return_quantity><resolution>StandardRefund</resolution>"
        f"<refund_amount>59.90</refund_amount>{item_claim}</item_details>"
        "<order_id>302-1111111-2222222</order_id><amazon_rma_id>DQ7bMmnXRRMA</amazon_rma_id>"
        "<return_request_status>Approved</return_request_status>"
        f"<a_to_z_claim>false</a_to_z_claim>{details_claim}"
        "</return_details></Message></AmazonEnvelope>\n"
    ).encode()


SAFET_XML = (
    "<safet_action_reason>Item returned damaged</safet_action_reason>"
    "<safet_claim_id>1234567890</safet_claim_id>"
    "<safet_claim_state>Granted</safet_claim_state>"
    "<safet_claim_creation_time>2025-07-20T10:15:00Z</safet_claim_creation_time>"
    "<safet_claim_reimbursement_amount>59.90</safet_claim_reimbursement_amount>"
)


@pytest.mark.parametrize("where", ["item", "details"])
def test_xml_claim_in_items_or_return_details(where):
    content = _xml(item_claim=SAFET_XML) if where == "item" else _xml(details_claim=SAFET_XML)
    (record,) = iter_returns_xml(content)
    assert record.safet_claim_id == "1234567890"
    assert record.safet_claim_state == "Granted"
    assert record.safet_action_reason == "Item returned damaged"
    assert record.safet_claim_created_at == datetime(2025, 7, 20, 10, 15)
    assert record.safet_reimbursement_amount == Decimal("59.90")
    assert record.refunded_amount == Decimal("59.90")


def test_xml_without_safet_elements():
    (record,) = iter_returns(_xml())
    assert record.refunded_amount == Decimal("59.90")
    assert record.safet_claim_id is None and record.safet_claim_state is None
    assert record.safet_reimbursement_amount is None


def test_xml_bad_claim_time_names_the_element():
    bad = SAFET_XML.replace("2025-07-20T10:15:00Z", "yesterday")
    with pytest.raises(ReportParseError) as caught:
        list(iter_returns_xml(_xml(item_claim=bad)))
    assert caught.value.element == "safet_claim_creation_time"


XML_REPORT = "GET_XML_RETURNS_DATA_BY_RETURN_DATE"


@pytest.mark.parametrize("report_type", [const.REPORT_RETURNS_FLAT, XML_REPORT])
def test_emulated_reports_follow_the_claim(client, emulator, report_type):  # noqa: F811
    emulator.add_return(ORDER_ID, [{"sku": "MUG-1", "quantity": 1}], rma_id="DQ1RMA0001")
    start = emulator.now() - timedelta(days=2)

    def claim():
        report_id = client.request_report(report_type, start, emulator.now())
        emulator.process_reports()
        target = io.BytesIO()
        client.download_report(client.get_report(report_id).document_id, target, report_type)
        (record,) = iter_returns(target.getvalue())
        return record

    assert claim().safet_claim_id is None
    claim_id = emulator.file_safet_claim("DQ1RMA0001")
    filed = claim()
    assert (filed.safet_claim_id, filed.safet_claim_state) == (claim_id, "Under Investigation")
    assert filed.safet_claim_created_at is not None
    emulator.decide_safet_claim("DQ1RMA0001", "Granted", "12.50")
    granted = claim()
    assert granted.safet_claim_state == "Granted"
    assert granted.safet_reimbursement_amount == Decimal("12.50")
