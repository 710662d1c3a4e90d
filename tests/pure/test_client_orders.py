"""Reading orders for linking and importing: getOrder and searchOrders of Orders API 2026-01-01."""

from datetime import timedelta
from decimal import Decimal

import pytest

from amazon_api import const
from amazon_api.client import AmazonClient, Connection
from amazon_api.errors import PermanentError
from amazon_api.orders import IMPORT_DATASETS, DeliveryAddress, parse_order
from amazon_api.ratelimit import RateLimiter
from spapi_emulator import Emulator
from spapi_emulator.server import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
    DEMO_SELLER_ID,
)

US = "ATVPDKIKX0DER"
ORDER_ID = "112-4000001-0000001"
ORDERS_PATH = "/orders/2026-01-01/orders"


def _item(code, sku, quantity, **prices):
    return {
        "order_item_id": code,
        "sku": sku,
        "quantity": quantity,
        "prices": prices or {"Principal": 10 * quantity},
    }


@pytest.fixture
def emulator(clock):
    with Emulator(clock=clock) as emulator:
        emulator.add_seller()
        emulator.add_order(
            DEMO_SELLER_ID,
            ORDER_ID,
            US,
            items=[
                _item(
                    "40000010000001",
                    "MUG-1",
                    2,
                    Principal=Decimal("40.00"),
                    Tax=Decimal("3.20"),
                    Shipping=Decimal("5.00"),
                ),
                _item("40000010000002", "TEE-1", 1),
            ],
            buyer_name="Jane Buyer",
        )
        yield emulator


@pytest.fixture
def client(emulator, clock):
    connection = Connection(
        seller_id=DEMO_SELLER_ID,
        marketplace_id=US,
        endpoint=emulator.url,
        lwa_url=emulator.lwa_url,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        refresh_token=DEMO_REFRESH_TOKEN,
        timeout=5.0,
    )
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    return AmazonClient(connection, limiter=limiter, max_wait=float("inf"))


def _paths(emulator):
    return [path for _method, path, _query, _status in emulator.requests]


def test_get_order_reads_items_amounts_and_fulfilment(client, emulator):
    order = client.get_order(ORDER_ID, IMPORT_DATASETS)
    assert (order.order_id, order.marketplace_id, order.currency) == (ORDER_ID, US, "USD")
    assert (order.fulfillment_status, order.fulfilled_by, order.is_fba) == (
        "UNSHIPPED",
        "MERCHANT",
        False,
    )
    assert order.is_merchant_fulfilled
    assert not (order.is_cancelled or order.is_shipped or order.is_waiting_for_payment)
    mug, tee = order.items
    assert (mug.order_item_id, mug.sku, mug.quantity) == ("40000010000001", "MUG-1", 2)
    assert mug.unit_price == 20.0
    assert mug.charges == {const.PRINCIPAL: 40.0, const.SHIPPING: 5.0}
    assert mug.taxes == {const.TAX: 3.2}
    assert mug.promotions == {}
    assert (mug.quantity_shipped, mug.cancelled_by) == (0, None)
    assert tee.sku == "TEE-1" and tee.charges == {const.PRINCIPAL: 10.0}
    # Buyer data needs a restricted data token: without one there is none.
    assert order.buyer_name is None
    assert "/tokens/2021-03-01/restrictedDataToken" not in _paths(emulator)
    assert not [path for path in _paths(emulator) if path.startswith("/orders/v0")]


def test_get_order_with_buyer_data_asks_for_a_restricted_token(client, emulator):
    order = client.get_order(ORDER_ID, IMPORT_DATASETS, restricted=True)
    assert order.buyer_name == "Jane Buyer"
    assert order.address == DeliveryAddress(
        name="Jane Buyer",
        street="410 Terry Ave N",
        city="Seattle",
        zip="98101",
        state_code="WA",
        country_code="US",
    )
    assert "/tokens/2021-03-01/restrictedDataToken" in _paths(emulator)


def test_unknown_order_is_a_permanent_404(client):
    with pytest.raises(PermanentError) as error:
        client.get_order("112-4000001-9999999")
    assert error.value.status == 404


def test_search_orders_reads_every_page_once(client, emulator):
    for index in range(2, 152):
        emulator.add_order(
            DEMO_SELLER_ID, f"112-4000001-{index:07d}", US, items=[_item(f"4{index:013d}", "X", 1)]
        )
    emulator.amazon_cancel(ORDER_ID)
    emulator.advance(121)
    after, before = emulator.now() - timedelta(days=2), emulator.now() - timedelta(minutes=2)
    seen, token, calls = [], None, 0
    while True:
        orders, token = client.search_orders(after, before, IMPORT_DATASETS, pagination_token=token)
        calls += 1
        seen.extend(orders)
        if not token:
            break
    assert calls == 2
    assert len({order.order_id for order in seen}) == len(seen) == 151
    cancelled = next(order for order in seen if order.order_id == ORDER_ID)
    assert cancelled.fulfillment_status == "CANCELLED" and cancelled.is_cancelled
    assert {item.cancelled_by for item in cancelled.items} == {"AMAZON"}
    queries = [q for _m, p, q, _s in emulator.requests if p == ORDERS_PATH]
    assert "paginationToken" not in queries[0] and "paginationToken" in queries[1]
    # Amazon wants every filter of the first page again with the token.
    for name in ("lastUpdatedAfter", "lastUpdatedBefore", "marketplaceIds"):
        assert queries[1][name] == queries[0][name]


