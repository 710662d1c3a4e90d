"""The report files the emulated Amazon serves, built from its state in Amazon's layouts."""

from decimal import Decimal

from lxml import etree

from . import amazon
from .state import ZERO

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MARKETPLACE_NAMES = {row[0]: row[3] for row in amazon.MARKETPLACES}

# Columns as in a returns report Amazon served in 2025 (SafeT columns included), plus Category,
# a later addition: the reader must match columns by name and ignore the ones it does not know.
RETURNS_FLAT_COLUMNS = (
    "Order ID",
    "Order date",
    "Return request date",
    "Return request status",
    "Amazon RMA ID",
    "Merchant RMA ID",
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
)

ORDER_REPORT_COLUMNS = (
    "order-id",
    "order-item-id",
    "purchase-date",
    "payments-date",
    "buyer-email",
    "buyer-name",
    "buyer-phone-number",
    "sku",
    "product-name",
    "quantity-purchased",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "ship-service-level",
    "recipient-name",
    "ship-address-1",
    "ship-address-2",
    "ship-address-3",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "sales-channel",
    "is-business-order",
    "purchase-order-number",
    "price-designation",
    "is-prime",
)

UNSHIPPED_REPORT_COLUMNS = (
    "order-id",
    "order-item-id",
    "purchase-date",
    "payments-date",
    "reporting-date",
    "promise-date",
    "days-past-promise",
    "buyer-email",
    "buyer-name",
    "buyer-phone-number",
    "sku",
    "product-name",
    "quantity-purchased",
    "quantity-shipped",
    "quantity-to-ship",
    "ship-service-level",
    "recipient-name",
    "ship-address-1",
    "ship-address-2",
    "ship-address-3",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "sales-channel",
    "is-business-order",
    "purchase-order-number",
    "price-designation",
    "is-prime",
    "is-buyer-requested-cancellation",
    "buyer-requested-cancel-reason",
)

SETTLEMENT_COLUMNS = (
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
)

# Amazon gives back part of its referral fee on a refund and keeps a refund administration fee:
# 20% of that commission, at most 5.00 in the marketplace's currency.
COMMISSION_RATE = Decimal("0.15")
REFUND_FEE_RATE = Decimal("0.20")
REFUND_FEE_CAP = Decimal("5.00")
CENT = Decimal("0.01")


def flat_date(moment):
    """10-Jul-2025, as in the returns flat file (not locale dependent)."""
    return f"{moment.day:02d}-{MONTHS[moment.month - 1]}-{moment.year}"


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def money(amount):
    return f"{Decimal(amount).quantize(CENT):.2f}"


def yes_no(flag):
    return "Y" if flag else "N"


def true_false(flag):
    return "true" if flag else "false"


def _table(columns, rows):
    lines = ["\t".join(columns)]
    lines.extend("\t".join(str(row.get(column, "")) for column in columns) for row in rows)
    return "\n".join(lines) + "\n"


def _in_window(moment, start, end):
    return (start is None or moment >= start) and (end is None or moment <= end)


def _line_total(item):
    return sum(item.prices.values(), ZERO)


def _refunded_total(item):
    return sum((amount for amount in item.refunded.values() if amount > 0), ZERO)


def _selected_returns(returns, orders, report):
    for rma in sorted(returns.values(), key=lambda rma: (rma.request_date, rma.rma_id)):
        order = orders[rma.amazon_order_id]
        if (
            rma.seller_id == report.seller_id
            and order.marketplace_id in report.marketplace_ids
            and _in_window(rma.request_date, report.data_start, report.data_end)
        ):
            yield rma, order


def returns_flat(returns, orders, report):
    """GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE: one row per returned line; blank is a space."""
    rows = []
    for rma, order in _selected_returns(returns, orders, report):
        for line in rma.items:
            item = order.items[line.order_item_id]
            refunded = line.refunded_amount or _refunded_total(item)
            rows.append(
                {
                    "Order ID": order.amazon_order_id,
                    "Order date": flat_date(order.purchase_date),
                    "Return request date": flat_date(rma.request_date),
                    "Return request status": rma.status,
                    "Amazon RMA ID": rma.rma_id,
                    # Amazon writes a single space in empty optional columns.
                    "Merchant RMA ID": rma.merchant_rma_id or " ",
                    "Label type": rma.label_type,
                    "Label cost": money(rma.label_cost) if rma.label_type else "",
                    "Currency code": order.currency,
                    "Return carrier": rma.carrier,
                    "Tracking ID": rma.tracking_id,
                    "Label to be paid by": rma.label_paid_by,
                    "A-to-Z Claim": yes_no(rma.a_to_z_claim),
                    "Is prime": yes_no(order.is_prime),
                    "ASIN": item.asin,
                    "Merchant SKU": item.sku,
                    "Item Name": item.title,
                    "Return quantity": line.quantity,
                    "Return Reason": line.reason,
                    "In policy": yes_no(line.in_policy),
                    "Return type": rma.return_type,
                    "Resolution": rma.resolution,
                    "Invoice number": rma.invoice_number or " ",
                    "Return delivery date": (
                        flat_date(rma.delivery_date) if rma.delivery_date else " "
                    ),
                    "Order Amount": money(_line_total(item)),
                    "Order quantity": item.quantity,
                    "Refunded Amount": money(refunded) if refunded else "",
                    "Category": "",
                    **_safet_columns(rma),
                }
            )
    return _table(RETURNS_FLAT_COLUMNS, rows), len(rows)


