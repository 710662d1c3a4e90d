"""Benchmark of the order import, run inside Odoo on a database with the addon installed:

    python3 -m odoo shell -d DATABASE --addons-path=... --no-http < benchmarks/bench_order_import.py

A local SP-API emulator holds 1,200 unshipped orders of one seller account (3,000 order items of
50 products: half the orders with two items, half with three); the scheduled import reads them
with searchOrders (12 pages of 100, each next page repeating the first page's filters, as the
emulator demands like Amazon) over HTTP and creates and confirms the sales orders. Then, from the
same starting point, the same orders are made with plain `sale.order.create` (one per order)
and `action_confirm` (per page of 100, as the import confirms them), with the lines the import
made. It prints orders per second and SQL queries per order of both, and the ratio of their
times (the goal: at most 1.3). Everything it creates is rolled back.
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

ORDERS = 1200
# searchOrders' page size, which the import asks for.
PAGE = 100
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


def _plain_values(account, imported):
    """The imported orders as plain values: the same products, quantities, prices and taxes;
    the customer is set after the import is rolled back, which removes the one it made."""
    return [
        {
            "company_id": account.company_id.id,
            "client_order_ref": order.client_order_ref,
            "order_line": [
                Command.create(
                    {
                        "product_id": line.product_id.id,
                        "product_uom_qty": line.product_uom_qty,
                        "price_unit": line.price_unit,
                        "tax_id": [Command.set(line.tax_id.ids)],
                    }
                )
                for line in order.order_line
            ],
        }
        for order in imported.sorted("client_order_ref")
    ]


def _measure(env, work):
    env.flush_all()
    before = env.cr.sql_log_count
    started = time.perf_counter()
    result = work()
    env.flush_all()
    return result, time.perf_counter() - started, env.cr.sql_log_count - before


def _plain(env, values):
    Order = env["sale.order"]
    for start in range(0, len(values), PAGE):
        page = Order.browse()
        for order_values in values[start : start + PAGE]:
            page |= Order.create(order_values)
        page.action_confirm()


def main(env):
    env.cr.execute("SAVEPOINT amazon_order_benchmark")
    emulator = Emulator().start()
    try:
        account, lines = _setup(env, emulator)
        env.cr.execute("SAVEPOINT amazon_order_benchmark_data")
        print(f"{ORDERS} orders, {lines} order items at the emulator")
        importer = env["amazon.order.importer"]
        # Measured without the commit per page that the scheduled action makes.
        with patch(
            "odoo.addons.amazon_refund_cancel.models.amazon_order_importer.commit_unless_testing"
        ):
            stats, seconds, queries = _measure(env, lambda: importer._import_updates(account))
        imported = env["sale.order"].search(
            [("amazon_seller_account_id", "=", account.id), ("state", "=", "sale")]
        )
        pages = len([q for _m, p, q, _s in emulator.requests if p == "/orders/2026-01-01/orders"])
        print(
            f"import: {dict(stats)}, {len(imported)} confirmed orders from {pages} pages in "
            f"{seconds:.1f} s: {ORDERS / seconds:.1f} orders/s, {queries} SQL queries, "
            f"{queries / ORDERS:.1f} per order"
        )
        values = _plain_values(account, imported)
        customer = imported.partner_id.name
        env.cr.execute("ROLLBACK TO SAVEPOINT amazon_order_benchmark_data")
        env.invalidate_all(flush=False)
        partner = env["res.partner"].create({"name": customer})
        for order_values in values:
            order_values["partner_id"] = partner.id
        _result, plain_seconds, plain_queries = _measure(env, lambda: _plain(env, values))
        print(
            f"plain sale.order.create + action_confirm of the same orders: {plain_seconds:.1f} s: "
            f"{ORDERS / plain_seconds:.1f} orders/s, {plain_queries} SQL queries, "
            f"{plain_queries / ORDERS:.1f} per order"
        )
        print(
            f"import / plain: {seconds / plain_seconds:.2f}x the time (goal <= 1.3x), "
            f"{queries / plain_queries:.2f}x the SQL queries (at {fields.Datetime.now()})"
        )
    finally:
        emulator.stop()
        env.cr.execute("ROLLBACK TO SAVEPOINT amazon_order_benchmark")
        env.invalidate_all(flush=False)


main(env)  # noqa: F821 - `env` is given by odoo shell
