"""How the emulated Amazon reads an order feed, checks it against its orders and answers it.

Amazon validates a feed message by message: a bad message gets a Result in the processing report,
the others are applied. This module does the same for OrderAdjustment and OrderAcknowledgement.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

from . import amazon
from .processing_report import ERROR, MessageResult
from .state import ZERO, MessageRecord

# ResultMessageCode and ResultDescription per failure. 5000, 5001, 18021 and 18028 (with these
# wordings) appear in processing reports Amazon sent to sellers; the other numbers are this
# emulator's picks in Amazon's 18xxx order-feed range, worded after Seller Central's help pages for
# the same failures (refund above the balance, net adjustment not positive, negative item price).
FEED_ERRORS = {
    "xml_fatal": (5001, "XML Parsing Fatal Error at Line {line}, Column {column}: {reason}"),
    "xml_invalid": (
        5000,
        (
            "The XML you submitted is ill-formed at the Amazon Envelope XML level at (or near) "
            "line {line}, column {column}: {reason}"
        ),
    ),
    "order_not_found": (
        18028,
        (
            "Your order cannot be found using Merchant ID {seller_id} and {id_label} {order_id}. "
            "Enter the correct order ID and then resubmit your feed."
        ),
    ),
    "quantity_too_large": (
        18021,
        (
            "The quantities you provided for order id ({order_id}) were larger than the "
            "quantities that could be fulfilled. Please review the quantity from the order report "
            "and take into account any items that have been cancelled or already fulfilled."
        ),
    ),
    "item_not_found": (
        18029,
        "The order item code {item_id} could not be found in order id ({order_id}).",
    ),
    "item_shipped": (
        18040,
        (
            "Order item {item_id} of order id ({order_id}) has already been shipped and cannot be "
            "cancelled. Issue a refund instead."
        ),
    ),
    "refund_unshipped": (
        18041,
        (
            "Order item {item_id} of order id ({order_id}) has not been shipped, so it cannot be "
            "refunded. Cancel the item instead."
        ),
    ),
    "item_cancelled": (
        18042,
        "Order item {item_id} of order id ({order_id}) has already been cancelled.",
    ),
    "order_cancelled": (18042, "Order id ({order_id}) has already been cancelled."),
    "refund_exceeds": (
        18046,
        (
            "The refund amount you are requesting for {component} ({amount}) on order item "
            "{item_id} of order id ({order_id}) exceeds the amount that can be refunded "
            "({balance})."
        ),
    ),
    "net_not_positive": (
        18047,
        (
            "The net adjustment amount for order item {item_id} of order id ({order_id}) is not a "
            "positive amount and has therefore been rejected."
        ),
    ),
    "wrong_sign": (
        18048,
        (
            "Adjustment amount for {component} on order item {item_id} is {sign}; money back to "
            "the buyer is positive, fees the seller keeps are negative."
        ),
    ),
    "cancel_reason": (
        18049,
        (
            "QuantityCancelled on order item {item_id} needs the adjustment reason NoInventory or "
            "CustomerCancel, not {reason}."
        ),
    ),
    "currency_mismatch": (
        18050,
        (
            "The currency {currency} does not match the currency {order_currency} of order id "
            "({order_id})."
        ),
    ),
    "amazon_fulfilled": (
        18051,
        "Order id ({order_id}) is fulfilled by Amazon: the seller cannot cancel it.",
    ),
}

# Components that are not charged on their own: what can go back is capped by the line's balance.
UNCHARGED_COMPONENTS = ("Goodwill", "Other", "ReturnShipping", "FreeReplacementReturnShipping")
AMOUNT_PATTERN = re.compile(r"^\s*-?\d{1,20}(\.\d+)?\s*$")
MESSAGE_ID_PATTERN = re.compile(r"^\d{1,20}$")
ADJUSTED_ITEM_CHILDREN = {
    "AmazonOrderItemCode",
    "MerchantOrderItemID",
    "MerchantAdjustmentItemID",
    "AdjustmentReason",
    "ItemPriceAdjustments",
    "PromotionAdjustments",
    "DirectPaymentAdjustments",
    "QuantityCancelled",
    "Quantity",
}


def hardened_parser():
    """An lxml parser that never reads a DTD, expands an entity or touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


@dataclass
class FeedError(Exception):
    """A failure found while reading: of one message, or of the whole document (MessageID 0)."""

    key: str
    values: dict

    def result(self, message_id, order_id=None, item_id=None):
        code, template = FEED_ERRORS[self.key]
        return MessageResult(
            message_id=int(message_id or 0),
            result_code=ERROR,
            message_code=str(code),
            description=template.format(**self.values),
            amazon_order_id=order_id,
            amazon_order_item_code=item_id,
        )


