"""Feed documents from plain data: OrderAdjustment (refunds, partial cancels) and
OrderAcknowledgement (cancels).

Everything Amazon's schemas check, and the business rules we know of, is checked before a
document is built: a request that would fail is refused here with its reference, not later
by Amazon for the whole batch.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

from . import const
from .errors import DocumentError

DOCUMENT_VERSION = "1.01"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# amzn-base.xsd `String` and `StringNotNull`: a normalizedString of at most 50 characters.
MAX_ID_LENGTH = 50
# BaseCurrencyAmount has at most 20 digits, two of them decimals.
_MAX_AMOUNT = Decimal(10) ** 18
_CENT = Decimal("0.01")
_ORDER_ID = re.compile(const.AMAZON_ORDER_ID_PATTERN)
_ITEM_CODE = re.compile(const.AMAZON_ORDER_ITEM_CODE_PATTERN)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Characters a normalizedString may not hold.
_NOT_NORMALIZED = re.compile(r"[\r\n\t]")
# Components in the schema's order, so that documents come out the same whatever the dict order.
_COMPONENT_ORDER = {name: index for index, name in enumerate(const.PRICE_COMPONENTS)}


@dataclass
class AdjustmentItem:
    """One order line to refund, or part of whose quantity to cancel.

    `components` maps a price component to an amount, always given positive: money back to the
    buyer, or for KEPT_COMPONENTS (restocking fee) money the seller keeps, written negative.
    """

    order_item_code: str
    reason: str
    components: dict = field(default_factory=dict)
    quantity_cancelled: int | None = None
    quantity: int | None = None
    merchant_adjustment_item_id: str | None = None
    reference: str | None = None


@dataclass
class AdjustmentMessage:
    """One refund or partial cancellation request: an order and its adjusted lines."""

    message_id: int
    amazon_order_id: str
    items: list
    reference: str | None = None


@dataclass
class AcknowledgementItem:
    """One order line to cancel, whole."""

    order_item_code: str
    cancel_reason: str


@dataclass
class AcknowledgementMessage:
    """One cancellation request: an order and the lines to cancel."""

    message_id: int
    amazon_order_id: str
    items: list
    reference: str | None = None
    merchant_order_id: str | None = None


def _fail(reference, problem):
    raise DocumentError(f"{reference}: {problem}" if reference else problem, reference)


def _check_identifier(value, what, reference, required=True):
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip():
        _fail(reference, f"{what} is missing")
    if len(value) > MAX_ID_LENGTH:
        _fail(reference, f"{what} {value!r} is longer than {MAX_ID_LENGTH} characters")
    if _NOT_NORMALIZED.search(value):
        _fail(reference, f"{what} {value!r} contains a line break or a tab")


def _positive_int(value, what, reference):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        _fail(reference, f"{what} must be a whole number above 0, not {value!r}")


def _check_order_id(message):
    order_id = message.amazon_order_id
    if not isinstance(order_id, str) or not _ORDER_ID.match(order_id):
        _fail(
            message.reference,
            f"Amazon order id {order_id!r} is not of the form 123-1234567-1234567",
        )


def _check_item_code(code, reference):
    if not isinstance(code, str) or not _ITEM_CODE.match(code):
        _fail(reference, f"Amazon order item id {code!r} is not 14 digits")


def _check_messages(merchant_id, messages, message_type):
    _check_identifier(merchant_id, "Merchant identifier", None)
    if not messages:
        _fail(None, f"An {message_type} feed needs at least one message")
    if len(messages) > const.LARGEST_FEED_MESSAGES:
        _fail(
            None,
            f"An {message_type} feed holds at most {const.LARGEST_FEED_MESSAGES} messages, "
            f"not {len(messages)}",
        )
    seen = set()
    for message in messages:
        _positive_int(message.message_id, "MessageID", message.reference)
        if message.message_id in seen:
            _fail(message.reference, f"MessageID {message.message_id} is used twice in the feed")
        seen.add(message.message_id)


def _amount(value, component, reference):
    """The amount as a Decimal with at most two decimals, or a DocumentError."""
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 12.3 stays 12.3, while
        # 0.1 + 0.2 shows its extra digits and is refused below.
        value = Decimal(repr(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    elif not isinstance(value, Decimal):
        _fail(reference, f"{component} amount {value!r} is not a number")
    if not value.is_finite():
        _fail(reference, f"{component} amount {value} is not a number")
    if value < 0:
        _fail(
            reference,
            f"{component} amount {value} is negative: give every amount positive "
            "(fees the seller keeps are written negative for Amazon)",
        )
    if value >= _MAX_AMOUNT:
        _fail(reference, f"{component} amount {value} is too large")
    if value != value.quantize(_CENT):
        _fail(reference, f"{component} amount {value} has more than two decimals")
    return value


def _adjustment_components(item, reference):
    """Check an adjusted item; return its non-zero components as (type, signed amount)."""
    if not isinstance(item.components, dict):
        _fail(reference, "Price components must be given as a mapping of component to amount")
    written = []
    net = Decimal(0)
    for component, value in item.components.items():
        if component not in const.PRICE_COMPONENTS:
            _fail(reference, f"Unknown price component {component!r}")
        amount = _amount(value, component, reference)
        if not amount:
            continue
        if component in const.KEPT_COMPONENTS:
            amount = -amount
        net += amount
        written.append((component, amount))
    written.sort(key=lambda pair: _COMPONENT_ORDER[pair[0]])
    if item.quantity_cancelled is not None:
        _positive_int(item.quantity_cancelled, "Quantity cancelled", reference)
        if item.reason not in const.QUANTITY_CANCEL_REASONS:
            _fail(
                reference,
                f"Cancelling part of a quantity needs reason "
                f"{' or '.join(const.QUANTITY_CANCEL_REASONS)}, not {item.reason!r}",
            )
    if not written and item.quantity_cancelled is None:
        _fail(reference, "Nothing to adjust: every amount is zero and no quantity is cancelled")
    if written and net <= 0:
        _fail(
            reference,
            f"The adjustment must pay the buyer back, but it nets to {net:.2f} "
            "after the fees the seller keeps",
        )
    return written


def check_adjustment_message(message):
    """Check one refund request as a feed message needs it; raise DocumentError if not."""
    _checked_adjustment(message)


def _checked_adjustment(message):
    """Check a refund request; return its items, each with its signed non-zero components."""
    _check_order_id(message)
    if not message.items:
        _fail(message.reference, "The refund has no order lines")
    seen = set()
    checked = []
    for item in message.items:
        reference = item.reference or message.reference
        _check_item_code(item.order_item_code, reference)
        if item.order_item_code in seen:
            # Two adjustments of one line in one message risk a double refund.
            _fail(reference, f"Order item {item.order_item_code} appears twice in one refund")
        seen.add(item.order_item_code)
        _check_identifier(
            item.merchant_adjustment_item_id,
            "Merchant adjustment item id",
            reference,
            required=False,
        )
        if item.reason not in const.ADJUSTMENT_REASONS:
            _fail(reference, f"Unknown adjustment reason {item.reason!r}")
        if item.quantity is not None:
            _positive_int(item.quantity, "Quantity", reference)
        checked.append((item, _adjustment_components(item, reference)))
    return checked


def check_acknowledgement_message(message):
    """Check one cancellation request as a feed message needs it; raise DocumentError if not."""
    _check_order_id(message)
    _check_identifier(
        message.merchant_order_id, "Merchant order id", message.reference, required=False
    )
    if not message.items:
        _fail(message.reference, "The cancellation has no order lines")
    seen = set()
    for item in message.items:
        _check_item_code(item.order_item_code, message.reference)
        if item.order_item_code in seen:
            _fail(
                message.reference,
                f"Order item {item.order_item_code} appears twice in one cancellation",
            )
        seen.add(item.order_item_code)
        if item.cancel_reason not in const.CANCEL_REASONS:
            _fail(message.reference, f"Unknown cancel reason {item.cancel_reason!r}")


def _envelope(merchant_id, message_type):
    root = etree.Element("AmazonEnvelope", nsmap={"xsi": XSI})
    root.set(f"{{{XSI}}}noNamespaceSchemaLocation", "amzn-envelope.xsd")
    header = etree.SubElement(root, "Header")
    etree.SubElement(header, "DocumentVersion").text = DOCUMENT_VERSION
    etree.SubElement(header, "MerchantIdentifier").text = merchant_id
    etree.SubElement(root, "MessageType").text = message_type
    return root


def _message(root, message_id, message_type):
    message = etree.SubElement(root, "Message")
    etree.SubElement(message, "MessageID").text = str(message_id)
    return etree.SubElement(message, message_type)


def _serialize(root):
    document = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    if len(document) > const.FEED_MAX_BYTES:
        _fail(None, f"The feed document has {len(document)} bytes, over Amazon's 10 MiB")
    return document


def build_adjustment_feed(merchant_id, messages, currency):
    """The POST_PAYMENT_ADJUSTMENT_DATA document (UTF-8 bytes) for a batch of refund requests."""
    messages = list(messages)
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        _fail(None, f"Currency {currency!r} is not a three-letter code such as EUR")
    _check_messages(merchant_id, messages, "OrderAdjustment")
    checked = [(message, _checked_adjustment(message)) for message in messages]

    root = _envelope(merchant_id, "OrderAdjustment")
    sub = etree.SubElement
    for message, items in checked:
        adjustment = _message(root, message.message_id, "OrderAdjustment")
        sub(adjustment, "AmazonOrderID").text = message.amazon_order_id
        for item, components in items:
            adjusted = sub(adjustment, "AdjustedItem")
            sub(adjusted, "AmazonOrderItemCode").text = item.order_item_code
            if item.merchant_adjustment_item_id is not None:
                sub(adjusted, "MerchantAdjustmentItemID").text = item.merchant_adjustment_item_id
            sub(adjusted, "AdjustmentReason").text = item.reason
            if components:
                prices = sub(adjusted, "ItemPriceAdjustments")
                for component, amount in components:
                    element = sub(prices, "Component")
                    sub(element, "Type").text = component
                    sub(element, "Amount", currency=currency).text = f"{amount:.2f}"
            if item.quantity_cancelled is not None:
                sub(adjusted, "QuantityCancelled").text = str(item.quantity_cancelled)
            if item.quantity is not None:
                sub(adjusted, "Quantity").text = str(item.quantity)
    return _serialize(root)


def build_acknowledgement_feed(merchant_id, messages):
    """The POST_ORDER_ACKNOWLEDGEMENT_DATA document (UTF-8 bytes) for a batch of cancellations."""
    messages = list(messages)
    _check_messages(merchant_id, messages, "OrderAcknowledgement")
    for message in messages:
        check_acknowledgement_message(message)

    root = _envelope(merchant_id, "OrderAcknowledgement")
    sub = etree.SubElement
    for message in messages:
        acknowledgement = _message(root, message.message_id, "OrderAcknowledgement")
        sub(acknowledgement, "AmazonOrderID").text = message.amazon_order_id
        if message.merchant_order_id is not None:
            sub(acknowledgement, "MerchantOrderID").text = message.merchant_order_id
        # Failure with items cancels those lines; Success would confirm the order instead.
        sub(acknowledgement, "StatusCode").text = "Failure"
        for item in message.items:
            element = sub(acknowledgement, "Item")
            sub(element, "AmazonOrderItemCode").text = item.order_item_code
            sub(element, "CancelReason").text = item.cancel_reason
    return _serialize(root)
