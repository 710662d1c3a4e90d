from markupsafe import escape

from odoo import api, fields, models

from .amazon_order_request import REFUNDED_STATES


class SaleOrder(models.Model):
    """Amazon's payment status of the order: what Amazon refunded, by whom, and the commission."""

    _inherit = "sale.order"

    amazon_payment_status = fields.Selection(
        [("paid", "Paid"), ("partial", "Partly refunded"), ("refunded", "Refunded")],
        compute="_compute_amazon_payment_status",
    )
    amazon_refunded_commission = fields.Monetary(
        string="Refunded Commission",
        compute="_compute_amazon_payment_status",
        help="The referral fees Amazon gave back on this order's refunds, less what it kept.",
    )

    @api.depends(
        "amazon_request_ids.state",
        "amazon_request_ids.amount_total",
        "amazon_request_ids.commission_returned",
        "amazon_request_ids.commission_kept",
        "amount_total",
    )
    def _compute_amazon_payment_status(self):
        for order in self:
            refunds = order.amazon_request_ids.filtered(
                lambda r: r.request_type == "refund" and r.state in REFUNDED_STATES
            )
            refunded = sum(refunds.mapped("amount_total"))
            if not order.amazon_seller_account_id:
                order.amazon_payment_status = False
            elif order.currency_id.compare_amounts(refunded, 0.0) <= 0:
                order.amazon_payment_status = "paid"
            elif order.currency_id.compare_amounts(refunded, order.amount_total) >= 0:
                order.amazon_payment_status = "refunded"
            else:
                order.amazon_payment_status = "partial"
            order.amazon_refunded_commission = sum(refunds.mapped("commission_returned")) - sum(
                refunds.mapped("commission_kept")
            )

    def _amazon_cancelled_by_amazon(self):
        """Amazon cancelled the order: cancel it here too when nothing shipped, else flag it."""
        for order in self:
            shipped = any(
                line.qty_delivered
                for line in order.order_line
                if not line.display_type and not line._amazon_is_shipping()
            )
            if shipped:
                order.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=order.user_id.id or self.env.uid,
                    summary=self.env._("Amazon cancelled a shipped order"),
                    note=escape(
                        self.env._(
                            "Amazon shows %(order)s cancelled, but some of it shipped: check it "
                            "in Seller Central.",
                            order=order.amazon_order_number,
                        )
                    ),
                )
                continue
            order.sudo()._action_cancel()
            order._message_log(
                body=self.env._(
                    "Cancelled because Amazon cancelled order %(order)s; nothing had shipped.",
                    order=order.amazon_order_number,
                )
            )