def _invalid(element, reason):
    line = element.sourceline if element is not None else 1
    return FeedError("xml_invalid", {"line": line, "column": 1, "reason": reason})


def _text(parent, tag):
    child = parent.find(tag)
    return child.text.strip() if child is not None and child.text else None


def _required(parent, tag):
    value = _text(parent, tag)
    if not value:
        raise _invalid(parent, f"element {parent.tag} is missing {tag}")
    return value


def _enum(parent, tag, allowed, required=True):
    value = _text(parent, tag) if not required else _required(parent, tag)
    if value is not None and value not in allowed:
        raise _invalid(parent.find(tag), f"'{value}' is not a valid value of {tag}")
    return value


def _amount(element):
    text = element.text or ""
    if not AMOUNT_PATTERN.match(text):
        raise _invalid(element, f"'{text}' is not a valid amount")
    try:
        amount = Decimal(text.strip())
    except InvalidOperation as error:
        raise _invalid(element, f"'{text}' is not a valid amount") from error
    # The schema fixes two fraction digits: 3.900 is 3.9, but 3.905 is refused.
    if amount.normalize().as_tuple().exponent < -2:
        raise _invalid(element, f"'{text}' has more than two decimals")
    return amount.quantize(Decimal("0.01"))


def _positive_int(parent, tag):
    text = _text(parent, tag)
    if text is None:
        return 0
    if not text.isdigit() or int(text) < 1:
        raise _invalid(parent.find(tag), f"{tag} must be a positive integer, not '{text}'")
    return int(text)


def read_document(feed_type, content):
    """Parse a feed document into MessageRecords; raise FeedError if the envelope is unusable."""
    try:
        root = etree.fromstring(content, hardened_parser())
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (1, 1)
        values = {"line": line, "column": column, "reason": error.msg}
        raise FeedError("xml_fatal", values) from error
    if root.getroottree().docinfo.doctype:
        # Amazon's envelope has no DTD; a DOCTYPE is where entity attacks live.
        raise FeedError("xml_fatal", {"line": 1, "column": 1, "reason": "DOCTYPE is not allowed"})
    if root.tag != "AmazonEnvelope":
        raise _invalid(root, f"root element is {root.tag}, expected AmazonEnvelope")
    header = root.find("Header")
    if header is None:
        raise _invalid(root, "AmazonEnvelope is missing Header")
    _required(header, "DocumentVersion")
    _required(header, "MerchantIdentifier")
    message_type = _required(root, "MessageType")
    expected = amazon.FEED_MESSAGE_TYPES[feed_type]
    if message_type != expected:
        raise _invalid(
            root.find("MessageType"),
            f"MessageType {message_type} does not belong in a {feed_type} feed, "
            "please specify the correct feed type",
        )
    elements = root.findall("Message")
    if not elements:
        raise _invalid(root, "AmazonEnvelope has no Message")
    return [_read_message(element, expected) for element in elements]


def _read_message(element, message_type):
    message_id = _text(element, "MessageID") or ""
    record = MessageRecord(message_id, message_type, None, [])
    try:
        if not MESSAGE_ID_PATTERN.match(message_id):
            raise _invalid(element, f"MessageID '{message_id}' is not a number")
        body = element.find(message_type)
        if body is None:
            raise _invalid(element, f"Message {message_id} has no {message_type}")
        record.amazon_order_id = _text(body, "AmazonOrderID")
        if message_type == "OrderAdjustment":
            _read_adjustment(body, record)
        else:
            _read_acknowledgement(body, record)
    except FeedError as error:
        record.outcome = "error"
        number = message_id if MESSAGE_ID_PATTERN.match(message_id) else "0"
        record.errors.append(error.result(number, record.amazon_order_id))
    return record


