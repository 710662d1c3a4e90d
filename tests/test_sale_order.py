from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import AmazonCase


@tagged("post_install", "-at_install")
class TestAmazonOrder(AmazonCase):
    def test_amazon_order_id_unique_per_account(self):
        self._create_amazon_order(self.account_a, "112-0000001-0000001")
        other = self._create_amazon_order(self.account_b, "112-0000001-0000001")
        self.assertEqual(other.amazon_order_number, "112-0000001-0000001")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self._create_amazon_order(self.account_a, "112-0000001-0000001")

    def test_user_sees_only_own_company_amazon_orders(self):
        order_a = self._create_amazon_order(self.account_a, "112-0000002-0000001")
        order_b = self._create_amazon_order(self.account_b, "112-0000002-0000002")
        orders = (
            self.env["sale.order"]
            .with_user(self.user_a)
            .search([("amazon_seller_account_id", "!=", False)])
        )
        self.assertIn(order_a, orders)
        self.assertNotIn(order_b, orders)
        with self.assertRaises(AccessError):
            order_b.with_user(self.user_a).read(["amazon_order_number"])

    def test_account_of_another_company_refused_on_order(self):
        with self.assertRaises(UserError):
            self._create_amazon_order(self.account_b, "112-0000003-0000001", company=self.company_a)

    def test_search_by_amazon_order_id(self):
        order = self._create_amazon_order(self.account_a, "112-0000004-0000001")
        found = self.env["sale.order"].search([("amazon_order_number", "=", "112-0000004-0000001")])
        self.assertEqual(found, order)
        self.assertEqual(order.order_line.amazon_order_item_code, "00000000000001")
