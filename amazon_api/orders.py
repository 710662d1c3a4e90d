"""Orders API 2026-01-01 orders as plain values: what linking and importing orders read."""

from dataclasses import dataclass
from datetime import datetime

from . import const
from .times import parse_time

# Datasets read when importing an order (buyer data needs a restricted data token on top).
IMPORT_DATASETS = ("FULFILLMENT", "PROCEEDS", "PROMOTION", "CANCELLATION", "TAX")
RESTRICTED_DATASETS = ("BUYER", "RECIPIENT")
# What linking needs: the items, the marketplace, who ships and what the buyer was charged.
LINK_DATASETS = ("FULFILLMENT", "PROCEEDS")


@dataclass(frozen=True)
class OrderItemInfo:
    order_item_id: str
    sku: str
    title: str
    quantity: int
    unit_price: float | None
    # What Amazon charged for the whole line before promotions, by price component
    # (const.PRINCIPAL, SHIPPING, GIFT_WRAP); a component Amazon did not give is absent.
    charges: dict
    # Promotions, as positive amounts, by the price component they lower.
    promotions: dict
    # Tax by price component (const.TAX, SHIPPING_TAX, GIFT_WRAP_TAX).
    taxes: dict
    promotion_ids: tuple
    quantity_shipped: int | None
    cancelled_by: str | None
    # Amazon collects and remits the tax as marketplace facilitator: not the seller's revenue.
    facilitator_tax: bool


@dataclass(frozen=True)
class DeliveryAddress:
    """Where the buyer has the order delivered, in the addon's words."""

    name: str | None = None
    street: str | None = None
    street2: str | None = None
    city: str | None = None
    zip: str | None = None
    state_code: str | None = None
    country_code: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class OrderInfo:
    order_id: str
    created: datetime | None
    last_updated: datetime | None
    marketplace_id: str
    # Amazon's status of the order, as it is shown on the order.
    fulfillment_status: str | None
    fulfilled_by: str | None
    ship_by: datetime | None
    currency: str | None
    buyer_name: str | None
    buyer_email: str | None
    address: DeliveryAddress | None
    items: tuple

    @property
    def is_fba(self):
        return self.fulfilled_by == const.FULFILLED_BY_AMAZON

    @property
    def is_merchant_fulfilled(self):
        return self.fulfilled_by == const.FULFILLED_BY_MERCHANT

    @property
    def is_cancelled(self):
        return self.fulfillment_status == const.ORDER_CANCELLED

    @property
    def is_shipped(self):
        """Every item shipped."""
        return self.fulfillment_status == const.ORDER_SHIPPED

    @property
    def is_waiting_for_payment(self):
        return self.fulfillment_status in const.ORDER_WAITING_FOR_PAYMENT


def _amount(money):
    if not isinstance(money, dict) or money.get("amount") in (None, ""):
        return None
    return float(money["amount"])


def _currency(money):
    return money.get("currencyCode") if isinstance(money, dict) else None


def _add(totals, key, amount):
    totals[key] = totals.get(key, 0.0) + amount


def _split(breakdown, components, default):
    """A TAX or DISCOUNT breakdown by the component each detailed subtype names; what the
    details leave of the subtotal goes to `default`."""
    split, rest = {}, _amount(breakdown.get("subtotal")) or 0.0
    for detail in breakdown.get("detailedBreakdowns") or []:
        amount = _amount(detail.get("value")) or 0.0
        _add(split, components.get(detail.get("subtype"), default), amount)
        rest -= amount
    if round(rest, 2):
        _add(split, default, rest)
    return split


def parse_item(item):
    product = item.get("product") or {}
    charges, promotions, taxes, currency = {}, {}, {}, None
    for breakdown in (item.get("proceeds") or {}).get("breakdowns") or []:
        kind = breakdown.get("type")
        currency = currency or _currency(breakdown.get("subtotal"))
        if kind == const.ORDER_PROCEEDS_TAX:
            for component, amount in _split(
                breakdown, const.ORDER_PROCEEDS_TAXES, const.TAX
            ).items():
                _add(taxes, component, amount)
        elif kind == const.ORDER_PROCEEDS_DISCOUNT:
            for component, amount in _split(
                breakdown, const.ORDER_PROCEEDS_CHARGES, const.PRINCIPAL
            ).items():
                _add(promotions, component, -amount)
        elif kind in const.ORDER_PROCEEDS_CHARGES:
            _add(
                charges,
                const.ORDER_PROCEEDS_CHARGES[kind],
                _amount(breakdown.get("subtotal")) or 0.0,
            )
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
        charges=charges,
        promotions=promotions,
        taxes=taxes,
        promotion_ids=tuple(
            promotion["promotionId"]
            for promotion in (item.get("promotion") or {}).get("breakdowns") or []
            if promotion.get("promotionId")
        ),
        quantity_shipped=None
        if fulfillment is None
        else int(fulfillment.get("quantityFulfilled") or 0),
        cancelled_by=cancellation.get("cancelledBy"),
        facilitator_tax=any(c.get("model") == const.ORDER_TAX_FACILITATOR for c in collections),
    ), currency or _currency(unit_price)


def parse_address(address):
    """A CustomerAddress of the 2026-01-01 model as DeliveryAddress."""
    return DeliveryAddress(
        name=address.get("name"),
        street=address.get("addressLine1"),
        street2=address.get("addressLine2"),
        city=address.get("city"),
        zip=address.get("postalCode"),
        state_code=address.get("stateOrRegion"),
        country_code=address.get("countryCode"),
        phone=address.get("phone"),
    )


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
        address=parse_address(address) if address else None,
        items=tuple(items),
    )


def charged_components(item):
    """What the buyer paid for `item` (all its units), by the addon's price components, and
    the promotions that lowered it: each part's charge less its promotions, with its tax."""
    charged = {}
    for price, tax in (
        (const.PRINCIPAL, const.TAX),
        (const.SHIPPING, const.SHIPPING_TAX),
        (const.GIFT_WRAP, const.GIFT_WRAP_TAX),
    ):
        charge = item.charges.get(price)
        if charge is None and price == const.PRINCIPAL and item.unit_price is not None:
            charge = item.unit_price * item.quantity
        charged[price] = round((charge or 0.0) - item.promotions.get(price, 0.0), 2)
        charged[tax] = round(item.taxes.get(tax, 0.0), 2)
    return charged, round(sum(item.promotions.values()), 2)
