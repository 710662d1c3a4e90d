from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AmazonEmulatorCase


@tagged("post_install", "-at_install", "amazon_http")
class TestConnection(AmazonEmulatorCase):
    def test_connection_succeeds(self):
        action = self.account_a.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        paths = [path for _method, path, _query, _status in self.emulator.requests]
        self.assertIn("/auth/o2/token", paths)
        self.assertIn("/feeds/2021-06-30/feeds", paths)

    def test_connection_reports_amazons_refusal(self):
        self.account_a.lwa_refresh_token = "Atzr|revoked"
        action = self.account_a.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("refused the account's credentials", action["params"]["message"])
        self.assertEqual(self.account_a.connection_state, "failed")

    def test_connection_reports_amazon_down(self):
        self.emulator.inject("getFeeds", status=503)
        action = self.account_a.action_test_connection()
        self.assertEqual(action["params"]["title"], "Connection failed")
        self.assertIn("Service temporarily unavailable", action["params"]["message"])

    def test_unreachable_address_is_named_and_the_status_clears_on_success(self):
        self.account_a.custom_api_url = "http://127.0.0.1:9"
        action = self.account_a.action_test_connection()
        self.assertEqual(
            action["params"]["message"],
            "Cannot reach http://127.0.0.1:9: check the SP-API address",
        )
        self.assertEqual(self.account_a.connection_state, "failed")
        self.assertEqual(
            self.account_a.connection_message,
            "Cannot reach http://127.0.0.1:9: check the SP-API address",
        )
        self.assertTrue(self.account_a.connection_checked_at)
        self.account_a.custom_api_url = self.emulator.url
        self.assertEqual(self.account_a.action_test_connection()["params"]["type"], "success")
        self.assertEqual(self.account_a.connection_state, "ok")
        self.assertFalse(self.account_a.connection_message, "a success clears the last error")

    def test_connection_status_is_not_writable(self):
        with self.assertRaises(AccessError):
            self.account_a.with_user(self.manager_a).write({"connection_state": "ok"})

    def test_only_managers_see_and_use_test_connection(self):
        arch = (
            self.env["amazon.seller.account"]
            .with_user(self.user_a)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn('name="action_test_connection"', arch)
        arch = (
            self.env["amazon.seller.account"]
            .with_user(self.manager_a)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="action_test_connection"', arch)
        with self.assertRaises(AccessError):
            self.account_a.with_user(self.user_a).action_test_connection()
