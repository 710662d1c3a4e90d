from odoo import fields, models

from ..models.amazon_rma_line import RETURN_CONDITIONS


class AmazonRmaReceiveWizardLine(models.TransientModel):
    _name = "amazon.rma.receive.wizard.line"
    _description = "Receive Amazon Return: item"

    wizard_id = fields.Many2one("amazon.rma.receive.wizard", required=True, ondelete="cascade")
    rma_line_id = fields.Many2one("amazon.rma.line", required=True, readonly=True)
    product_id = fields.Many2one(related="rma_line_id.product_id")
    quantity = fields.Float(related="rma_line_id.quantity")
    reason_id = fields.Many2one(related="rma_line_id.reason_id")
    condition = fields.Selection(RETURN_CONDITIONS, required=True, default="sellable")
