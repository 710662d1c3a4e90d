"""Fields other Amazon connectors put on orders, named as in their public sources (Odoo's
sale_amazon, Emipro's amazon_ept, OCA's connector_amazon), loaded by the tests only, to link
orders from connectors this database does not really have."""

from odoo import fields, models


class FakeConnectorSaleOrder(models.Model):
    _inherit = "sale.order"

    amazon_order_ref = fields.Char()
    amazon_channel = fields.Selection([("fbm", "Merchant"), ("fba", "Amazon")])
    amz_order_reference = fields.Char()
    amz_fulfillment_by = fields.Selection([("FBA", "Amazon"), ("FBM", "Merchant")])


class FakeConnectorSaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    amazon_item_ref = fields.Char()
    amazon_order_item_id = fields.Char()


class FakeConnectorOrderLineBinding(models.Model):
    _name = "amz.order.line"
    _description = "Amazon order line of another connector"

    sale_order_line_id = fields.Many2one("sale.order.line", ondelete="cascade")
    order_item_id = fields.Char()
