import re

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..amazon_api import const


class AmazonOrderImportWizard(models.TransientModel):
    _name = "amazon.order.import.wizard"
    _description = "Import Amazon Order"
    _inherit = ["amazon.import.wizard.mixin"]

    # Any account that imports orders, of the companies the user works in: the company is the
    # account's.
    company_id = fields.Many2one(
        related="seller_account_id.company_id", required=False, default=None
    )
    seller_account_id = fields.Many2one(domain="[('order_import', '=', True)]")
    order_numbers = fields.Text(
        string="Amazon Order IDs",
        required=True,
        help="One or more Amazon order IDs, separated by spaces or lines.",
    )

    def _seller_accounts_offered(self):
        return [*super()._seller_accounts_offered(), ("order_import", "=", True)]

    @api.model
    def _parse(self, text):
        numbers = (text or "").split()
        wrong = [n for n in numbers if not re.match(const.AMAZON_ORDER_ID_PATTERN, n)]
        if wrong or not numbers:
            raise UserError(
                self.env._(
                    "Not Amazon order IDs (3-7-7 digits, such as 112-1234567-1234567): %(ids)s",
                    ids=", ".join(wrong) or self.env._("none given"),
                )
            )
        return numbers

    def action_import(self):
        """Queue the orders: the scheduled import asks Amazon for them right away."""
        self.ensure_one()
        if not self.env.user.has_group("amazon_refund_cancel.group_amazon_user"):
            raise UserError(self.env._("Only Amazon users import Amazon orders."))
        if not self.seller_account_id.order_import:
            raise UserError(
                self.env._(
                    "Account %(account)s does not import orders (Import Orders is off).",
                    account=self.seller_account_id.name,
                )
            )
        numbers = self._parse(self.order_numbers)
        account = self.seller_account_id.sudo()
        queued = (account.order_import_requested or "").split()
        account.order_import_requested = " ".join(dict.fromkeys(queued + numbers))
        self.env["amazon.order.importer"]._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": self.env._("Importing from Amazon"),
                "message": self.env._("1 order will be imported in a moment.")
                if len(numbers) == 1
                else self.env._(
                    "%(count)s orders will be imported in a moment.", count=len(numbers)
                ),
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
