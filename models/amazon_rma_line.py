from odoo import api, fields, models

from ..amazon_api import const

# What the warehouse finds when a returned item comes back; empty until recorded.
RETURN_CONDITIONS = [
    ("sellable", "As sold (sellable)"),
    ("opened", "Opened"),
    ("customer_damaged", "Damaged by the buyer"),
    ("carrier_damaged", "Damaged in transit"),
    ("wrong_item", "Wrong or missing item"),
    ("not_returned", "Not returned"),
]


class AmazonRmaLine(models.Model):
    _name = "amazon.rma.line"
    _description = "Amazon RMA Line"
    _order = "rma_id, sequence, id"
    _check_company_auto = True

    rma_id = fields.Many2one("amazon.rma", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="rma_id.company_id", store=True, index=True)
    sequence = fields.Integer(
        string="Item", help="The returned item of Amazon's report this line comes from."
    )
    product_id = fields.Many2one("product.product", required=True, check_company=True)
    quantity = fields.Float(digits="Product Unit of Measure", required=True)
    order_line_id = fields.Many2one(
        "sale.order.line",
        string="Order Line",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    kit_product_id = fields.Many2one(
        "product.product",
        string="Kit",
        help="The kit sold on the order line; the RMA lists its components instead.",
    )
    sold_quantity = fields.Float(
        digits="Product Unit of Measure",
        help="Units of the order line's product returned: the kits, for the lines of a kit.",
    )
    reason = fields.Char(string="Return Reason Code", help="Amazon's code of the return reason.")
    reason_label = fields.Char(
        string="Return Reason", compute="_compute_reason_label", help="Amazon's return reason."
    )
    in_policy = fields.Boolean(string="In Policy")
    condition = fields.Selection(RETURN_CONDITIONS, string="Condition Received")

    @api.depends("reason")
    def _compute_reason_label(self):
        for line in self:
            line.reason_label = line.reason and const.return_reason_label(line.reason)
