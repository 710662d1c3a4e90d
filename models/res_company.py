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
    # Where returned units that cannot be sold again go, by the condition found at receipt;
    # empty: Odoo's return location, as for sellable units.
    amazon_location_opened_id = fields.Many2one(
        "stock.location",
        string="Opened Returns Location",
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [id, False])]",
        help="Returned units found opened go here; empty: the return location.",
    )
    amazon_location_customer_damaged_id = fields.Many2one(
        "stock.location",
        string="Returns Damaged by the Buyer Location",
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [id, False])]",
        help="Returned units the buyer damaged go here; empty: the return location.",
    )
    amazon_location_carrier_damaged_id = fields.Many2one(
        "stock.location",
        string="Returns Damaged in Transit Location",
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [id, False])]",
        help="Returned units damaged in transit go here; empty: the return location.",
    )
    amazon_location_wrong_item_id = fields.Many2one(
        "stock.location",
        string="Wrong Items Location",
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [id, False])]",
        help="Items that came back instead of the one sold go here; empty: the return location.",
    )

    def _amazon_return_location(self, condition):
        """Where returned units in `condition` go; empty for the return's default location."""
        self.ensure_one()
        field = f"amazon_location_{condition}_id"
        return self[field] if field in self._fields else self.env["stock.location"]
