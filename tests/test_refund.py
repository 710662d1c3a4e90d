from decimal import Decimal

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import AmazonEmulatorCase, feed_payloads, feed_schema


@tagged("post_install", "-at_install")
class TestRefund(AmazonEmulatorCase):
    def _wizard(self, order, user=None, **context):
        env = self.env(user=user) if user else self.env
        return Form(env["amazon.refund.wizard"].with_context(default_order_id=order.id, **context))

    def _refund(self, order, reason="CustomerReturn", edit=None, user=None):
        """Issue Refund through the dialog; `edit` maps a product code to amounts to set, and
        lines not named are cleared."""
        with self._wizard(order, user=user) as form:
            form.reason = reason
            if edit is not None:
                for index in range(len(form.line_ids)):
                    with form.line_ids.edit(index) as line:
                        amounts = edit.get(line.product_id.default_code, {})
                        for field in (
                            "amount_principal",
                            "amount_shipping",
                            "amount_tax",
                            "amount_shipping_tax",
                            "amount_gift_wrap",
                            "amount_gift_wrap_tax",
                            "amount_restocking_fee",
                        ):
                            line[field] = amounts.get(field, 0.0)
                        line.quantity = amounts.get("quantity", 0.0)
            wizard = form.save()
        wizard.action_refund()
        return order.amazon_request_ids.sorted("id")[-1:]

    def _requests(self, order):
        return self.env["amazon.order.request"].search([("order_id", "=", order.id)])

    def _send_and_answer(self, requests):
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.emulator.process_feeds()
        requests.batch_id._follow()

    def _sent_items(self, order):
        return [
            item
            for feed in self.emulator.feeds.values()
            for message in feed.messages
            if message.amazon_order_id == order.amazon_order_number
            for item in message.items
        ]

    def test_dialog_is_prefilled_with_what_is_refundable(self):
        order = self._shipped_order("121-0000001-0000001")
        form = self._wizard(order)
        self.assertEqual(len(form.line_ids), 2, "one line per shipped item, not the shipping")
        mug = form.line_ids.edit(0)
        self.assertEqual(mug.amount_principal, 40.0)
        self.assertEqual(mug.amount_tax, 4.0)
        self.assertEqual(mug.amount_shipping, 3.64)
        self.assertEqual(mug.amount_shipping_tax, 0.36)
        self.assertEqual(mug.quantity, 2)
        mug.__exit__(None, None, None)
        self.assertAlmostEqual(form.amount_total, 66.0)

    def test_full_refund_posts_a_credit_note_reconciled_with_the_invoice(self):
        order = self._shipped_order("121-0000002-0000001")
        invoice = order.invoice_ids
        request = self._refund(order)
        self.assertEqual(request.state, "queued")
        self.assertAlmostEqual(request.amount_total, 66.0)
        self.assertFalse(request.credit_note_id, "nothing is booked before Amazon accepts")
        self.assertAlmostEqual(order.amazon_refund_pending_amount, 66.0)
        self._send_and_answer(request)
        self.assertEqual(request.state, "done")
        credit_note = request.credit_note_id
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertIn(credit_note, order.invoice_ids)
        self.assertAlmostEqual(credit_note.amount_total, 66.0)
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertAlmostEqual(order.amazon_refunded_amount, 66.0)
        items = self._sent_items(order)
        self.assertEqual(len(items), 2)
        self.assertEqual(
            items[0]["amounts"],
            {
                "Principal": Decimal("40.00"),
                "Shipping": Decimal("3.64"),
                "Tax": Decimal("4.00"),
                "ShippingTax": Decimal("0.36"),
            },
        )
        self.assertEqual(items[0]["reason"], "CustomerReturn")
        self.assertEqual(
            items[0]["merchant_adjustment_item_id"],
            request.line_ids[0].merchant_adjustment_item_ref,
        )

    def test_one_line_partial_amount(self):
        order = self._shipped_order("121-0000003-0000001")
        request = self._refund(
            order,
            reason="PriceError",
            edit={"TEE": {"amount_principal": 5.0, "amount_tax": 0.5}},
        )
        self.assertEqual(len(request.line_ids), 1)
        self.assertAlmostEqual(request.amount_total, 5.5)
        self._send_and_answer(request)
        self.assertEqual(request.state, "done")
        tee = order.order_line.filtered(lambda line: line.product_id.default_code == "TEE")
        refunded = (
            self.emulator.orders[order.amazon_order_number]
            .items[tee.amazon_order_item_code]
            .refunded
        )
        self.assertEqual(refunded, {"Principal": Decimal("5.00"), "Tax": Decimal("0.50")})

    def test_shipping_only_and_restocking_fee(self):
        order = self._shipped_order("121-0000004-0000001")
        shipping = self._refund(
            order, reason="GeneralAdjustment", edit={"MUG": {"amount_shipping": 3.64}}
        )
        self.assertAlmostEqual(shipping.amount_total, 3.64)
        restocking = self._refund(
            order,
            edit={"TEE": {"amount_principal": 15.0, "amount_restocking_fee": 3.0, "quantity": 1}},
        )
        self.assertAlmostEqual(restocking.amount_total, 12.0)
        self._send_and_answer(shipping | restocking)
        self.assertEqual((shipping | restocking).mapped("state"), ["done", "done"])
        self.assertAlmostEqual(restocking.credit_note_id.amount_untaxed, 12.0)
        fee_item = self._sent_items(order)[-1]
        self.assertEqual(fee_item["amounts"]["RestockingFee"], Decimal("-3.00"))

    def test_over_refund_refused_unless_allowed(self):
        order = self._shipped_order("121-0000005-0000001")
        with self.assertRefused("more than the"):
            self._refund(order, edit={"TEE": {"amount_principal": 16.0}})
        self.assertFalse(self._requests(order))
        self.company_a.amazon_allow_over_refund = True
        request = self._refund(order, edit={"TEE": {"amount_principal": 16.0}})
        self._send_and_answer(request)
        self.assertEqual(request.state, "error", "Amazon refuses what the buyer never paid")
        self.assertFalse(request.credit_note_id, "a refused refund leaves no credit note")
        self.assertFalse(
            self.env["account.move"]
            .search([("invoice_origin", "=", order.name)])
            .filtered(lambda move: move.move_type == "out_refund")
        )
        self.assertEqual(request.amount_refund, 0.0, "no money moved")
        self.assertEqual(order.amazon_refund_status, "refused")
        self.assertTrue(order.activity_ids)

    def test_a_second_refund_of_the_same_line_is_refused(self):
        order = self._shipped_order("121-0000006-0000001")
        first = self._wizard(order)
        first.reason = "CustomerReturn"
        first_wizard = first.save()
        second = self._wizard(order)
        second.reason = "CustomerReturn"
        second_wizard = second.save()
        first_wizard.action_refund()
        with self.assertRefused("left to refund"):
            second_wizard.action_refund()
        self.assertEqual(len(self._requests(order)), 1)

    def test_refund_is_checked_again_before_sending(self):
        self.company_a.amazon_queue_requests = True
        order = self._shipped_order("121-0000007-0000001")
        request = self._refund(order, edit={"TEE": {"amount_principal": 15.0}})
        # Someone refunded the same amount in Odoo's data meanwhile (e.g. an import).
        self.env["amazon.order.request"].create(
            {
                "request_type": "refund",
                "order_id": order.id,
                "seller_account_id": self.account_a.id,
                "reason": "Other",
                "state": "done",
                "line_ids": [
                    Command.create(
                        {
                            "order_line_id": request.line_ids.order_line_id.id,
                            "amount_principal": 15.0,
                        }
                    )
                ],
            }
        )
        batches = self.env["amazon.feed.batch"]._batch_requests(request)
        batches._send()
        self.assertEqual(request.state, "error")
        self.assertIn("left to refund", request.result_message)
        self.assertFalse(self._sent_items(order))

    def test_unshipped_order_offers_the_cancel_dialog(self):
        order = self._shipped_order("121-0000008-0000001", ship=False, invoice=False)
        form = self._wizard(order)
        self.assertFalse(form.has_shipped_lines)
        self.assertFalse(form.line_ids)
        action = form.save().action_open_cancel()
        self.assertEqual(action["res_model"], "amazon.cancel.wizard")

    def test_bad_amounts_are_refused(self):
        order = self._shipped_order("121-0000009-0000001")
        with self.assertRefused("negative"):
            self._refund(order, edit={"TEE": {"amount_principal": -1.0}})
        with self.assertRefused("more than 2 decimals"):
            self._refund(order, edit={"TEE": {"amount_principal": 1.005}})
        with self.assertRefused("shipped units are left"):
            self._refund(order, edit={"TEE": {"amount_principal": 1.0, "quantity": 2}})
        with self.assertRefused("Enter an amount"):
            self._refund(order, edit={})
        self.assertFalse(self._requests(order))

    def test_cancelled_and_non_amazon_orders_cannot_be_refunded(self):
        order = self._shipped_order("121-0000010-0000001", ship=False, invoice=False)
        order._action_cancel()
        with self.assertRefused("not a confirmed order"):
            order.action_amazon_refund()
        plain = self.env["sale.order"].create({"partner_id": self.customer.id})
        with self.assertRefused("not an Amazon order"):
            plain.action_amazon_refund()

    def test_feed_validates_against_amazons_schema(self):
        schema = feed_schema(self, "OrderAdjustment")
        order = self._shipped_order("121-0000011-0000001")
        request = self._refund(order)
        self.env["amazon.feed.batch"]._cron_send_requests()
        document = self.emulator.feed_documents[request.batch_id.feed_document_ref]
        for message in feed_payloads(document, "OrderAdjustment"):
            schema.assertValid(message)

    def test_euro_order(self):
        self.env.ref("base.EUR").active = True
        euro = self.env["product.pricelist"].create(
            {"name": "Amazon.de", "currency_id": self.env.ref("base.EUR").id}
        )
        account = self._create_account(self.company_a, "A1SELLEREU", self.marketplace_de)
        self._emulate_account(account)
        order = self._shipped_order("302-0000001-0000001", account=account, pricelist=euro)
        self.assertEqual(order.currency_id.name, "EUR")
        request = self._refund(order, edit={"MUG": {"amount_principal": 12.5}})
        self._send_and_answer(request)
        self.assertEqual(request.state, "done")
        self.assertEqual(request.credit_note_id.currency_id.name, "EUR")
        document = self.emulator.feed_documents[request.batch_id.feed_document_ref]
        self.assertIn(b'currency="EUR"', document)

    def test_rights_and_company_isolation(self):
        order = self._shipped_order("121-0000012-0000001")
        clerk = new_test_user(
            self.env,
            login="sales_clerk",
            name="Sales clerk",
            groups="sales_team.group_sale_salesman",
        )
        with self.assertRaises(AccessError):
            self._refund(order, user=clerk)
        request = self._refund(order, user=self.user_a)
        self.assertEqual(request.requested_by_id, self.user_a)
        order_b = self._shipped_order("121-0000013-0000001", account=self.account_b, invoice=False)
        with self.assertRaises(AccessError):
            self._refund(order_b, user=self.user_a)

    def test_partly_shipped_line_refunds_only_what_amazon_charged(self):
        """Amazon charges an item when it ships: of 2 x 10.00 with 4.00 shipping, one shipped
        unit leaves its price, tax and half the shipping to refund."""
        order = self._shipped_order(
            "121-0000020-0000001", lines=(("MUG", 2, 10.0),), shipping=4.0, ship=False
        )
        picking = order.picking_ids
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking._action_done()
        self.assertEqual(order.order_line[0].qty_delivered, 1)
        form = self._wizard(order)
        line = form.line_ids.edit(0)
        self.assertEqual(
            (line.quantity, line.amount_principal, line.amount_tax),
            (1, 10.0, 1.0),
        )
        self.assertEqual((line.amount_shipping, line.amount_shipping_tax), (2.0, 0.2))
        line.__exit__(None, None, None)
        with self.assertRefused(r"Item price \$\s20\.00 is more than the \$\s10\.00 left"):
            self._refund(order, edit={"MUG": {"amount_principal": 20.0, "quantity": 1}})
        with self.assertRefused(r"Shipping \$\s4\.00 is more than the \$\s2\.00 left"):
            self._refund(order, edit={"MUG": {"amount_shipping": 4.0, "quantity": 1}})
        request = self._refund(order, edit={"MUG": {"amount_principal": 10.0, "quantity": 1}})
        self.assertEqual(request.amount_total, 10.0)

    def test_a_refund_more_than_paid_offers_correct_first_with_the_amounts(self):
        order = self._shipped_order("121-0000022-0000001")
        self.company_a.amazon_allow_over_refund = True
        over = self._refund(order, edit={"MUG": {"amount_principal": 500.0, "quantity": 1}})
        self._send_and_answer(over)
        self.assertEqual(over.state, "error")
        self.assertTrue(over.needs_correction, "retrying would fail again")
        self.assertEqual(
            over.correction_note,
            "Requested $\xa0500.00, but $\xa048.00 is left to refund on these items: retrying "
            "fails again. Correct the amounts.",
        )
        arch = etree.fromstring(
            self.env["amazon.order.request"].get_views([(False, "form")])["views"]["form"]["arch"]
        )
        primary = {
            button.get("string"): button.get("invisible")
            for button in arch.xpath("//header/button[contains(@class, 'btn-primary')]")
        }
        self.assertEqual(primary["Correct"], "not needs_correction")
        self.assertIn("needs_correction", primary["Retry"])
        # A refund that failed for another cause is retried as it is.
        fine = self._refund_request(order, principal=5.0)
        fine._set_sending(
            self.env["amazon.feed.batch"].create(
                {"seller_account_id": self.account_a.id, "feed_type": fine.feed_type}
            )
        )
        fine._set_sent(self.env.user)
        fine._on_refused("AmazonRefused", "Amazon is busy.")
        self.assertEqual(fine.state, "error")
        self.assertFalse(fine.needs_correction)

    def test_a_refund_in_error_is_corrected_through_the_dialog(self):
        order = self._shipped_order("121-0000021-0000001")
        self.company_a.amazon_allow_over_refund = True
        request = self._refund(order, edit={"MUG": {"amount_principal": 500.0, "quantity": 1}})
        self._send_and_answer(request)
        self.assertEqual(request.state, "error")
        self.company_a.amazon_allow_over_refund = False
        with self.assertRaises(AccessError):
            request.with_user(self.user_a).action_correct()
        action = request.with_user(self.manager_a).action_correct()
        Wizard = self.env(user=self.manager_a)[action["res_model"]]
        with Form(Wizard.with_context(**action["context"])) as form:
            self.assertEqual(form.request_id, request)
            self.assertEqual(form.request_heading, f"Correcting {request.name}")
            self.assertEqual(form.reason, "CustomerReturn")
            with form.line_ids.edit(0) as line:
                self.assertEqual(line.amount_principal, 500.0)
                line.amount_principal = 600.0
            wizard = form.save()
        with self.assertRefused("more than the"):
            wizard.action_refund()
        with Form(wizard) as form, form.line_ids.edit(0) as line:
            line.amount_principal = 12.0
        wizard.action_refund()
        self.assertEqual(self._requests(order), request, "corrected, not a new request")
        self.assertEqual((request.state, request.line_ids.amount_principal), ("queued", 12.0))
        self._send_and_answer(request)
        self.assertEqual(request.state, "done")
        self.assertEqual(request.credit_note_id.amount_untaxed, 12.0)
