import xmlrpc.client

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..compat import call_kw
from .common import HOSTILE_HTML, AmazonEmulatorCase, assert_shown_as_text


@tagged("post_install", "-at_install")
class TestHostileRpcRoundTwo(AmazonEmulatorCase):
    """Calls as an RPC client makes them: any context, any ids, and an answer XML-RPC carries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager_b = cls._create_user("amazon_manager_b", cls.company_b, "group_amazon_manager")
        company = {"company_id": cls.company_a.id, "company_ids": [Command.set(cls.company_a.ids)]}
        cls.salesman = new_test_user(
            cls.env, "round2_salesman", groups="sales_team.group_sale_salesman", **company
        )
        cls.stock_user = new_test_user(
            cls.env, "round2_stock", groups="stock.group_stock_user", **company
        )
        cls.portal = new_test_user(cls.env, "round2_portal", groups="base.group_portal", **company)
        cls.admin = new_test_user(
            cls.env,
            "round2_admin",
            groups="base.group_system,amazon_refund_cancel.group_amazon_manager",
            **company,
        )
        cls.stock = cls.env.ref("stock.stock_location_stock")

    def _rpc(self, user, model, method, args, context=None):
        """`method` called as Odoo's RPC dispatcher does, its answer marshalled for XML-RPC."""
        result = call_kw(self.env(user=user)[model], method, args, {"context": context or {}})
        # Odoo answers XML-RPC without allow_none: None cannot be marshalled.
        xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
        return result

    # -- 1. context keys ------------------------------------------------------------------------

    def test_context_keys_do_not_cancel_an_amazon_order(self):
        self.company_a.amazon_allow_local_cancel = False
        order = self._shipped_order("131-0000201-0000001", ship=False, invoice=False)
        shortcuts = {"amazon_cancel_done": True, "disable_cancel_warning": True}
        for user in (self.user_a, self.manager_a, self.salesman):
            with self.subTest(who=user.login):
                action = self._rpc(user, "sale.order", "action_cancel", [order.ids], shortcuts)
                self.assertEqual(action["res_model"], "amazon.cancel.wizard")
        other = self._shipped_order("131-0000201-0000002", ship=False, invoice=False)
        with self.assertRaises(UserError):
            self._rpc(self.user_a, "sale.order", "action_cancel", [(order | other).ids], shortcuts)
        self.assertEqual((order.state, other.state), ("sale", "sale"))
        self.assertFalse(order.amazon_request_ids | other.amazon_request_ids)

    def test_writing_the_state_does_not_cancel_an_amazon_order(self):
        order = self._shipped_order("131-0000201-0000003", ship=False, invoice=False)
        for user in (self.user_a, self.manager_a, self.salesman):
            with self.subTest(who=user.login), self.assertRaises(AccessError):
                self._rpc(user, "sale.order", "write", [order.ids, {"state": "cancel"}])
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.amazon_request_ids)

    # -- 2. the cancel dialog -------------------------------------------------------------------

    def _dialog(self, user, order, lines, **values):
        return self._rpc(
            user,
            "amazon.cancel.wizard",
            "create",
            [
                {
                    "order_id": order.id,
                    "reason": "NoInventory",
                    "line_ids": [
                        Command.create(
                            {
                                "order_line_id": line.id,
                                "quantity_unshipped": line.product_uom_qty,
                                "quantity": line.product_uom_qty,
                            }
                        )
                        for line in lines
                    ],
                    **values,
                }
            ],
        )

    def _on_hand(self, product):
        return product.with_context(location=self.stock.id).qty_available

    def test_cancel_dialog_takes_lines_of_its_order_only(self):
        self.company_a.amazon_allow_zero_out_inventory = True
        order = self._shipped_order("131-0000202-0000001", ship=False, invoice=False)
        victim = self._shipped_order("131-0000202-0000002", ship=False, invoice=False)
        victim_line = victim.order_line.filtered(lambda line: line.product_id.default_code)[:1]
        wizard_id = self._dialog(self.user_a, order, victim_line, zero_out_inventory=True)
        with self.assertRaises(AccessError):
            self._rpc(self.user_a, "amazon.cancel.wizard", "action_cancel_order", [[wizard_id]])
        self.assertEqual(
            (victim_line.product_uom_qty, victim_line.amazon_quantity_cancelled), (2, 0)
        )
        self.assertEqual(self._on_hand(victim_line.product_id), 100)
        self.assertFalse(order.amazon_request_ids | victim.amazon_request_ids)

    def test_zero_out_waits_for_the_cancellation_to_apply(self):
        self.company_a.amazon_allow_zero_out_inventory = True
        order = self._shipped_order("131-0000203-0000001", ship=False, invoice=False)
        mug = order.order_line.filtered(lambda line: line.product_id.default_code == "MUG")
        wizard_id = self._dialog(self.user_a, order, mug, zero_out_inventory=True)
        self._rpc(self.user_a, "amazon.cancel.wizard", "action_cancel_order", [[wizard_id]])
        request = order.amazon_request_ids
        self.assertEqual((request.state, request.zero_out), ("queued", "stock"))
        self.assertEqual(self._on_hand(mug.product_id), 100, "queued: the stock stays")
        with self.assertRaises(AccessError):
            request.with_user(self.manager_a).write({"zero_out": "all_bins"})
        # Refused by the queue's manager: never applied, never zeroed.
        request.with_user(self.manager_a).action_reject()
        self.assertEqual(self._on_hand(mug.product_id), 100)

    def test_zero_out_with_a_cancellation_applied_in_odoo_only(self):
        self.company_a.write(
            {"amazon_allow_zero_out_inventory": True, "amazon_allow_local_cancel": True}
        )
        order = self._shipped_order("131-0000204-0000001", ship=False, invoice=False)
        tee = order.order_line.filtered(lambda line: line.product_id.default_code == "TEE")
        wizard_id = self._dialog(self.user_a, order, tee, zero_out_inventory=True, do_not_send=True)
        self._rpc(self.user_a, "amazon.cancel.wizard", "action_cancel_order", [[wizard_id]])
        self.assertEqual(order.amazon_request_ids.state, "done")
        self.assertEqual(self._on_hand(tee.product_id), 0)

    # -- 6, 7. shared configuration ---------------------------------------------------------------

    def test_marketplaces_changed_by_system_admins_only(self):
        marketplace = self.marketplace_us
        euro = self.env.ref("base.EUR")
        for user in (self.manager_a, self.manager_b, self.user_a, self.salesman, self.stock_user):
            for values in ({"active": False}, {"currency_id": euro.id}, {"name": "Forged"}):
                with self.subTest(who=user.login, values=values), self.assertRaises(AccessError):
                    self._rpc(user, "amazon.seller.marketplace", "write", [marketplace.ids, values])
        self.assertTrue(marketplace.active)
        self.assertEqual(self.account_a.marketplace_ids, marketplace)
        self._rpc(
            self.admin, "amazon.seller.marketplace", "write", [marketplace.ids, {"name": "US"}]
        )
        self.assertEqual(marketplace.name, "US")

    def test_quota_buckets_read_by_system_admins_only(self):
        bucket = self.env["amazon.rate.bucket"].create(
            {"endpoint": "https://b.example", "seller_id": "A1SELLERB", "operation": "createFeed"}
        )
        for user in (self.manager_a, self.manager_b, self.user_a, self.salesman, self.portal):
            with self.subTest(who=user.login), self.assertRaises(AccessError):
                self._rpc(user, "amazon.rate.bucket", "search_read", [[], ["seller_id"]])
        rows = self._rpc(self.admin, "amazon.rate.bucket", "search_read", [[], ["seller_id"]])
        self.assertIn(bucket.id, [row["id"] for row in rows])
        # The queue's forecast reads the buckets as the system: managers still see it.
        self.assertTrue(self.account_a.with_user(self.manager_a).queue_forecast)

    # -- 8. answers XML-RPC carries ------------------------------------------------------------

    def test_buttons_answer_values_xmlrpc_carries(self):
        order = self._emulated_order("131-0000205-0000001", shipped=False)
        order.sudo()._amazon_register_buyer_cancellation("Changed my mind")
        self.assertTrue(
            self._rpc(self.user_a, "sale.order", "action_amazon_decline_buyer_cancel", [order.ids])
        )
        for method in ("action_close", "action_cancel"):
            rma = self.env["amazon.rma"].create(
                {
                    "amazon_rma_number": f"DRPC{method.upper()}",
                    "seller_account_id": self.account_a.id,
                    "order_id": order.id,
                }
            )
            with self.subTest(method=method):
                self.assertTrue(self._rpc(self.user_a, "amazon.rma", method, [rma.ids]))
        shipped = self._emulated_order("131-0000205-0000002")
        withdrawn = self._refund_request(shipped, principal=1.0, queue=False)
        self.assertTrue(
            self._rpc(self.user_a, "amazon.order.request", "action_withdraw", [withdrawn.ids])
        )
        rejected = self._refund_request(shipped, principal=1.0)
        retried = self._refund_request(shipped, principal=1.0)
        retried._set_state("sending")
        retried._on_refused("Error", "Refused")
        applied = self._refund_request(shipped, principal=1.0)
        applied._set_state("sending")
        applied._set_state("sent")
        applied._on_in_doubt("FATAL", "Stopped")
        for method, request in (
            ("action_reject", rejected),
            ("action_retry", retried),
            ("action_mark_done", applied),
        ):
            with self.subTest(method=method):
                self.assertTrue(
                    self._rpc(self.manager_a, "amazon.order.request", method, [request.ids])
                )

    # -- 3. text into HTML ----------------------------------------------------------------------

    def test_buyers_reason_shows_as_text_in_the_activity(self):
        order = self._emulated_order("131-0000206-0000001", shipped=False)
        order._amazon_register_buyer_cancellation(HOSTILE_HTML)
        activity_type = self.env.ref("amazon_refund_cancel.mail_activity_buyer_cancel")
        activity = order.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        assert_shown_as_text(self, activity.note)
        assert_shown_as_text(self, order.message_ids[:1].body)
