from odoo import fields, models


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
