from collections import defaultdict

from odoo import api, fields, models

from ..amazon_api import const
from ..utils import check_system_fields


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    amazon_order_item_code = fields.Char(
        string="Amazon Order Item ID",
        copy=False,
        help="Amazon's identifier of this line of the Amazon order.",
    )
    amazon_quantity_cancelled = fields.Float(
        string="Cancelled on Amazon",
        digits="Product Unit of Measure",
        copy=False,
        readonly=True,
        help="Units Amazon cancelled; the line's quantity no longer counts them.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_system_fields(self, vals, ["amazon_quantity_cancelled"])
        return super().create(vals_list)

    def write(self, vals):
        check_system_fields(self, vals, ["amazon_quantity_cancelled"])
        return super().write(vals)

    def _amazon_is_shipping(self):
        """A line holding what the buyer paid for shipping, not an item Amazon knows."""
        self.ensure_one()
        shipping_product = self.order_id.amazon_seller_account_id.shipping_product_id
        return self._is_delivery() or (shipping_product and self.product_id == shipping_product)

    def _amazon_quantity_shipped(self):
        """Units Amazon counts as shipped: Odoo's deliveries, or everything when Amazon ships.

        Amazon charged the buyer when the units shipped: a return received in stock, which
        lowers Odoo's delivered quantity, does not make them unshipped for Amazon's refunds.
        """
        self.ensure_one()
        if self.order_id.amazon_fulfillment == "amazon":
            return self.product_uom_qty
        shipped = self.qty_delivered
        if self.qty_delivered_method == "stock_move" and self.move_ids:
            _outgoing, returned = self._get_outgoing_incoming_moves()
            shipped += sum(
                move.product_uom._compute_quantity(
                    move.quantity, self.product_uom, rounding_method="HALF-UP"
                )
                for move in returned
                if move.state == "done"
            )
        return shipped

    def _amazon_quantity_unshipped(self):
        self.ensure_one()
        return max(self.product_uom_qty - self._amazon_quantity_shipped(), 0.0)

    def _amazon_charged(self):
        """What the buyer paid for each of these lines, by Amazon price component.

        Shipping that Odoo holds on delivery lines is shared among the order's product lines in
        proportion to their price, the last line taking the rounding remainder.
        """
        charged = {}
        for order in self.order_id:
            lines = order.order_line.filtered(lambda line: not line.display_type)
            products = lines.filtered(lambda line: not line._amazon_is_shipping())
            delivery = lines - products
            totals = {
                const.SHIPPING: sum(delivery.mapped("price_subtotal")),
                const.SHIPPING_TAX: sum(delivery.mapped("price_tax")),
            }
            left = dict(totals)
            base = sum(products.mapped("price_subtotal"))
            for index, line in enumerate(products, start=1):
                ratio = line.price_subtotal / base if base else 1 / len(products)
                share = {
                    component: left[component]
                    if index == len(products)
                    else order.currency_id.round(total * ratio)
                    for component, total in totals.items()
                }
                for component, amount in share.items():
                    left[component] -= amount
                charged[line] = {
                    const.PRINCIPAL: line.price_subtotal,
                    const.TAX: line.price_tax,
                    **share,
                }
        return {line: amounts for line, amounts in charged.items() if line in self}

    def _amazon_charged_for_shipped(self):
        """What Amazon charged the buyer for each of these lines: the shipped units only.

        Amazon charges an item when it ships, so the price, tax and shipping share of a line
        count pro rata per shipped unit.
        """
        charged = self._amazon_charged()
        for line, amounts in charged.items():
            ordered = line.product_uom_qty
            shipped = min(line._amazon_quantity_shipped(), ordered)
            if ordered and shipped < ordered:
                currency = line.order_id.currency_id
                for component, amount in amounts.items():
                    amounts[component] = currency.round(amount * shipped / ordered)
        return charged

    def _amazon_refund_totals(self, states, exclude_requests=None):
        """Per line: units and amounts by component of refund requests in `states`."""
        exclude_ids = exclude_requests.ids if exclude_requests else []
        request_lines = self.env["amazon.order.request.line"].search(
            [
                ("order_line_id", "in", self.ids),
                ("request_id.request_type", "=", "refund"),
                ("request_id.state", "in", states),
                ("request_id", "not in", exclude_ids),
            ]
        )
        totals = defaultdict(lambda: defaultdict(float))
        for request_line in request_lines:
            line_totals = totals[request_line.order_line_id]
            line_totals["quantity"] += request_line.quantity
            for component, amount in request_line._amazon_components().items():
                line_totals[component] += amount
        return totals
