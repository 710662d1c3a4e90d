"""Benchmark of the order import, run inside Odoo on a database with the addon installed:

    python3 -m odoo shell -d DATABASE --addons-path=... --no-http < benchmarks/bench_order_import.py

A local SP-API emulator holds 2,000 unshipped orders of one seller account (5,000 order items of
50 products: half the orders with two items, half with three); the scheduled import reads them
with searchOrders (20 pages of 100) over HTTP and creates and confirms the sales orders. It prints
orders per second and SQL queries per order. Everything it creates is rolled back.
"""

import time
from unittest.mock import patch

from odoo import Command, fields

from odoo.addons.amazon_refund_cancel.spapi_emulator import Emulator
from odoo.addons.amazon_refund_cancel.spapi_emulator.server import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
)

ORDERS = 2000
PRODUCTS = 50
SELLER = "A1BENCHORDERS"


def _setup(env, emulator):
    marketplace = env.ref("amazon_refund_cancel.marketplace_us")
    refresh_token = f"{DEMO_REFRESH_TOKEN}-{SELLER}"
    emulator.add_seller(SELLER, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, refresh_token)
    account = env["amazon.seller.account"].create(
        {
            "name": "Benchmark seller",
            "seller_id": SELLER,
            "marketplace_ids": [Command.set(marketplace.ids)],
            "endpoint": "custom",
            "custom_api_url": emulator.url,
            "custom_lwa_url": emulator.lwa_url,
            "lwa_client_id": DEMO_CLIENT_ID,
            "lwa_client_secret": DEMO_CLIENT_SECRET,
            "lwa_refresh_token": refresh_token,
            "order_link_source": "none",
            "order_import": True,
        }
    )
    env["product.product"].create(
        [
            {"name": f"Benchmark item {n}", "default_code": f"BENCH-{n:03d}", "is_storable": True}
            for n in range(PRODUCTS)
        ]
    )
    lines = 0
    for n in range(ORDERS):
        count = 2 if n % 2 else 3
        lines += count
        emulator.add_order(
            SELLER,
            f"113-{n:07d}-0000001",
            marketplace.code,
            items=[
                {
                    "order_item_id": f"{n:010d}{k:04d}",
                    "sku": f"BENCH-{(n + k) % PRODUCTS:03d}",
                    "quantity": 1 + k % 2,
                    "prices": {"Principal": 10 * (1 + k % 2), "Tax": 1, "Shipping": 4},
                }
                for k in range(count)
            ],
        )
    env.flush_all()
    return account, lines


def main(env):
    env.cr.execute("SAVEPOINT amazon_order_benchmark")
    emulator = Emulator().start()
    try:
        account, lines = _setup(env, emulator)
        print(f"{ORDERS} orders, {lines} order items at the emulator")
        importer = env["amazon.order.importer"]
        before = env.cr.sql_log_count
        started = time.perf_counter()
        # Measured without the commit per page that the scheduled action makes.
        with patch(
            "odoo.addons.amazon_refund_cancel.models.amazon_order_importer.commit_unless_testing"
        ):
            stats = importer._import_updates(account)
        env.flush_all()
        seconds = time.perf_counter() - started
        queries = env.cr.sql_log_count - before
        created = env["sale.order"].search_count(
            [("amazon_seller_account_id", "=", account.id), ("state", "=", "sale")]
        )
        print(
            f"import: {dict(stats)}, {created} confirmed orders in {seconds:.1f} s: "
            f"{ORDERS / seconds:.1f} orders/s, {queries} SQL queries, "
            f"{queries / ORDERS:.1f} per order (at {fields.Datetime.now()})"
        )
    finally:
        emulator.stop()
        env.cr.execute("ROLLBACK TO SAVEPOINT amazon_order_benchmark")
        env.invalidate_all(flush=False)


main(env)  # noqa: F821 - `env` is given by odoo shell
