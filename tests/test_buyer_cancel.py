import io
import re
from datetime import timedelta

from lxml import etree

from odoo import Command, fields
from odoo.tests import Form, tagged
from odoo.tools.misc import format_datetime
from odoo.tools.safe_eval import safe_eval

from .common import AmazonEmulatorCase

REPORT_HEADER = (
    "order-id\torder-item-id\tpurchase-date\tsku\tquantity-purchased\t"
    "is-buyer-requested-cancellation\tbuyer-requested-cancel-reason\n"
)


@tagged("post_install", "-at_install", "amazon_demo")
class TestBuyerCancel(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.order = self._shipped_order("141-0000001-0000001", ship=False, invoice=False)

    def _sync(self, account=None):
        """One scheduled reading: the report is asked for, then read once Amazon has it."""
        account = account or self.account_a
        account._amazon_sync_buyer_cancellations()
        self.emulator.process_reports()
        account._amazon_sync_buyer_cancellations()

    def _buyer_activities(self, order):
        activity_type = self.env.ref("amazon_refund_cancel.mail_activity_buyer_cancel")
        return order.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)

    def _notes(self, order, text):
        return [body for body in order.message_ids.mapped("body") if text in body]

    def test_unshipped_confirmed_order_is_held_until_answered(self):
        self.emulator.request_buyer_cancel(self.order.amazon_order_number, "Ordered by mistake")
        self._sync()
        order = self.order
        self.assertEqual(order.amazon_buyer_cancel_state, "pending")
        self.assertEqual(order.amazon_buyer_cancel_reason, "Ordered by mistake")
        self.assertTrue(order.amazon_on_hold)
        self.assertEqual(
            order.amazon_buyer_cancel_deadline, order.amazon_buyer_cancel_date + timedelta(days=2)
        )
        [activity] = self._buyer_activities(order)
        self.assertEqual(
            activity.date_deadline,
            fields.Datetime.context_timestamp(order, order.amazon_buyer_cancel_deadline).date(),
        )
        self.assertTrue(self._notes(order, "Ordered by mistake"))
        self.assertIn(
            order,
            self.env["sale.order"].search([("amazon_buyer_cancel_state", "=", "pending")]),
        )
        with self.assertRefused("On hold"):
            order.picking_ids.button_validate()

    def test_repeated_readings_change_nothing(self):
        self.emulator.request_buyer_cancel(self.order.amazon_order_number, "Ordered by mistake")
        self._sync()
        self.emulator.advance(180)
        self._sync()
        self._sync()
        self.assertEqual(len(self._buyer_activities(self.order)), 1)
        self.assertEqual(len(self._notes(self.order, "Ordered by mistake")), 1)

    def test_shipped_order_is_flagged_not_held(self):
        order = self._shipped_order("141-0000002-0000001", invoice=False)
        self.emulator.request_buyer_cancel(order.amazon_order_number, "Late delivery")
        self._sync()
        self.assertEqual(order.amazon_buyer_cancel_state, "pending")
        self.assertFalse(order.amazon_on_hold)
        self.assertTrue(self._notes(order, "some of it has shipped"))
        self.assertEqual(len(self._buyer_activities(order)), 1)

    def test_draft_and_cancelled_orders_are_not_held(self):
        draft = self._create_amazon_order(self.account_a, "141-0000003-0000001")
        self.assertEqual(draft.state, "draft")
        cancelled = self._shipped_order("141-0000004-0000001", ship=False, invoice=False)
        cancelled._action_cancel()
        for order in (draft, cancelled):
            order._amazon_register_buyer_cancellation("Changed my mind")
            self.assertEqual(order.amazon_buyer_cancel_state, "pending")
            self.assertFalse(order.amazon_on_hold)
            self.assertTrue(self._notes(order, "not in process"))

    def _dropship_order(self, number, confirm_purchase):
        route = self.env.ref("stock_dropshipping.route_drop_shipping", raise_if_not_found=False)
        if not route:
            self.skipTest("stock_dropshipping is not installed in this database")
        vendor = self.env["res.partner"].create({"name": "Dropship vendor"})
        product = self.env["product.product"].create(
            {
                "name": "Dropshipped chair",
                "default_code": f"CHAIR-{number[-4:]}",
                "is_storable": True,
                "route_ids": [Command.set(route.ids)],
                "seller_ids": [Command.create({"partner_id": vendor.id, "price": 10})],
            }
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "amazon_seller_account_id": self.account_a.id,
                "amazon_order_number": number,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "amazon_order_item_code": f"{number[-7:]}0000001",
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        purchase = order._get_purchase_orders()
        self.assertTrue(purchase)
        if confirm_purchase:
            purchase.button_confirm()
        return order

    def test_dropship_pending_is_held(self):
        order = self._dropship_order("141-0000005-0000001", confirm_purchase=False)
        order._amazon_register_buyer_cancellation("No longer needed")
        self.assertTrue(order.amazon_on_hold)

    def test_dropship_confirmed_is_not_held(self):
        order = self._dropship_order("141-0000006-0000001", confirm_purchase=True)
        order._amazon_register_buyer_cancellation("No longer needed")
        self.assertFalse(order.amazon_on_hold)
        self.assertTrue(self._notes(order, "dropship purchase is confirmed"))

    def test_one_l_spelling(self):
        self.emulator.order_report_cancel_column = "is-buyer-requested-cancelation"
        self.emulator.request_buyer_cancel(self.order.amazon_order_number, "Wrong size")
        self.env["amazon.seller.account"]._cron_sync_buyer_cancellations()
        self.emulator.process_reports()
        # Only the report can have seen it: the Orders API hides the last two minutes.
        self.env["amazon.seller.account"]._cron_sync_buyer_cancellations()
        self.assertTrue(self.order.amazon_on_hold)
        state = self.account_a._amazon_job("buyer_cancellations")
        self.assertIn("buyer requests: 1, new: 1", state.summary)
        self.assertEqual(state.state, "ok")
        self.assertTrue(state.last_success_at)

    def test_report_without_the_column_warns_once_and_the_api_still_finds_it(self):
        self.emulator.order_report_cancel_column = None
        self.emulator.request_buyer_cancel(self.order.amazon_order_number, "Found cheaper")
        self._sync()
        self.assertFalse(self.order.amazon_buyer_cancel_state, "not visible in the report")
        self.emulator.advance(180)
        self._sync()
        self.assertEqual(self.order.amazon_buyer_cancel_state, "pending")
        self.assertEqual(self.order.amazon_buyer_cancel_reason, "Found cheaper")
        warnings = [
            body
            for body in self.account_a.message_ids.mapped("body")
            if "Buyer requested cancel" in body
        ]
        self.assertEqual(len(warnings), 1)

    def test_accept_sends_a_cancellation_with_buyer_canceled(self):
        self.order._amazon_register_buyer_cancellation("Ordered by mistake")
        action = self.order.action_amazon_accept_buyer_cancel()
        self.assertEqual(action["context"]["default_reason"], "BuyerCanceled")
        with Form(self.env["amazon.cancel.wizard"].with_context(**action["context"])) as form:
            self.assertEqual(form.reason, "BuyerCanceled")
            wizard = form.save()
        wizard.action_cancel_order()
        request = self.order.amazon_request_ids
        self.assertEqual(request.reason, "BuyerCanceled")
        self.assertEqual(self.order.amazon_buyer_cancel_state, "accepted")
        self.assertFalse(self._buyer_activities(self.order))
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.emulator.process_feeds()
        request.batch_id._follow()
        self.assertEqual(self.order.state, "cancel")
        [message] = [m for feed in self.emulator.feeds.values() for m in feed.messages]
        self.assertEqual({item["cancel_reason"] for item in message.items}, {"BuyerCanceled"})

    def test_decline_lifts_the_hold(self):
        self.order._amazon_register_buyer_cancellation("Ordered by mistake")
        self.assertTrue(self.order.amazon_shipping_blocked)
        self.order.with_user(self.user_a).action_amazon_decline_buyer_cancel()
        self.assertEqual(self.order.amazon_buyer_cancel_state, "declined")
        self.assertFalse(self.order.amazon_on_hold)
        self.assertFalse(self.order.amazon_shipping_blocked)
        self.assertFalse(self._buyer_activities(self.order))
        picking = self.order.picking_ids
        picking.move_ids.picked = True
        picking._action_done()
        self.assertEqual(picking.state, "done")

    def test_bad_rows_are_reported_and_nothing_wrongly_held(self):
        other = self._shipped_order(
            "141-0000007-0000001", account=self.account_b, ship=False, invoice=False
        )
        rows = [
            f"{self.order.amazon_order_number}\t1\t2026-01-01T00:00:00Z\tMUG\t1\ttrue\tMistake\n",
            f"{self.order.amazon_order_number}\t2\t2026-01-01T00:00:00Z\tTEE\t1\ttrue\tMistake\n",
            f"{other.amazon_order_number}\t3\t2026-01-01T00:00:00Z\tMUG\t1\ttrue\tOther seller\n",
            "141-9999999-0000001\t4\t2026-01-01T00:00:00Z\tMUG\t1\tmaybe\t\n",
            "141-9999999-0000002\t5\t2026-01-01T00:00:00Z\tMUG\t1\tyes\tUnknown order\n",
        ]
        document = io.BytesIO((REPORT_HEADER + "".join(rows)).encode())
        summary = self.account_a._amazon_read_order_report(document)
        self.assertTrue(self.order.amazon_on_hold)
        self.assertEqual(len(self._buyer_activities(self.order)), 1)
        self.assertFalse(other.amazon_buyer_cancel_state, "another account's order is untouched")
        self.assertIn("buyer requests: 3, new: 1, of orders unknown in Odoo: 2", summary)
        self.assertIn("141-9999999-0000002", summary)
        self.assertIn("5: maybe", summary)


@tagged("post_install", "-at_install")
class TestBuyerCancelScreen(AmazonEmulatorCase):
    """An order the buyer asked to cancel offers one next step, and says by when."""

    def _shown(self, order, user):
        """The header buttons `user` sees on `order`, by name or id, primary ones marked."""
        arch = etree.fromstring(
            order.with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]
        )
        shown = {}
        for button in arch.xpath("//header/button"):
            expression = button.get("invisible") or "False"
            names = set(re.findall(r"[a-z_]+", expression)) & set(order._fields)
            values = {}
            for name in names:
                value = order[name]
                if hasattr(value, "_name"):
                    value = value.ids if name.endswith("_ids") else value.id
                values[name] = value
            if not safe_eval(expression, values):
                key = button.get("id") or button.get("name")
                shown[key] = "btn-primary" in (button.get("class") or "")
        return shown

    def test_one_primary_action_and_the_deadline(self):
        order = self._shipped_order("145-0000001-0000001", ship=False, invoice=False)
        self.assertEqual(order.invoice_status, "to invoice")
        shown = self._shown(order, self.user_a)
        self.assertTrue(shown["create_invoice"], "an order not on hold invoices as usual")
        self.assertIn("action_amazon_cancel", shown)
        self.emulator.request_buyer_cancel(order.amazon_order_number, "Ordered by mistake")
        self.account_a._amazon_sync_buyer_cancellations()
        self.emulator.process_reports()
        self.account_a._amazon_sync_buyer_cancellations()
        self.assertTrue(order.amazon_on_hold)
        shown = self._shown(order, self.user_a)
        primary = [key for key, is_primary in shown.items() if is_primary]
        self.assertEqual(primary, ["action_amazon_accept_buyer_cancel"])
        self.assertNotIn("action_amazon_cancel", shown, "Accept is the way to cancel it")
        self.assertNotIn("create_invoice", shown)
        self.assertFalse(shown["create_invoice_on_hold"], "still offered, not the next step")
        self.assertIn("action_amazon_decline_buyer_cancel", shown)
        deadline = format_datetime(self.env, order.amazon_buyer_cancel_deadline, dt_format="short")
        self.assertIn(f"by {deadline}", order.amazon_shipping_block_reason)
        self.assertIn("2 days", order.amazon_shipping_block_reason)
        self.assertEqual(
            order.amazon_buyer_cancel_deadline, order.amazon_buyer_cancel_date + timedelta(days=2)
        )
