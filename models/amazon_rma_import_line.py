from odoo import fields, models

from .amazon_rma_import import IMPORT_RESULTS


class AmazonRmaImportLine(models.Model):
    _name = "amazon.rma.import.line"
    _description = "Amazon Returns Import Row"
    _order = "import_id, id"

    import_id = fields.Many2one(
        "amazon.rma.import", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="import_id.company_id", store=True, index=True)
    file_line = fields.Integer(
        string="Line", readonly=True, help="Where the RMA starts in the file."
    )
    amazon_rma_number = fields.Char(string="Amazon RMA ID", readonly=True)
    amazon_order_number = fields.Char(string="Amazon Order ID", readonly=True)
    result = fields.Selection(IMPORT_RESULTS, required=True, readonly=True)
    reason = fields.Char(readonly=True)
    rma_id = fields.Many2one("amazon.rma", string="RMA", readonly=True, ondelete="set null")
