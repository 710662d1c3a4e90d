from odoo.modules.migration import load_script
from odoo.modules.module import get_module_path
from odoo.tests import tagged
from odoo.tools import SQL

from .common import AmazonCase

# The account's columns of 18.0.1.2.0 and their types.
OLD_COLUMNS = {
    "buyer_cancel_synced_until": "timestamp",
    "buyer_cancel_report_ref": "varchar",
    "buyer_cancel_column_warned": "boolean",
    "buyer_cancel_last_run": "text",
    "rma_imported_until": "timestamp",
    "order_import_synced_until": "timestamp",
    "order_import_page_token": "varchar",
    "order_import_page_token_at": "timestamp",
    "order_import_window_start": "timestamp",
    "order_import_window_end": "timestamp",
    "order_import_last_run": "text",
    "settlement_seen_until": "timestamp",
    "amazon_sync_error": "varchar",
    "transactions_read_until": "timestamp",
    "cancelled_orders_read_until": "timestamp",
}


@tagged("post_install", "-at_install")
class TestJobStateMigration(AmazonCase):
    """A database of 18.0.1.2.0, whose seller accounts held every job's bookkeeping, upgraded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.script = load_script(
            f"{get_module_path('amazon_refund_cancel')}/migrations/18.0.1.3.0/post-migrate.py",
            "amazon_refund_cancel_post_migrate_18_0_1_3_0",
        )

    def _previous_release(self, values):
        """The account columns 18.0.1.2.0 had, with `values` in account A's; no job state."""
        self.env.flush_all()
        cr = self.env.cr
        for column, kind in OLD_COLUMNS.items():
            cr.execute(
                SQL(
                    "ALTER TABLE amazon_seller_account ADD COLUMN IF NOT EXISTS %s %s",
                    SQL.identifier(column),
                    SQL(kind),
                )
            )
        cr.execute("DELETE FROM amazon_job_state")
        cr.execute(
            SQL(
                "UPDATE amazon_seller_account SET %s WHERE id = %s",
                SQL(", ").join(
                    SQL("%s = %s", SQL.identifier(column), value)
                    for column, value in values.items()
                ),
                self.account_a.id,
            )
        )
        self.env.invalidate_all()

    def test_upgrade_moves_cursors_and_statuses_to_the_jobs(self):
        self._previous_release(
            {
                "buyer_cancel_synced_until": "2026-03-01 10:00:00",
                "buyer_cancel_report_ref": "70000000042",
                "buyer_cancel_column_warned": True,
                "buyer_cancel_last_run": "Order report: orders: 3",
                "rma_imported_until": "2026-03-02 10:00:00",
                "order_import_synced_until": "2026-03-03 10:00:00",
                "order_import_page_token": "next-page",
                "order_import_page_token_at": "2026-03-03 11:00:00",
                "order_import_window_start": "2026-03-03 09:00:00",
                "order_import_window_end": "2026-03-03 10:30:00",
                "order_import_last_run": "100 created",
                "settlement_seen_until": "2026-03-04 10:00:00",
                "amazon_sync_error": "Amazon refused the call",
                "transactions_read_until": "2026-03-05 10:00:00",
                "cancelled_orders_read_until": "2026-03-06 10:00:00",
                "buyer_cancel_report_type": "GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING",
            }
        )
        for _run in range(2):
            self.script.migrate(self.env.cr, "18.0.1.2.0")
            self.env.invalidate_all()
            states = self.env["amazon.job.state"].search([])
            self.assertEqual(states.account_id, self.account_a, "nothing to keep for account B")
            self.assertEqual(len(states), 6, "one state per job, once")
        state = {state.job: state for state in states}
        buyer = state["buyer_cancellations"]
        self.assertEqual(str(buyer.read_until), "2026-03-01 10:00:00")
        self.assertEqual(buyer.resume_ref, "70000000042")
        self.assertTrue(buyer.warned)
        self.assertEqual(buyer.summary, "Order report: orders: 3")
        self.assertEqual(str(state["returns_import"].read_until), "2026-03-02 10:00:00")
        orders = state["order_import"]
        self.assertEqual(
            [
                str(orders.read_until),
                orders.resume_ref,
                str(orders.resume_ref_at),
                str(orders.window_start),
                str(orders.window_end),
                orders.summary,
            ],
            [
                "2026-03-03 10:00:00",
                "next-page",
                "2026-03-03 11:00:00",
                "2026-03-03 09:00:00",
                "2026-03-03 10:30:00",
                "100 created",
            ],
        )
        for job, until in (
            ("settlements", "2026-03-04 10:00:00"),
            ("amazon_refunds", "2026-03-05 10:00:00"),
            ("cancelled_orders", "2026-03-06 10:00:00"),
        ):
            self.assertEqual(str(state[job].read_until), until)
            # Which of the three failed is unknown: each shows it until its next run.
            self.assertEqual(state[job].last_error, "Amazon refused the call")
            self.assertEqual(state[job].state, "failed")
        self.assertFalse(buyer.state, "no run recorded yet")
        self.assertEqual(buyer.company_id, self.account_a.company_id)

    def test_new_install_has_nothing_to_move(self):
        self.env.flush_all()
        self.script.migrate(self.env.cr, "18.0.1.2.0")
        self.assertFalse(self.env["amazon.job.state"].search([]))
