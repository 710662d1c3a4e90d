"""Benchmark of the request pipeline, run inside Odoo on a database with the addon installed:

    python3 -m odoo shell -d DATABASE --addons-path=... --no-http < benchmarks/bench_pipeline.py

It batches 1,000 queued refunds and 1,000 queued whole-line cancellations of one seller account
and prints how many SQL queries that takes, then the queries of an idle run of each scheduled
action. Everything it creates is rolled back.
"""

import time

from odoo import Command

REQUESTS_PER_TYPE = 1000


def _queries(function):
    env.flush_all()  # noqa: F821 - `env` is given by odoo shell
    before = env.cr.sql_log_count  # noqa: F821
    started = time.perf_counter()
    result = function()
    env.flush_all()  # noqa: F821
    return result, env.cr.sql_log_count - before, time.perf_counter() - started  # noqa: F821


def _setup(env):
    account = env["amazon.seller.account"].create(
        {
            "name": "Benchmark seller",
            "seller_id": "A1BENCHMARK",
            "marketplace_ids": [Command.set(env.ref("amazon_refund_cancel.marketplace_us").ids)],
            "active": False,
        }
    )
    partner = env["res.partner"].create({"name": "Benchmark buyer"})
    product = env["product.product"].create({"name": "Benchmark mug"})
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "amazon_seller_account_id": account.id,
            "amazon_order_number": "119-0000001-0000001",
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": 1,
                        "amazon_order_item_code": "11900000010001",
                    }
                )
            ],
        }
    )
    line = order.order_line
    requests = env["amazon.order.request"].create(
        [
            {
                "request_type": request_type,
                "order_id": order.id,
                "seller_account_id": account.id,
                "reason": reason,
                "state": "queued",
                "line_ids": [Command.create({"order_line_id": line.id, **amounts})],
            }
            for request_type, reason, amounts in (
                ("refund", "CustomerReturn", {"amount_principal": 1.0}),
                ("cancellation", "NoInventory", {"quantity_cancelled": 1}),
            )
            for _index in range(REQUESTS_PER_TYPE)
        ]
    )
    return requests


def main(env):
    env.cr.execute("SAVEPOINT amazon_benchmark")
    try:
        requests = _setup(env)
        Batch = env["amazon.feed.batch"]
        batches, queries, seconds = _queries(lambda: Batch._batch_requests(requests))
        per_type = {
            feed_type: len(batches.filtered(lambda b, t=feed_type: b.feed_type == t))
            for feed_type in set(batches.mapped("feed_type"))
        }
        print(f"{len(requests)} queued requests of one account -> {len(batches)} batches")
        for feed_type, count in sorted(per_type.items()):
            print(f"  {feed_type}: {count} batches")
        print(
            f"batching: {queries} SQL queries, {queries / len(batches):.1f} per batch, "
            f"{queries / len(requests):.2f} per request, {seconds * 1000:.0f} ms"
        )
        env["amazon.order.request"].search([("state", "=", "queued")]).write({"state": "done"})
        Batch.search([("state", "in", ("draft", "uploaded", "submitted"))]).write({"state": "done"})
        for name in ("_cron_send_requests", "_cron_auto_submit", "_cron_follow_batches"):
            _result, queries, _seconds = _queries(getattr(Batch, name))
            print(f"idle {name}: {queries} SQL queries")
    finally:
        env.cr.execute("ROLLBACK TO SAVEPOINT amazon_benchmark")
        env.invalidate_all(flush=False)


main(env)  # noqa: F821
