from odoo import fields, models

RETURN_REFUND_MODES = [
    ("nothing", "Nothing"),
    ("propose", "Propose a refund"),
    ("send", "Send the refund"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    amazon_import_rma_report = fields.Boolean(
        string="Download and process RMA report from Amazon",
        help="A scheduled action downloads Amazon's returns report and creates RMAs.",
    )
    amazon_allow_over_refund = fields.Boolean(
        string="Allow refunds above what the buyer paid",
        help="Refunds above what the buyer paid may be sent to Amazon.",
    )
    amazon_allow_zero_out_inventory = fields.Boolean(
        string="Allow to zero out inventory when cancelling Amazon order",
        help="Shows Zero out inventory on cancellations; the reason No Stock zeroes stock.",
    )
    amazon_skip_returnless_rma = fields.Boolean(
        string="Do not create RMA for Amazon returnless refunds",
        help="Returns refunded without the item coming back create no RMA.",
    )
    amazon_allow_local_cancel = fields.Boolean(
        string="Allow to cancel Amazon order without sending the request to Amazon",
        help="Shows Do not send to Amazon on cancellations.",
    )
    amazon_queue_requests = fields.Boolean(
        string="Queue Amazon order refunds and cancellations",
        help="Refunds and cancellations wait in the queue to be sent in batches.",
    )
    amazon_queue_auto_submit = fields.Boolean(
        string="Auto submit to Amazon",
        help="Queued requests stay visible in the queue and are sent in batches about every "
        "30 minutes.",
    )
    amazon_return_refund_mode = fields.Selection(
        RETURN_REFUND_MODES,
        string="When an Amazon return is received",
        default="nothing",
        required=True,
        help="Nothing: refund by hand. Propose: a refund decided by the refund rules waits in "
        "the queue for review. Send: that refund goes to Amazon, unless something needs a "
        "review. Seller accounts may choose otherwise.",
    )
    amazon_stuck_feed_minutes = fields.Integer(
        string="Alert after (minutes) without Amazon's answer",
        default=120,
        help="A batch Amazon still holds in its queue after this long gets an activity.",
    )
