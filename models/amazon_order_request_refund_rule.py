from odoo import api, fields, models

from .amazon_order_request import REQUEST_STATES


class AmazonOrderRequest(models.Model):
    """Refunds the refund rules made of a received return: which rules and why."""

    _inherit = "amazon.order.request"

    refund_rule_ids = fields.Many2many(
        "amazon.return.refund.rule",
        string="Refund Rules",
        readonly=True,
        copy=False,
        help="The rules that decided this refund of a received return.",
    )
    refund_rule_note = fields.Text(
        string="Why These Amounts", readonly=True, copy=False, help="Which rule applied and why."
    )
    queue_state = fields.Selection(
        [("proposed", "Proposed"), *REQUEST_STATES],
        string="Queue Status",
        compute="_compute_queue_state",
        store=True,
        index=True,
        help="The status, with the drafts the refund rules made named Proposed: they wait for "
        "a review.",
    )

    def _amazon_who_confirms(self):
        """Who may confirm this proposal, in words: the Amazon managers of its company."""
        self.ensure_one()
        managers = self.env["amazon.seller.account"]._amazon_managers(self.company_id)
        return self.env._(
            "The refund rules proposed %(request)s when the return was received; only an Amazon "
            "manager of %(company)s confirms it and sends it to Amazon (%(managers)s).",
            request=self.name,
            company=self.company_id.name,
            managers=", ".join(managers.mapped("name")) or self.env._("none yet"),
        )

    @api.depends("state", "refund_rule_ids")
    def _compute_queue_state(self):
        for request in self:
            request.queue_state = (
                "proposed"
                if request.state == "draft" and request.refund_rule_ids
                else request.state
            )
