from odoo import api, fields, models


class SaleOrder(models.Model):
    """What Amazon reimbursed on the SAFE-T claims of the order's returns."""

    _inherit = "sale.order"

    amazon_safet_reimbursed_amount = fields.Monetary(
        string="SAFE-T Reimbursed", compute="_compute_amazon_safet_reimbursed_amount"
    )

    @api.depends("amazon_rma_ids.safet_reimbursed_amount")
    def _compute_amazon_safet_reimbursed_amount(self):
        for order in self:
            order.amazon_safet_reimbursed_amount = sum(
                order.amazon_rma_ids.mapped("safet_reimbursed_amount")
            )
