from odoo import fields, models

ZERO_OUT = [
    ("stock", "Stock location"),
    ("all_bins", "Stock location and all its bins"),
]


class AmazonOrderRequest(models.Model):
    _inherit = "amazon.order.request"

    # Asked in the cancel dialog, done only once the cancellation applies: a queued or refused
    # cancellation leaves the stock as it is. Users only read requests.
    zero_out = fields.Selection(
        ZERO_OUT,
        string="Zero Out Inventory",
        readonly=True,
        copy=False,
        help="Where the on-hand quantity of the cancelled products is set to 0 once the "
        "cancellation is applied.",
    )

    def _amazon_apply_cancellation(self):
        result = super()._amazon_apply_cancellation()
        for request in self:
            request.order_id._amazon_zero_out_after_cancellation(request)
        return result