def _read_adjustment(body, record):
    if record.amazon_order_id is None:
        merchant_order_id = _text(body, "MerchantOrderID")
        if not merchant_order_id:
            raise _invalid(body, "OrderAdjustment needs AmazonOrderID or MerchantOrderID")
        record.amazon_order_id = merchant_order_id
        record.by_merchant_order_id = True
        return
    _enum(body, "ActionType", ("Refund", "Cancel"), required=False)
    adjusted = body.findall("AdjustedItem")
    if not adjusted:
        raise _invalid(body, "OrderAdjustment has no AdjustedItem")
    for item in adjusted:
        unknown = [child.tag for child in item if child.tag not in ADJUSTED_ITEM_CHILDREN]
        if unknown:
            raise _invalid(item, f"AdjustedItem does not allow {unknown[0]}")
        item_id = _text(item, "AmazonOrderItemCode") or _text(item, "MerchantOrderItemID")
        if not item_id:
            raise _invalid(item, "AdjustedItem needs AmazonOrderItemCode")
        amounts = {}
        currencies = set()
        prices = item.find("ItemPriceAdjustments")
        for component in prices.findall("Component") if prices is not None else ():
            kind = _enum(component, "Type", amazon.PRICE_COMPONENTS)
            amount_element = component.find("Amount")
            if amount_element is None:
                raise _invalid(component, "Component is missing Amount")
            amounts[kind] = amounts.get(kind, ZERO) + _amount(amount_element)
            if amount_element.get("currency"):
                currencies.add(amount_element.get("currency"))
        if prices is not None and not amounts:
            raise _invalid(prices, "ItemPriceAdjustments has no Component")
        record.items.append(
            {
                "order_item_id": item_id,
                "merchant_adjustment_item_id": _text(item, "MerchantAdjustmentItemID") or "",
                "reason": _enum(item, "AdjustmentReason", amazon.ADJUSTMENT_REASONS),
                "amounts": amounts,
                "currencies": sorted(currencies),
                "quantity_cancelled": _positive_int(item, "QuantityCancelled"),
                "quantity": _positive_int(item, "Quantity"),
            }
        )


def _read_acknowledgement(body, record):
    if record.amazon_order_id is None:
        raise _invalid(body, "OrderAcknowledgement is missing AmazonOrderID")
    record.status_code = _enum(body, "StatusCode", ("Success", "Failure"))
    for item in body.findall("Item"):
        record.items.append(
            {
                "order_item_id": _required(item, "AmazonOrderItemCode"),
                "cancel_reason": _enum(item, "CancelReason", amazon.CANCEL_REASONS, required=False),
            }
        )


