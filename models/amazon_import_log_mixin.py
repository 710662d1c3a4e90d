from odoo import fields, models


class AmazonImportLogMixin(models.AbstractModel):
    """What every import of an Amazon file keeps: where it came from, who imported it, the file,
    the outcome. Returns imports and settlements add their own counts."""

    _name = "amazon.import.log.mixin"
    _description = "Amazon Import Log"
    _inherit = "amazon.seller.account.owned.mixin"

    source = fields.Selection(
        [("manual", "File"), ("scheduled", "Scheduled")], required=True, readonly=True
    )
    seller_account_id = fields.Many2one(ondelete="cascade")
    user_id = fields.Many2one(
        "res.users", string="Imported By", default=lambda self: self.env.user, readonly=True
    )
    file_name = fields.Char(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="File", readonly=True)
    amazon_report_ref = fields.Char(string="Amazon Report ID", readonly=True, index=True)
    done_at = fields.Datetime(string="Imported At", readonly=True)
    message = fields.Text(readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
