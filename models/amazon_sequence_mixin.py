from odoo import api, fields, models


class AmazonSequenceMixin(models.AbstractModel):
    """Records named by the sequence whose code is their model's name (AMZR/..., AMZB/...)."""

    _name = "amazon.sequence.mixin"
    _description = "Amazon Record Numbered by a Sequence"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(self._name) or "/"
        return super().create(vals_list)