class OrderBook:
    """Checks messages against a seller's orders and applies those that pass, in feed order."""

    def __init__(self, orders, seller_id, now, record_refund):
        self.orders = orders
        self.seller_id = seller_id
        self.now = now
        self.record_refund = record_refund

    def process(self, record, feed_id):
        """Check one read message; apply it when clean. Returns its MessageResults."""
        if record.outcome == "error":
            return record.errors
        order = self.orders.get(record.amazon_order_id)
        if order is None or order.seller_id != self.seller_id or record.by_merchant_order_id:
            label = "Merchant Order" if record.by_merchant_order_id else "Amazon Order ID"
            values = {"seller_id": self.seller_id, "id_label": label}
            error = FeedError("order_not_found", values | {"order_id": record.amazon_order_id})
            return self._fail(record, [error.result(record.message_id, record.amazon_order_id)])
        if record.message_type == "OrderAdjustment":
            errors = self._check_adjustment(record, order)
        else:
            errors = self._check_acknowledgement(record, order)
        if errors:
            return self._fail(record, errors)
        if record.message_type == "OrderAdjustment":
            self._apply_adjustment(record, order, feed_id)
        else:
            self._apply_acknowledgement(record, order)
        order.last_updated = self.now
        record.outcome = "applied"
        return []

    @staticmethod
    def _fail(record, errors):
        record.outcome = "error"
        record.errors = errors
        return errors

    def _error(self, record, key, item_id=None, **values):
        values.setdefault("order_id", record.amazon_order_id)
        values.setdefault("item_id", item_id)
        return FeedError(key, values).result(record.message_id, record.amazon_order_id, item_id)

    def _check_adjustment(self, record, order):
        errors = []
        # Several AdjustedItems may name the same line: check them against what is left together.
        asked = {}
        cancels = {}
        for entry in record.items:
            item_id = entry["order_item_id"]
            item = order.items.get(item_id)
            if item is None:
                errors.append(self._error(record, "item_not_found", item_id))
                continue
            for currency in entry["currencies"]:
                if currency != order.currency:
                    errors.append(
                        self._error(
                            record,
                            "currency_mismatch",
                            item_id,
                            currency=currency,
                            order_currency=order.currency,
                        )
                    )
            if entry["quantity_cancelled"]:
                problems = self._check_quantity_cancel(record, order, item, entry)
                cancels[item_id] = cancels.get(item_id, 0) + entry["quantity_cancelled"]
                if not problems and cancels[item_id] > item.quantity_unshipped:
                    problems = [self._error(record, "quantity_too_large", item_id)]
                errors.extend(problems)
            elif not item.quantity_shipped:
                errors.append(self._error(record, "refund_unshipped", item_id))
                continue
            errors.extend(self._check_amounts(record, item, entry["amounts"], asked))
        return errors

    def _check_quantity_cancel(self, record, order, item, entry):
        item_id = item.order_item_id
        if order.fulfillment_channel == "AFN":
            return [self._error(record, "amazon_fulfilled", item_id)]
        if entry["reason"] not in amazon.QUANTITY_CANCEL_REASONS:
            return [self._error(record, "cancel_reason", item_id, reason=entry["reason"])]
        if item.quantity_cancelled == item.quantity:
            return [self._error(record, "item_cancelled", item_id)]
        if not item.quantity_unshipped:
            return [self._error(record, "item_shipped", item_id)]
        return []

    def _check_amounts(self, record, item, amounts, asked):
        """Check refund amounts; `asked` holds what earlier items of the message already took."""
        errors = []
        item_id = item.order_item_id
        # Goodwill and the like are never charged: they are capped by what is left on the line.
        line_balance = sum((item.refundable(charged) for charged in item.prices), ZERO)
        for component, amount in amounts.items():
            if amount and (amount > 0) == (component in amazon.KEPT_COMPONENTS):
                sign = "positive" if amount > 0 else "negative"
                errors.append(
                    self._error(record, "wrong_sign", item_id, component=component, sign=sign)
                )
                continue
            key = (item_id, component)
            asked[key] = asked.get(key, ZERO) + amount
            if component in UNCHARGED_COMPONENTS:
                balance = line_balance
            else:
                balance = item.refundable(component)
            if amount > 0 and asked[key] > balance:
                errors.append(
                    self._error(
                        record,
                        "refund_exceeds",
                        item_id,
                        component=component,
                        amount=f"{asked[key]:.2f}",
                        balance=f"{max(balance, ZERO):.2f}",
                    )
                )
        # A wrong sign already explains a net that is not a credit to the buyer.
        if amounts and not errors and sum(amounts.values(), ZERO) <= 0:
            errors.append(self._error(record, "net_not_positive", item_id))
        return errors

    def _check_acknowledgement(self, record, order):
        if record.status_code == "Success":
            return []
        if order.fulfillment_channel == "AFN":
            return [self._error(record, "amazon_fulfilled")]
        errors = []
        if not record.items:
            # Cancelling the whole order: lines cancelled before are skipped, shipped ones refuse.
            for item in order.items.values():
                if item.quantity_shipped:
                    errors.append(self._error(record, "item_shipped", item.order_item_id))
            if not errors and not any(item.quantity_unshipped for item in order.items.values()):
                errors.append(self._error(record, "order_cancelled"))
            return errors
        for entry in record.items:
            item = order.items.get(entry["order_item_id"])
            if item is None:
                errors.append(self._error(record, "item_not_found", entry["order_item_id"]))
            elif item.quantity_shipped:
                errors.append(self._error(record, "item_shipped", item.order_item_id))
            elif not item.quantity_unshipped:
                errors.append(self._error(record, "item_cancelled", item.order_item_id))
        return errors

    def _apply_adjustment(self, record, order, feed_id):
        for entry in record.items:
            item = order.items[entry["order_item_id"]]
            for component, amount in entry["amounts"].items():
                item.refunded[component] = item.refunded.get(component, ZERO) + amount
            if entry["quantity_cancelled"]:
                item.quantity_cancelled += entry["quantity_cancelled"]
                item.cancelled_by = "MERCHANT"
                item.cancel_reason = entry["reason"]
            if any(entry["amounts"].values()):
                self.record_refund(
                    order,
                    item,
                    entry["amounts"],
                    merchant_adjustment_item_id=entry["merchant_adjustment_item_id"],
                    reason=entry["reason"],
                    feed_id=feed_id,
                    quantity_cancelled=entry["quantity_cancelled"],
                )

    def _apply_acknowledgement(self, record, order):
        order.acknowledged = True
        if record.status_code == "Success":
            return
        reasons = {entry["order_item_id"]: entry["cancel_reason"] for entry in record.items}
        targets = [order.items[item_id] for item_id in reasons] or list(order.items.values())
        for item in targets:
            if not item.quantity_unshipped:
                continue
            item.quantity_cancelled += item.quantity_unshipped
            item.cancelled_by = "MERCHANT"
            item.cancel_reason = reasons.get(item.order_item_id) or "GeneralAdjustment"
