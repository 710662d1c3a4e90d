import os
import unittest
from contextlib import contextmanager
from pathlib import Path

from lxml import etree
from sp_api.auth import access_token_client

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user

from odoo.addons.base.tests.common import BaseCommon

from ..compat import field_name
from ..models.amazon_item_ledger import CHARGED_FIELDS

try:
    # amazon, report_content and seed_demo are for the test modules.
    from ..spapi_emulator import (  # pylint: disable=unused-import
        Emulator,
        amazon,
        report_content,
        seed_demo,
    )
    from ..spapi_emulator.in_process import serve_in_process
    from ..spapi_emulator.server import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
    from ..spapi_emulator.testing import guard_network
except ImportError:
    # The wheel ships the addon without the emulator, and with it the guard that keeps every test
    # off Amazon: these tests run from the source repository only.
    Emulator = amazon = report_content = seed_demo = serve_in_process = None
    EMULATOR_MISSING = (
        "the SP-API emulator (spapi_emulator, in the source repository, not in the wheel) is "
        "not installed beside the addon: no test may run without its network guard"
    )
else:
    EMULATOR_MISSING = None
    guard_network()

# Amazon's schemas are not shipped with the addon; they lie beside the checkout when available.
XSD_DIR = (
    Path(os.environ.get("AMAZON_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
    / "amazon-xsd"
)


# Text from a file, Amazon or a user that would render as a link and a remote image in HTML.
HOSTILE_HTML = '<a href="https://evil.example/">click</a><img src="https://evil.example/x.png">'


def assert_shown_as_text(test, html):
    """`html` (a note) shows HOSTILE_HTML as text: no link, no image."""
    html = str(html)
    test.assertNotIn("<a", html)
    test.assertNotIn("<img", html)
    test.assertIn("&lt;img src=", html)


def feed_schema(test, message_type):
    """Amazon's XSD of one message type, or skip the test saying why."""
    path = XSD_DIR / f"{message_type}.xsd"
    if not path.is_file():
        test.skipTest(f"Amazon's feed schemas are not at {XSD_DIR} (set AMAZON_SHARED_DIR)")
    return etree.XMLSchema(etree.parse(str(path)))


def feed_payloads(document, message_type):
    """The message payloads (OrderAdjustment, OrderAcknowledgement) of a feed document."""
    root = etree.fromstring(document)
    return [message.find(message_type) for message in root.iter("Message")]


class AmazonCase(BaseCommon):
    """Two companies, each with a seller account, an Amazon user and an Amazon manager.

    As Odoo's BaseCommon: mail tracking off, the main company in USD.
    """

    @classmethod
    def setUpClass(cls):
        if EMULATOR_MISSING:
            raise unittest.SkipTest(EMULATOR_MISSING)
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Amazon Company B"})
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company_b, install_demo=False
        )
        cls.tax_10 = cls.env["account.tax"].create(
            {"name": "Amazon test tax 10%", "amount": 10, "amount_type": "percent"}
        )
        cls.shipping_product = cls.env["product.product"].create(
            {"name": "Amazon shipping", "type": "service", "list_price": 5}
        )
        cls.marketplace_us = cls.env.ref("amazon_refund_cancel.marketplace_us")
        cls.marketplace_de = cls.env.ref("amazon_refund_cancel.marketplace_de")
        cls.account_a = cls._create_account(cls.company_a, "A1SELLERA", cls.marketplace_us)
        cls.account_b = cls._create_account(cls.company_b, "A1SELLERB", cls.marketplace_us)
        cls.user_a = cls._create_user("amazon_user_a", cls.company_a, "group_amazon_user")
        cls.manager_a = cls._create_user("amazon_manager_a", cls.company_a, "group_amazon_manager")
        cls.customer = cls.env["res.partner"].create({"name": "Amazon Buyer"})
        cls.product = cls.env["product.product"].create(
            {"name": "Amazon Mug", "default_code": "MUG-1", "is_storable": True, "list_price": 20}
        )

    @contextmanager
    def assertRefused(self, message):
        """A user error saying `message`; Odoo's assertRaises rolls back what the attempt did."""
        with self.assertRaises(UserError) as caught:
            yield
        self.assertRegex(str(caught.exception), message)

    @classmethod
    def _create_account(cls, company, seller_id, marketplace, **values):
        return cls.env["amazon.seller.account"].create(
            {
                "name": f"Seller {seller_id}",
                "company_id": company.id,
                "seller_id": seller_id,
                "region": marketplace.region,
                "marketplace_ids": [Command.set(marketplace.ids)],
                "shipping_product_id": cls.shipping_product.id,
                "lwa_client_id": "amzn1.application-oa2-client.test",
                "lwa_client_secret": "test-secret",
                "lwa_refresh_token": "Atzr|test-refresh-token",
                **values,
            }
        )

    @classmethod
    def _create_user(cls, login, company, group):
        return new_test_user(
            cls.env,
            login=login,
            groups=f"amazon_refund_cancel.{group}",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    @classmethod
    def _create_amazon_order(cls, account, number, company=None, lines=(("MUG-1", 2),)):
        return cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "company_id": (company or account.company_id).id,
                "amazon_seller_account_id": account.id,
                "amazon_order_number": number,
                "amazon_seller_marketplace_id": account.marketplace_ids[:1].id,
                "amazon_fulfillment": "merchant",
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": quantity,
                            "amazon_order_item_code": f"{index:014d}",
                        }
                    )
                    for index, (_sku, quantity) in enumerate(lines, start=1)
                ],
            }
        )


