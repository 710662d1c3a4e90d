from odoo import fields, models

from ..compat import Constraint


class AmazonSkuMapping(models.Model):
    _name = "amazon.sku.mapping"
    _description = "Amazon SKU Mapping"
    _check_company_auto = True
    _order = "seller_sku"

    account_id = fields.Many2one(
        "amazon.seller.account", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    seller_sku = fields.Char(string="Seller SKU", required=True)
    product_id = fields.Many2one(
        "product.product", required=True, check_company=True, ondelete="cascade"
    )

    _account_sku_unique = Constraint(
        "unique(account_id, seller_sku)",
        "This SKU is already mapped on this seller account.",
    )
