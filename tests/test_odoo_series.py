import psycopg2

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..compat import UNIT_PRECISION, field_name
from .common import AmazonEmulatorCase

# Each table's constraints, as named in the database on every series.
CONSTRAINTS = {
    "amazon_feed_batch": {"amazon_feed_batch_feed_unique"},
    "amazon_item_ledger": {"amazon_item_ledger_order_line_unique"},
    "amazon_job_state": {"amazon_job_state_account_job_unique"},
    "amazon_rate_bucket": {"amazon_rate_bucket_operation_unique"},
    "amazon_return_condition": {"amazon_return_condition_code_unique"},
    "amazon_return_reason": {"amazon_return_reason_code_unique"},
    "amazon_return_refund_rule": {"amazon_return_refund_rule_days_positive"},
    "amazon_rma": {"amazon_rma_amazon_rma_id_unique"},
    "amazon_seller_account": {
        "amazon_seller_account_feed_batch_size_range",
        "amazon_seller_account_seller_region_unique",
    },
    "amazon_seller_marketplace": {"amazon_seller_marketplace_code_unique"},
    "amazon_settlement": {"amazon_settlement_settlement_unique"},
    "amazon_sku_mapping": {"amazon_sku_mapping_account_sku_unique"},
    "sale_order": {"sale_order_amazon_order_number_unique"},
}

# The addon's quantities of products, which count as Odoo's own do.
QUANTITY_FIELDS = [
    ("amazon.rma.line", "quantity"),
    ("amazon.item.ledger", "quantity_ordered"),
    ("amazon.item.ledger.refund", "quantity"),
    ("amazon.order.request.line", "quantity"),
    ("amazon.refund.wizard.line", "quantity"),
    ("amazon.cancel.wizard.line", "quantity"),
]


@tagged("post_install", "-at_install")
class TestOdooSeries(AmazonEmulatorCase):
    """What 19.0 changed without an error: the addon holds on every series it installs on."""

    def test_constraints_are_in_the_database(self):
        self.env.cr.execute(
            """SELECT rel.relname, con.conname FROM pg_constraint con
               JOIN pg_class rel ON rel.oid = con.conrelid
               WHERE rel.relname = ANY(%s) AND con.contype IN ('u', 'c')""",
            [list(CONSTRAINTS)],
        )
        found = {}
        for table, name in self.env.cr.fetchall():
            found.setdefault(table, set()).add(name)
        for table, names in CONSTRAINTS.items():
            self.assertLessEqual(names, found.get(table, set()), table)

    def test_a_duplicate_is_refused_by_the_database(self):
        Reason = self.env["amazon.return.reason"].sudo()
        Reason.create({"code": "TEST_DUPLICATE", "name": "Duplicate"})
        with (
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
            mute_logger("odoo.sql_db"),
        ):
            Reason.create({"code": "TEST_DUPLICATE", "name": "Duplicate"})

    def test_quantities_have_the_precision_of_products(self):
        precision = self.env["decimal.precision"].search([("name", "=", UNIT_PRECISION)])
        self.assertTrue(precision, "the addon names the precision of product quantities")
        precision.digits = 4
        self.assertEqual(
            self.env["sale.order.line"]._fields["product_uom_qty"].get_digits(self.env), (16, 4)
        )
        for model, name in QUANTITY_FIELDS:
            with self.subTest(model=model, field=name):
                self.assertEqual(self.env[model]._fields[name].get_digits(self.env), (16, 4))

    def test_groups_are_placed_and_given(self):
        user = self.env.ref("amazon_refund_cancel.group_amazon_user")
        manager = self.env.ref("amazon_refund_cancel.group_amazon_manager")
        category = self.env.ref("amazon_refund_cancel.module_category_amazon")
        if "privilege_id" in user._fields:
            self.assertEqual((user | manager).privilege_id.category_id, category.parent_id)
            self.assertEqual(len((user | manager).privilege_id), 1)
        else:
            self.assertEqual((user | manager).category_id, category)
        for founder in ("base.user_root", "base.user_admin"):
            self.assertIn(
                manager, self.env.ref(founder)[field_name(manager.env["res.users"], "groups_id")]
            )
        action = self.env.ref("amazon_refund_cancel.action_amazon_link_orders")
        self.assertEqual(action[field_name(action, "groups_id")], user)

    def test_order_lines_keep_their_taxes(self):
        order = self._shipped_order("111-9000001-0000001")
        self.assertTrue(order.order_line._amazon_taxes())
