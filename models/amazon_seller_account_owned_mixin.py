from odoo import fields, models


class AmazonSellerAccountOwnedMixin(models.AbstractModel):
    """Records of one seller account, kept in that account's company."""

    _name = "amazon.seller.account.owned.mixin"
    _description = "Record of an Amazon Seller Account"
    _check_company_auto = True

    seller_account_id = fields.Many2one(
        "amazon.seller.account",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="seller_account_id.company_id", store=True, index=True)
