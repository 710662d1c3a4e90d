from odoo import fields, models

from ..amazon_api.const import REGIONS
from ..compat import Constraint
from ..utils import check_system_fields

REGION_SELECTION = [(code, region["name"]) for code, region in REGIONS.items()]


class AmazonSellerMarketplace(models.Model):
    _name = "amazon.seller.marketplace"
    _description = "Amazon Marketplace"
    _order = "region, name"

    name = fields.Char(required=True)
    code = fields.Char(
        string="Marketplace ID", required=True, help="Amazon's identifier of the marketplace."
    )
    country_id = fields.Many2one("res.country", required=True)
    currency_id = fields.Many2one("res.currency", required=True)
    region = fields.Selection(REGION_SELECTION, required=True)
    active = fields.Boolean(default=True)

    _code_unique = Constraint("unique(code)", "An Amazon marketplace is listed only once.")

    def write(self, vals):
        # Amazon's own identifiers, shipped as data: every call to Amazon names them.
        check_system_fields(self, vals, ["code", "region"])
        return super().write(vals)
