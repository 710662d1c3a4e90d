"""What the emulated Amazon knows: sellers, orders, returns, refunds, feeds, reports, documents."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass
class Seller:
    seller_id: str
    client_id: str
    client_secret: str
    refresh_token: str


@dataclass
class OrderItem:
    order_item_id: str
    sku: str
    asin: str
    title: str
    quantity: int
    # Charged for the whole line, per price component (Principal, Shipping, Tax, ShippingTax, ...).
    prices: dict
    quantity_shipped: int = 0
    quantity_cancelled: int = 0
    # Refunded so far per price component; kept components (RestockingFee) are negative.
    refunded: dict = field(default_factory=dict)
    cancelled_by: str | None = None
    cancel_reason: str | None = None
    promotion_ids: tuple = ()

    @property
    def quantity_unshipped(self):
        return self.quantity - self.quantity_shipped - self.quantity_cancelled

    def refundable(self, component):
        """What is left to give back on one price component."""
        return self.prices.get(component, ZERO) - self.refunded.get(component, ZERO)


@dataclass
class Shipment:
    package_id: str
    shipped_at: datetime
    items: dict  # order item id -> quantity
    carrier: str
    tracking_number: str


@dataclass
class Order:
    seller_id: str
    amazon_order_id: str
    marketplace_id: str
    currency: str
    purchase_date: datetime
    last_updated: datetime
    fulfillment_channel: str  # MFN or AFN
    items: dict  # order item id -> OrderItem
    status: str | None = None  # only "PENDING" overrides the status derived from the items
    buyer_name: str = "Emulated Buyer"
    buyer_email: str = "buyer@marketplace.amazon.example"
    ship_address_line1: str = "410 Terry Ave N"
    ship_city: str = "Seattle"
    ship_state: str = "WA"
    ship_postal_code: str = "98101"
    ship_country: str = "US"
    is_prime: bool = False
    ship_service_level: str = "Standard"
    latest_ship_date: datetime | None = None
    # Amazon collects and remits the tax (marketplace facilitator).
    facilitator_tax: bool = False
    buyer_cancel_reason: str | None = None
    buyer_cancel_requested_at: datetime | None = None
    shipments: list = field(default_factory=list)
    acknowledged: bool = False

    @property
    def fulfillment_status(self):
        """The Orders API 2026-01-01 FulfillmentStatus of the order."""
        items = self.items.values()
        if all(item.quantity_cancelled == item.quantity for item in items):
            return "CANCELLED"
        if self.status == "PENDING":
            return "PENDING"
        shipped = sum(item.quantity_shipped for item in items)
        open_quantity = sum(item.quantity_unshipped for item in items)
        if not shipped:
            return "UNSHIPPED"
        return "PARTIALLY_SHIPPED" if open_quantity else "SHIPPED"


@dataclass
class ReturnItem:
    order_item_id: str
    quantity: int
    reason: str
    in_policy: bool = True
    refunded_amount: Decimal | None = None


@dataclass
class Return:
    seller_id: str
    rma_id: str
    amazon_order_id: str
    request_date: datetime
    status: str
    items: list  # ReturnItem
    returnless: bool = False
    a_to_z_claim: bool = False
    tracking_id: str = ""
    carrier: str = ""
    label_type: str = "AmazonPrePaidLabel"
    label_cost: Decimal = ZERO
    label_paid_by: str = "Seller"
    merchant_rma_id: str = ""
    invoice_number: str = ""
    delivery_date: datetime | None = None
    return_type: str = "C-Returns"
    resolution: str = "StandardRefund"
    # The seller's SAFE-T claim on the return, as the returns report shows it.
    safet_action_reason: str = ""
    safet_claim_id: str = ""
    safet_claim_state: str = ""
    safet_claim_created: datetime | None = None
    safet_reimbursement: Decimal | None = None


@dataclass
class Refund:
    """Money given back on one order item, by a feed of the seller or by Amazon itself."""

    seller_id: str
    amazon_order_id: str
    order_item_id: str
    amounts: dict  # component -> amount as sent in the feed (money back positive)
    posted: datetime
    adjustment_id: str
    merchant_adjustment_item_id: str = ""
    reason: str = ""
    feed_id: str | None = None
    quantity_cancelled: int = 0
    settlement_id: str | None = None
    kind: str = "feed"  # amazon.REFUND_KINDS


@dataclass
class Document:
    document_id: str
    seller_id: str
    content_type: str = ""
    content: bytes | None = None  # stored as served: gzip bytes when compressed
    compressed: bool = False
    charset: str | None = None
    restricted: bool = False


@dataclass
class MessageRecord:
    """One message of an uploaded feed, as the emulator read it and what became of it."""

    message_id: str
    message_type: str
    amazon_order_id: str | None
    items: list  # dicts: order_item_id, reason, amounts, quantity_cancelled, ...
    by_merchant_order_id: bool = False  # named the order by MerchantOrderID, which we never assign
    status_code: str | None = None  # OrderAcknowledgement StatusCode
    outcome: str = "pending"  # pending, applied, error, not-applied
    errors: list = field(default_factory=list)  # processing_report.MessageResult


@dataclass
class Feed:
    feed_id: str
    seller_id: str
    feed_type: str
    marketplace_ids: list
    input_document_id: str
    created: datetime
    created_clock: float
    forced_outcome: str | None = None
    status: str = "IN_QUEUE"
    started: datetime | None = None
    ended: datetime | None = None
    result_document_id: str | None = None
    messages: list = field(default_factory=list)


@dataclass
class Report:
    report_id: str
    seller_id: str
    report_type: str
    marketplace_ids: list
    created: datetime
    created_clock: float
    data_start: datetime | None = None
    data_end: datetime | None = None
    forced_outcome: str | None = None
    status: str = "IN_QUEUE"
    started: datetime | None = None
    ended: datetime | None = None
    document_id: str | None = None
