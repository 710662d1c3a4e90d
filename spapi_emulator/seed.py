"""The demo data set: two sellers (North America and Europe), a few orders per marketplace in every
state the module handles, returns, a buyer cancellation request and a closed settlement."""

from datetime import timedelta
from decimal import Decimal

from .server import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
    DEMO_SELLER_ID,
    Emulator,
)

DEMO_EU_SELLER_ID = "A3EMULATOREU01"
DEMO_EU_REFRESH_TOKEN = "Atzr|emulator-refresh-token-eu"

# (seller, marketplace id, order id prefix as Amazon uses it there, tax rate)
DEMO_MARKETPLACES = (
    (DEMO_SELLER_ID, "ATVPDKIKX0DER", "111", Decimal("0.08")),
    (DEMO_SELLER_ID, "A2EUQ1WTGCTBG2", "702", Decimal("0.13")),
    (DEMO_EU_SELLER_ID, "A1PA6795UKMFR9", "302", Decimal("0.19")),
    (DEMO_EU_SELLER_ID, "A1F83G8C2ARO7P", "202", Decimal("0.20")),
)
PRODUCTS = (
    ("EMU-MUG-RED", "B0EMU00001", "Ceramic Mug, Red, 11 oz", Decimal("12.50")),
    ("EMU-TSHIRT-M", "B0EMU00002", "Cotton T-Shirt, Blue, Size M", Decimal("19.99")),
    ("EMU-BOOK-01", "B0EMU00003", "Paperback Notebook, A5, Dotted", Decimal("8.75")),
    ("EMU-LAMP-01", "B0EMU00004", "LED Desk Lamp with USB Port", Decimal("34.90")),
)
# Sold as a set: the addon's demo data makes it a kit of the mug and the notebook.
KIT = ("EMU-KIT-01", "B0EMU00005", "Desk Set: Mug and Notebook", Decimal("19.50"))
CENT = Decimal("0.01")


class _Numbers:
    """Deterministic order ids and order item codes for the demo."""

    def __init__(self):
        self.count = 0

    def order_id(self, prefix):
        self.count += 1
        return f"{prefix}-{4_000_000 + self.count:07d}-{1_000_000 + self.count * 7919:07d}"

    def item_id(self):
        self.count += 1
        return f"{31_000_000_000_000 + self.count * 104_729:014d}"


def _line(numbers, product, quantity, tax_rate, shipped=0, shipping=Decimal("4.99")):
    sku, asin, title, price = product
    principal = price * quantity
    return {
        "order_item_id": numbers.item_id(),
        "sku": sku,
        "asin": asin,
        "title": title,
        "quantity": quantity,
        "quantity_shipped": shipped,
        "prices": {
            "Principal": principal,
            "Shipping": shipping,
            "Tax": (principal * tax_rate).quantize(CENT),
            "ShippingTax": (shipping * tax_rate).quantize(CENT),
        },
    }


def seed_demo(emulator):
    """Fill an emulator with the demo data set; returns it."""
    emulator.add_seller(DEMO_SELLER_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN)
    emulator.add_seller(
        DEMO_EU_SELLER_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_EU_REFRESH_TOKEN
    )
    numbers = _Numbers()
    for seller_id, marketplace_id, prefix, tax in DEMO_MARKETPLACES:
        _seed_marketplace(emulator, numbers, seller_id, marketplace_id, prefix, tax)
    _us_seller, us_marketplace, us_prefix, us_tax = DEMO_MARKETPLACES[0]
    emulator.add_order(
        DEMO_SELLER_ID,
        numbers.order_id(us_prefix),
        us_marketplace,
        [_line(numbers, KIT, 1, us_tax)],
        purchase_date=emulator.now() - timedelta(days=1),
    )
    for seller_id in (DEMO_SELLER_ID, DEMO_EU_SELLER_ID):
        emulator.close_settlement(seller_id, end=emulator.now() - timedelta(days=1))
    return emulator


def _seed_marketplace(emulator, numbers, seller_id, marketplace_id, prefix, tax):
    now = emulator.now()
    mug, shirt, book, lamp = PRODUCTS

    def order(lines, days_ago, channel="MFN", **details):
        return emulator.add_order(
            seller_id,
            numbers.order_id(prefix),
            marketplace_id,
            lines,
            purchase_date=now - timedelta(days=days_ago),
            fulfillment_channel=channel,
            **details,
        )

    # Unshipped, two lines: to cancel whole or in part.
    order([_line(numbers, mug, 2, tax), _line(numbers, book, 1, tax)], 1)
    # Shipped, returned by the buyer: to refund.
    shipped = order([_line(numbers, shirt, 1, tax, shipped=1)], 10, buyer_name="Ann Return")
    emulator.add_return(
        shipped.amazon_order_id,
        [{"sku": shirt[0], "quantity": 1, "reason": "AMZ-PG-APP-TOO-SMALL"}],
        request_date=now - timedelta(days=3),
    )
    # The buyer asked Amazon to cancel.
    asked = order([_line(numbers, lamp, 1, tax)], 2, buyer_name="Bob Cancel")
    emulator.request_buyer_cancel(
        asked.amazon_order_id, "Found cheaper somewhere else", now - timedelta(days=1)
    )
    # One line shipped, one still open.
    order([_line(numbers, mug, 1, tax, shipped=1), _line(numbers, book, 3, tax)], 5)
    # Fulfilled by Amazon, refunded by Amazon without a return.
    amazon = order([_line(numbers, book, 2, tax, shipped=2)], 12, channel="AFN")
    item = next(iter(amazon.items.values()))
    emulator.add_return(
        amazon.amazon_order_id,
        [{"order_item_id": item.order_item_id, "quantity": 2, "reason": "CR-DEFECTIVE"}],
        request_date=now - timedelta(days=4),
        returnless=True,
    )
    emulator.amazon_refund(
        amazon.amazon_order_id,
        item.order_item_id,
        {"Principal": item.prices["Principal"], "Tax": item.prices["Tax"]},
        when=now - timedelta(days=2),
    )
    # An A-to-z claim on a delivered order.
    claimed = order([_line(numbers, lamp, 1, tax, shipped=1)], 20, is_prime=True)
    emulator.add_return(
        claimed.amazon_order_id,
        [{"sku": lamp[0], "quantity": 1, "reason": "CR-DEFECTIVE"}],
        request_date=now - timedelta(days=6),
        a_to_z_claim=True,
        delivery_date=now - timedelta(days=2),
    )


def seeded_emulator(**options):
    """An emulator (not started yet) holding the demo data set; `options` go to Emulator."""
    return seed_demo(Emulator(**options))
