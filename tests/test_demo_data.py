import os
import unittest

from odoo.tests import Form, tagged

from .common import AmazonEmulatorCase, seed_demo


@tagged("post_install", "-at_install", "amazon_demo")
class TestDemoData(AmazonEmulatorCase):
    """The demo data installed, and the main flows on it against the emulator's demo data set:
    the orders the demo shows are the emulator's, so a refund and a cancellation reach Amazon.

    Skipped in a database without demo data; scripts/test sets AMAZON_RC_DEMO=required in the one
    it installs with demo data, where their absence fails (19.0 installs none unless asked).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo_account = cls.env.ref(
            "amazon_refund_cancel.demo_seller_account", raise_if_not_found=False
        )
        if not cls.demo_account:
            if os.environ.get("AMAZON_RC_DEMO") == "required":
                raise AssertionError("the database was to be installed with demo data")
            raise unittest.SkipTest("the database has no demo data")
        # As the demo does: the demo account keeps its credentials, the emulator's demo seller's.
        cls.demo_account.write(
            {"custom_api_url": cls.emulator.url, "custom_lwa_url": cls.emulator.lwa_url}
        )

    def setUp(self):
        super().setUp()
        seed_demo(self.emulator)

    def _demo(self, xmlid):
        return self.env.ref(f"amazon_refund_cancel.{xmlid}")

    def _send_and_answer(self, request):
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.emulator.process_feeds()
        request.batch_id._follow()

    def test_demo_orders_are_as_the_demo_says(self):
        shipped = self._demo("demo_order_shipped")
        self.assertEqual(
            (shipped.state, shipped.invoice_ids.state, shipped.picking_ids.state),
            ("sale", "posted", "done"),
        )
        self.assertEqual(self._demo("demo_order_unshipped").state, "sale")
        asked = self._demo("demo_order_buyer_cancel")
        self.assertEqual(asked.amazon_buyer_cancel_state, "pending")
        self.assertTrue(asked.amazon_on_hold)
        self.assertTrue(
            self.env["amazon.order.request"].search(
                [("seller_account_id", "=", self.demo_account.id), ("state", "=", "done")]
            ),
            "the reports have a history to show",
        )

    def test_demo_account_connects(self):
        action = self.demo_account.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")

    def test_refund_of_the_shipped_order_reaches_amazon(self):
        order = self._demo("demo_order_shipped")
        with Form(self.env["amazon.refund.wizard"].with_context(default_order_id=order.id)) as form:
            form.reason = "CustomerReturn"
        form.save().action_refund()
        request = order.amazon_request_ids.sorted("id")[-1:]
        self.assertEqual(request.state, "queued")
        self._send_and_answer(request)
        self.assertEqual(request.state, "done")
        self.assertEqual(request.credit_note_id.state, "posted")

    def test_cancellation_of_the_unshipped_order_reaches_amazon(self):
        order = self._demo("demo_order_unshipped")
        with Form(self.env["amazon.cancel.wizard"].with_context(default_order_id=order.id)) as form:
            form.reason = "NoInventory"
        form.save().action_cancel_order()
        request = order.amazon_request_ids.sorted("id")[-1:]
        self._send_and_answer(request)
        self.assertEqual(request.state, "done")
        self.assertEqual(order.state, "cancel")
