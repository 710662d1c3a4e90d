"""Feed processing reports: Amazon's answers read per message, and the emulator's built right."""

import copy
import gzip

import pytest
from lxml import etree

from amazon_api.errors import ReportParseError
from amazon_api.processing_report import parse_processing_report
from spapi_emulator.processing_report import MessageResult, build_processing_report


def amazon_report(status="Complete", summary=(3, 3, 0, 0), results="", namespace=""):
    """A processing report laid out as Amazon sends it (tabs, xsi attributes and all)."""
    summary_xml = ""
    if summary:
        processed, successful, errors, warnings = summary
        summary_xml = f"""
        <ProcessingSummary>
            <MessagesProcessed>{processed}</MessagesProcessed>
            <MessagesSuccessful>{successful}</MessagesSuccessful>
            <MessagesWithError>{errors}</MessagesWithError>
            <MessagesWithWarning>{warnings}</MessagesWithWarning>
        </ProcessingSummary>"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope {namespace} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
\t<Header>
\t\t<DocumentVersion>1.02</DocumentVersion>
\t\t<MerchantIdentifier>A2MERCHANT</MerchantIdentifier>
\t</Header>
\t<MessageType>ProcessingReport</MessageType>
\t<Message>
\t\t<MessageID>1</MessageID>
\t\t<ProcessingReport>
\t\t\t<DocumentTransactionID>50123456789</DocumentTransactionID>
\t\t\t<StatusCode>{status}</StatusCode>{summary_xml}
{results}
\t\t</ProcessingReport>
\t</Message>
</AmazonEnvelope>
""".encode()


def result(message_id, code="Error", number="18028", text="The order id was not found.", extra=""):
    message_id_xml = "" if message_id is None else f"<MessageID>{message_id}</MessageID>"
    return f"""<Result>{message_id_xml}<ResultCode>{code}</ResultCode>
        <ResultMessageCode>{number}</ResultMessageCode>
        <ResultDescription>{text}</ResultDescription>{extra}</Result>"""


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>'
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<ProcessingReport><StatusCode>&x;</StatusCode></ProcessingReport>"
)


def test_all_messages_succeeded():
    report = parse_processing_report(amazon_report())
    assert report.status_code == "Complete"
    assert report.document_transaction_id == "50123456789"
    assert (report.processed, report.successful, report.with_error, report.with_warning) == (
        3,
        3,
        0,
        0,
    )
    assert report.results == {} and report.document_errors == []
    assert [report.outcome(number) for number in (1, 2, 3)] == [("ok", None, None)] * 3


def test_errors_and_warnings_are_read_per_message():
    results = "".join(
        [
            result(
                2,
                text="Amount exceeds the refundable amount.",
                number="25015",
                extra="<AdditionalInfo><AmazonOrderID>302-1234567-7654321</AmazonOrderID>"
                "<AmazonOrderItemCode>12345678901234</AmazonOrderItemCode></AdditionalInfo>",
            ),
            result(2, text="Second problem."),
            result(3, code="Warning", number="5001", text="Shipping was capped."),
        ]
    )
    report = parse_processing_report(amazon_report(summary=(3, 2, 1, 1), results=results))
    assert report.outcome(1) == ("ok", None, None)
    assert report.outcome(2) == (
        "error",
        "25015",
        "Amount exceeds the refundable amount.\nSecond problem.",
    )
    assert report.outcome(3) == ("warning", "5001", "Shipping was capped.")
    first = report.results[2][0]
    assert first.amazon_order_id == "302-1234567-7654321"
    assert first.amazon_order_item_code == "12345678901234"
    assert report.results[3][0].amazon_order_id is None
    assert report.with_error == 1 and report.with_warning == 1


def test_error_beats_warning_for_the_same_message():
    results = result(4, code="Warning", number="1") + result(4, number="2", text="Broken.")
    report = parse_processing_report(amazon_report(summary=(4, 3, 1, 0), results=results))
    assert report.outcome(4) == ("error", "2", "Broken.")


@pytest.mark.parametrize("message_id", [0, None])
def test_document_level_error_fails_every_message_when_nothing_was_processed(message_id):
    results = result(message_id, number="5000", text="XML Parsing Fatal Error at line 1")
    report = parse_processing_report(amazon_report(summary=(0, 0, 0, 0), results=results))
    assert report.results == {}
    assert [error.message_code for error in report.document_errors] == ["5000"]
    assert report.outcome(1) == ("error", "5000", "XML Parsing Fatal Error at line 1")


