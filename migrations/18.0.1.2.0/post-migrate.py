"""18.0.1.2.0: every Amazon order item gets its ledger, filled from what the database knows.

Charged amounts come from the orders as they are (Amazon's data replaces them at the next
import or link); the seller's requests join their items' ledgers; the refunds Amazon made itself,
recorded before as requests of origin Amazon, and those the returns reports told, become the
ledgers' refunds by Amazon, once each. A request in error whose batch Amazon stopped after it
was sent may have been applied: it is marked in doubt, so that its amounts stay counted.
Return reasons become records, which RMA lines and refund rules point to.
"""

from odoo import SUPERUSER_ID, Command, api
from odoo.tools import SQL


def fill_ledgers(env):
    cr = env.cr
    cr.execute(
        """UPDATE amazon_order_request request SET in_doubt = TRUE
             FROM amazon_feed_batch batch
            WHERE batch.id = request.batch_id AND batch.state = 'failed'
              AND request.state = 'error' AND request.sent_at IS NOT NULL
              AND request.in_doubt IS NOT TRUE"""
    )
    Ledger = env["amazon.item.ledger"]
    orders = env["sale.order"].search(
        [("amazon_seller_account_id", "!=", False), ("state", "in", ("sale", "done"))]
    )
    Ledger._snapshot_orders(orders)
    lines = env["amazon.order.request.line"].search([("ledger_id", "=", False)])
    ledgers = Ledger._for_lines(lines.order_line_id)
    for order_line, same_item in lines.grouped("order_line_id").items():
        if order_line in ledgers:
            # Applied requests refuse any write: the link is the upgrade's, not a correction.
            cr.execute(
                "UPDATE amazon_order_request_line SET ledger_id = %s WHERE id IN %s",
                (ledgers[order_line].id, tuple(same_item.ids)),
            )
    lines.invalidate_recordset(["ledger_id"])
    Refund = env["amazon.item.ledger.refund"]
    booked = env["amazon.order.request"].search(
        [("origin", "=", "amazon"), ("state", "in", ("done", "settled"))]
    )
    for request in booked.filtered(lambda r: not Refund.search_count([("request_id", "=", r.id)])):
        source = "settlement" if request.settlement_line_ids else "finances"
        for line in request.line_ids.filtered("ledger_id"):
            Refund.create(
                {
                    "ledger_id": line.ledger_id.id,
                    "source": source,
                    f"seen_in_{source}": True,
                    "kind": request.amazon_refund_kind or "amazon",
                    "amazon_refund_ref": request.amazon_adjustment_ref,
                    "posted_at": request.amazon_refund_posted_at or request.done_at,
                    "quantity": line.quantity,
                    "rma_id": request.amazon_rma_id.id,
                    "request_id": request.id,
                    "amount_principal": line.amount_principal - line.amount_restocking_fee,
                    "amount_tax": line.amount_tax,
                    "amount_shipping": line.amount_shipping,
                    "amount_shipping_tax": line.amount_shipping_tax,
                    "amount_gift_wrap": line.amount_gift_wrap,
                    "amount_gift_wrap_tax": line.amount_gift_wrap_tax,
                }
            )
    env["amazon.rma"].search(
        ["|", ("returnless", "=", True), ("amazon_refunded_amount", ">", 0)]
    )._amazon_record_report_refund()


def link_return_reasons(env):
    """Return reasons and conditions become records: the RMA lines' codes and the rules' typed
    codes (the former columns reason_codes and condition_codes, comma-separated) point to them;
    reason codes Amazon does not list are created, flagged for review."""
    cr = env.cr
    Reason = env["amazon.return.reason"]
    Reason._amazon_load_published()
    cr.execute(
        "SELECT DISTINCT reason FROM amazon_rma_line WHERE reason_id IS NULL AND reason <> ''"
    )
    codes = [row[0] for row in cr.fetchall()]
    for code, reason in Reason._amazon_resolve(codes).items():
        cr.execute(
            """UPDATE amazon_rma_line SET reason_id = %s
                WHERE reason_id IS NULL AND TRIM(reason) = %s""",
            (reason.id, code),
        )
    conditions = {
        condition.code: condition.id for condition in env["amazon.return.condition"].search([])
    }
    Rule = env["amazon.return.refund.rule"].with_context(active_test=False)
    for column, field in (("reason_codes", "reason_ids"), ("condition_codes", "condition_ids")):
        typed = _typed_codes(cr, column)
        if field == "reason_ids":
            reasons = Reason._amazon_resolve({code for codes in typed.values() for code in codes})
            ids = {code: reason.id for code, reason in reasons.items()}
        else:
            # The rules' check refused unknown conditions: every typed one is known.
            ids = conditions
        for rule_id, codes in typed.items():
            Rule.browse(rule_id)[field] = [
                Command.set([ids[code] for code in codes if code in ids])
            ]
        if typed:
            cr.execute(
                SQL("UPDATE amazon_return_refund_rule SET %s = NULL", SQL.identifier(column))
            )
    env.invalidate_all()


def _typed_codes(cr, column):
    """{rule id: codes} of a former comma-separated column of the rules, if it is there."""
    cr.execute(
        """SELECT 1 FROM information_schema.columns
            WHERE table_name = 'amazon_return_refund_rule' AND column_name = %s""",
        (column,),
    )
    if not cr.fetchone():
        return {}
    cr.execute(
        SQL(
            "SELECT id, %s FROM amazon_return_refund_rule WHERE %s <> ''",
            SQL.identifier(column),
            SQL.identifier(column),
        )
    )
    return {
        rule_id: [code.strip() for code in text.split(",") if code.strip()]
        for rule_id, text in cr.fetchall()
    }


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    fill_ledgers(env)
    link_return_reasons(env)
