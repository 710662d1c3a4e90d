import base64
from datetime import date

from odoo.tests import Form

from .common import report_content

RETURN_DEFAULTS = {
    "Return request status": "Approved",
    "Label type": "AmazonPrePaidLabel",
    "Label cost": "5.10",
    "Currency code": "USD",
    "Return carrier": "UPS",
    "Label to be paid by": "Seller",
    "A-to-Z Claim": "N",
    "Is prime": "N",
    "Return Reason": "CR-UNWANTED_ITEM",
    "In policy": "Y",
    "Return type": "C-Returns",
    "Resolution": "StandardRefund",
    "Return delivery date": " ",
    "Merchant SKU": "MUG-1",
    "Return quantity": "1",
}


def returns_flat_file(*rows):
    """A returns flat file as Amazon writes it; each row gives at least Order ID and Amazon RMA
    ID, the other columns default to an approved return of one MUG-1."""
    columns = report_content.RETURNS_FLAT_COLUMNS
    dates = {
        "Return request date": report_content.flat_date(date(2025, 7, 10)),
        "Order date": report_content.flat_date(date(2025, 7, 1)),
    }
    lines = ["\t".join(columns)]
    for row in rows:
        tracking = {"Tracking ID": f"1Z999RET{row['Amazon RMA ID']}"}
        values = RETURN_DEFAULTS | dates | tracking | row
        lines.append("\t".join(str(values.get(column, "")) for column in columns))
    return ("\n".join(lines) + "\n").encode()


class RmaImportMixin:
    """Import files through the dialog, as a user would."""

    def _import(self, content, account=None, user=None):
        account = account or self.account_a
        wizard_model = self.env["amazon.rma.import.wizard"]
        if user:
            wizard_model = wizard_model.with_user(user)
        form = Form(wizard_model.with_company(account.company_id))
        form.seller_account_id = account
        form.file = base64.b64encode(content)
        action = form.save().action_import()
        return self.env["amazon.rma.import"].browse(action["res_id"])

    def _rmas(self, account=None):
        return self.env["amazon.rma"].search(
            [("seller_account_id", "=", (account or self.account_a).id)]
        )


def receive(rma, conditions=None, user=None):
    """Receive through the dialog as a user does, each item in the condition `conditions` gives
    by position (sellable otherwise); returns the dialog's action."""
    if user:
        rma = rma.with_user(user)
    action = rma.action_receive()
    if action["res_model"] != "amazon.rma.receive.wizard":
        return action
    wizard = rma.env[action["res_model"]].browse(action["res_id"])
    with Form(wizard) as form:
        for index, condition in enumerate(conditions or ()):
            with form.line_ids.edit(index) as line:
                line.condition = condition
    return wizard.action_receive()
