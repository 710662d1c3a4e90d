"""Benchmark of the returns import, run inside Odoo on a database with the addon installed:

    python3 -m odoo shell -d DATABASE --addons-path=... --no-http < benchmarks/bench_rma_import.py

It imports a generated flat returns report of 5,000 approved RMAs (one in ten with two items, one
in ten of a kit when manufacturing is installed) for 5,000 Amazon orders of one seller account,
then the same report again (every RMA already there, unchanged), and prints RMAs per second and
SQL queries per RMA of both. Then a file of 500,000 rows, streamed from disk as an upload is:
5,000 new RMAs of those orders and 495,000 rows of orders that are not in Odoo; it prints rows per
second and the peak growth of the process's memory. Everything it creates is rolled back.
"""

import os
import tempfile
import threading
import time
import tracemalloc

from odoo import Command

from odoo.addons.amazon_refund_cancel.spapi_emulator.report_content import (
    RETURNS_FLAT_COLUMNS,
)

RMAS = 5000
PRODUCTS = 50
BIG_ROWS = 500_000


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
                # Shipped by Amazon: every unit may come back.
                "amazon_fulfillment": "amazon",
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


def _row(order_number, rma_id, sku):
    row = {
        "Order ID": order_number,
        "Return request date": "10-Jul-2025",
        "Return request status": "Approved",
        "Amazon RMA ID": rma_id,
        "Label type": "AmazonPrePaidLabel",
        "Label cost": "5.10",
        "Currency code": "USD",
        "Return carrier": "UPS",
        "Tracking ID": f"1Z{rma_id}",
        "Label to be paid by": "Seller",
        "A-to-Z Claim": "N",
        "Merchant SKU": sku,
        "Return quantity": "1",
        "Return Reason": "CR-UNWANTED_ITEM",
        "In policy": "Y",
    }
    return "\t".join(row.get(column, "") for column in RETURNS_FLAT_COLUMNS)


def _report(orders):
    lines = ["\t".join(RETURNS_FLAT_COLUMNS)]
    for n, order in enumerate(orders):
        skus = order.order_line.product_id.mapped("default_code")
        for sku in skus[: 2 if n % 10 == 0 else 1]:
            lines.append(_row(order.amazon_order_number, f"DBENCH{n:07d}", sku))
    return ("\n".join(lines) + "\n").encode()


def _big_report(handle, orders):
    """Written a row at a time: the benchmark's own memory stays out of the measure."""
    handle.write(("\t".join(RETURNS_FLAT_COLUMNS) + "\n").encode())
    skus = {order.id: order.order_line[:1].product_id.default_code for order in orders}
    for n in range(BIG_ROWS):
        if n < len(orders):
            order = orders[n]
            line = _row(order.amazon_order_number, f"DBIG{n:09d}", skus[order.id])
        else:
            line = _row(f"120-{n:07d}-0000001", f"DBIG{n:09d}", "BENCH-000")
        handle.write((line + "\n").encode())
    handle.flush()


def _rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _PeakMemory(threading.Thread):
    """Samples the resident memory of the process while the import runs."""

    def __init__(self):
        super().__init__(daemon=True)
        self.start_rss = self.peak = _rss()
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, _rss())
            time.sleep(0.02)

    def growth(self):
        self.running = False
        self.join()
        return (self.peak - self.start_rss) / 1e6


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


def _import_big(env, account, orders, traced):
    """Import the big file; `traced`: measure Python's allocations (slower) instead of time."""
    with tempfile.TemporaryFile() as handle:
        _big_report(handle, orders)
        size = handle.tell()
        handle.seek(0)
        env.cr.execute("SAVEPOINT amazon_rma_big_file")
        log = env["amazon.rma.import"].create({"source": "manual", "seller_account_id": account.id})
        env.flush_all()
        env.invalidate_all()
        memory = _PeakMemory()
        memory.start()
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        log._import_file(handle)
        env.flush_all()
        seconds = time.perf_counter() - started
        if traced:
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        growth = memory.growth()
        rows = env["amazon.rma.import.line"].search_count([("import_id", "=", log.id)])
        counts = f"created {log.created_count}, failed {log.failed_count}"
        env.cr.execute("ROLLBACK TO SAVEPOINT amazon_rma_big_file")
        env.invalidate_all(flush=False)
    if traced:
        print(
            f"same file traced: peak of Python's allocations during the import {peak / 1e6:.0f} MB"
        )
        return
    print(
        f"{BIG_ROWS} rows, {size / 1e6:.0f} MB: {counts} in {seconds:.1f} s: "
        f"{BIG_ROWS / seconds:.0f} rows/s; resident memory {memory.start_rss / 1e6:.0f} MB "
        f"before, peak growth {growth:.0f} MB; {rows} rows kept in the log"
    )


def main(env):
    env.cr.execute("SAVEPOINT amazon_rma_benchmark")
    try:
        account, orders = _setup(env)
        _import_big(env, account, orders, traced=False)
        _import_big(env, account, orders, traced=True)
        content = _report(orders)
        rows = content.count(b"\n") - 1
        print(f"{RMAS} RMAs, {rows} rows, {len(content) / 1e6:.1f} MB")
        _import(env, account, content, "first import")
        _import(env, account, content, "same report again")
    finally:
        env.cr.execute("ROLLBACK TO SAVEPOINT amazon_rma_benchmark")
        env.invalidate_all(flush=False)


main(env)  # noqa: F821 - `env` is given by odoo shell
