"""Fields another Amazon connector puts on orders (Odoo's sale_amazon names them so), loaded by
the tests only, to link orders from a connector this database does not really have."""

from odoo import fields, models


class FakeConnectorSaleOrder(models.Model):
    _inherit = "sale.order"

    amazon_order_ref = fields.Char()
    amazon_channel = fields.Selection([("fbm", "Merchant"), ("fba", "Amazon")])


class FakeConnectorSaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    amazon_item_ref = fields.Char()
