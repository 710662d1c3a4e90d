from odoo import fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    amazon_rma_id = fields.Many2one(
        "amazon.rma",
        string="Amazon RMA",
        index="btree_not_null",
        copy=False,
        readonly=True,
        check_company=True,
    )

    amazon_shipping_block_reason = fields.Char(
        related="sale_id.amazon_shipping_block_reason", string="Amazon Shipping Block"
    )

    def _amazon_check_shipping_allowed(self):
        blocked = self.filtered(
            lambda picking: (
                picking.picking_type_code == "outgoing" and picking.sale_id.amazon_shipping_blocked
            )
        )
        if blocked:
            raise UserError(
                "\n".join(
                    f"{picking.name}: {picking.sale_id.amazon_shipping_block_reason}"
                    for picking in blocked
                )
            )

    def button_validate(self):
        self._amazon_check_shipping_allowed()
        return super().button_validate()

    def _action_done(self):
        # Every way of validating ends here, not only the button.
        self._amazon_check_shipping_allowed()
        result = super()._action_done()
        self.filtered(
            lambda picking: picking.state == "done" and picking.picking_type_code == "incoming"
        ).amazon_rma_id._amazon_on_return_received()
        return result
