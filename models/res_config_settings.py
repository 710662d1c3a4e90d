from odoo import fields, models

LOCATION_DOMAIN = "[('usage', '=', 'internal'), ('company_id', 'in', [company_id, False])]"


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    amazon_import_rma_report = fields.Boolean(
        related="company_id.amazon_import_rma_report", readonly=False
    )
    amazon_allow_over_refund = fields.Boolean(
        related="company_id.amazon_allow_over_refund", readonly=False
    )
    amazon_allow_zero_out_inventory = fields.Boolean(
        related="company_id.amazon_allow_zero_out_inventory", readonly=False
    )
    amazon_skip_returnless_rma = fields.Boolean(
        related="company_id.amazon_skip_returnless_rma", readonly=False
    )
    amazon_allow_local_cancel = fields.Boolean(
        related="company_id.amazon_allow_local_cancel", readonly=False
    )
    amazon_queue_requests = fields.Boolean(
        related="company_id.amazon_queue_requests", readonly=False
    )
    amazon_queue_auto_submit = fields.Boolean(
        related="company_id.amazon_queue_auto_submit", readonly=False
    )
    amazon_return_refund_mode = fields.Selection(
        related="company_id.amazon_return_refund_mode", readonly=False
    )
    amazon_stuck_feed_minutes = fields.Integer(
        related="company_id.amazon_stuck_feed_minutes", readonly=False
    )
    amazon_location_opened_id = fields.Many2one(
        related="company_id.amazon_location_opened_id", readonly=False, domain=LOCATION_DOMAIN
    )
    amazon_location_customer_damaged_id = fields.Many2one(
        related="company_id.amazon_location_customer_damaged_id",
        readonly=False,
        domain=LOCATION_DOMAIN,
    )
    amazon_location_carrier_damaged_id = fields.Many2one(
        related="company_id.amazon_location_carrier_damaged_id",
        readonly=False,
        domain=LOCATION_DOMAIN,
    )
    amazon_location_wrong_item_id = fields.Many2one(
        related="company_id.amazon_location_wrong_item_id", readonly=False, domain=LOCATION_DOMAIN
    )
