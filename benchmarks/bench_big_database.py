"""The screens and scheduled actions of a big Amazon seller stay fast, whatever the table sizes.

    python3 benchmarks/bench_big_database.py -d DATABASE --addons-path=ADDONS

DATABASE must have the addon installed and be a throwaway copy: the benchmark commits its data.
It fills the database in two steps, up to 100,000 Amazon orders, 200,000 refund and
cancellation requests and 50,000 RMAs (copies of one order, request and RMA made with the ORM,
multiplied in SQL), and at each size measures, as the web client asks for them (web_search_read
and web_read with the fields of the views, as an Amazon manager), the SQL queries and the time
of: the queue list with its default filter, the Amazon orders list, an order form with its
Amazon tab, the RMA list with its default filter, and one run of each idle scheduled action.
"""

import argparse
import re
import sys
import time

from lxml import etree

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.tools import config

STEPS = ((10_000, 20_000, 5_000), (100_000, 200_000, 50_000))
# One request in 200 still waits in the queue, one RMA in 50 is still open: more than a page
# of each already at the first size, so that every list page asks the same questions.
QUEUED_EVERY = 200
OPEN_EVERY = 50
PAGE = 80
LIMIT_SECONDS = 1.0


def _columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def _copy_rows(cr, table, template_id, source, overrides):
    """INSERT copies of row `template_id` of `table`, one per row of `source` (SQL joined as
    `s`), with `overrides` (column -> SQL expression) instead of the template's values."""
    columns = _columns(cr, table)
    values = ", ".join(overrides.get(column, f"t.{column}") for column in columns)
    cr.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {values} FROM {table} t, {source} WHERE t.id = {int(template_id)}"
    )
    return cr.rowcount


def _templates(env):
    """An Amazon order with a line, a refund request and an RMA made the normal way."""
    company = env.ref("base.main_company")
    account = env["amazon.seller.account"].create(
        {
            "name": "Big seller",
            "company_id": company.id,
            "seller_id": "A1BIGSELLER",
            "marketplace_ids": [Command.set(env.ref("amazon_refund_cancel.marketplace_us").ids)],
            # Idle scheduled actions skip archived accounts: nothing here may call Amazon.
            "active": False,
        }
    )
    partner = env["res.partner"].create({"name": "Big buyer"})
    product = env["product.product"].create({"name": "Big mug", "list_price": 20})
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "company_id": company.id,
            "amazon_seller_account_id": account.id,
            "amazon_order_number": "900-0000000-0000001",
            "amazon_fulfillment": "amazon",
            "amazon_seller_marketplace_id": account.marketplace_ids.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": 2,
                        "price_unit": 20,
                        "amazon_order_item_code": "90000000000001",
                    }
                )
            ],
        }
    )
    order.action_confirm()
    request = env["amazon.order.request"].create(
        {
            "request_type": "refund",
            "order_id": order.id,
            "seller_account_id": account.id,
            "reason": "CustomerReturn",
            "state": "done",
            "line_ids": [
                Command.create({"order_line_id": order.order_line.id, "amount_principal": 1})
            ],
        }
    )
    rma = env["amazon.rma"].create(
        {
            "order_id": order.id,
            "amazon_rma_number": "DBIGRMA0",
            "seller_account_id": order.amazon_seller_account_id.id,
            "resolution": "refund",
            "state": "closed",
            "line_ids": [
                Command.create(
                    {
                        "order_line_id": order.order_line.id,
                        "product_id": product.id,
                        "quantity": 1,
                    }
                )
            ],
        }
    )
    return order, request, rma


