"""Benchmark of the settlement import, run inside Odoo on a database with the addon installed:

    python3 -m odoo shell -d DATABASE --addons-path=... --no-http \
        < benchmarks/bench_settlement_import.py

It imports a generated V2 settlement flat file of 200,000 rows for one seller account: the
refunds of 10,000 refund requests of the addon (four rows each: item price, tax, the commission
Amazon returns and the part it keeps), the first half matched by their adjustment reference and
the rest by order item and amounts, among 160,000 order rows that only count. It prints rows per
second, SQL queries per matched refund and the growth of the process's peak memory. Everything it
creates is rolled back.
"""

import resource
import time

from odoo import Command

from odoo.addons.amazon_refund_cancel.spapi_emulator.report_content import SETTLEMENT_COLUMNS

REFUNDS = 10_000
ROWS = 200_000
PRODUCTS = 50


def _setup(env):
    account = env["amazon.seller.account"].create(
        {
            "name": "Benchmark seller",
            "seller_id": "A1BENCHSET",
            "marketplace_ids": [Command.set(env.ref("amazon_refund_cancel.marketplace_us").ids)],
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


def main(env):
    env.cr.execute("SAVEPOINT amazon_settlement_benchmark")
    try:
        account, orders, requests = _setup(env)
        content = _file(orders, requests)
        print(f"{ROWS} rows, {REFUNDS} refunds, {len(content) / 1e6:.1f} MB")
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        before = env.cr.sql_log_count
        started = time.perf_counter()
        settlement, _new = env["amazon.settlement"]._import_settlement(account, content, "manual")
        env.flush_all()
        seconds = time.perf_counter() - started
        queries = env.cr.sql_log_count - before
        peak_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
        settled = env["amazon.order.request"].search_count(
            [("id", "in", requests.ids), ("state", "=", "settled")]
        )
        print(
            f"{settlement.state}: {settlement.matched_count} matched, {settled} requests settled, "
            f"{settlement.failed_count} failed in {seconds:.1f} s: {ROWS / seconds:.0f} rows/s, "
            f"{queries} SQL queries, {queries / max(settlement.matched_count, 1):.2f} per matched "
            f"refund, peak memory +{peak_growth / 1024:.0f} MB"
        )
    finally:
        env.cr.execute("ROLLBACK TO SAVEPOINT amazon_settlement_benchmark")
        env.invalidate_all(flush=False)


main(env)  # noqa: F821 - `env` is given by odoo shell
