from odoo import api, fields, models


class AmazonPriceComponentsMixin(models.AbstractModel):
    """The money of an order item as Amazon splits it: the item, shipping and gift wrap, each
    with its tax, and their total."""

    _name = "amazon.price.components.mixin"
    _description = "Amazon Price Components"

    currency_id = fields.Many2one("res.currency")
    amount_principal = fields.Monetary(string="Item Price", readonly=True)
    amount_tax = fields.Monetary(string="Tax", readonly=True)
    amount_shipping = fields.Monetary(string="Shipping", readonly=True)
    amount_shipping_tax = fields.Monetary(string="Shipping Tax", readonly=True)
    amount_gift_wrap = fields.Monetary(string="Gift Wrap", readonly=True)
    amount_gift_wrap_tax = fields.Monetary(string="Gift Wrap Tax", readonly=True)
    amount_total = fields.Monetary(compute="_compute_amount_total", store=True, readonly=True)

    @api.depends(
        "amount_principal",
        "amount_tax",
        "amount_shipping",
        "amount_shipping_tax",
        "amount_gift_wrap",
        "amount_gift_wrap_tax",
    )
    def _compute_amount_total(self):
        for record in self:
            record.amount_total = (
                record.amount_principal
                + record.amount_tax
                + record.amount_shipping
                + record.amount_shipping_tax
                + record.amount_gift_wrap
                + record.amount_gift_wrap_tax
            )
