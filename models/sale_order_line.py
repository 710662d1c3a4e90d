from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..compat import UNIT_PRECISION, field_name
from ..utils import check_system_fields

# What decides the money of a confirmed Amazon order's line: Amazon managers change them, or
# Odoo's own checked methods; never Amazon users or salespeople over RPC.
AMAZON_LINE_FIELDS = ("amazon_order_item_code", "product_uom_qty")


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    amazon_order_item_code = fields.Char(
        string="Amazon Order Item ID",
        copy=False,
        help="Amazon's identifier of this line of the Amazon order.",
    )
    amazon_quantity_cancelled = fields.Float(
        string="Cancelled on Amazon",
        digits=UNIT_PRECISION,
        copy=False,
        readonly=True,
        help="Units Amazon cancelled; the line's quantity no longer counts them.",
    )
    amazon_ledger_ids = fields.One2many("amazon.item.ledger", "order_line_id", readonly=True)
    amazon_can_cancel = fields.Boolean(
        compute="_compute_amazon_can_cancel",
        help="Units of this line are not shipped yet and can be cancelled on Amazon.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_system_fields(self, vals, ["amazon_quantity_cancelled"])
        return super().create(vals_list)

    def write(self, vals):
        check_system_fields(self, vals, ["amazon_quantity_cancelled"])
        self._amazon_check_line_fields(vals)
        return super().write(vals)

    def _amazon_check_line_fields(self, vals):
        if self.env.su or not set(vals) & set(AMAZON_LINE_FIELDS):
            return
        if self.env.user.has_group("amazon_refund_cancel.group_amazon_manager"):
            return
        confirmed = self.filtered(
            lambda line: line.order_id.amazon_seller_account_id and line.order_id.state == "sale"
        )
        changed = [
            name
            for name in AMAZON_LINE_FIELDS
            if name in vals and any(line[name] != vals[name] for line in confirmed)
        ]
        if changed:
            raise AccessError(
                self.env._(
                    "%(fields)s of a confirmed Amazon order's lines decide what Amazon refunds: "
                    "only Amazon managers change them.",
                    fields=", ".join(self._fields[name].string for name in changed),
                )
            )

    def _amazon_is_shipping(self):
        """A line holding what the buyer paid for shipping, not an item Amazon knows."""
        self.ensure_one()
        shipping_product = self.order_id.amazon_seller_account_id.shipping_product_id
        return self._is_delivery() or (shipping_product and self.product_id == shipping_product)

    def _amazon_taxes(self):
        return self[field_name(self, "tax_id")]

    def _amazon_quantity_delivered(self):
        """Units Odoo delivered: a return received in stock, which lowers Odoo's delivered
        quantity, does not make them unshipped for Amazon, which charged them."""
        self.ensure_one()
        shipped = self.qty_delivered
        if self.qty_delivered_method == "stock_move" and self.move_ids:
            _outgoing, returned = self._get_outgoing_incoming_moves()
            shipped += sum(
                move.product_uom._compute_quantity(
                    move.quantity, self[field_name(self, "product_uom")], rounding_method="HALF-UP"
                )
                for move in returned
                if move.state == "done"
            )
        return shipped

    def _amazon_quantity_shipped(self):
        """Units Amazon counts as shipped, as the item's ledger says; Odoo's deliveries for a
        line that has none (not an Amazon item)."""
        self.ensure_one()
        # Whoever looks at the order learns its shipped units, ledger rights or not.
        ledger = self.sudo().amazon_ledger_ids[:1]
        if not ledger and isinstance(self.id, int):
            ledger = self.env["amazon.item.ledger"]._for_lines(self).get(self)
        return ledger._quantity_shipped() if ledger else self._amazon_quantity_delivered()

    def _amazon_quantity_unshipped(self):
        self.ensure_one()
        return max(self.product_uom_qty - self._amazon_quantity_shipped(), 0.0)

    @api.depends("order_id.amazon_can_cancel", "product_uom_qty", "display_type")
    def _compute_amazon_can_cancel(self):
        for line in self:
            line.amazon_can_cancel = bool(
                line.order_id.amazon_can_cancel
                and isinstance(line.id, int)
                and not line.display_type
                and not line._amazon_is_shipping()
                and line._amazon_quantity_unshipped() > 0
            )

    def action_amazon_cancel(self):
        """Cancel from a line: the order's cancel dialog with this line's unshipped units only."""
        self.ensure_one()
        action = self.order_id.action_amazon_cancel()
        action["context"]["amazon_cancel_line_id"] = self.id
        return action