def _search(client, emulator, token=None, **changes):
    after, before = emulator.now() - timedelta(days=2), emulator.now() - timedelta(minutes=2)
    arguments = {"pagination_token": token, **changes}
    return client.search_orders(
        arguments.pop("after", after), arguments.pop("before", before), IMPORT_DATASETS, **arguments
    )


def test_search_orders_over_a_thousand_orders_in_eleven_pages(client, emulator):
    for index in range(2, 1052):
        emulator.add_order(
            DEMO_SELLER_ID, f"112-4000002-{index:07d}", US, items=[_item(f"5{index:013d}", "X", 1)]
        )
    emulator.advance(121)
    seen, token, pages = [], None, 0
    while True:
        orders, token = _search(client, emulator, token)
        pages += 1
        seen.extend(order.order_id for order in orders)
        if not token:
            break
    assert pages == 11
    assert len(set(seen)) == len(seen) == 1051
    assert emulator.throttled_count == 0


@pytest.mark.parametrize(
    "change",
    [{"after": "earlier"}, {"before": "earlier"}, {"marketplace_ids": ["A2EUQ1WTGCTBG2"]}],
)
def test_a_next_page_with_other_filters_is_refused_as_amazon_does(client, emulator, change):
    for index in range(2, 152):
        emulator.add_order(
            DEMO_SELLER_ID, f"112-4000003-{index:07d}", US, items=[_item(f"6{index:013d}", "X", 1)]
        )
    emulator.advance(121)
    _orders, token = _search(client, emulator)
    changes = {
        name: emulator.now() - timedelta(days=3) if value == "earlier" else value
        for name, value in change.items()
    }
    with pytest.raises(PermanentError) as error:
        _search(client, emulator, token, **changes)
    assert (error.value.status, error.value.code) == (400, "InvalidInput")
    # The same token with the same filters still reads the page, as many times as asked.
    for _again in range(2):
        orders, last = _search(client, emulator, token)
        assert len(orders) == 51 and last is None


def test_a_pagination_token_expires_after_a_day(client, emulator):
    for index in range(2, 152):
        emulator.add_order(
            DEMO_SELLER_ID, f"112-4000004-{index:07d}", US, items=[_item(f"7{index:013d}", "X", 1)]
        )
    emulator.advance(121)
    after, before = emulator.now() - timedelta(days=2), emulator.now() - timedelta(minutes=2)
    _orders, token = client.search_orders(after, before, IMPORT_DATASETS)
    emulator.advance(24 * 3600 + 1)
    with pytest.raises(PermanentError) as error:
        client.search_orders(after, before, IMPORT_DATASETS, pagination_token=token)
    assert "expired" in str(error.value)


def _proceeds(*breakdowns):
    return {
        "orderId": ORDER_ID,
        "salesChannel": {"marketplaceId": US},
        "orderItems": [
            {
                "orderItemId": "1",
                "quantityOrdered": 1,
                "product": {"sellerSku": "MUG-1"},
                "proceeds": {"breakdowns": list(breakdowns)},
            }
        ],
    }


def _money(amount):
    return {"amount": amount, "currencyCode": "USD"}


def test_promotions_lower_the_charge_their_subtype_names():
    (item,) = parse_order(
        _proceeds(
            {"type": "ITEM", "subtotal": _money("10.00")},
            {"type": "SHIPPING", "subtotal": _money("4.99")},
            {"type": "GIFT_WRAP", "subtotal": _money("3.00")},
            {
                "type": "DISCOUNT",
                "subtotal": _money("-7.49"),
                "detailedBreakdowns": [
                    {"subtype": "SHIPPING", "value": _money("-4.99")},
                    {"subtype": "GIFT_WRAP", "value": _money("-1.00")},
                    {"subtype": "ITEM", "value": _money("-1.50")},
                ],
            },
            {
                "type": "TAX",
                "subtotal": _money("1.12"),
                "detailedBreakdowns": [
                    {"subtype": "ITEM", "value": _money("0.80")},
                    {"subtype": "SHIPPING", "value": _money("0.32")},
                ],
            },
        )
    ).items
    assert item.charges == {const.PRINCIPAL: 10.0, const.SHIPPING: 4.99, const.GIFT_WRAP: 3.0}
    assert item.promotions == pytest.approx(
        {const.SHIPPING: 4.99, const.GIFT_WRAP: 1.0, const.PRINCIPAL: 1.5}
    )
    assert item.taxes == pytest.approx({const.TAX: 0.8, const.SHIPPING_TAX: 0.32})


