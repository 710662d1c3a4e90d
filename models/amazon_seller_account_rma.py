from odoo import fields, models


class AmazonSellerAccount(models.Model):
    """The account's RMAs whose refund is late."""

    _inherit = "amazon.seller.account"

    overdue_rma_count = fields.Integer(string="Overdue RMAs", compute="_compute_overdue_rma_count")

    def _overdue_rma_domain(self):
        return [
            ("seller_account_id", "in", self.ids),
            ("refund_due_date", "<", fields.Date.context_today(self)),
            ("state", "in", ("open", "received")),
        ]

    def _compute_overdue_rma_count(self):
        counts = dict(
            self.env["amazon.rma"]._read_group(
                self._overdue_rma_domain(), ["seller_account_id"], ["__count"]
            )
        )
        for account in self:
            account.overdue_rma_count = counts.get(account, 0)

    def action_view_overdue_rmas(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_refund_cancel.amazon_rma_action"
        )
        action["domain"] = [("seller_account_id", "=", self.id)]
        action["context"] = {"search_default_refund_overdue": 1}
        return action
