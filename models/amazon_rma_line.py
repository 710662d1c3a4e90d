from odoo import api, fields, models

from ..compat import UNIT_PRECISION

# What the warehouse finds when a returned item comes back; empty until recorded.
RETURN_CONDITIONS = [
    ("sellable", "As sold (sellable)"),
    ("opened", "Opened"),
    ("customer_damaged", "Damaged by the buyer"),
    ("carrier_damaged", "Damaged in transit"),
    ("wrong_item", "Wrong or missing item"),
    ("not_returned", "Not returned"),
]


class AmazonRmaLine(models.Model):
    _name = "amazon.rma.line"
    _description = "Amazon RMA Line"
    _order = "rma_id, sequence, id"
    _check_company_auto = True

    rma_id = fields.Many2one("amazon.rma", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="rma_id.company_id", store=True, index=True)
    sequence = fields.Integer(
        string="Item", help="The returned item of Amazon's report this line comes from."
    )
    product_id = fields.Many2one("product.product", required=True, check_company=True)
    quantity = fields.Float(digits=UNIT_PRECISION, required=True)
    order_line_id = fields.Many2one(
        "sale.order.line",
        string="Order Line",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    kit_product_id = fields.Many2one(
        "product.product",
        string="Kit",
        help="The kit sold on the order line; the RMA lists its components instead.",
    )
    sold_quantity = fields.Float(
        digits=UNIT_PRECISION,
        help="Units of the order line's product returned: the kits, for the lines of a kit.",
    )
    reason = fields.Char(
        string="Return Reason Code",
        help="Amazon's code of the return reason, as the report spells it.",
    )
    reason_id = fields.Many2one(
        "amazon.return.reason",
        string="Return Reason",
        index="btree_not_null",
        ondelete="restrict",
        help="Amazon's return reason, whatever the spelling of its code.",
    )
    in_policy = fields.Boolean(string="In Policy")
    condition = fields.Selection(RETURN_CONDITIONS, string="Condition Received")

    @api.model_create_multi
    def create(self, vals_list):
        # The reasons of all the lines are resolved, and the unseen ones made, at once.
        codes = [
            vals["reason"] for vals in vals_list if "reason_id" not in vals and vals.get("reason")
        ]
        reasons = self.env["amazon.return.reason"]._amazon_resolve(codes)
        for vals in vals_list:
            if "reason_id" not in vals:
                reason = reasons.get((vals.get("reason") or "").strip())
                vals["reason_id"] = reason.id if reason else False
        return super().create(vals_list)

    def write(self, vals):
        if "reason" in vals and "reason_id" not in vals:
            code = (vals["reason"] or "").strip()
            reason = self.env["amazon.return.reason"]._amazon_resolve([code]).get(code)
            vals = dict(vals, reason_id=reason.id if reason else False)
        return super().write(vals)
