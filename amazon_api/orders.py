"""Orders API 2026-01-01 orders as plain values: what linking and importing orders read."""

from dataclasses import dataclass
from datetime import datetime, timezone

from . import const

# Datasets read when importing an order (buyer data needs a restricted data token on top).
IMPORT_DATASETS = ("FULFILLMENT", "PROCEEDS", "PROMOTION", "CANCELLATION", "TAX")
RESTRICTED_DATASETS = ("BUYER", "RECIPIENT")
# What linking needs: the items, the marketplace, who ships and what the buyer was charged.
LINK_DATASETS = ("FULFILLMENT", "PROCEEDS")
FACILITATOR_TAX = "MARKETPLACE_FACILITATOR"


@dataclass(frozen=True)
class OrderItemInfo:
    order_item_id: str
    sku: str
    title: str
    quantity: int
    unit_price: float | None
    # Proceeds per breakdown type (ITEM, SHIPPING, GIFT_WRAP, TAX, DISCOUNT, ...), whole line.
    proceeds: dict
    # The TAX breakdown per subtype it applies to (ITEM, SHIPPING, GIFT_WRAP, DISCOUNT, ...).
    taxes: dict
    # The DISCOUNT breakdown (negative) per subtype it lowers (ITEM, SHIPPING, GIFT_WRAP).
    discounts: dict
    promotion_ids: tuple
    quantity_shipped: int | None
    cancelled_by: str | None
    # Amazon collects and remits the tax as marketplace facilitator: not the seller's revenue.
    facilitator_tax: bool


@dataclass(frozen=True)
class OrderInfo:
    order_id: str
    created: datetime | None
    last_updated: datetime | None
    marketplace_id: str
    fulfillment_status: str | None
    fulfilled_by: str | None  # AMAZON or MERCHANT
    ship_by: datetime | None
    currency: str | None
    buyer_name: str | None
    buyer_email: str | None
    address: dict | None  # CustomerAddress as Amazon gives it
    items: tuple

    @property
    def is_fba(self):
        return self.fulfilled_by == "AMAZON"


def parse_time(value):
    """Amazon's ISO 8601 time as a naive UTC datetime."""
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _amount(money):
    if not isinstance(money, dict) or money.get("amount") in (None, ""):
        return None
    return float(money["amount"])


def _currency(money):
    return money.get("currencyCode") if isinstance(money, dict) else None


def parse_item(item):
    product = item.get("product") or {}
    proceeds, details, currency = {}, {"TAX": {}, "DISCOUNT": {}}, None
    for breakdown in (item.get("proceeds") or {}).get("breakdowns") or []:
        kind = breakdown.get("type") or "OTHER"
        amount = _amount(breakdown.get("subtotal")) or 0.0
        currency = currency or _currency(breakdown.get("subtotal"))
        proceeds[kind] = proceeds.get(kind, 0.0) + amount
        if kind in details:
            split = details[kind]
            for detail in breakdown.get("detailedBreakdowns") or []:
                subtype = detail.get("subtype") or "OTHER"
                split[subtype] = split.get(subtype, 0.0) + (_amount(detail.get("value")) or 0.0)
    fulfillment = item.get("fulfillment")
    cancellation = (item.get("cancellation") or {}).get("cancellationExecution") or {}
    collections = (item.get("tax") or {}).get("taxCollections") or []
    unit_price = (product.get("price") or {}).get("unitPrice")
    return OrderItemInfo(
        order_item_id=item["orderItemId"],
        sku=product.get("sellerSku") or "",
        title=product.get("title") or "",
        quantity=int(item.get("quantityOrdered") or 0),
        unit_price=_amount(unit_price),
        proceeds=proceeds,
        taxes=details["TAX"],
        discounts=details["DISCOUNT"],
        promotion_ids=tuple(
            promotion["promotionId"]
            for promotion in (item.get("promotion") or {}).get("breakdowns") or []
            if promotion.get("promotionId")
        ),
        quantity_shipped=None
        if fulfillment is None
        else int(fulfillment.get("quantityFulfilled") or 0),
        cancelled_by=cancellation.get("cancelledBy"),
        facilitator_tax=any(c.get("model") == FACILITATOR_TAX for c in collections),
    ), currency or _currency(unit_price)


def parse_order(order):
    """An Order of the 2026-01-01 model as OrderInfo."""
    items, currency = [], None
    for entry in order.get("orderItems") or []:
        item, item_currency = parse_item(entry)
        items.append(item)
        currency = currency or item_currency
    fulfillment = order.get("fulfillment") or {}
    buyer = order.get("buyer") or {}
    address = (order.get("recipient") or {}).get("deliveryAddress")
    grand_total = (order.get("proceeds") or {}).get("grandTotal")
    return OrderInfo(
        order_id=order["orderId"],
        created=parse_time(order.get("createdTime")),
        last_updated=parse_time(order.get("lastUpdatedTime")),
        marketplace_id=(order.get("salesChannel") or {}).get("marketplaceId") or "",
        fulfillment_status=fulfillment.get("fulfillmentStatus"),
        fulfilled_by=fulfillment.get("fulfilledBy"),
        ship_by=parse_time((fulfillment.get("shipByWindow") or {}).get("latestDateTime")),
        currency=_currency(grand_total) or currency,
        buyer_name=buyer.get("buyerName"),
        buyer_email=buyer.get("buyerEmail"),
        address=address or None,
        items=tuple(items),
    )


# The addon's price components of an item: what its proceeds' types, and their TAX and DISCOUNT
# subtypes, apply to.
_CHARGED_PARTS = {
    "ITEM": (const.PRINCIPAL, const.TAX),
    "SHIPPING": (const.SHIPPING, const.SHIPPING_TAX),
    "GIFT_WRAP": (const.GIFT_WRAP, const.GIFT_WRAP_TAX),
}


def charged_components(item):
    """What the buyer paid for `item` (all its units), by the addon's price components, and
    the promotions that lowered it (positive).

    Each part is its proceeds less the promotions of its subtype; taxes go to the part of
    their subtype. A TAX or DISCOUNT given without subtypes applies to the item itself.
    """
    charged = {}
    for part, (price, tax) in _CHARGED_PARTS.items():
        discount = item.discounts.get(part, 0.0)
        taxes = item.taxes.get(part, 0.0)
        if part == "ITEM":
            if not item.discounts:
                discount = item.proceeds.get("DISCOUNT", 0.0)
            if not item.taxes:
                taxes = item.proceeds.get("TAX", 0.0)
        charged[price] = round(item.proceeds.get(part, 0.0) + discount, 2)
        charged[tax] = round(taxes, 2)
    if not item.proceeds.get("ITEM") and item.unit_price is not None:
        charged[const.PRINCIPAL] = round(item.unit_price * item.quantity, 2)
    promotion = -(
        sum(item.discounts.values()) if item.discounts else item.proceeds.get("DISCOUNT", 0.0)
    )
    return charged, round(promotion, 2)
