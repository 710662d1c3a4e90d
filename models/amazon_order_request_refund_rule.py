from odoo import fields, models
from odoo.exceptions import UserError


class AmazonOrderRequest(models.Model):
    """Refunds the refund rules made of a received return: which rules and why, and the check
    that Amazon has not refunded the buyer meanwhile."""

    _inherit = "amazon.order.request"

    refund_rule_ids = fields.Many2many(
        "amazon.return.refund.rule",
        string="Refund Rules",
        readonly=True,
        copy=False,
        help="The rules that decided this refund of a received return.",
    )
    refund_rule_note = fields.Text(
        string="Why These Amounts", readonly=True, copy=False, help="Which rule applied and why."
    )

    def _check_before_sending(self):
        """A refund the rules made is not sent once Amazon has refunded the buyer itself."""
        for request in self.filtered(lambda r: r.refund_rule_ids and r.amazon_rma_id):
            refunded = request.amazon_rma_id._amazon_refunded_by_amazon()
            if refunded:
                raise UserError(
                    self.env._(
                        "%(request)s is not sent: %(why)s",
                        request=request.name,
                        why=refunded,
                    )
                )
        return super()._check_before_sending()