def _grow(cr, templates, orders_from, orders_to, requests_per_order, rmas_every):
    """Orders numbered after orders_from up to orders_to, their lines, requests and RMAs."""
    order, request, rma = templates
    series = f"generate_series({orders_from + 1}, {orders_to}) AS s(n)"
    _copy_rows(
        cr,
        "sale_order",
        order.id,
        series,
        {
            "name": "'BIG' || s.n",
            "amazon_order_number": "'9' || lpad((s.n / 10000000)::text, 2, '0') || '-' "
            "|| lpad((s.n % 10000000)::text, 7, '0') || '-0000001'",
            "date_order": "t.date_order - s.n * interval '1 minute'",
        },
    )
    new_orders = (
        f"(SELECT id FROM sale_order WHERE name LIKE 'BIG%' AND substr(name, 4)::int "
        f">  {orders_from} AND substr(name, 4)::int <= {orders_to}) AS s"
    )
    _copy_rows(cr, "sale_order_line", order.order_line.id, new_orders, {"order_id": "s.id"})
    lines = (
        f"(SELECT so.id AS order_id, sol.id AS line_id, so.id * {requests_per_order} + k AS n "
        f"FROM sale_order so JOIN sale_order_line sol ON sol.order_id = so.id, "
        f"generate_series(0, {requests_per_order - 1}) AS k "
        f"WHERE so.name LIKE 'BIG%' AND substr(so.name, 4)::int > {orders_from} "
        f"AND substr(so.name, 4)::int <= {orders_to}) AS s"
    )
    _copy_rows(
        cr,
        "amazon_order_request",
        request.id,
        lines,
        {
            "order_id": "s.order_id",
            "name": "'BIGREQ' || s.n",
            "state": f"CASE WHEN s.n % {QUEUED_EVERY} = 0 THEN 'queued' ELSE 'done' END",
        },
    )
    new_requests = (
        "(SELECT r.id AS request_id, sol.id AS line_id FROM amazon_order_request r "
        "JOIN sale_order_line sol ON sol.order_id = r.order_id "
        "WHERE r.name LIKE 'BIGREQ%' AND NOT EXISTS (SELECT 1 FROM amazon_order_request_line "
        "l WHERE l.request_id = r.id)) AS s"
    )
    _copy_rows(
        cr,
        "amazon_order_request_line",
        request.line_ids.id,
        new_requests,
        {"request_id": "s.request_id", "order_line_id": "s.line_id"},
    )
    rma_orders = (
        f"(SELECT so.id AS order_id, sol.id AS line_id, substr(so.name, 4)::int AS n "
        f"FROM sale_order so JOIN sale_order_line sol ON sol.order_id = so.id "
        f"WHERE so.name LIKE 'BIG%' AND substr(so.name, 4)::int > {orders_from} "
        f"AND substr(so.name, 4)::int <= {orders_to} "
        f"AND substr(so.name, 4)::int % {rmas_every} = 0) AS s"
    )
    _copy_rows(
        cr,
        "amazon_rma",
        rma.id,
        rma_orders,
        {
            "order_id": "s.order_id",
            "amazon_rma_number": "'DBIG' || s.n",
            "request_date": "t.request_date - (s.n % 400) * interval '1 day'",
            "state": f"CASE WHEN s.n % {OPEN_EVERY * rmas_every} = 0 THEN 'open' ELSE 'closed' END",
        },
    )
    new_rmas = (
        "(SELECT r.id AS rma_id, sol.id AS line_id FROM amazon_rma r "
        "JOIN sale_order_line sol ON sol.order_id = r.order_id "
        "WHERE r.amazon_rma_number LIKE 'DBIG%' AND NOT EXISTS "
        "(SELECT 1 FROM amazon_rma_line l WHERE l.rma_id = r.id)) AS s"
    )
    _copy_rows(
        cr,
        "amazon_rma_line",
        rma.line_ids.id,
        new_rmas,
        {"rma_id": "s.rma_id", "order_line_id": "s.line_id"},
    )
    cr.execute("ANALYZE")


def _field_spec(env, model, nodes):
    """The web client's specification of the fields in `nodes`, related records by name."""
    spec = {}
    for node in nodes:
        name = node.get("name")
        field = env[model]._fields[name]
        if node.get("optional") == "hide":
            continue
        if field.type == "one2many":
            sub_list = node.find("list")
            sub_fields = sub_list.findall("field") if sub_list is not None else []
            spec[name] = {
                "fields": _field_spec(env, field.comodel_name, sub_fields),
                "limit": 40,
            }
        elif field.relational:
            spec[name] = {"fields": {"display_name": {}}}
        else:
            spec[name] = {}
    return spec


