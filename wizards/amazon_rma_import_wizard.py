import base64

from odoo import fields, models


class AmazonRmaImportWizard(models.TransientModel):
    _name = "amazon.rma.import.wizard"
    _description = "Import Amazon Returns"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    seller_account_id = fields.Many2one(
        "amazon.seller.account",
        string="Seller Account",
        required=True,
        check_company=True,
        domain="[('company_id', '=', company_id)]",
    )
    file = fields.Binary(
        required=True,
        attachment=False,
        help="A returns report downloaded from Seller Central (Reports > Return Reports): the "
        "tab-separated flat file or the XML file, maybe gzipped.",
    )
    file_name = fields.Char()

    def action_import(self):
        self.ensure_one()
        content = base64.b64decode(self.file)
        log = self.env["amazon.rma.import"].create(
            {
                "source": "manual",
                "seller_account_id": self.seller_account_id.id,
                "file_name": self.file_name,
            }
        )
        log.attachment_id = self.env["ir.attachment"].create(
            {
                "name": self.file_name or f"{log.name}.txt",
                "raw": content,
                "res_model": log._name,
                "res_id": log.id,
            }
        )
        log._import_file(content)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Result"),
            "res_model": log._name,
            "res_id": log.id,
            "view_mode": "form",
            "views": [
                (self.env.ref("amazon_refund_cancel.amazon_rma_import_view_form").id, "form")
            ],
            "target": "new",
        }
