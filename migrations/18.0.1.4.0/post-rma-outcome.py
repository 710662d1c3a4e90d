"""18.0.1.4.0: no refund is due once Amazon refunded the buyer itself.

The RMAs Amazon refunded keep the due date stored before; it is computed again, now empty.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    rmas = env["amazon.rma"].search(
        [("amazon_refunded_buyer", "=", True), ("refund_due_date", "!=", False)]
    )
    env.add_to_compute(env["amazon.rma"]._fields["refund_due_date"], rmas)
    rmas.flush_recordset(["refund_due_date"])
