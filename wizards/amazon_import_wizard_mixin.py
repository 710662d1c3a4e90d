from odoo import fields, models


class AmazonImportWizardMixin(models.AbstractModel):
    """The dialogs that import for a seller account: a file downloaded from Seller Central, or
    orders asked for by their IDs."""

    _name = "amazon.import.wizard.mixin"
    _description = "Import from Amazon"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    seller_account_id = fields.Many2one(
        "amazon.seller.account",
        required=True,
        check_company=True,
        domain="[('company_id', '=', company_id)]",
        default=lambda self: self._default_seller_account(),
    )

    def _seller_accounts_offered(self):
        """The current company's accounts the dialog imports for."""
        return [("company_id", "=", self.env.company.id)]

    def _default_seller_account(self):
        """The one account offered, when there is only one: nothing to choose."""
        accounts = self.env["amazon.seller.account"].search(
            self._seller_accounts_offered(), limit=2
        )
        return accounts if len(accounts) == 1 else accounts.browse()