def _safet_columns(rma):
    """The SAFE-T claim of a return, repeated on each of its rows; blank without a claim."""
    if not rma.safet_claim_id:
        return {}
    return {
        "SafeT Action reason": rma.safet_action_reason,
        "SafeT claim id": rma.safet_claim_id,
        "SafeT claim state": rma.safet_claim_state,
        "SafeT claim creation time": iso(rma.safet_claim_created),
        "SafeT claim reimbursement amount": (
            money(rma.safet_reimbursement) if rma.safet_reimbursement else ""
        ),
    }


def returns_xml(returns, orders, report, encoding):
    """GET_XML_RETURNS_DATA_BY_RETURN_DATE: one return_details per RMA with its item_details."""
    envelope = etree.Element("AmazonEnvelope")
    envelope.set(
        "{http://www.w3.org/2001/XMLSchema-instance}noNamespaceSchemaLocation",
        "amzn-envelope.xsd",
    )
    header = etree.SubElement(envelope, "Header")
    etree.SubElement(header, "DocumentVersion").text = "1.00"
    etree.SubElement(envelope, "MessageType").text = "Returns-Report"
    message = etree.SubElement(envelope, "Message")
    count = 0
    for rma, order in _selected_returns(returns, orders, report):
        count += 1
        details = etree.SubElement(message, "return_details")
        for line in rma.items:
            item = order.items[line.order_item_id]
            refunded = line.refunded_amount or _refunded_total(item)
            node = etree.SubElement(details, "item_details")
            _children(
                node,
                item_name=item.title,
                asin=item.asin,
                return_reason_code=line.reason,
                merchant_sku=item.sku,
                in_policy=yes_no(line.in_policy),
                return_quantity=line.quantity,
                resolution=rma.resolution,
                category="",
                refund_amount=money(refunded) if refunded else None,
                **{
                    column.lower().replace(" ", "_"): value or None
                    for column, value in _safet_columns(rma).items()
                },
            )
        _children(
            details,
            order_id=order.amazon_order_id,
            order_date=_iso_z(order.purchase_date),
            amazon_rma_id=rma.rma_id,
            merchant_rma_id=rma.merchant_rma_id or None,
            return_request_date=_iso_z(rma.request_date),
            return_request_status=rma.status,
            a_to_z_claim=true_false(rma.a_to_z_claim),
            is_prime=yes_no(order.is_prime),
        )
        label = etree.SubElement(details, "label_details")
        _children(
            label,
            currency_code=order.currency,
            label_cost=money(rma.label_cost) if rma.label_type else None,
            label_type=rma.label_type or None,
        )
        _children(
            details,
            label_to_be_paid_by=rma.label_paid_by or None,
            tracking_id=rma.tracking_id or None,
            return_carrier=rma.carrier or None,
            return_type=rma.return_type,
            return_delivery_date=_iso_z(rma.delivery_date) if rma.delivery_date else None,
            invoice_number=rma.invoice_number or None,
            order_amount=money(sum(_line_total(order.items[x.order_item_id]) for x in rma.items)),
            order_quantity=sum(order.items[x.order_item_id].quantity for x in rma.items),
        )
    text = etree.tostring(envelope, encoding=encoding, xml_declaration=True, pretty_print=True)
    return text.decode(encoding), count