# Test classes tagged so talk to the emulator over real HTTP on loopback; the others reach it in
# process (see AmazonEmulatorCase).
HTTP_TAG = "amazon_http"


class AmazonEmulatorCase(AmazonCase):
    """AmazonCase whose accounts talk to a local SP-API emulator, one per test class.

    The seam's client is the production one, down to httpx; only the network is left out: its
    requests for the emulator's address are answered in process by the emulator's own request
    handler (spapi_emulator.in_process). Classes tagged `amazon_http` get the emulator's real
    HTTP server instead, for what only the wire shows (connections, timeouts, concurrent
    senders).

    Each test starts from an emptied emulator and empty rate limit buckets on both sides, so that
    it has Amazon's full quotas as on a fresh start.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = Emulator(feed_delay=60, report_delay=60)
        if HTTP_TAG in getattr(cls, "test_tags", ()):
            cls.emulator.start()
            cls.addClassCleanup(cls.emulator.stop)
        else:
            cls.addClassCleanup(serve_in_process(cls.emulator).stop)
        cls.addClassCleanup(cls._remove_quotas)
        for account in cls.account_a | cls.account_b:
            cls._emulate_account(account)

    def setUp(self):
        super().setUp()
        # As on a fresh start: the emulator forgets what earlier tests did; since it keeps its
        # address, the quotas used are forgotten and the library forgets its access tokens.
        self.emulator.reset()
        self._remove_quotas()
        access_token_client.cache.clear()

    @classmethod
    def _remove_quotas(cls):
        # The buckets are committed by connections of their own.
        with cls.registry.cursor() as cr:
            cr.execute("DELETE FROM amazon_rate_bucket WHERE endpoint = %s", [cls.emulator.url])

    @classmethod
    def _emulate_account(cls, account):
        """Make `account` a seller of the emulator and point it there."""
        refresh_token = f"{DEMO_REFRESH_TOKEN}-{account.seller_id}"
        cls.emulator.add_seller(
            account.seller_id, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, refresh_token
        )
        account.write(
            {
                "endpoint": "custom",
                "custom_api_url": cls.emulator.url,
                "custom_lwa_url": cls.emulator.lwa_url,
                "lwa_client_id": DEMO_CLIENT_ID,
                "lwa_client_secret": DEMO_CLIENT_SECRET,
                "lwa_refresh_token": refresh_token,
            }
        )

    def _emulated_order(self, number, quantity=2, shipped=True, account=None):
        """An Amazon order known to both Odoo and the emulator: one line of MUG-1."""
        account = account or self.account_a
        order = self._create_amazon_order(account, number, lines=(("MUG-1", quantity),))
        # Shipped by Amazon: every unit counts as shipped without deliveries in Odoo.
        order.amazon_fulfillment = "amazon" if shipped else "merchant"
        line = order.order_line
        line.amazon_order_item_code = f"{int(number.replace('-', '')[-14:]):014d}"
        self.emulator.add_order(
            account.seller_id,
            number,
            account.marketplace_ids[:1].code,
            items=[
                {
                    "order_item_id": line.amazon_order_item_code,
                    "sku": "MUG-1",
                    "quantity": quantity,
                    "quantity_shipped": quantity if shipped else 0,
                    "prices": {"Principal": 20 * quantity, "Tax": 2 * quantity},
                }
            ],
        )
        return order

    def _refund_request(self, order, principal=10.0, reason="CustomerReturn", queue=True):
        request = self.env["amazon.order.request"]._amazon_new(
            order,
            "refund",
            reason,
            [
                {
                    "order_line_id": order.order_line[:1].id,
                    "quantity": 1,
                    "amount_principal": principal,
                }
            ],
        )
        if queue:
            request._queue()
        return request

    def _shipped_order(
        self,
        number,
        lines=(("MUG", 2, 20.0), ("TEE", 1, 15.0)),
        shipping=5.0,
        ship=True,
        invoice=True,
        account=None,
        pricelist=None,
    ):
        """A confirmed Amazon order with a shipping line, delivered and invoiced in Odoo, and the
        same order at the emulator with Amazon's price components for each item."""
        account = account or self.account_a
        products = {
            sku: self.env["product.product"].create(
                {"name": f"Product {sku}", "default_code": sku, "is_storable": True}
            )
            for sku, _quantity, _price in lines
        }
        taxes = self.tax_10 if account.company_id == self.company_a else self.env["account.tax"]
        location = self.env.ref("stock.stock_location_stock")
        for product in products.values():
            self.env["stock.quant"]._update_available_quantity(product, location, 100)
        values = {
            "partner_id": self.customer.id,
            "company_id": account.company_id.id,
            "amazon_seller_account_id": account.id,
            "amazon_order_number": number,
            "amazon_seller_marketplace_id": account.marketplace_ids[:1].id,
            "amazon_fulfillment": "merchant",
            "order_line": [
                Command.create(
                    {
                        "product_id": products[sku].id,
                        "product_uom_qty": quantity,
                        "price_unit": price,
                        field_name(self.env["sale.order.line"], "tax_id"): [Command.set(taxes.ids)],
                        "amazon_order_item_code": f"{index:07d}{number[-7:]}",
                    }
                )
                for index, (sku, quantity, price) in enumerate(lines, start=1)
            ],
        }
        if pricelist:
            values["pricelist_id"] = pricelist.id
        if shipping:
            values["order_line"].append(
                Command.create(
                    {
                        "product_id": self.shipping_product.id,
                        "product_uom_qty": 1,
                        "price_unit": shipping,
                        field_name(self.env["sale.order.line"], "tax_id"): [Command.set(taxes.ids)],
                    }
                )
            )
        order = self.env["sale.order"].create(values)
        order.action_confirm()
        if ship:
            picking = order.picking_ids
            picking.move_ids.quantity = 0
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
            picking.move_ids.picked = True
            picking._action_done()
        if invoice:
            order._create_invoices().action_post()
        ledgers = self.env["amazon.item.ledger"]._for_lines(order.order_line)
        charged = {
            line: {component: ledger[name] for name, component in CHARGED_FIELDS.items()}
            for line, ledger in ledgers.items()
        }
        self.emulator.add_order(
            account.seller_id,
            number,
            account.marketplace_ids[:1].code,
            currency=order.currency_id.name,
            items=[
                {
                    "order_item_id": line.amazon_order_item_code,
                    "sku": line.product_id.default_code,
                    "quantity": int(line.product_uom_qty),
                    "quantity_shipped": int(line.product_uom_qty) if ship else 0,
                    "prices": {
                        component: f"{amount:.2f}" for component, amount in charged[line].items()
                    },
                }
                for line in charged
            ],
        )
        return order
