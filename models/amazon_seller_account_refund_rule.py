from odoo import fields, models

from .res_company import RETURN_REFUND_MODES


class AmazonSellerAccount(models.Model):
    """What happens when a return of the account is received."""

    _inherit = "amazon.seller.account"

    return_refund_mode = fields.Selection(
        RETURN_REFUND_MODES,
        string="When a Return Is Received",
        tracking=True,
        help="Empty: as the company's setting. Nothing: refund by hand. Propose: a refund "
        "decided by the refund rules waits in the queue for review. Send: that refund goes to "
        "Amazon, unless something needs a review.",
    )

    def _amazon_return_refund_mode(self):
        self.ensure_one()
        return self.return_refund_mode or self.company_id.amazon_return_refund_mode
