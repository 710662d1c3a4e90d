"""Benchmark of the ledger's checks, run inside Odoo on a database with the addon installed:

    python3 -m odoo shell -d DATABASE --addons-path=... --no-http < benchmarks/bench_ledger.py

Every refund asks its items' ledgers what is left to refund, when it is queued and again before
it is sent. This prints the SQL queries of that check for one request whose item has 0, 10 and
100 refunds before it, and of the check of 10 and 100 requests at once (the sender checks a
batch): the queries of a request must not grow with the refunds of its item. Everything it
creates is rolled back.
"""

from odoo import Command


def _queries(env, function):
    env.flush_all()
    env.invalidate_all()
    before = env.cr.sql_log_count
    function()
    env.flush_all()
    return env.cr.sql_log_count - before


def _order(env, account, product, number):
    order = env["sale.order"].create(
        {
            "partner_id": env["res.partner"].create({"name": f"Buyer {number}"}).id,
            "amazon_seller_account_id": account.id,
            "amazon_order_number": f"119-{number:07d}-0000001",
            "amazon_fulfillment": "amazon",
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": 1000,
                        "price_unit": 10.0,
                        "amazon_order_item_code": f"{number:014d}",
                    }
                )
            ],
        }
    )
    order.action_confirm()
    return order


def _request(env, order):
    return env["amazon.order.request"]._amazon_new(
        order,
        "refund",
        "CustomerReturn",
        [{"order_line_id": order.order_line.id, "quantity": 1, "amount_principal": 0.01}],
    )


def main(env):
    account = env["amazon.seller.account"].create(
        {
            "name": "Benchmark seller",
            "seller_id": "A1BENCHLEDGER",
            "marketplace_ids": [Command.set(env.ref("amazon_refund_cancel.marketplace_us").ids)],
            "active": False,
        }
    )
    product = env["product.product"].create({"name": "Benchmark mug", "taxes_id": False})
    Ledger = env["amazon.item.ledger"]
    for earlier in (0, 10, 100):
        order = _order(env, account, product, 1000 + earlier)
        for _index in range(earlier):
            _request(env, order)._on_applied()
        request = _request(env, order)
        queries = _queries(env, lambda request=request: Ledger._check_request(request))
        print(f"one request, its item refunded {earlier} times before: {queries} SQL queries")
    for count in (10, 100):
        requests = env["amazon.order.request"].union(
            *(_request(env, _order(env, account, product, 2000 + count + n)) for n in range(count))
        )
        queries = _queries(env, requests._check_before_sending)
        print(
            f"{count} requests of {count} orders checked together: {queries} SQL queries, "
            f"{queries / count:.1f} per request"
        )


main(env)  # noqa: F821 - `env` is given by odoo shell
env.cr.rollback()  # noqa: F821
