"""Benchmark of the returns import, run inside Odoo on a database with the addon installed:

    python3 -m odoo shell -d DATABASE --addons-path=... --no-http < benchmarks/bench_rma_import.py

It imports a generated flat returns report of 5,000 approved RMAs (one in ten with two items, one
in ten of a kit when manufacturing is installed) for 5,000 Amazon orders of one seller account,
then the same report again (every RMA already there, unchanged), and prints RMAs per second and
SQL queries per RMA of both. Everything it creates is rolled back.
"""

import time

from odoo import Command

from odoo.addons.amazon_refund_cancel.spapi_emulator.report_content import (
    RETURNS_FLAT_COLUMNS,
)

RMAS = 5000
PRODUCTS = 50


def _setup(env):
    account = env["amazon.seller.account"].create(
        {
            "name": "Benchmark seller",
            "seller_id": "A1BENCHRMA",
            "marketplace_ids": [Command.set(env.ref("amazon_refund_cancel.marketplace_us").ids)],
            "active": False,
        }
    )
    partner = env["res.partner"].create({"name": "Benchmark buyer"})
    products = env["product.product"].create(
        [{"name": f"Benchmark item {n}", "default_code": f"BENCH-{n:03d}"} for n in range(PRODUCTS)]
    )
    if "mrp.bom" in env:
        env["mrp.bom"].create(
            {
                "product_tmpl_id": products[0].product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [
                    Command.create({"product_id": products[1].id, "product_qty": 1}),
                    Command.create({"product_id": products[2].id, "product_qty": 2}),
                ],
            }
        )
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "amazon_seller_account_id": account.id,
                "amazon_order_number": f"119-{n:07d}-0000001",
                "order_line": [
                    Command.create(
                        {
                            "product_id": products[(n + k) % PRODUCTS].id,
                            "product_uom_qty": 2,
                            "amazon_order_item_code": f"{n:010d}{k:04d}",
                        }
                    )
                    for k in range(2)
                ],
            }
            for n in range(RMAS)
        ]
    )
    env.flush_all()
    return account, orders


def _report(orders):
    lines = ["\t".join(RETURNS_FLAT_COLUMNS)]
    for n, order in enumerate(orders):
        skus = order.order_line.product_id.mapped("default_code")
        for sku in skus[: 2 if n % 10 == 0 else 1]:
            row = {
                "Order ID": order.amazon_order_number,
                "Return request date": "10-Jul-2025",
                "Return request status": "Approved",
                "Amazon RMA ID": f"DBENCH{n:07d}",
                "Label type": "AmazonPrePaidLabel",
                "Label cost": "5.10",
                "Currency code": "USD",
                "Return carrier": "UPS",
                "Tracking ID": f"1ZBENCH{n:09d}",
                "Label to be paid by": "Seller",
                "A-to-Z Claim": "N",
                "Merchant SKU": sku,
                "Return quantity": "1",
                "Return Reason": "CR-UNWANTED_ITEM",
                "In policy": "Y",
            }
            lines.append("\t".join(row.get(column, "") for column in RETURNS_FLAT_COLUMNS))
    return ("\n".join(lines) + "\n").encode()


def _import(env, account, content, label):
    log = env["amazon.rma.import"].create({"source": "manual", "seller_account_id": account.id})
    env.flush_all()
    before = env.cr.sql_log_count
    started = time.perf_counter()
    log._import_file(content)
    env.flush_all()
    seconds = time.perf_counter() - started
    queries = env.cr.sql_log_count - before
    print(
        f"{label}: created {log.created_count}, updated {log.updated_count}, skipped "
        f"{log.skipped_count}, failed {log.failed_count} in {seconds:.1f} s: "
        f"{RMAS / seconds:.0f} RMAs/s, {queries} SQL queries, {queries / RMAS:.2f} per RMA"
    )


def main(env):
    env.cr.execute("SAVEPOINT amazon_rma_benchmark")
    try:
        account, orders = _setup(env)
        content = _report(orders)
        rows = content.count(b"\n") - 1
        print(f"{RMAS} RMAs, {rows} rows, {len(content) / 1e6:.1f} MB")
        _import(env, account, content, "first import")
        _import(env, account, content, "same report again")
    finally:
        env.cr.execute("ROLLBACK TO SAVEPOINT amazon_rma_benchmark")
        env.invalidate_all(flush=False)


main(env)  # noqa: F821 - `env` is given by odoo shell
