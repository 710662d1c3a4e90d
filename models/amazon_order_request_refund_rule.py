from odoo import fields, models


class AmazonOrderRequest(models.Model):
    """Refunds the refund rules made of a received return: which rules and why."""

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
