"""Run by scripts/screenshots in `odoo shell`: the demo seller account pointed at the emulator, the
company queueing its requests, an RMA imported from a returns file and a refund in the queue, so
that every screen has something to show."""

import base64
import os
from datetime import date

from odoo.addons.amazon_refund_cancel.spapi_emulator import report_content

env = env  # noqa: F821, PLW0127  (given by odoo shell)
emulator_url = os.environ["EMULATOR_URL"]
account = env.ref("amazon_refund_cancel.demo_seller_account")
account.write({"custom_api_url": emulator_url, "custom_lwa_url": f"{emulator_url}/auth/o2/token"})
env.company.amazon_queue_requests = True
# Partner Autocomplete, when installed, would look the company up on the internet at first login.
if "iap_enrich_auto_done" in env.company._fields:
    env.company.iap_enrich_auto_done = True

shipped = env.ref("amazon_refund_cancel.demo_order_shipped")
line = shipped.order_line.filtered("amazon_order_item_code")[:1]
columns = report_content.RETURNS_FLAT_COLUMNS
row = {
    "Order ID": shipped.amazon_order_number,
    "Order date": report_content.flat_date(date.today()),
    "Return request date": report_content.flat_date(date.today()),
    "Return request status": "Approved",
    "Amazon RMA ID": "DSHOTRMA001",
    "Label type": "AmazonPrePaidLabel",
    "Label cost": "5.10",
    "Currency code": "USD",
    "Return carrier": "UPS",
    "Tracking ID": "1Z999AA10123456784",
    "Label to be paid by": "Seller",
    "A-to-Z Claim": "N",
    "Is prime": "N",
    "Merchant SKU": line.product_id.default_code,
    "Return quantity": "1",
    "Return Reason": "CR-UNWANTED_ITEM",
    "In policy": "Y",
    "Return type": "C-Returns",
    "Resolution": "StandardRefund",
}
content = "\t".join(columns) + "\n" + "\t".join(row.get(column, "") for column in columns) + "\n"
env["amazon.rma.import.wizard"].create(
    {"seller_account_id": account.id, "file": base64.b64encode(content.encode())}
).action_import()

# A partial refund, so that the refund dialog still has money to offer.
# The dialog's first line prefilled as it opens, then changed as a user would.
refund = (
    env["amazon.refund.wizard"]
    .with_context(default_order_id=shipped.id)
    .create({"reason": "CustomerReturn"})
)
refund.line_ids[:1].write(
    {
        "amount_principal": 10.0,
        "amount_tax": 0.8,
        "amount_shipping": 0.0,
        "amount_shipping_tax": 0.0,
    }
)
refund.action_refund()
env.cr.commit()
