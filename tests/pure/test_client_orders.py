"""Reading orders for linking and importing: getOrder and searchOrders of Orders API 2026-01-01."""

from datetime import timedelta
from decimal import Decimal

import pytest

from amazon_api.client import AmazonClient, Connection
from amazon_api.errors import PermanentError
from amazon_api.orders import IMPORT_DATASETS, parse_order
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


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def _item(code, sku, quantity, **prices):
    return {
        "order_item_id": code,
        "sku": sku,
        "quantity": quantity,
        "prices": prices or {"Principal": 10 * quantity},
    }


@pytest.fixture
def clock():
    return FakeClock()


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
    mug, tee = order.items
    assert (mug.order_item_id, mug.sku, mug.quantity) == ("40000010000001", "MUG-1", 2)
    assert mug.unit_price == 20.0
    assert mug.proceeds == {"ITEM": 40.0, "SHIPPING": 5.0, "TAX": 3.2}
    assert mug.taxes == {"ITEM": 3.2}
    assert (mug.quantity_shipped, mug.cancelled_by) == (0, None)
    assert tee.sku == "TEE-1" and tee.proceeds == {"ITEM": 10.0}
    # Buyer data needs a restricted data token: without one there is none.
    assert order.buyer_name is None
    assert "/tokens/2021-03-01/restrictedDataToken" not in _paths(emulator)
    assert not [path for path in _paths(emulator) if path.startswith("/orders/v0")]


def test_get_order_with_buyer_data_asks_for_a_restricted_token(client, emulator):
    order = client.get_order(ORDER_ID, IMPORT_DATASETS, restricted=True)
    assert order.buyer_name == "Jane Buyer"
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
    assert cancelled.fulfillment_status == "CANCELLED"
    assert {item.cancelled_by for item in cancelled.items} == {"AMAZON"}
    queries = [q for _m, p, q, _s in emulator.requests if p == ORDERS_PATH]
    assert "lastUpdatedAfter" in queries[0] and "paginationToken" in queries[1]


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
    assert order.items[0].quantity_shipped is None and order.items[0].proceeds == {}
    assert order.created.isoformat() == "2026-01-02T03:04:05"
