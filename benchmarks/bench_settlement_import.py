"""Benchmark of the settlement import, run inside Odoo on a database with the addon installed:

    python3 -m odoo shell -d DATABASE --addons-path=... --no-http \
        < benchmarks/bench_settlement_import.py

It imports a generated V2 settlement flat file of 200,000 rows for one seller account: the
refunds of 10,000 refund requests of the addon (four rows each: item price, tax, the commission
Amazon returns and the part it keeps), the first half matched by their adjustment reference and
the rest by order item and amounts, among 160,000 order rows that only count. It goes through
the two real paths, each rolled back before the next: the upload dialog (the file given base64
as the browser sends it, imported by an Amazon manager with Invoicing rights) and the scheduled
download (a local SP-API emulator lists the settlement report; the import downloads it over
HTTP). For each it prints rows per second, SQL queries per matched refund and the growth of the
process's peak memory over its memory at the start of the path (the peak is reset before each
path through /proc/self/clear_refs and read as VmHWM: ru_maxrss cannot be reset, and keeps the
peak of the setup). Memory a path frees stays with the process and hides the growth of the
next one: for its memory figure run each path in a process of its own, naming it in
BENCH_PATHS (upload, download; both by default). Everything it creates is rolled back.

Figures on 2 cores shared with other work, a 21 MB file, each path in a process of its own
(rows/s vary by a third from run to run there; 2.1 SQL queries per matched refund throughout):
  before: upload dialog 2,095 rows/s, peak memory +268 MB; scheduled download 1,816 to 4,955
  rows/s, +139 to +151 MB (the file read whole, indexed as text by ir.attachment, the dialog's
  file in a bytea column).
  after: upload dialog 6,463 rows/s, +0 MB; scheduled download 3,583 to 4,354 rows/s, +1 MB;
  with one other job on the machine: upload dialog 5,815 rows/s, +0 MB; scheduled download
  5,536 rows/s, +1 MB.
  BENCH_TRACEMALLOC=1, upload dialog: Python allocations peak +246 MB before, +108 MB after
  (peak memory +268 MB before, +10 MB after).
"""

import base64
import gc
import os
import resource
import time
import tracemalloc
from unittest.mock import patch

from odoo import Command

from odoo.addons.amazon_refund_cancel.spapi_emulator import Emulator
from odoo.addons.amazon_refund_cancel.spapi_emulator.report_content import SETTLEMENT_COLUMNS
from odoo.addons.amazon_refund_cancel.spapi_emulator.server import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
)

REFUNDS = 10_000
ROWS = 200_000
PRODUCTS = 50
SELLER = "A1BENCHSET"
PATHS = os.environ.get("BENCH_PATHS", "upload,download").split(",")
# Also the peak of the Python objects allocated by the path (slower): memory the setup freed and
# the path reused does not show in the process's peak.
TRACE = bool(os.environ.get("BENCH_TRACEMALLOC"))


def _setup(env, emulator):
    refresh_token = f"{DEMO_REFRESH_TOKEN}-{SELLER}"
    emulator.add_seller(SELLER, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, refresh_token)
    account = env["amazon.seller.account"].create(
        {
            "name": "Benchmark seller",
            "seller_id": SELLER,
            "marketplace_ids": [Command.set(env.ref("amazon_refund_cancel.marketplace_us").ids)],
            "endpoint": "custom",
            "custom_api_url": emulator.url,
            "custom_lwa_url": emulator.lwa_url,
            "lwa_client_id": DEMO_CLIENT_ID,
            "lwa_client_secret": DEMO_CLIENT_SECRET,
            "lwa_refresh_token": refresh_token,
            "order_link_source": "none",
            "active": False,
        }
    )
    partner = env["res.partner"].create({"name": "Benchmark buyer"})
    products = env["product.product"].create(
        [{"name": f"Benchmark item {n}", "default_code": f"BSET-{n:03d}"} for n in range(PRODUCTS)]
    )
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "amazon_seller_account_id": account.id,
                "amazon_order_number": f"118-{n:07d}-0000001",
                "order_line": [
                    Command.create(
                        {
                            "product_id": products[n % PRODUCTS].id,
                            "product_uom_qty": 1,
                            "price_unit": 20,
                            "amazon_order_item_code": f"{n:014d}",
                        }
                    )
                ],
            }
            for n in range(REFUNDS)
        ]
    )
    requests = (
        env["amazon.order.request"]
        .sudo()
        .create(
            [
                {
                    "request_type": "refund",
                    "order_id": order.id,
                    "seller_account_id": account.id,
                    "reason": "CustomerReturn",
                    "line_ids": [
                        Command.create(
                            {
                                "order_line_id": order.order_line.id,
                                "quantity": 1,
                                "amount_principal": 20,
                                "amount_tax": 2,
                            }
                        )
                    ],
                }
                for order in orders
            ]
        )
    )
    env.flush_all()
    # Amazon accepted them all: no credit notes needed to measure the settlement.
    env.cr.execute(
        "UPDATE amazon_order_request SET state = 'done' WHERE id IN %s", [tuple(requests.ids)]
    )
    env.invalidate_all()
    return account, orders, requests