def _view_spec(env, model, view_type, view_ref=None):
    view_id = env.ref(view_ref).id if view_ref else False
    arch = env[model].get_views([(view_id, view_type)])["views"][view_type]["arch"]
    root = etree.fromstring(arch)
    # Fields of the view itself, not of the lists and forms of its one2many fields.
    nodes = [
        node
        for node in root.iter("field")
        if not any(
            parent.tag in ("list", "form", "kanban") and parent is not root
            for parent in node.iterancestors()
        )
    ]
    return _field_spec(env, model, nodes)


def _measure(registry, uid, function):
    """(SQL queries, seconds) of `function(env)` in a fresh transaction, as one RPC call."""
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        before = cr.sql_log_count
        started = time.perf_counter()
        function(env)
        env.flush_all()
        seconds = time.perf_counter() - started
        queries = cr.sql_log_count - before
        cr.rollback()
    return queries, seconds


def _crons(registry):
    """(model, method) of each of the addon's scheduled actions."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        crons = env["ir.model.data"].search(
            [("module", "=", "amazon_refund_cancel"), ("model", "=", "ir.cron")]
        )
        return [
            (cron.model_id.model, re.fullmatch(r"model\.(\w+)\(\)", cron.code.strip())[1])
            for cron in env["ir.cron"].browse(crons.mapped("res_id"))
        ]


def _screens(registry, uid, order_id):
    def listing(model, domain, view_ref=None):
        def load(env):
            env[model].web_search_read(
                domain,
                _view_spec(env, model, "list", view_ref),
                limit=PAGE,
                count_limit=10001,
            )

        return load

    def order_form(env):
        env["sale.order"].browse(order_id).web_read(_view_spec(env, "sale.order", "form"))

    screens = {
        "queue list (default filter)": listing(
            "amazon.order.request", [("state", "in", ("queued", "error"))]
        ),
        "Amazon orders list": listing("sale.order", [("amazon_seller_account_id", "!=", False)]),
        "order form with its Amazon tab": order_form,
        "RMA list (default filter)": listing("amazon.rma", [("state", "in", ("open", "received"))]),
    }
    results = {}
    for name, function in screens.items():
        _measure(registry, uid, function)  # warm the caches, as a running server has them
        results[name] = _measure(registry, uid, function)
    for model, method in _crons(registry):
        name = f"idle {model} {method}"
        results[name] = _measure(
            registry, SUPERUSER_ID, lambda env, m=model, c=method: getattr(env[m], c)()
        )
    return results


def main(args):
    config.parse_config(
        ["-d", args.database, f"--addons-path={args.addons_path}", "--log-handler=:WARNING"]
    )
    odoo.netsvc.init_logger()
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        admin.groups_id = [Command.link(env.ref("amazon_refund_cancel.group_amazon_manager").id)]
        templates = _templates(env)
        ids = tuple(record.id for record in templates)
    figures = []
    done = 0
    for orders, requests, rmas in STEPS:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            order, request, rma = (
                env[model].browse(record_id)
                for model, record_id in zip(
                    ("sale.order", "amazon.order.request", "amazon.rma"), ids, strict=True
                )
            )
            started = time.perf_counter()
            _grow(cr, (order, request, rma), done, orders, requests // orders, orders // rmas)
            print(f"filled up to {orders} orders in {time.perf_counter() - started:.0f} s")
        done = orders
        figures.append(((orders, requests, rmas), _screens(registry, admin.id, ids[0])))
    for (orders, requests, rmas), _results in figures:
        print(f"size: {orders} Amazon orders, {requests} requests, {rmas} RMAs")
    print(f"{'':58}" + "".join(f"{size[0]:>18} orders" for size, _results in figures))
    ok = True
    for name in figures[0][1]:
        row = f"{name:58}"
        for _size, results in figures:
            queries, seconds = results[name]
            ok = ok and seconds <= LIMIT_SECONDS
            row += f"{queries:>10} queries {seconds * 1000:>5.0f} ms"
        same = figures[0][1][name][0] == figures[-1][1][name][0]
        ok = ok and same
        print(row + ("" if same else "   queries grow with the tables"))
    print("OK" if ok else "NOT OK")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--addons-path", required=True)
    sys.exit(main(parser.parse_args()))
