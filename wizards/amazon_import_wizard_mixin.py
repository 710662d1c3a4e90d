from odoo import fields, models


class AmazonImportWizardMixin(models.AbstractModel):
    """The dialogs that import a file downloaded from Seller Central for a seller account."""

    _name = "amazon.import.wizard.mixin"
    _description = "Import an Amazon File"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    seller_account_id = fields.Many2one(
        "amazon.seller.account",
        string="Seller Account",
        required=True,
        check_company=True,
        domain="[('company_id', '=', company_id)]",
        default=lambda self: self._default_seller_account(),
    )
    file_name = fields.Char()

    def _default_seller_account(self):
        """The company's seller account, when it has only one: nothing to choose."""
        accounts = self.env["amazon.seller.account"].search(
            [("company_id", "=", self.env.company.id)], limit=2
        )
        return accounts if len(accounts) == 1 else accounts.browse()
