from odoo import api, fields, models
from odoo.exceptions import UserError


class AmazonRmaImportWizard(models.TransientModel):
    _name = "amazon.rma.import.wizard"
    _description = "Import Amazon Returns"
    _inherit = ["amazon.import.wizard.mixin"]
    # In the filestore: the import reads it as a stream, however big.
    file = fields.Binary(
        required=True,
        attachment=True,
        help="A returns report downloaded from Seller Central (Reports > Return Reports): the "
        "tab-separated flat file or the XML file, maybe gzipped.",
    )
    file_name = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("file"):
                raise UserError(
                    self.env._(
                        "The file is empty: choose a returns report downloaded from Seller "
                        "Central (Reports > Return Reports)."
                    )
                )
        return super().create(vals_list)

    def action_import(self):
        self.ensure_one()
        # Users only read imports and RMAs: the import is written as the system, for an account
        # the user may see.
        self.seller_account_id.check_access("read")
        log = (
            self.env["amazon.rma.import"]
            .sudo()
            .create(
                {
                    "source": "manual",
                    "seller_account_id": self.seller_account_id.id,
                    "file_name": self.file_name,
                }
            )
        )
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("res_field", "=", "file"),
                ],
                limit=1,
            )
        )
        # The upload becomes the log's file as it is, without copying its content.
        attachment.write(
            {
                "name": self.file_name or f"{log.name}.txt",
                "res_model": log._name,
                "res_id": log.id,
                "res_field": False,
            }
        )
        log.attachment_id = attachment
        log._import_upload()
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
