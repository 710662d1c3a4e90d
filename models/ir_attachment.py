from odoo import api, models


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.model
    def _index(self, bin_data, file_type, checksum=None):
        # Amazon's files (a settlement of 200,000 rows) are kept as Amazon sent them, not
        # searched: their words would take several times the file's size in memory and in the
        # database.
        if self.env.context.get("amazon_attachment_not_indexed"):
            return False
        return super()._index(bin_data, file_type, checksum=checksum)
