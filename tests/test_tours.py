import os
import shutil
import unittest

import odoo
from odoo import Command
from odoo.tests import HttpCase, tagged

from ..compat import field_name
from .common import AmazonEmulatorCase

BROWSERS = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")
ORDER_URL = "/odoo/action-amazon_refund_cancel.action_amazon_orders/{}"


@tagged("post_install", "-at_install")
class TestTours(AmazonEmulatorCase, HttpCase):
    """The main flows in headless Chromium, as a user clicks them; a JavaScript error fails them.

    Odoo skips a tour when it finds no browser: scripts/test sets AMAZON_RC_TOURS=required where
    it has one (or installed it), so that a missing browser fails there instead.
    """

    @classmethod
    def setUpClass(cls):
        if odoo.service.server.server is None:
            raise unittest.SkipTest(
                "tours need Odoo's HTTP server: run them with Odoo's test runner, not pytest-odoo"
            )
        if not any(shutil.which(name) for name in BROWSERS):
            if os.environ.get("AMAZON_RC_TOURS") == "required":
                raise AssertionError(f"no Chromium or Chrome ({', '.join(BROWSERS)}) to run tours")
            raise unittest.SkipTest("no Chromium or Chrome to run tours: install chromium")
        super().setUpClass()
        # Tours log in with the login as password.
        for user in cls.user_a | cls.manager_a:
            user.password = user.login

    def _requests(self, order):
        return self.env["amazon.order.request"].search([("order_id", "=", order.id)])

    def test_partial_refund_from_the_order(self):
        order = self._shipped_order("114-7000001-0000001", lines=(("MUG", 2, 20.0),), shipping=0)
        self.start_tour(ORDER_URL.format(order.id), "amazon_partial_refund", login="amazon_user_a")
        request = self._requests(order)
        self.assertEqual((request.request_type, request.state), ("refund", "queued"))
        self.assertRecordValues(
            request.line_ids, [{"quantity": 1, "amount_principal": 20.0, "amount_tax": 2.0}]
        )
        self.assertEqual(request.requested_by_id, self.user_a)

    def test_refund_with_restocking_fee(self):
        order = self._shipped_order("114-7000007-0000007", lines=(("MUG", 2, 20.0),), shipping=0)
        self.start_tour(ORDER_URL.format(order.id), "amazon_refund_fee", login="amazon_user_a")
        request = self._requests(order)
        self.assertEqual((request.reason, request.state), ("CustomerReturn", "queued"))
        self.assertRecordValues(
            request.line_ids,
            [
                {
                    "quantity": 1,
                    "amount_principal": 20.0,
                    "amount_tax": 2.0,
                    "amount_restocking_fee": 4.0,
                }
            ],
        )
        self.assertEqual(request.amount_total, 18.0)

    def test_correct_a_refund_in_error(self):
        self.company_a.amazon_allow_over_refund = True
        order = self._shipped_order("114-7000008-0000008", lines=(("MUG", 2, 20.0),), shipping=0)
        request = self._refund_request(order, principal=500.0)
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.emulator.process_feeds()
        request.batch_id._follow()
        self.assertEqual(request.state, "error")
        self.company_a.amazon_allow_over_refund = False
        self.start_tour(
            f"/odoo/action-amazon_refund_cancel.amazon_order_request_action/{request.id}",
            "amazon_correct_error",
            login="amazon_manager_a",
        )
        self.assertEqual((request.state, request.line_ids.amount_principal), ("queued", 20.0))

    def test_cancel_one_line(self):
        order = self._shipped_order(
            "114-7000002-0000002", lines=(("MUG", 2, 20.0), ("TEE", 1, 15.0)), ship=False
        )
        self.start_tour(ORDER_URL.format(order.id), "amazon_cancel_line", login="amazon_user_a")
        request = self._requests(order)
        self.assertEqual((request.request_type, request.state), ("cancellation", "queued"))
        self.assertEqual(request.line_ids.order_line_id.product_id.default_code, "TEE")
        self.assertEqual(request.line_ids.quantity_cancelled, 1)
        self.assertTrue(order.amazon_shipping_blocked, "deliveries wait for Amazon's answer")

    def test_queue_process_refund_and_cancellation_in_one_pass(self):
        self.company_a.amazon_queue_requests = True
        order = self._shipped_order("114-7000003-0000003")
        refund = self._refund_request(order)
        unshipped = self._shipped_order("114-7000006-0000006", ship=False)
        cancellation = self.env["amazon.order.request"]._amazon_new(
            unshipped,
            "cancellation",
            "NoInventory",
            [
                {"order_line_id": line.id, "quantity_cancelled": line.product_uom_qty}
                for line in unshipped.order_line
                if not line._amazon_is_shipping()
            ],
        )
        cancellation._queue()
        self.start_tour(
            "/odoo/action-amazon_refund_cancel.amazon_order_request_action",
            "amazon_queue_process",
            login="amazon_manager_a",
        )
        requests = refund | cancellation
        self.assertEqual(len(requests.batch_id), 2, "each type in its own batch")
        self.assertEqual(set(requests.batch_id.mapped("processed_by_id")), {self.manager_a})

    def test_rma_import_and_receive(self):
        self._work_the_warehouse(self.user_a)
        order = self._shipped_order("114-7000004-0000004", lines=(("MUG", 2, 20.0),))
        self.start_tour(
            "/odoo/action-amazon_refund_cancel.amazon_rma_action",
            "amazon_rma_import_receive",
            login="amazon_user_a",
        )
        rma = self.env["amazon.rma"].search([("order_id", "=", order.id)])
        self.assertEqual((len(rma), rma.line_ids.quantity), (1, 1))
        self.assertEqual(rma.picking_ids.picking_type_id.code, "incoming")
        self.assertEqual(rma.picking_ids.move_ids.product_uom_qty, 1)
        self.assertEqual(rma.line_ids.condition, "sellable")

    def test_settlement_import_from_the_empty_list(self):
        self.manager_a.write(
            {
                field_name(self.manager_a, "groups_id"): [
                    Command.link(self.env.ref("account.group_account_invoice").id)
                ]
            }
        )
        self.start_tour(
            "/odoo/action-amazon_refund_cancel.amazon_settlement_action",
            "amazon_settlement_import",
            login="amazon_manager_a",
        )
        settlement = self.env["amazon.settlement"].search([("settlement_ref", "=", "91000000001")])
        self.assertEqual(
            (settlement.seller_account_id, settlement.source, settlement.state),
            (self.account_a, "manual", "done"),
        )

    def test_settings_change(self):
        self.assertFalse(self.company_a.amazon_allow_over_refund)
        self.start_tour(
            "/odoo/action-sale.action_sale_config_settings", "amazon_settings", login="admin"
        )
        self.assertTrue(self.company_a.amazon_allow_over_refund)

    def _work_the_warehouse(self, users):
        """`users` also validate the returns in stock, whose form 19.0 shows only to them."""
        warehouse = self.env.ref("stock.group_stock_user")
        users.write({field_name(users, "groups_id"): [Command.link(warehouse.id)]})

    def _tour_rma(self, number, rma_number):
        """An RMA of one MUG of a shipped order of 2, returned in policy as unwanted, by a
        company with a rule refunding any return; its Amazon users also work the warehouse."""
        self.env["amazon.return.refund.rule"].create(
            {"name": "Any return", "company_id": self.company_a.id}
        )
        self._work_the_warehouse(self.user_a | self.manager_a)
        order = self._shipped_order(number, lines=(("MUG", 2, 20.0),))
        order_line = order.order_line.filtered(lambda line: line.product_id.default_code == "MUG")
        return self.env["amazon.rma"].create(
            {
                "amazon_rma_number": rma_number,
                "seller_account_id": self.account_a.id,
                "order_id": order.id,
                "line_ids": [
                    Command.create(
                        {
                            "sequence": 1,
                            "product_id": order_line.product_id.id,
                            "order_line_id": order_line.id,
                            "quantity": 1,
                            "sold_quantity": 1,
                            "reason": "CR-UNWANTED_ITEM",
                            "in_policy": True,
                        }
                    )
                ],
            }
        )

    def test_return_to_refund_in_few_clicks(self):
        """Receive, validate, review the proposal and send the refund: at most 8 clicks, which
        the tour counts."""
        self.company_a.write(
            {"amazon_return_refund_mode": "propose", "amazon_queue_requests": True}
        )
        rma = self._tour_rma("114-7000005-0000005", "DTOURRMA05")
        self.start_tour(
            f"/odoo/action-amazon_refund_cancel.amazon_rma_action/{rma.id}",
            "amazon_return_to_refund",
            login="amazon_manager_a",
        )
        self.assertEqual(rma.picking_ids.state, "done")
        request = rma.refund_request_ids
        self.assertEqual((request.state, request.requested_by_id), ("queued", self.manager_a))
        self.assertEqual(request.line_ids.amount_principal, 20.0)

    def test_return_to_refund_sent_on_receipt(self):
        """With the company sending the rules' refunds, receiving and validating the return
        sends the refund: at most 4 clicks, which the tour counts."""
        self.company_a.write({"amazon_return_refund_mode": "send", "amazon_queue_requests": True})
        rma = self._tour_rma("114-7000006-0000006", "DTOURRMA06")
        self.start_tour(
            f"/odoo/action-amazon_refund_cancel.amazon_rma_action/{rma.id}",
            "amazon_return_refund_sent",
            login="amazon_user_a",
        )
        self.assertEqual(rma.picking_ids.state, "done")
        request = rma.refund_request_ids
        self.assertEqual((request.state, request.requested_by_id), ("queued", self.user_a))
        self.assertEqual(request.line_ids.amount_principal, 20.0)
        self.assertEqual(
            rma.amazon_outcome, f"Refund of {rma.currency_id.format(request.amount_total)} sent."
        )
