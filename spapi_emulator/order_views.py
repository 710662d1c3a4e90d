"""Orders as the Orders API shows them: 2026-01-01 (searchOrders, getOrder) and v0 getOrderItems."""

from .report_content import MARKETPLACE_NAMES, money
from .state import ZERO

# Orders API 2026-01-01 proceeds categories per feed price component. Taxes go under TAX and
# promotions (negative amounts) under DISCOUNT, each with the charge it applies to as the subtype
# of its detailed breakdown: the model gives detailedBreakdowns for TAX and DISCOUNT only.
PROCEEDS_TYPES = {
    "Principal": "ITEM",
    "Shipping": "SHIPPING",
    "GiftWrap": "GIFT_WRAP",
}
DETAILED_TYPES = {
    "Tax": ("TAX", "ITEM"),
    "ShippingTax": ("TAX", "SHIPPING"),
    "GiftWrapTax": ("TAX", "GIFT_WRAP"),
    "Discount": ("DISCOUNT", "ITEM"),
    "ShippingDiscount": ("DISCOUNT", "SHIPPING"),
    "GiftWrapDiscount": ("DISCOUNT", "GIFT_WRAP"),
}


def iso_z(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount, currency):
    return {"amount": money(amount), "currencyCode": currency}


def _item_proceeds(item, currency):
    totals = {}
    details = {}
    for component, amount in item.prices.items():
        if component in DETAILED_TYPES:
            kind, subtype = DETAILED_TYPES[component]
            details.setdefault(kind, []).append(
                {"subtype": subtype, "value": _money(amount, currency)}
            )
        else:
            kind = PROCEEDS_TYPES.get(component, "OTHER")
        totals[kind] = totals.get(kind, ZERO) + amount
    breakdowns = []
    for kind, amount in totals.items():
        breakdown = {"type": kind, "subtotal": _money(amount, currency)}
        if kind in details:
            breakdown["detailedBreakdowns"] = details[kind]
        breakdowns.append(breakdown)
    total = sum(item.prices.values(), ZERO)
    return {"proceedsTotal": _money(total, currency), "breakdowns": breakdowns}, totals


def _item_cancellation(order, item):
    cancellation = {}
    if order.buyer_cancel_reason is not None:
        cancellation["cancellationRequest"] = {
            "requester": "BUYER",
            "cancelReason": order.buyer_cancel_reason,
        }
    if item.cancelled_by:
        cancellation["cancellationExecution"] = {
            "cancelledBy": item.cancelled_by,
            "cancelReason": item.cancel_reason or "",
        }
    return cancellation


