"""Amazon's feed processing report: which messages of a feed failed or warned, and why.

Amazon lists only the messages that had an error or a warning; a message it does not list went
through. A Result with MessageID 0 (or none) is about the document as a whole.
"""

from dataclasses import dataclass, field

from lxml import etree

from .errors import ReportParseError
from .xml_safety import parse_xml

ERROR = "Error"
WARNING = "Warning"
# A report on a 15-message feed is a few kilobytes; refusing more than this bounds the parse.
MAX_REPORT_BYTES = 16 * 1024 * 1024


@dataclass
class MessageResult:
    """One line of the report: an error or warning about one message (0: the whole document)."""

    message_id: int
    result_code: str
    message_code: str
    description: str
    amazon_order_id: str | None = None
    amazon_order_item_code: str | None = None
    sku: str | None = None


@dataclass
class ProcessingReport:
    """What Amazon did with a feed; `results` maps a MessageID to its errors and warnings."""

    status_code: str
    processed: int | None
    successful: int | None
    with_error: int | None
    with_warning: int | None
    results: dict = field(default_factory=dict)
    document_errors: list = field(default_factory=list)
    document_warnings: list = field(default_factory=list)
    document_transaction_id: str | None = None

    def outcome(self, message_id):
        """("ok" | "warning" | "error", result code or None, description or None) of a message.

        A message the report does not list went through, except when the document failed as a
        whole and Amazon processed no message: then it shares the document's error.
        """
        results = self.results.get(message_id, ())
        errors = [result for result in results if result.result_code == ERROR]
        if errors:
            return "error", errors[0].message_code, _describe(errors)
        if self.document_errors and not self.processed:
            return "error", self.document_errors[0].message_code, _describe(self.document_errors)
        if results:
            return "warning", results[0].message_code, _describe(results)
        return "ok", None, None


def _describe(results):
    return "\n".join(result.description for result in results)


def _text(element, path):
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _int(element, path, required=False):
    found = element.find(path)
    text = None if found is None or found.text is None else found.text.strip()
    if not text:
        if required:
            raise ReportParseError(
                f"The processing report has no {path.removeprefix('{*}')}",
                line=element.sourceline,
                element=etree.QName(element).localname,
            )
        return None
    try:
        return int(text)
    except ValueError:
        raise ReportParseError(
            f"{text!r} is not a number",
            line=found.sourceline,
            element=etree.QName(found).localname,
        ) from None


def parse_processing_report(data, max_bytes=MAX_REPORT_BYTES):
    """Read a processing report (bytes or a binary file, maybe gzipped) into a ProcessingReport."""
    root = parse_xml(data, max_bytes=max_bytes)
    report = root if etree.QName(root).localname == "ProcessingReport" else None
    if report is None:
        report = root.find(".//{*}ProcessingReport")
    if report is None:
        raise ReportParseError(
            "The file is not a feed processing report", element=etree.QName(root).localname
        )
    status_code = _text(report, "{*}StatusCode")
    if status_code is None:
        raise ReportParseError(
            "The processing report has no StatusCode",
            line=report.sourceline,
            element="ProcessingReport",
        )
    summary = report.find("{*}ProcessingSummary")
    counts = [None] * 4
    if summary is not None:
        counts = [
            _int(summary, f"{{*}}{name}", required=True)
            for name in (
                "MessagesProcessed",
                "MessagesSuccessful",
                "MessagesWithError",
                "MessagesWithWarning",
            )
        ]
    parsed = ProcessingReport(status_code, *counts)
    parsed.document_transaction_id = _text(report, "{*}DocumentTransactionID")
    for element in report.iterfind("{*}Result"):
        result = MessageResult(
            message_id=_int(element, "{*}MessageID") or 0,
            result_code=_text(element, "{*}ResultCode") or ERROR,
            message_code=_text(element, "{*}ResultMessageCode") or "",
            description=_text(element, "{*}ResultDescription") or "",
            amazon_order_id=_text(element, "{*}AdditionalInfo/{*}AmazonOrderID"),
            amazon_order_item_code=_text(element, "{*}AdditionalInfo/{*}AmazonOrderItemCode"),
            sku=_text(element, "{*}AdditionalInfo/{*}SKU"),
        )
        if result.message_id:
            parsed.results.setdefault(result.message_id, []).append(result)
        elif result.result_code == WARNING:
            parsed.document_warnings.append(result)
        else:
            parsed.document_errors.append(result)
    return parsed