def _iso_z(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _children(parent, **values):
    for tag, value in values.items():
        if value is not None:
            etree.SubElement(parent, tag).text = str(value)


def _order_row(order, item):
    return {
        "order-id": order.amazon_order_id,
        "order-item-id": item.order_item_id,
        "purchase-date": iso(order.purchase_date),
        "payments-date": iso(order.purchase_date),
        "buyer-email": order.buyer_email,
        "buyer-name": order.buyer_name,
        "buyer-phone-number": "",
        "sku": item.sku,
        "product-name": item.title,
        "quantity-purchased": item.quantity,
        "recipient-name": order.buyer_name,
        "ship-address-1": "1 Emulator Street",
        "ship-city": order.ship_city,
        "ship-state": order.ship_state,
        "ship-postal-code": order.ship_postal_code,
        "ship-country": order.ship_country,
        "ship-service-level": order.ship_service_level,
        "sales-channel": MARKETPLACE_NAMES.get(order.marketplace_id, ""),
        "is-business-order": "false",
        "is-prime": true_false(order.is_prime),
    }


def _cancel_values(order, column):
    requested = order.buyer_cancel_reason is not None
    return {
        column: true_false(requested),
        "buyer-requested-cancel-reason": order.buyer_cancel_reason or "",
    }


def order_report(orders, report, cancel_column):
    """GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING; `cancel_column` names the buyer-cancel flag column
    (Amazon has spelt it with one l in some files) or is None when the file has neither column."""
    columns = ORDER_REPORT_COLUMNS
    if cancel_column:
        columns += (cancel_column, "buyer-requested-cancel-reason")
    rows = []
    for order in sorted(orders.values(), key=lambda order: order.purchase_date):
        if (
            order.seller_id != report.seller_id
            or order.marketplace_id not in report.marketplace_ids
            or not _in_window(order.purchase_date, report.data_start, report.data_end)
        ):
            continue
        for item in order.items.values():
            row = _order_row(order, item)
            row.update(
                {
                    "currency": order.currency,
                    "item-price": money(item.prices.get("Principal", ZERO)),
                    "item-tax": money(item.prices.get("Tax", ZERO)),
                    "shipping-price": money(item.prices.get("Shipping", ZERO)),
                    "shipping-tax": money(item.prices.get("ShippingTax", ZERO)),
                }
            )
            if cancel_column:
                row.update(_cancel_values(order, cancel_column))
            rows.append(row)
    return _table(columns, rows), len(rows)


def unshipped_report(orders, report, now):
    """GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING: the merchant's lines still to ship, today."""
    rows = []
    for order in sorted(orders.values(), key=lambda order: order.purchase_date):
        if (
            order.seller_id != report.seller_id
            or order.marketplace_id not in report.marketplace_ids
            or order.fulfillment_channel != "MFN"
            or order.fulfillment_status == "PENDING"
        ):
            continue
        for item in order.items.values():
            if not item.quantity_unshipped:
                continue
            row = _order_row(order, item)
            row.update(
                {
                    "reporting-date": iso(now),
                    "promise-date": iso(order.purchase_date),
                    "days-past-promise": max((now - order.purchase_date).days - 2, 0),
                    "quantity-shipped": item.quantity_shipped,
                    "quantity-to-ship": item.quantity_unshipped,
                }
            )
            row.update(_cancel_values(order, "is-buyer-requested-cancellation"))
            rows.append(row)
    return _table(UNSHIPPED_REPORT_COLUMNS, rows), len(rows)


def settlement_rows(refund, order, item):
    """The V2 settlement rows of one refund: price components given back (negative for the seller),
    fees kept (positive), the referral fee Amazon returns and its refund administration fee."""
    base = {
        "transaction-type": amazon.REFUND_KINDS[refund.kind][0],
        "order-id": order.amazon_order_id,
        "adjustment-id": refund.adjustment_id,
        "marketplace-name": MARKETPLACE_NAMES.get(order.marketplace_id, ""),
        "fulfillment-id": order.fulfillment_channel,
        "posted-date": refund.posted.strftime("%Y-%m-%d"),
        "posted-date-time": refund.posted.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "order-item-code": item.order_item_id,
        "merchant-adjustment-item-id": refund.merchant_adjustment_item_id,
        "sku": item.sku,
    }
    rows = []
    for component, amount in refund.amounts.items():
        if amount:
            rows.append(
                base
                | {
                    "amount-type": "ItemPrice",
                    "amount-description": component,
                    "amount": money(-amount),
                }
            )
    principal = refund.amounts.get("Principal", ZERO)
    if principal > 0:
        commission = (principal * COMMISSION_RATE).quantize(CENT)
        fee = min((commission * REFUND_FEE_RATE).quantize(CENT), REFUND_FEE_CAP)
        rows.append(
            base
            | {
                "amount-type": "ItemFees",
                "amount-description": "Commission",
                "amount": money(commission),
            }
        )
        rows.append(
            base
            | {
                "amount-type": "ItemFees",
                "amount-description": "RefundCommission",
                "amount": money(-fee),
            }
        )
    return rows


def settlement_report(settlement_id, start, end, currency, rows):
    """GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2: a summary line, then one line per amount."""
    total = sum((Decimal(row["amount"]) for row in rows), ZERO)
    stamp = "%Y-%m-%d %H:%M:%S UTC"
    summary = {
        "settlement-id": settlement_id,
        "settlement-start-date": start.strftime(stamp),
        "settlement-end-date": end.strftime(stamp),
        "deposit-date": end.strftime(stamp),
        "total-amount": money(total),
        "currency": currency,
    }
    lines = [summary] + [row | {"settlement-id": settlement_id} for row in rows]
    return _table(SETTLEMENT_COLUMNS, lines), len(rows)
