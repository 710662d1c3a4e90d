from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged

from .common import AmazonCase


@tagged("post_install", "-at_install")
class TestSellerAccount(AmazonCase):
    def test_credentials_only_for_system_admins(self):
        account = self.account_a.with_user(self.manager_a)
        self.assertEqual(account.name, "Seller A1SELLERA")
        with self.assertRaises(AccessError):
            account.read(["lwa_client_secret"])
        with self.assertRaises(AccessError):
            account.read(["lwa_refresh_token"])
        with self.assertRaises(AccessError):
            account.write({"lwa_client_secret": "stolen"})
        self.assertEqual(self.account_a.lwa_client_secret, "test-secret")

    def test_credentials_not_copied(self):
        copy = self.account_a.copy({"seller_id": "A1SELLERC", "active": False})
        self.assertFalse(copy.lwa_client_secret)
        self.assertFalse(copy.lwa_refresh_token)
        self.assertFalse(copy.lwa_client_id)

    def test_user_sees_only_own_company_accounts(self):
        accounts = self.env["amazon.seller.account"].with_user(self.user_a).search([])
        self.assertIn(self.account_a, accounts)
        self.assertNotIn(self.account_b, accounts)
        with self.assertRaises(AccessError):
            self.account_b.with_user(self.user_a).read(["name"])

    def test_user_cannot_change_accounts(self):
        with self.assertRaises(AccessError):
            self.account_a.with_user(self.user_a).write({"name": "Renamed"})

    def test_active_account_needs_credentials(self):
        with self.assertRaisesRegex(ValidationError, "LWA Client Secret"):
            self.account_a.write({"lwa_client_secret": False})
        inactive = self._create_account(
            self.company_a, "A1SELLERD", self.marketplace_us, active=False, lwa_client_secret=False
        )
        self.assertFalse(inactive.active)

    def test_custom_endpoint_needs_full_urls(self):
        with self.assertRaisesRegex(ValidationError, "SP-API Address"):
            self.account_a.write(
                {
                    "endpoint": "custom",
                    "custom_api_url": "localhost:8765",
                    "custom_lwa_url": "http://127.0.0.1:8765/auth/o2/token",
                }
            )
        with self.assertRaisesRegex(ValidationError, "LWA Token Address"):
            self.account_a.write(
                {
                    "endpoint": "custom",
                    "custom_api_url": "http://127.0.0.1:8765",
                    "custom_lwa_url": "ftp://127.0.0.1/token",
                }
            )
        self.account_a.write(
            {
                "endpoint": "custom",
                "custom_api_url": "http://127.0.0.1:8765/",
                "custom_lwa_url": "http://127.0.0.1:8765/auth/o2/token",
            }
        )
        self.assertEqual(
            self.account_a._amazon_endpoints(),
            ("http://127.0.0.1:8765", "http://127.0.0.1:8765/auth/o2/token"),
        )

    def test_marketplace_of_another_region_refused(self):
        with self.assertRaisesRegex(ValidationError, "Amazon.de"):
            self.account_a.marketplace_ids = self.marketplace_de

    def test_region_endpoints(self):
        self.assertEqual(
            self.account_a._amazon_endpoints()[0], "https://sellingpartnerapi-na.amazon.com"
        )
        self.account_a.endpoint = "sandbox"
        self.assertEqual(
            self.account_a._amazon_endpoints(),
            (
                "https://sandbox.sellingpartnerapi-na.amazon.com",
                "https://api.amazon.com/auth/o2/token",
            ),
        )

    def test_neutralize_removes_secrets_and_archives(self):
        for query in get_neutralization_queries(["amazon_refund_cancel"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertFalse(self.account_a.active)
        self.assertFalse(self.account_a.lwa_client_secret)
        self.assertFalse(self.account_a.lwa_refresh_token)


@tagged("post_install", "-at_install")
class TestSellerAccountForm(AmazonCase):
    """The account's form in tabs, Odoo's way, with the jobs' bookkeeping read-only apart."""

    def _form(self, user):
        Account = self.env["amazon.seller.account"].with_user(user)
        return etree.fromstring(Account.get_views([(False, "form")])["views"]["form"]["arch"])

    def test_form_in_tabs(self):
        form = self._form(self.manager_a)
        pages = form.xpath("//sheet/notebook/page/@name")
        self.assertEqual(pages, ["refunds", "orders_page", "credentials", "technical"])
        # Only the seller and the connection stay above the tabs.
        self.assertEqual(
            form.xpath("//sheet/group/group/@string"), ["Seller", "Connection"], "above the tabs"
        )
        for section in ("sending", "returns", "settlements", "buyer_cancel"):
            self.assertTrue(form.xpath(f"//page[@name='refunds']//group[@name='{section}']"))
        for section in ("orders", "order_import"):
            self.assertTrue(form.xpath(f"//page[@name='orders_page']//group[@name='{section}']"))
        (jobs,) = form.xpath("//field[@name='job_state_ids']")
        self.assertEqual(jobs.getparent().get("name"), "technical")
        self.assertEqual(jobs.get("readonly"), "1")
        self.assertTrue(jobs.xpath("./list/field[@name='read_until']"))

    def test_bookkeeping_dates_not_writable_by_rpc(self):
        state = self.env["amazon.job.state"]._of(self.account_a, "settlements")
        state.sudo().read_until = "2026-01-01 00:00:00"
        account = self.account_a.with_user(self.manager_a)
        self.assertEqual(account.job_state_ids.read_until.year, 2026)
        for write in (
            lambda: state.with_user(self.manager_a).write({"read_until": "2030-01-01"}),
            lambda: account.write(
                {"job_state_ids": [Command.update(state.id, {"read_until": "2030-01-01"})]}
            ),
            lambda: account.write({"job_state_ids": [Command.unlink(state.id)]}),
            lambda: (
                self.env["amazon.job.state"]
                .with_user(self.manager_a)
                .create({"account_id": self.account_a.id, "job": "order_link"})
            ),
        ):
            with self.assertRaises(AccessError):
                write()
        self.assertEqual(state.read_until.year, 2026)
        self.assertTrue(state.exists())