def order_2026(order, included, with_pii):
    """One Order of the 2026-01-01 model; `included` is the set of includedData values asked for.

    Datasets come only when asked for, as at Amazon; buyer data also needs a restricted data token.
    """
    currency = order.currency
    body = {
        "orderId": order.amazon_order_id,
        "createdTime": iso_z(order.purchase_date),
        "lastUpdatedTime": iso_z(order.last_updated),
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": order.marketplace_id,
            "marketplaceName": MARKETPLACE_NAMES.get(order.marketplace_id, ""),
        },
        "orderItems": [],
    }
    if order.is_prime:
        body["programs"] = ["PRIME"]
    if "BUYER" in included and with_pii:
        body["buyer"] = {"buyerName": order.buyer_name, "buyerEmail": order.buyer_email}
    if "RECIPIENT" in included and with_pii:
        body["recipient"] = {"deliveryAddress": _delivery_address(order)}
    if "FULFILLMENT" in included:
        body["fulfillment"] = {
            "fulfillmentStatus": order.fulfillment_status,
            "fulfilledBy": "AMAZON" if order.fulfillment_channel == "AFN" else "MERCHANT",
            "fulfillmentServiceLevel": order.ship_service_level.upper(),
        }
        if order.latest_ship_date:
            body["fulfillment"]["shipByWindow"] = {
                "earliestDateTime": iso_z(order.purchase_date),
                "latestDateTime": iso_z(order.latest_ship_date),
            }
    order_totals = {}
    for item in order.items.values():
        unit_price = item.prices.get("Principal", ZERO) / item.quantity
        entry = {
            "orderItemId": item.order_item_id,
            "quantityOrdered": item.quantity,
            "product": {
                "asin": item.asin,
                "title": item.title,
                "sellerSku": item.sku,
                "price": {"unitPrice": _money(unit_price, currency)},
            },
        }
        if "PROCEEDS" in included:
            entry["proceeds"], totals = _item_proceeds(item, currency)
            for kind, amount in totals.items():
                order_totals[kind] = order_totals.get(kind, ZERO) + amount
        if "PROMOTION" in included and item.promotion_ids:
            entry["promotion"] = {
                "breakdowns": [{"promotionId": promotion} for promotion in item.promotion_ids]
            }
        if "TAX" in included and order.facilitator_tax:
            entry["tax"] = {
                "taxCollections": [
                    {"model": "MARKETPLACE_FACILITATOR", "responsibleParty": "AMAZON_SERVICES"}
                ]
            }
        if "CANCELLATION" in included:
            cancellation = _item_cancellation(order, item)
            if cancellation:
                entry["cancellation"] = cancellation
        if "FULFILLMENT" in included:
            entry["fulfillment"] = {
                "quantityFulfilled": item.quantity_shipped,
                "quantityUnfulfilled": item.quantity_unshipped,
            }
        body["orderItems"].append(entry)
    if "PROCEEDS" in included:
        body["proceeds"] = {
            "grandTotal": _money(sum(order_totals.values(), ZERO), currency),
            "breakdowns": [
                {"type": kind, "subtotal": _money(amount, currency)}
                for kind, amount in order_totals.items()
            ],
        }
    if "PACKAGES" in included and order.fulfillment_channel == "MFN":
        body["packages"] = [_package(shipment) for shipment in order.shipments]
    return body


def _delivery_address(order):
    return {
        "name": order.buyer_name,
        "addressLine1": order.ship_address_line1,
        "city": order.ship_city,
        "stateOrRegion": order.ship_state,
        "postalCode": order.ship_postal_code,
        "countryCode": order.ship_country,
        "addressType": "RESIDENTIAL",
    }


def _package(shipment):
    return {
        "packageReferenceId": shipment.package_id,
        "createdTime": iso_z(shipment.shipped_at),
        "packageStatus": {"status": "SHIPPED"},
        "carrier": shipment.carrier,
        "shipTime": iso_z(shipment.shipped_at),
        "trackingNumber": shipment.tracking_number,
        "packageItems": [
            {"orderItemId": item_id, "quantity": quantity}
            for item_id, quantity in shipment.items.items()
        ],
    }


def order_items_v0(order):
    """The payload of v0 getOrderItems, with BuyerRequestedCancel on every line."""
    currency = order.currency
    pending = order.fulfillment_status == "PENDING"
    items = []
    for item in order.items.values():
        entry = {
            "ASIN": item.asin,
            "SellerSKU": item.sku,
            "OrderItemId": item.order_item_id,
            "Title": item.title,
            "QuantityOrdered": item.quantity,
            "QuantityShipped": item.quantity_shipped,
            "ProductInfo": {"NumberOfItems": "1"},
        }
        # Amazon leaves prices out while the payment is not authorised (Pending orders).
        if not pending:
            for field, component in (
                ("ItemPrice", "Principal"),
                ("ShippingPrice", "Shipping"),
                ("ItemTax", "Tax"),
                ("ShippingTax", "ShippingTax"),
            ):
                amount = item.prices.get(component, ZERO)
                entry[field] = {"CurrencyCode": currency, "Amount": money(amount)}
            entry["IsGift"] = "false"
        requested = order.buyer_cancel_reason is not None
        entry["BuyerRequestedCancel"] = {"IsBuyerRequestedCancel": "true" if requested else "false"}
        if requested:
            entry["BuyerRequestedCancel"]["BuyerCancelReason"] = order.buyer_cancel_reason
        items.append(entry)
    return {"AmazonOrderId": order.amazon_order_id, "OrderItems": items}
