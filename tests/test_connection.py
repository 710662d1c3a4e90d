from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AmazonEmulatorCase


@tagged("post_install", "-at_install")
class TestConnection(AmazonEmulatorCase):
    def test_connection_succeeds(self):
        action = self.account_a.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        paths = [path for _method, path, _query, _status in self.emulator.requests]
        self.assertIn("/auth/o2/token", paths)
        self.assertIn("/feeds/2021-06-30/feeds", paths)

    def test_connection_reports_amazons_refusal(self):
        self.account_a.lwa_refresh_token = "Atzr|revoked"
        with self.assertRaisesRegex(UserError, "refused the account's credentials"):
            self.account_a.action_test_connection()

    def test_connection_reports_amazon_down(self):
        self.emulator.inject("getFeeds", status=503)
        with self.assertRaisesRegex(UserError, "Amazon did not accept the connection"):
            self.account_a.action_test_connection()