def test_a_promotion_without_details_or_of_another_subtype_lowers_the_item():
    (item,) = parse_order(
        _proceeds(
            {"type": "ITEM", "subtotal": _money("10.00")},
            {"type": "DISCOUNT", "subtotal": _money("-2.00")},
        )
    ).items
    assert item.promotions == {const.PRINCIPAL: 2.0}
    (item,) = parse_order(
        _proceeds(
            {"type": "ITEM", "subtotal": _money("10.00")},
            {
                "type": "DISCOUNT",
                "subtotal": _money("-3.00"),
                "detailedBreakdowns": [
                    {"subtype": "OTHER", "value": _money("-1.00")},
                    {"subtype": "SHIPPING", "value": _money("-1.50")},
                ],
            },
        )
    ).items
    # What the details leave unsaid of the subtotal is the item's too.
    assert item.promotions == pytest.approx({const.PRINCIPAL: 1.5, const.SHIPPING: 1.5})


def test_emulator_writes_shipping_promotions_as_discount_of_subtype_shipping(client, emulator):
    emulator.add_order(
        DEMO_SELLER_ID,
        "112-4000005-0000001",
        US,
        items=[
            _item(
                "40000050000001",
                "MUG-1",
                1,
                Principal="10.00",
                Shipping="4.99",
                ShippingDiscount="-4.99",
                ShippingTax="0.32",
            )
        ],
        facilitator_tax=True,
    )
    (item,) = client.get_order("112-4000005-0000001", IMPORT_DATASETS).items
    assert item.charges == {const.PRINCIPAL: 10.0, const.SHIPPING: 4.99}
    assert item.promotions == {const.SHIPPING: 4.99}
    assert item.taxes == {const.SHIPPING_TAX: 0.32}
    assert item.facilitator_tax


def test_parse_order_tolerates_absent_datasets():
    order = parse_order(
        {
            "orderId": ORDER_ID,
            "createdTime": "2026-01-02T03:04:05Z",
            "lastUpdatedTime": "2026-01-02T03:04:05Z",
            "salesChannel": {"channelName": "AMAZON", "marketplaceId": US},
            "orderItems": [{"orderItemId": "1", "quantityOrdered": 1, "product": {}}],
        }
    )
    assert order.fulfillment_status is None and order.address is None
    assert order.items[0].quantity_shipped is None and order.items[0].charges == {}
    assert order.created.isoformat() == "2026-01-02T03:04:05"


def _order(fulfillment=None, recipient=None):
    order = {"orderId": ORDER_ID, "salesChannel": {"marketplaceId": US}, "orderItems": []}
    if fulfillment is not None:
        order["fulfillment"] = fulfillment
    if recipient is not None:
        order["recipient"] = recipient
    return parse_order(order)


@pytest.mark.parametrize(
    ("status", "waiting", "shipped", "cancelled"),
    [
        ("PENDING_AVAILABILITY", True, False, False),
        ("PENDING", True, False, False),
        ("UNSHIPPED", False, False, False),
        ("PARTIALLY_SHIPPED", False, False, False),
        ("SHIPPED", False, True, False),
        ("CANCELLED", False, False, True),
        ("UNFULFILLABLE", False, False, False),
    ],
)
def test_fulfilment_status_is_asked_without_amazons_spelling(status, waiting, shipped, cancelled):
    order = _order({"fulfillmentStatus": status, "fulfilledBy": "AMAZON"})
    assert order.fulfillment_status == status
    assert (order.is_waiting_for_payment, order.is_shipped, order.is_cancelled) == (
        waiting,
        shipped,
        cancelled,
    )
    assert order.is_fba and not order.is_merchant_fulfilled


def test_who_fulfils_is_unknown_when_amazon_does_not_say():
    order = _order({"fulfillmentStatus": "UNSHIPPED"})
    assert not (order.is_fba or order.is_merchant_fulfilled)


def test_delivery_address_reads_a_customer_address_in_the_addons_words():
    order = _order(
        recipient={
            "deliveryAddress": {
                "name": "Jane Buyer",
                "companyName": "Buyer Ltd",
                "addressLine1": "1 Main Street",
                "addressLine2": "Flat 2",
                "addressLine3": "Back door",
                "city": "Springfield",
                "districtOrCounty": "Greene",
                "stateOrRegion": "IL",
                "postalCode": "62701",
                "countryCode": "US",
                "phone": "+1 217 555 0100",
                "addressType": "RESIDENTIAL",
            },
            "deliveryPreference": {"dropOffLocation": "Porch"},
        }
    )
    assert order.address == DeliveryAddress(
        name="Jane Buyer",
        street="1 Main Street",
        street2="Flat 2",
        city="Springfield",
        zip="62701",
        state_code="IL",
        country_code="US",
        phone="+1 217 555 0100",
    )


def test_an_empty_delivery_address_is_no_address():
    assert _order(recipient={"deliveryAddress": {}}).address is None
    assert _order(recipient={}).address is None
