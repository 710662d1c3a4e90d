from odoo.modules.migration import load_script
from odoo.modules.module import get_module_path
from odoo.tests import tagged
from odoo.tools.sql import column_exists, index_exists

from .common import AmazonEmulatorCase


@tagged("post_install", "-at_install")
class TestMigration(AmazonEmulatorCase):
    """A database of 18.0.1.0.0, with the old names of the Amazon identifier fields, upgraded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.script = load_script(
            f"{get_module_path('amazon_refund_cancel')}/migrations/18.0.1.1.0/pre-migrate.py",
            "amazon_refund_cancel_pre_migrate_18_0_1_1_0",
        )

    def _renamed(self):
        # The account's report of the buyer cancellations moved to its job's state in 18.0.1.3.0.
        return [
            (model, old, new)
            for model, old, new in self.script.RENAMED_FIELDS
            if new in self.env[model]._fields
        ]

    def _stored(self):
        return [
            (model, old, new)
            for model, old, new in self._renamed()
            if self.env[model]._fields[new].store
        ]

    def _downgrade(self):
        """Put back the schema the previous version left, as its upgrade will find it."""
        cr = self.env.cr
        for model, old, new in self._renamed():
            table = model.replace(".", "_")
            if self.env[model]._fields[new].store:
                cr.execute(f'ALTER TABLE "{table}" RENAME COLUMN "{new}" TO "{old}"')
                if index_exists(cr, f"{table}__{new}_index"):
                    cr.execute(
                        f'ALTER INDEX "{table}__{new}_index" RENAME TO "{table}__{old}_index"'
                    )
                cr.execute(f"""UPDATE "{table}" SET "{old}" = 'old-' || id""")
            cr.execute(
                "UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s",
                (old, model, new),
            )
            cr.execute(
                "UPDATE ir_model_data SET name = %s WHERE module = 'amazon_refund_cancel' "
                "AND name = %s",
                (f"field_{table}__{old}", f"field_{table}__{new}"),
            )

    def test_upgrade_keeps_values_history_and_indexes_under_the_new_names(self):
        order = self._emulated_order("181-0000001-0000001")
        request = self._refund_request(order, principal=4.0)
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.env["amazon.rma"].create(
            {
                "amazon_rma_number": "DMIGRATE1",
                "seller_account_id": self.account_a.id,
                "order_id": order.id,
            }
        )
        self.assertTrue(request.batch_id.feed_number, "the batch reached Amazon")
        self.env.flush_all()
        self._downgrade()
        self.env.invalidate_all()

        self.script.migrate(self.env.cr, "18.0.1.0.0")

        cr = self.env.cr
        for model, old, new in self._stored():
            table = model.replace(".", "_")
            self.assertFalse(column_exists(cr, table, old), f"{table}.{old} is gone")
            cr.execute(f'SELECT id, "{new}" FROM "{table}"')
            self.assertTrue(
                all(value == f"old-{row_id}" for row_id, value in cr.fetchall()),
                f"{table}.{new} holds what {old} held",
            )
        for table, column in (
            ("amazon_rma", "amazon_rma_number"),
            ("amazon_feed_batch", "feed_number"),
        ):
            self.assertTrue(index_exists(cr, f"{table}__{column}_index"))
        rma = self.env["amazon.rma"].search([("order_id", "=", order.id)])
        self.assertEqual(rma.amazon_rma_number, f"old-{rma.id}")
        self.assertEqual(request.batch_id.feed_number, f"old-{request.batch_id.id}")
        self.assertEqual(request.feed_number, request.batch_id.feed_number)
        renamed = self.env["ir.model.fields"].search(
            [("model", "=", "amazon.rma"), ("name", "in", ("amazon_rma_id", "amazon_rma_number"))]
        )
        self.assertEqual(renamed.mapped("name"), ["amazon_rma_number"])
        self.assertEqual(
            self.env.ref("amazon_refund_cancel.field_amazon_rma__amazon_rma_number"), renamed
        )

    def test_upgrade_of_a_database_already_renamed_changes_nothing(self):
        self.env.flush_all()
        self.script.migrate(self.env.cr, "18.0.1.0.0")
        for model, old, new in self._stored():
            table = model.replace(".", "_")
            self.assertTrue(column_exists(self.env.cr, table, new))
            self.assertFalse(column_exists(self.env.cr, table, old))
