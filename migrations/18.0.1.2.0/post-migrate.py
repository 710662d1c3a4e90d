"""18.0.1.2.0: every Amazon order item gets its ledger, filled from what the database knows.

Charged amounts come from the orders as they are (Amazon's data replaces them at the next
import or link); the seller's requests join their items' ledgers; the refunds Amazon made itself,
recorded before as requests of origin Amazon, and those the returns reports told, become the
ledgers' refunds by Amazon, once each. A request in error whose batch Amazon stopped after it
was sent may have been applied: it is marked in doubt, so that its amounts stay counted.
"""

from odoo import SUPERUSER_ID, api


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


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    fill_ledgers(env)
