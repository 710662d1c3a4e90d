from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..amazon_api import const, documents
from ..compat import UNIT_PRECISION

# Request line field -> Amazon's price component.
COMPONENT_FIELDS = {
    "amount_principal": const.PRINCIPAL,
    "amount_shipping": const.SHIPPING,
    "amount_tax": const.TAX,
    "amount_shipping_tax": const.SHIPPING_TAX,
    "amount_gift_wrap": const.GIFT_WRAP,
    "amount_gift_wrap_tax": const.GIFT_WRAP_TAX,
    "amount_restocking_fee": const.RESTOCKING_FEE,
}


class AmazonOrderRequestLine(models.Model):
    _name = "amazon.order.request.line"
    _description = "Amazon Refund or Cancellation Request Line"
    _inherit = "amazon.price.components.mixin"
    _check_company_auto = True

    request_id = fields.Many2one(
        "amazon.order.request", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="request_id.company_id", store=True)
    currency_id = fields.Many2one(related="request_id.currency_id")
    order_line_id = fields.Many2one(
        "sale.order.line", required=True, ondelete="restrict", index=True, check_company=True
    )
    ledger_id = fields.Many2one(
        "amazon.item.ledger",
        string="Ledger",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The money of the order item: what Amazon charged and every refund of it.",
    )
    product_id = fields.Many2one(related="order_line_id.product_id", store=True, index=True)
    # Stored for reporting: refunds and cancellations by product, reason, account and month.
    request_type = fields.Selection(related="request_id.request_type", store=True)
    state = fields.Selection(related="request_id.state", string="Status", store=True)
    reason = fields.Selection(related="request_id.reason", store=True)
    reason_shown = fields.Selection(related="request_id.reason_shown", store=True)
    seller_account_id = fields.Many2one(related="request_id.seller_account_id", store=True)
    requested_at = fields.Datetime(related="request_id.requested_at", store=True)
    amazon_order_item_code = fields.Char(related="order_line_id.amazon_order_item_code")
    quantity = fields.Float(
        digits=UNIT_PRECISION,
        help="Units refunded (for the record; Amazon refunds amounts, not units).",
    )
    quantity_cancelled = fields.Integer(help="Units of the line to cancel.")
    # The seller writes the amounts to refund.
    amount_principal = fields.Monetary(readonly=False)
    amount_shipping = fields.Monetary(readonly=False)
    amount_tax = fields.Monetary(readonly=False)
    amount_shipping_tax = fields.Monetary(readonly=False)
    amount_gift_wrap = fields.Monetary(readonly=False)
    amount_gift_wrap_tax = fields.Monetary(readonly=False)
    amount_restocking_fee = fields.Monetary(
        string="Restocking Fee", help="Kept by you: deducted from what the buyer gets back."
    )
    merchant_adjustment_item_ref = fields.Char(
        string="Adjustment Reference",
        compute="_compute_merchant_adjustment_item_ref",
        store=True,
        help="Sent to Amazon with the refund; Amazon's settlement report quotes it back.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Each line joins the ledger of its order item, which counts it from now on."""
        order_lines = self.env["sale.order.line"].browse(
            {vals["order_line_id"] for vals in vals_list if vals.get("order_line_id")}
        )
        ledgers = self.env["amazon.item.ledger"]._for_lines(order_lines)
        for vals in vals_list:
            ledger = ledgers.get(order_lines.browse(vals.get("order_line_id")))
            if ledger:
                vals["ledger_id"] = ledger.id
        return super().create(vals_list)

    def write(self, vals):
        locked = self.request_id.filtered(lambda r: r.state not in ("draft", "error"))
        if locked:
            raise UserError(
                self.env._(
                    "%(requests)s cannot change any more: only draft requests and requests in "
                    "error can be corrected.",
                    requests=", ".join(locked.mapped("name")),
                )
            )
        return super().write(vals)

    @api.depends(*COMPONENT_FIELDS)
    def _compute_amount_total(self):
        for line in self:
            line.amount_total = sum(
                -line[name] if component in const.KEPT_COMPONENTS else line[name]
                for name, component in COMPONENT_FIELDS.items()
            )

    @api.depends("request_id.name")
    def _compute_merchant_adjustment_item_ref(self):
        for line in self:
            line.merchant_adjustment_item_ref = line.id and f"{line.request_id.name}-{line.id}"

    def _amazon_components(self):
        """Amazon's price components of this line that carry an amount, all positive."""
        self.ensure_one()
        return {component: self[name] for name, component in COMPONENT_FIELDS.items() if self[name]}

    def _amazon_credit_note_lines(self):
        """Credit note lines of these refund lines, with the order's taxes.

        The item price and what the buyer paid for shipping and gift wrap go back with the
        taxes of the order lines they came from; the restocking fee the seller keeps is deducted.
        """
        lines = []
        for line in self:
            order_line = line.order_line_id
            order = order_line.order_id
            delivery = order.order_line.filtered(lambda other: other._amazon_is_shipping())[:1]
            quantity = line.quantity or 1.0
            refunds = [
                (
                    line.amount_principal,
                    order_line.product_id,
                    order_line.name,
                    order_line._amazon_taxes(),
                    quantity,
                ),
                (
                    line.amount_shipping,
                    delivery.product_id,
                    self.env._("Shipping: %s", order_line.name),
                    delivery._amazon_taxes() or order_line._amazon_taxes(),
                    1.0,
                ),
                (
                    line.amount_gift_wrap,
                    False,
                    self.env._("Gift wrap: %s", order_line.name),
                    order_line._amazon_taxes(),
                    1.0,
                ),
                (
                    -line.amount_restocking_fee,
                    False,
                    self.env._("Restocking fee kept: %s", order_line.name),
                    False,
                    1.0,
                ),
            ]
            for amount, product, name, taxes, units in refunds:
                if not amount:
                    continue
                lines.append(
                    Command.create(
                        {
                            "product_id": product and product.id,
                            "name": name,
                            "quantity": units,
                            "price_unit": amount / units,
                            "tax_ids": [Command.set(taxes.ids if taxes else [])],
                        }
                    )
                )
        return lines

    def _amazon_adjustment_item(self):
        self.ensure_one()
        request = self.request_id
        return documents.AdjustmentItem(
            order_item_code=self.amazon_order_item_code,
            reason=request.reason,
            components={
                component: Decimal(str(amount))
                for component, amount in self._amazon_components().items()
            },
            quantity_cancelled=(
                self.quantity_cancelled if request.request_type == "cancellation" else None
            ),
            merchant_adjustment_item_id=(
                self.merchant_adjustment_item_ref if request.request_type == "refund" else None
            ),
            reference=f"{request.name}, {self.product_id.display_name}",
        )