def test_document_level_error_without_summary_fails_every_message():
    report = parse_processing_report(
        amazon_report(status="Complete", summary=None, results=result(0, number="90208"))
    )
    assert report.processed is None
    assert report.outcome(9)[0] == "error"


def test_document_level_warning_leaves_unlisted_messages_ok():
    results = result(0, code="Warning", number="90111", text="Old document version")
    report = parse_processing_report(amazon_report(summary=(2, 2, 0, 0), results=results))
    assert report.document_errors == []
    assert [warning.message_code for warning in report.document_warnings] == ["90111"]
    assert report.outcome(1) == ("ok", None, None)


def test_processed_messages_stay_ok_beside_a_document_error():
    report = parse_processing_report(
        amazon_report(summary=(2, 1, 1, 0), results=result(0) + result(2))
    )
    assert report.outcome(1) == ("ok", None, None)
    assert report.outcome(2)[0] == "error"


def test_gzipped_and_namespaced_report():
    data = amazon_report(results=result(1), namespace='xmlns="http://example.com/ns"')
    report = parse_processing_report(gzip.compress(data))
    assert report.outcome(1)[0] == "error"


def test_unfinished_report_is_reported_as_such():
    report = parse_processing_report(amazon_report(status="Processing", summary=None))
    assert report.status_code == "Processing"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (amazon_report()[:-40], "malformed or truncated"),
        (b"<html><body>Service Unavailable</body></html>", "HTML"),
        (b"<?xml version='1.0'?><AmazonEnvelope><Message/></AmazonEnvelope>", "not a feed"),
        (amazon_report().replace(b"<StatusCode>Complete</StatusCode>", b""), "no StatusCode"),
        (amazon_report(summary=("x", 1, 0, 0)), "'x' is not a number"),
        (b"", "no element"),
        (gzip.compress(amazon_report())[:30], "damaged or truncated"),
        (BILLION_LAUGHS, "DOCTYPE"),
        (EXTERNAL_ENTITY, "DOCTYPE"),
    ],
)
def test_bad_reports_are_refused(data, problem):
    with pytest.raises(ReportParseError, match=problem):
        parse_processing_report(data)


def test_oversized_report_is_refused():
    with pytest.raises(ReportParseError, match="larger than the limit"):
        parse_processing_report(amazon_report(), max_bytes=100)


@pytest.fixture(scope="module")
def report_schema(xsd_dir):
    return etree.XMLSchema(etree.parse(str(xsd_dir / "ProcessingReport.xsd")))


def test_built_report_is_valid_and_reads_back(report_schema):
    results = [
        MessageResult(
            2, "Error", "18028", "Order not found", amazon_order_id="302-1234567-7654321"
        ),
        MessageResult(2, "Warning", "5001", "Also a warning"),
        MessageResult(3, "Warning", "5001", "Capped", amazon_order_item_code="12345678901234"),
        MessageResult(0, "Error", "90000", "Document problem"),
    ]
    data = build_processing_report(777, 3, results, merchant_id="A2MERCHANT")
    root = etree.fromstring(data)
    report_schema.assertValid(
        etree.ElementTree(copy.deepcopy(root.find("Message/ProcessingReport")))
    )
    assert root.findtext("MessageType") == "ProcessingReport"
    assert root.findtext("Header/MerchantIdentifier") == "A2MERCHANT"

    report = parse_processing_report(data)
    assert report.document_transaction_id == "777"
    # Message 2 counts as failed only, message 3 as warned; the document error counts for neither.
    assert (report.processed, report.successful, report.with_error, report.with_warning) == (
        3,
        2,
        1,
        1,
    )
    assert report.outcome(1) == ("ok", None, None)
    assert report.outcome(2) == ("error", "18028", "Order not found")
    assert report.outcome(3) == ("warning", "5001", "Capped")
    assert report.results[2][0].amazon_order_id == "302-1234567-7654321"
    assert report.results[3][0].amazon_order_item_code == "12345678901234"
    assert [error.description for error in report.document_errors] == ["Document problem"]


def test_built_report_without_results_is_valid(report_schema):
    data = build_processing_report(1, 15, [])
    root = etree.fromstring(data)
    report_schema.assertValid(
        etree.ElementTree(copy.deepcopy(root.find("Message/ProcessingReport")))
    )
    report = parse_processing_report(data)
    assert (report.processed, report.successful) == (15, 15)
    assert all(report.outcome(number) == ("ok", None, None) for number in range(1, 16))
