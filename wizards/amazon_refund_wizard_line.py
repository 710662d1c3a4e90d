from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round

from ..amazon_api import const
from ..compat import UNIT_PRECISION
from ..models.amazon_order_request_line import COMPONENT_FIELDS


class AmazonRefundWizardLine(models.TransientModel):
    _name = "amazon.refund.wizard.line"
    _description = "Issue Amazon Refund: line"

    wizard_id = fields.Many2one("amazon.refund.wizard", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    order_line_id = fields.Many2one("sale.order.line", required=True, readonly=True)
    product_id = fields.Many2one(related="order_line_id.product_id")
    quantity_left = fields.Float(string="Refundable Units", digits=UNIT_PRECISION, readonly=True)
    amount_left = fields.Float(
        string="Refundable",
        readonly=True,
        help="What is left to refund on this line, units or not: after a partial refund money "
        "may remain with no unit left.",
    )
    amount_refunded = fields.Float(
        string="Already Refunded",
        readonly=True,
        help="Given back to the buyer on this line, by you or by Amazon, or on its way to Amazon.",
    )
    quantity = fields.Float(string="Units", digits=UNIT_PRECISION)
    # Plain floats: an amount with more than two decimals must be refused, not rounded away.
    amount_principal = fields.Float(string="Item Price")
    amount_shipping = fields.Float(string="Shipping")
    amount_tax = fields.Float(string="Tax")
    amount_shipping_tax = fields.Float(string="Shipping Tax")
    amount_gift_wrap = fields.Float(string="Gift Wrap")
    amount_gift_wrap_tax = fields.Float(string="Gift Wrap Tax")
    amount_restocking_fee = fields.Float(
        string="Fee Kept",
        help="Restocking fee kept by you: deducted from what the buyer gets back.",
    )
    amount_total = fields.Float(
        string="To Refund Now",
        compute="_compute_amount_total",
        help="What the buyer gets back with this refund: the amounts less the fee kept.",
    )

    @api.depends(*COMPONENT_FIELDS)
    def _compute_amount_total(self):
        for line in self:
            given = sum(
                line[name]
                for name, component in COMPONENT_FIELDS.items()
                if component not in const.KEPT_COMPONENTS
            )
            line.amount_total = given - line.amount_restocking_fee

    def _amazon_has_amounts(self):
        self.ensure_one()
        return any(self[name] for name in COMPONENT_FIELDS)

    def _check_amounts(self):
        for line in self:
            digits = line.currency_id.decimal_places
            product = line.product_id.display_name
            if line.quantity < 0:
                raise UserError(
                    self.env._("%(product)s: the units cannot be negative.", product=product)
                )
            for name in COMPONENT_FIELDS:
                amount = line[name]
                label = line._fields[name].string
                if amount < 0:
                    raise UserError(
                        self.env._(
                            "%(product)s: %(amount)s is negative. Enter what goes back to the "
                            "buyer as a positive amount.",
                            product=product,
                            amount=label,
                        )
                    )
                if float_round(amount, precision_digits=digits) != amount:
                    raise UserError(
                        self.env._(
                            "%(product)s: %(amount)s has more than %(digits)s decimals.",
                            product=product,
                            amount=label,
                            digits=digits,
                        )
                    )

    def _request_line_values(self):
        self.ensure_one()
        return {
            "order_line_id": self.order_line_id.id,
            "quantity": self.quantity,
            **{name: self[name] for name in COMPONENT_FIELDS},
        }

    @api.constrains("amount_restocking_fee")
    def _check_seller_fault_fee(self):
        """A restocking fee typed on an item returned for a seller-fault reason is refused as the
        rules refuse it, as soon as the dialog is saved, and from the order's dialog as well as
        from its return's."""
        for line in self.filtered("amount_restocking_fee"):
            wizard = line.wizard_id
            for rma in wizard.rma_id or wizard.order_id.sudo().amazon_rma_ids:
                rma.sudo()._amazon_check_restocking_fee([line._request_line_values()])
