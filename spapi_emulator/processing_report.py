"""Feed processing reports as Amazon writes them (ProcessingReport.xsd in Amazon's envelope)."""

from dataclasses import dataclass

from lxml import etree

XSI = "http://www.w3.org/2001/XMLSchema-instance"
ERROR = "Error"
WARNING = "Warning"
STATUS_COMPLETE = "Complete"


@dataclass
class MessageResult:
    """One Result of a report: an error or warning about one message (0: the whole document)."""

    message_id: int
    result_code: str
    message_code: str
    description: str
    amazon_order_id: str | None = None
    amazon_order_item_code: str | None = None
    sku: str | None = None


def build_processing_report(
    document_transaction_id, processed, results, merchant_id="", status_code=STATUS_COMPLETE
):
    """A processing report as Amazon writes it (UTF-8 bytes), as the emulator serves it.

    `results` are MessageResult objects; the summary counts follow from them and `processed`.
    """
    results = list(results)
    failed = {result.message_id for result in results if result.result_code == ERROR}
    warned = {result.message_id for result in results if result.result_code == WARNING} - failed
    failed.discard(0)
    warned.discard(0)

    root = etree.Element("AmazonEnvelope", nsmap={"xsi": XSI})
    root.set(f"{{{XSI}}}noNamespaceSchemaLocation", "amzn-envelope.xsd")
    sub = etree.SubElement
    header = sub(root, "Header")
    sub(header, "DocumentVersion").text = "1.02"
    sub(header, "MerchantIdentifier").text = merchant_id
    sub(root, "MessageType").text = "ProcessingReport"
    message = sub(root, "Message")
    sub(message, "MessageID").text = "1"
    report = sub(message, "ProcessingReport")
    sub(report, "DocumentTransactionID").text = str(document_transaction_id)
    sub(report, "StatusCode").text = status_code
    summary = sub(report, "ProcessingSummary")
    sub(summary, "MessagesProcessed").text = str(processed)
    sub(summary, "MessagesSuccessful").text = str(max(processed - len(failed), 0))
    sub(summary, "MessagesWithError").text = str(len(failed))
    sub(summary, "MessagesWithWarning").text = str(len(warned))
    for result in results:
        element = sub(report, "Result")
        sub(element, "MessageID").text = str(result.message_id)
        sub(element, "ResultCode").text = result.result_code
        sub(element, "ResultMessageCode").text = str(result.message_code)
        sub(element, "ResultDescription").text = result.description
        extra = [
            ("SKU", result.sku),
            ("AmazonOrderID", result.amazon_order_id),
            ("AmazonOrderItemCode", result.amazon_order_item_code),
        ]
        if any(value for _name, value in extra):
            info = sub(element, "AdditionalInfo")
            for name, value in extra:
                if value:
                    sub(info, name).text = value
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