def _file(orders, requests):
    def line(values):
        return "\t".join(str(values.get(column, "")) for column in SETTLEMENT_COLUMNS)

    rows = []
    for n, (order, request) in enumerate(zip(orders, requests, strict=True)):
        base = {
            "settlement-id": "99000000001",
            "transaction-type": "Refund",
            "order-id": order.amazon_order_number,
            "adjustment-id": f"amzn1.adj.{n:08d}",
            "posted-date": "2026-11-20",
            "order-item-code": order.order_line.amazon_order_item_code,
            "merchant-adjustment-item-id": (
                request.line_ids.merchant_adjustment_item_ref if n % 2 == 0 else ""
            ),
            "sku": order.order_line.product_id.default_code,
        }
        for amount_type, description, amount in (
            ("ItemPrice", "Principal", "-20.00"),
            ("ItemPrice", "Tax", "-2.00"),
            ("ItemFees", "Commission", "3.00"),
            ("ItemFees", "RefundCommission", "-0.60"),
        ):
            rows.append(
                line(
                    base
                    | {
                        "amount-type": amount_type,
                        "amount-description": description,
                        "amount": amount,
                    }
                )
            )
    sale = 0
    while len(rows) < ROWS:
        rows.append(
            line(
                {
                    "settlement-id": "99000000001",
                    "transaction-type": "Order",
                    "order-id": f"117-{sale:07d}-0000001",
                    "amount-type": "ItemPrice",
                    "amount-description": "Principal",
                    "amount": "25.00",
                    "order-item-code": f"{sale:014d}",
                }
            )
        )
        sale += 1
    total = REFUNDS * (-20 - 2 + 3 - 0.6) + sale * 25
    summary = line(
        {
            "settlement-id": "99000000001",
            "settlement-start-date": "2026-11-10 00:00:00 UTC",
            "settlement-end-date": "2026-11-24 00:00:00 UTC",
            "deposit-date": "2026-11-25 00:00:00 UTC",
            "total-amount": f"{total:.2f}",
            "currency": "USD",
        }
    )
    return ("\t".join(SETTLEMENT_COLUMNS) + "\n" + summary + "\n" + "\n".join(rows) + "\n").encode()


def _kb(name):
    """A figure of /proc/self/status in KB: VmRSS now, VmHWM the peak since the last reset."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{name}:"):
                return int(line.split()[1])
    raise LookupError(name)


def _measure(env, name, requests, work):
    """Run one path from a clean cache and print its figures."""
    env.invalidate_all()
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    rss_before = _kb("VmRSS")
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    before = env.cr.sql_log_count
    if TRACE:
        tracemalloc.start()
    started = time.perf_counter()
    settlement = work()
    env.flush_all()
    seconds = time.perf_counter() - started
    traced = ""
    if TRACE:
        traced = f", Python allocations peak +{tracemalloc.get_traced_memory()[1] / 2**20:.0f} MB"
        tracemalloc.stop()
    queries = env.cr.sql_log_count - before
    peak_growth = _kb("VmHWM") - rss_before
    maxrss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - maxrss_before
    settled = env["amazon.order.request"].search_count(
        [("id", "in", requests.ids), ("state", "=", "settled")]
    )
    print(
        f"{name}: {settlement.state}, {settlement.matched_count} matched, {settled} requests "
        f"settled, {settlement.failed_count} failed in {seconds:.1f} s: {ROWS / seconds:.0f} "
        f"rows/s, {queries} SQL queries, {queries / max(settlement.matched_count, 1):.2f} per "
        f"matched refund, peak memory +{peak_growth / 1024:.0f} MB (ru_maxrss "
        f"+{maxrss_growth / 1024:.0f} MB){traced}"
    )


def _importer(env):
    """An Amazon manager with Invoicing rights, as the upload dialog demands."""
    return env["res.users"].create(
        {
            "name": "Benchmark settlement importer",
            "login": "bench_settlement_importer",
            "groups_id": [
                Command.set(
                    [
                        env.ref("amazon_refund_cancel.group_amazon_manager").id,
                        env.ref("account.group_account_invoice").id,
                    ]
                )
            ],
        }
    )


def main(env):
    env.cr.execute("SAVEPOINT amazon_settlement_benchmark")
    emulator = Emulator().start()
    try:
        account, orders, requests = _setup(env, emulator)
        user = _importer(env)
        content = _file(orders, requests)
        print(f"{ROWS} rows, {REFUNDS} refunds, {len(content) / 1e6:.1f} MB")
        # As the browser sends it; decoded from base64 by the JSON request before the dialog.
        upload = base64.b64encode(content)
        emulator.add_settlement_report(SELLER, account.marketplace_ids.code, content)
        del content
        env.cr.execute("SAVEPOINT amazon_settlement_benchmark_data")

        def upload_dialog():
            wizard = (
                env["amazon.settlement.import.wizard"]
                .with_user(user)
                .create(
                    {"seller_account_id": account.id, "file": upload, "file_name": "settlement.txt"}
                )
            )
            action = wizard.action_import()
            return env["amazon.settlement"].browse(action["res_id"])

        if "upload" in PATHS:
            _measure(env, "upload dialog", requests, upload_dialog)
            env.cr.execute("ROLLBACK TO SAVEPOINT amazon_settlement_benchmark_data")
            env.invalidate_all(flush=False)

        def scheduled_download():
            env["amazon.settlement"]._import_account_settlements(account)
            return env["amazon.settlement"].search([("seller_account_id", "=", account.id)])

        # Measured without the commit per settlement that the scheduled action makes.
        with patch(
            "odoo.addons.amazon_refund_cancel.models.amazon_settlement.commit_unless_testing"
        ):
            if "download" in PATHS:
                _measure(env, "scheduled download", requests, scheduled_download)
    finally:
        emulator.stop()
        env.cr.execute("ROLLBACK TO SAVEPOINT amazon_settlement_benchmark")
        env.invalidate_all(flush=False)


main(env)  # noqa: F821 - `env` is given by odoo shell
