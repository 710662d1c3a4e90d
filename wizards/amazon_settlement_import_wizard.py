from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..amazon_api.errors import ReportParseError
from ..amazon_api.xml_safety import content_size

# The dialog reads the file in the user's request: a settlement of a big seller is a few MB, and
# one whose content (decompressed: a small gzip may hold much) is larger waits for the scheduled
# import rather than hold a worker past the request time limit.
DIALOG_MAX_BYTES = 64 * 1024 * 1024


class AmazonSettlementImportWizard(models.TransientModel):
    _name = "amazon.settlement.import.wizard"
    _description = "Import an Amazon Settlement"
    _inherit = ["amazon.import.wizard.mixin"]
    # Stored in the filestore, not in the wizard's row: a 20 MB file would be written and read
    # back as SQL text several times its size.
    file = fields.Binary(
        required=True,
        help="A settlement downloaded from Seller Central (Payments > All Statements > "
        "Download Flat File V2): the tab-separated V2 flat file.",
    )
    file_name = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        # The file is kept as it came, not indexed: a settlement's words would take several times
        # its size in memory.
        return super(
            AmazonSettlementImportWizard, self.with_context(amazon_attachment_not_indexed=True)
        ).create(vals_list)

    def action_import(self):
        """Import the file as the scheduled import would; settlements are written by the system
        once a manager asked for it."""
        self.ensure_one()
        # A settlement books credit notes: the one who imports it answers for the books too.
        user = self.env.user
        if not (
            user.has_group("amazon_refund_cancel.group_amazon_manager")
            and user.has_group("account.group_account_invoice")
        ):
            raise AccessError(
                self.env._("Only Amazon managers with Invoicing rights import settlements.")
            )
        self.seller_account_id.check_access("read")
        # The stored bytes, not the field's base64 text of them.
        content = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_field", "=", "file"),
                    ("res_id", "=", self.id),
                ],
                limit=1,
            )
            .raw
        )
        try:
            too_big = content_size(content, DIALOG_MAX_BYTES) > DIALOG_MAX_BYTES
        except ReportParseError as error:
            raise UserError(
                self.env._(
                    "The file cannot be read, so nothing was imported: %(error)s", error=error
                )
            ) from error
        if too_big:
            raise UserError(
                self.env._(
                    "The settlement holds more than %(size)s MB: too big to import here. The "
                    "scheduled import downloads it from Amazon.",
                    size=DIALOG_MAX_BYTES // (1024 * 1024),
                )
            )
        settlement, new = (
            self.env["amazon.settlement"]
            .sudo()
            .with_company(self.seller_account_id.company_id)
            ._import_settlement(
                self.seller_account_id.sudo(),
                content,
                "manual",
                file_name=self.file_name,
            )
        )
        if settlement.state == "done" and not new:
            raise UserError(
                self.env._(
                    "Settlement %(id)s is imported already (%(name)s): it is not imported twice.",
                    id=settlement.settlement_ref,
                    name=settlement.name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Settlement"),
            "res_model": settlement._name,
            "res_id": settlement.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
