from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    amazon_order_item_code = fields.Char(
        string="Amazon Order Item ID",
        copy=False,
        help="Amazon's identifier of this line of the Amazon order.",
    )
