from odoo import fields, models

from ..compat import UNIT_PRECISION


class AmazonCancelWizardLine(models.TransientModel):
    _name = "amazon.cancel.wizard.line"
    _description = "Cancel Amazon Order: line"

    wizard_id = fields.Many2one("amazon.cancel.wizard", required=True, ondelete="cascade")
    order_line_id = fields.Many2one("sale.order.line", required=True, readonly=True)
    product_id = fields.Many2one(related="order_line_id.product_id")
    quantity_ordered = fields.Float(related="order_line_id.product_uom_qty", string="Ordered")
    quantity_unshipped = fields.Float(string="Not Shipped", digits=UNIT_PRECISION, readonly=True)
    quantity = fields.Float(string="To Cancel", digits=UNIT_PRECISION)
