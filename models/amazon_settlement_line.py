from odoo import api, fields, models

from ..amazon_api import const
from .amazon_item_ledger_refund import REFUND_KINDS
from .amazon_order_request_line import COMPONENT_FIELDS

SETTLEMENT_RESULTS = [
    ("matched", "Matched"),
    ("difference", "Difference"),
    ("amazon", "Refunded by Amazon"),
    ("confirmed", "Confirmed"),
    ("excess", "More than charged"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
]
# Settlement line field -> Amazon's ItemPrice amount description; money back to the buyer.
SETTLED_COMPONENT_FIELDS = {
    name: component
    for name, component in COMPONENT_FIELDS.items()
    if component not in const.KEPT_COMPONENTS
}


class AmazonSettlementLine(models.Model):
    """One refunded item of a settlement (its rows summed), or a row that could not be used."""

    _name = "amazon.settlement.line"
    _description = "Amazon Settlement Refund"
    _inherit = "amazon.price.components.mixin"
    _order = "settlement_id desc, file_line, id"
    _check_company_auto = True

    settlement_id = fields.Many2one(
        "amazon.settlement", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="settlement_id.company_id", store=True)
    currency_id = fields.Many2one(related="settlement_id.currency_id")
    settlement_date = fields.Datetime(related="settlement_id.deposit_date")
    file_line = fields.Integer(readonly=True)
    transaction_type = fields.Char(readonly=True)
    refund_kind = fields.Selection(REFUND_KINDS, readonly=True)
    amazon_order_number = fields.Char(string="Amazon Order ID", readonly=True, index=True)
    amazon_order_item_code = fields.Char(string="Amazon Order Item ID", readonly=True)
    adjustment_ref = fields.Char(string="Adjustment ID", readonly=True)
    merchant_adjustment_item_ref = fields.Char(string="Adjustment Reference", readonly=True)
    sku = fields.Char(string="SKU", readonly=True)
    quantity = fields.Integer(readonly=True)
    posted_at = fields.Datetime(string="Posted", readonly=True)
    amount_other = fields.Monetary(string="Other Components", readonly=True)
    amount_restocking_fee = fields.Monetary(string="Restocking Fee Kept", readonly=True)
    amount_promotion = fields.Monetary(
        string="Promotion Taken Back",
        readonly=True,
        help="The part of a promotion the buyer does not get back with the refund.",
    )
    # Amazon's figure, with its other components and promotions, not the sum of the components.
    amount_total = fields.Monetary(
        string="Settled", compute=False, help="What Amazon's settlement refunded for the item."
    )
    amount_requested = fields.Monetary(
        string="Requested",
        related="request_line_id.amount_total",
        help="What the seller's request asked Amazon to refund for the item.",
    )
    commission_returned = fields.Monetary(
        readonly=True, help="The referral fee (Commission) Amazon gave back with the refund."
    )
    commission_kept = fields.Monetary(
        readonly=True,
        help="The refund administration fee (RefundCommission) Amazon kept of the referral fee.",
    )
    other_fees = fields.Monetary(readonly=True, help="Other item fees of the refund.")
    result = fields.Selection(SETTLEMENT_RESULTS, readonly=True, index=True)
    reason = fields.Text(readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null")
    request_id = fields.Many2one(
        "amazon.order.request", readonly=True, index="btree_not_null", ondelete="set null"
    )
    request_line_id = fields.Many2one(
        "amazon.order.request.line", readonly=True, index="btree_not_null", ondelete="set null"
    )

    @api.depends("amazon_order_number", "adjustment_ref", "settlement_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = " / ".join(
                filter(None, [line.settlement_id.name, line.amazon_order_number, line.sku])
            )

    def _amazon_components(self):
        """Amazon's price components given back on this line, as a request line has them."""
        self.ensure_one()
        components = {
            component: self[name]
            for name, component in SETTLED_COMPONENT_FIELDS.items()
            if self[name]
        }
        if self.amount_restocking_fee:
            components[const.RESTOCKING_FEE] = self.amount_restocking_fee
        return components
