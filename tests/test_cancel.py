from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import AmazonEmulatorCase, feed_payloads, feed_schema


@tagged("post_install", "-at_install")
class TestCancel(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.order = self._shipped_order("131-0000001-0000001", ship=False, invoice=False)
        self.mug = self.order.order_line.filtered(
            lambda line: line.product_id.default_code == "MUG"
        )
        self.tee = self.order.order_line.filtered(
            lambda line: line.product_id.default_code == "TEE"
        )
        self.stock = self.env.ref("stock.stock_location_stock")

    def _cancel(self, order=None, reason="NoInventory", quantities=None, user=None, **options):
        """Cancel Order through the dialog; `quantities` maps a product code to units."""
        order = order or self.order
        env = self.env(user=user) if user else self.env
        with Form(env["amazon.cancel.wizard"].with_context(default_order_id=order.id)) as form:
            form.reason = reason
            for name, value in options.items():
                form[name] = value
            if quantities is not None:
                for index in range(len(form.line_ids)):
                    with form.line_ids.edit(index) as line:
                        line.quantity = quantities.get(line.product_id.default_code, 0)
            wizard = form.save()
        wizard.action_cancel_order()
        return self.env["amazon.order.request"].search(
            [("order_id", "=", order.id)], order="id desc", limit=1
        )

    def _send_and_answer(self, requests):
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.emulator.process_feeds()
        requests.batch_id._follow()

    def _document(self, request):
        return self.emulator.feed_documents[request.batch_id.feed_document_ref]

    def test_whole_order_cancel_is_an_acknowledgement_and_cancels_the_order(self):
        request = self._cancel(reason="BuyerCanceled")
        self.assertEqual(request.feed_type, "POST_ORDER_ACKNOWLEDGEMENT_DATA")
        self.assertTrue(self.order.amazon_shipping_blocked)
        self._send_and_answer(request)
        self.assertEqual(request.state, "done")
        self.assertEqual(self.order.state, "cancel")
        self.assertEqual(set(self.order.picking_ids.mapped("state")), {"cancel"})
        self.assertEqual(self.mug.amazon_quantity_cancelled, 2)
        [payload] = feed_payloads(self._document(request), "OrderAcknowledgement")
        self.assertEqual(payload.findtext("StatusCode"), "Failure")
        self.assertEqual(
            sorted(item.findtext("AmazonOrderItemCode") for item in payload.iter("Item")),
            sorted([self.mug.amazon_order_item_code, self.tee.amazon_order_item_code]),
        )
        self.assertEqual(
            {item.findtext("CancelReason") for item in payload.iter("Item")}, {"BuyerCanceled"}
        )

    def test_one_line_cancel_keeps_the_rest(self):
        request = self._cancel(quantities={"TEE": 1}, reason="ShippingAddressUndeliverable")
        self.assertEqual(request.feed_type, "POST_ORDER_ACKNOWLEDGEMENT_DATA")
        self._send_and_answer(request)
        self.assertEqual(request.state, "done")
        self.assertEqual(self.order.state, "sale")
        self.assertEqual((self.tee.product_uom_qty, self.tee.amazon_quantity_cancelled), (0, 1))
        self.assertEqual(self.mug.product_uom_qty, 2)
        tee_moves = self.order.picking_ids.move_ids.filtered(
            lambda m: m.product_id == self.tee.product_id
        )
        self.assertFalse(
            sum(tee_moves.filtered(lambda m: m.state != "cancel").mapped("product_uom_qty"))
        )

    def test_part_of_a_line_is_an_adjustment_with_quantity_cancelled(self):
        schema = feed_schema(self, "OrderAdjustment")
        request = self._cancel(quantities={"MUG": 1}, reason="BuyerCanceled")
        self.assertEqual(request.feed_type, "POST_PAYMENT_ADJUSTMENT_DATA")
        self.assertEqual(request.reason, "CustomerCancel")
        self._send_and_answer(request)
        self.assertEqual(request.state, "done")
        self.assertEqual((self.mug.product_uom_qty, self.mug.amazon_quantity_cancelled), (1, 1))
        mug_moves = self.order.picking_ids.move_ids.filtered(
            lambda m: m.product_id == self.mug.product_id and m.state != "cancel"
        )
        self.assertEqual(sum(mug_moves.mapped("product_uom_qty")), 1)
        [payload] = feed_payloads(self._document(request), "OrderAdjustment")
        schema.assertValid(payload)
        self.assertEqual(payload.findtext("AdjustedItem/QuantityCancelled"), "1")
        self.assertEqual(payload.findtext("AdjustedItem/AdjustmentReason"), "CustomerCancel")

    def test_part_of_a_line_needs_a_reason_amazon_takes(self):
        with self.assertRefused("No stock or the buyer's request"):
            self._cancel(quantities={"MUG": 1}, reason="GeneralAdjustment")

    def test_acknowledgement_validates_against_amazons_schema(self):
        schema = feed_schema(self, "OrderAcknowledgement")
        request = self._cancel()
        self.env["amazon.feed.batch"]._cron_send_requests()
        for payload in feed_payloads(self._document(request), "OrderAcknowledgement"):
            schema.assertValid(payload)

    def test_no_stock_zeroes_inventory_when_allowed(self):
        self.company_a.amazon_allow_zero_out_inventory = True
        request = self._cancel(quantities={"TEE": 1}, reason="NoInventory")
        tee = self.tee.product_id.with_context(location=self.stock.id)
        self.assertEqual((request.zero_out, tee.qty_available), ("stock", 100), "not while queued")
        self._send_and_answer(request)
        self.assertEqual(request.state, "done")
        self.assertEqual(tee.qty_available, 0)
        self.assertTrue(any("set to 0" in body for body in self.order.message_ids.mapped("body")))

    def test_no_stock_leaves_inventory_without_the_setting(self):
        self._cancel(quantities={"TEE": 1}, reason="NoInventory")
        self.assertEqual(
            self.tee.product_id.with_context(location=self.stock.id).qty_available, 100
        )

    def test_all_bins_zeroes_sub_locations_too(self):
        self.company_a.amazon_allow_zero_out_inventory = True
        shelf = self.env["stock.location"].create({"name": "Shelf 1", "location_id": self.stock.id})
        self.env["stock.quant"]._update_available_quantity(self.tee.product_id, shelf, 7)
        self._send_and_answer(self._cancel(quantities={"TEE": 1}, reason="NoInventory"))
        self.assertEqual(self.tee.product_id.with_context(location=shelf.id).qty_available, 7)
        order = self._shipped_order("131-0000002-0000001", ship=False, invoice=False)
        tee = order.order_line.filtered(lambda line: line.product_id.default_code == "TEE")
        self.env["stock.quant"]._update_available_quantity(tee.product_id, shelf, 5)
        self._send_and_answer(
            self._cancel(order, quantities={"TEE": 1}, reason="NoInventory", zero_out_all_bins=True)
        )
        self.assertEqual(tee.product_id.with_context(location=shelf.id).qty_available, 0)
        self.assertEqual(tee.product_id.with_context(location=self.stock.id).qty_available, 0)

    def test_do_not_send_cancels_in_odoo_only(self):
        self.company_a.amazon_allow_local_cancel = True
        request = self._cancel(do_not_send=True)
        self.assertEqual(request.state, "done")
        self.assertEqual(self.order.state, "cancel")
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.assertFalse(self.emulator.feeds)

    def test_shipped_units_cannot_be_cancelled(self):
        order = self._shipped_order("131-0000003-0000001", invoice=False)
        with self.assertRefused("has shipped: nothing can be cancelled"):
            self._cancel(order, quantities={"MUG": 1})
        with self.assertRefused("has shipped: nothing can be cancelled"):
            order.action_amazon_cancel()
        with self.assertRefused("only 2.0 are not shipped"):
            self._cancel(quantities={"MUG": 3})
        self.assertFalse(self.emulator.feeds)

    def test_pending_cancellation_blocks_shipping(self):
        picking = self.order.picking_ids
        picking.action_assign()
        picking.move_ids[0].quantity = 1
        picking.move_ids[0].picked = True
        request = self._cancel(quantities={"TEE": 1})
        with self.assertRefused("waits for Amazon's answer"):
            picking.button_validate()
        with self.assertRefused("waits for Amazon's answer"):
            picking._action_done()
        self.assertIn(request.name, picking.amazon_shipping_block_reason)
        with self.assertRefused("already cancels this order"):
            self._cancel(quantities={"MUG": 1})

    def test_refusal_lifts_the_block_with_an_activity(self):
        self.emulator.ship(self.order.amazon_order_number, self.mug.amazon_order_item_code)
        request = self._cancel(quantities={"MUG": 2})
        self._send_and_answer(request)
        self.assertEqual(request.state, "error")
        self.assertFalse(self.order.amazon_shipping_blocked)
        self.assertEqual(self.mug.product_uom_qty, 2)
        self.assertIn(request.name, self.order.activity_ids.note)
        self.order.picking_ids.action_assign()
        self.order.picking_ids.move_ids.picked = True
        self.order.picking_ids._action_done()
        self.assertEqual(self.order.picking_ids.state, "done")

    def test_manager_rejection_lifts_the_block(self):
        self.company_a.amazon_queue_requests = True
        request = self._cancel()
        self.assertTrue(self.order.amazon_shipping_blocked)
        request.with_user(self.manager_a).action_reject()
        self.assertFalse(self.order.amazon_shipping_blocked)
        self.assertTrue(self.order.activity_ids)
        self.assertEqual(self.order.state, "sale")

    def test_cancel_from_a_line_starts_with_that_line_and_names_units_order_and_buyer(self):
        order_form = etree.fromstring(
            self.env["sale.order"]
            .with_user(self.user_a)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        (line_button,) = order_form.xpath(
            "//field[@name='order_line']/list/button[@name='action_amazon_cancel']"
        )
        self.assertEqual(line_button.get("invisible"), "not amazon_can_cancel")
        self.assertTrue(self.tee.amazon_can_cancel)
        shipping = self.order.order_line.filtered(lambda line: line._amazon_is_shipping())
        self.assertFalse(shipping.amazon_can_cancel)
        action = self.tee.with_user(self.user_a).action_amazon_cancel()
        env = self.env(user=self.user_a)
        form = Form(env[action["res_model"]].with_context(**action["context"]))
        quantities = {}
        for index in range(len(form.line_ids)):
            with form.line_ids.edit(index) as line:
                quantities[line.product_id.default_code] = line.quantity
        self.assertEqual(quantities, {"MUG": 0, "TEE": 1}, "the line the user came from only")
        form.reason = "NoInventory"
        wizard = form.save()
        wizard_arch = etree.fromstring(
            env["amazon.cancel.wizard"].get_views([(False, "form")])["views"]["form"]["arch"]
        )
        (lines,) = wizard_arch.xpath("//field[@name='line_ids']/list")
        self.assertEqual(lines.get("delete"), "false", "no trash icon beside the quantity")
        self.assertEqual(wizard.action_review()["res_id"], wizard.id)
        self.assertFalse(self.order.amazon_request_ids, "nothing is requested before confirming")
        self.assertEqual(
            wizard.confirmation,
            "Cancel 1 unit of order 131-0000001-0000001 for Amazon Buyer? The buyer is told "
            "and Amazon cannot undo it.",
        )
        wizard.action_cancel_order()
        request = self.order.amazon_request_ids
        self.assertEqual(request.line_ids.order_line_id, self.tee)
        self.assertEqual(request.line_ids.quantity_cancelled, 1)

    def test_odoo_cancel_button_opens_the_dialog(self):
        action = self.order.action_cancel()
        self.assertEqual(action["res_model"], "amazon.cancel.wizard")
        self.assertEqual(self.order.state, "sale")

    def test_bad_orders_are_refused(self):
        plain = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        plain.action_confirm()
        with self.assertRefused("not an Amazon order"):
            plain.action_amazon_cancel()
        self.order.amazon_fulfillment = "amazon"
        with self.assertRefused("only Amazon cancels it"):
            self._cancel()

    def test_rights_and_company_isolation(self):
        clerk = new_test_user(
            self.env,
            login="sales_clerk_cancel",
            name="Sales clerk",
            groups="sales_team.group_sale_salesman",
        )
        with self.assertRaises(AccessError):
            self._cancel(user=clerk)
        request = self._cancel(user=self.user_a)
        self.assertEqual(request.requested_by_id, self.user_a)
        order_b = self._shipped_order(
            "131-0000004-0000001", account=self.account_b, ship=False, invoice=False
        )
        with self.assertRaises(AccessError):
            self._cancel(order_b, user=self.user_a)
