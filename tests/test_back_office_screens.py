from datetime import timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from ..compat import domain_or
from .common import AmazonCase, AmazonEmulatorCase
from .common_rma import RmaImportMixin, returns_flat_file

CLOSED_PORT_URL = "http://127.0.0.1:9"


def _arch(model, view_type, user=None, view_id=False):
    model = model.with_user(user) if user else model
    return etree.fromstring(model.get_views([(view_id, view_type)])["views"][view_type]["arch"])


def _shown(nodes):
    """The nodes the user sees: 18.0 leaves out of the view what only debug mode shows, 19.0
    keeps it, always invisible."""
    return [node for node in nodes if node.get("invisible") not in ("1", "True")]


@tagged("post_install", "-at_install")
class TestOrderScreens(AmazonEmulatorCase):
    def test_order_offers_only_the_actions_that_apply(self):
        unshipped = self._shipped_order("141-0000001-0000001", ship=False, invoice=False)
        self.assertTrue(unshipped.amazon_can_cancel)
        self.assertFalse(unshipped.amazon_can_refund)
        self.assertFalse(unshipped.amazon_no_action_reason)
        shipped = self._shipped_order("141-0000002-0000001", invoice=False)
        self.assertTrue(shipped.amazon_can_refund)
        self.assertFalse(shipped.amazon_can_cancel)
        with self.assertRefused("has shipped: nothing can be cancelled"):
            shipped.with_user(self.user_a).action_amazon_cancel()
        empty = self._create_amazon_order(self.account_a, "141-0000003-0000001", lines=(("X", 0),))
        empty.action_confirm()
        self.assertFalse(empty.amazon_can_refund or empty.amazon_can_cancel)
        self.assertEqual(
            empty.amazon_no_action_reason, "This order has no item left to cancel or refund."
        )
        form = _arch(self.env["sale.order"], "form", user=self.user_a)
        (refund,) = form.xpath("//header/button[@name='action_amazon_refund']")
        self.assertEqual(refund.get("invisible"), "not amazon_can_refund")
        (cancel,) = form.xpath("//header/button[@name='action_amazon_cancel']")
        self.assertEqual(
            cancel.get("invisible"),
            "not amazon_can_cancel or amazon_buyer_cancel_state == 'pending'",
        )
        # One cancel button on Amazon orders: Odoo's own hides on them.
        (odoo_cancel,) = form.xpath("//header/button[@name='action_cancel']")
        self.assertIn(
            "(amazon_seller_account_id and state == 'sale')", odoo_cancel.get("invisible")
        )
        self.assertTrue(form.xpath("//field[@name='amazon_no_action_reason']"))

    def test_amazon_orders_list(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_refund_cancel.action_amazon_orders"
        )
        self.assertEqual(safe_eval(action["context"]), {"create": 0})
        arch = _arch(self.env["sale.order"], "list", self.user_a, action["view_id"][0])
        self.assertEqual(arch.get("create"), "false")
        (first,) = arch.xpath("//field[1]")
        self.assertEqual(first.get("name"), "amazon_order_number")
        self.assertIsNone(first.get("optional"), "the Amazon Order ID always shows")
        names = arch.xpath("//field/@name")
        for name in (
            "amazon_seller_marketplace_id",
            "amazon_fulfillment",
            "amazon_on_hold",
            "amazon_buyer_cancel_state",
            "amazon_refund_status",
        ):
            self.assertIn(name, names)

    def test_refund_dialog_states_amount_and_buyer_before_refunding(self):
        order = self._shipped_order("141-0000004-0000001")
        action = order.with_user(self.user_a).action_amazon_refund()
        self.assertEqual(action["context"]["dialog_size"], "extra-large")
        env = self.env(user=self.user_a)
        with Form(env["amazon.refund.wizard"].with_context(**action["context"])) as form:
            form.reason = "CustomerReturn"
            wizard = form.save()
        review = wizard.action_review()
        self.assertEqual(
            (review["res_model"], review["res_id"], review["target"]),
            ("amazon.refund.wizard", wizard.id, "new"),
        )
        self.assertEqual(review["context"]["dialog_size"], "extra-large")
        self.assertEqual(wizard.step, "confirm")
        self.assertEqual(
            wizard.confirmation,
            "Refund $\xa066.00 to Amazon Buyer for order 141-0000004-0000001? Amazon cannot undo "
            "a refund.",
        )
        self.assertFalse(order.amazon_request_ids, "nothing is requested before confirming")
        wizard.action_refund()
        self.assertEqual(order.amazon_request_ids.amount_total, 66.0)

    def test_refund_review_refuses_what_refund_refuses(self):
        order = self._shipped_order("141-0000005-0000001")
        wizard = self.env["amazon.refund.wizard"].create({"order_id": order.id, "reason": False})
        with self.assertRefused("Choose the reason"):
            wizard.action_review()
        self.assertEqual(wizard.step, "edit")

    def test_refund_dialog_columns_say_what_each_number_is(self):
        """Item price + tax - fee kept makes To Refund Now, with the fee column shown and what
        was refunded before in a column of its own."""
        line_fields = self.env["amazon.refund.wizard.line"]._fields
        self.assertEqual(
            [
                line_fields[name].string
                for name in ("amount_left", "amount_refunded", "amount_restocking_fee")
            ],
            ["Refundable", "Already Refunded", "Fee Kept"],
        )
        self.assertEqual(line_fields["amount_total"].string, "To Refund Now")
        arch = _arch(self.env["amazon.refund.wizard"], "form")
        columns = {
            field.get("name"): field for field in arch.xpath("//field[@name='line_ids']//field")
        }
        self.assertEqual(columns["amount_restocking_fee"].get("optional"), "show")
        self.assertNotIn(columns["amount_refunded"].get("optional"), ("hide",))
        order = self._shipped_order("141-0000008-0000001")
        form = Form(self.env["amazon.refund.wizard"].with_context(default_order_id=order.id))
        self.assertEqual(form.reason, "GeneralAdjustment", "a shipped item's refund by default")
        with form.line_ids.edit(1) as tee:
            self.assertEqual(tee.product_id.default_code, "TEE")
            tee.amount_principal, tee.amount_tax, tee.amount_restocking_fee = 15.0, 1.5, 3.0
            tee.amount_shipping = tee.amount_shipping_tax = 0.0
            self.assertAlmostEqual(tee.amount_total, 13.5)
        with form.line_ids.edit(0) as mug:
            for name in (
                "amount_principal",
                "amount_tax",
                "amount_shipping",
                "amount_shipping_tax",
            ):
                mug[name] = 0.0
            mug.quantity = 0
        form.save().action_refund()
        form = Form(self.env["amazon.refund.wizard"].with_context(default_order_id=order.id))
        with form.line_ids.edit(1) as tee:
            self.assertAlmostEqual(tee.amount_refunded, 13.5)
            self.assertAlmostEqual(tee.amount_left, 1.5, msg="its shipping is left to refund")

    def test_refund_reasons_follow_what_happened_to_the_item(self):
        offered = dict(self.env["amazon.refund.wizard"]._fields["reason"].selection)
        self.assertIn("CustomerReturn", offered)
        for never_shipped in ("CouldNotShip", "CustomerCancel"):
            self.assertNotIn(never_shipped, offered, "the dialog refunds shipped items")
        order = self._shipped_order("141-0000009-0000001")
        rma = self.env["amazon.rma"].create(
            {
                "amazon_rma_number": "DSCREENRMA9",
                "seller_account_id": self.account_a.id,
                "order_id": order.id,
            }
        )
        form = Form(
            self.env["amazon.refund.wizard"].with_context(
                default_order_id=order.id, default_rma_id=rma.id
            )
        )
        self.assertEqual(form.reason, "CustomerReturn", "a return is refunded as a return")

    def test_review_of_a_proposal_does_not_count_it_as_pending(self):
        order = self._shipped_order("141-0000010-0000001", lines=(("MUG", 1, 19.99),), shipping=0)
        proposal = self.env["amazon.order.request"]._amazon_new(
            order,
            "refund",
            "CustomerReturn",
            [
                {
                    "order_line_id": order.order_line.id,
                    "quantity": 1,
                    "amount_principal": 19.99,
                    "amount_tax": 2.0,
                    "amount_restocking_fee": 4.0,
                }
            ],
        )
        self.assertEqual(proposal.state, "draft")
        action = proposal.with_user(self.manager_a).action_correct()
        env = self.env(user=self.manager_a)
        form = Form(env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual(form.request_heading, f"Reviewing {proposal.name}")
        with form.line_ids.edit(0) as line:
            self.assertAlmostEqual(line.amount_left, 21.99, msg="all of it is still refundable")
            self.assertAlmostEqual(line.amount_refunded, 0.0)
            self.assertAlmostEqual(line.amount_restocking_fee, 4.0)
            self.assertAlmostEqual(line.amount_total, 17.99)

    def test_refundable_amount_stays_after_the_units_are_refunded(self):
        order = self._shipped_order("141-0000006-0000001")

        def tee_line():
            form = Form(self.env["amazon.refund.wizard"].with_context(default_order_id=order.id))
            for index in range(len(form.line_ids)):
                line = form.line_ids.edit(index)
                if line.product_id.default_code == "TEE":
                    values = (line.quantity_left, line.amount_left)
                    line.__exit__(None, None, None)
                    return values
            raise AssertionError("no TEE line")

        _units, before = tee_line()
        with Form(self.env["amazon.refund.wizard"].with_context(default_order_id=order.id)) as form:
            form.reason = "CustomerReturn"
            for index in range(len(form.line_ids)):
                with form.line_ids.edit(index) as line:
                    is_tee = line.product_id.default_code == "TEE"
                    for name in (
                        "amount_principal",
                        "amount_shipping",
                        "amount_tax",
                        "amount_shipping_tax",
                    ):
                        line[name] = 0.0
                    line.quantity = 1 if is_tee else 0
                    if is_tee:
                        line.amount_principal = 5.0
            form.save().action_refund()
        units, after = tee_line()
        self.assertEqual(units, 0.0, "its one unit is refunded")
        self.assertAlmostEqual(after, before - 5.0, msg="money is still refundable")
        self.assertGreater(after, 0.0)

    def test_cancel_dialog_follows_the_zero_out_setting(self):
        order = self._shipped_order("141-0000007-0000001", ship=False, invoice=False)
        arch = _arch(self.env["amazon.cancel.wizard"], "form")
        (all_bins,) = arch.xpath("//field[@name='zero_out_all_bins']")
        self.assertEqual(all_bins.get("invisible"), "not allow_zero_out")
        (button,) = arch.xpath("//footer/button[@name='action_cancel_order']")
        self.assertEqual(button.get("invisible"), "step != 'confirm'", "once confirmed")
        self.company_a.amazon_allow_zero_out_inventory = False
        wizard = (
            self.env["amazon.cancel.wizard"]
            .with_context(default_order_id=order.id)
            .create({"order_id": order.id, "reason": "ShippingAddressUndeliverable"})
        )
        wizard.zero_out_all_bins = True
        with self.assertRefused("Zeroing out inventory on cancellation is off"):
            wizard.action_cancel_order()
        self.assertFalse(order.amazon_request_ids)

    def test_cancel_dialog_of_a_shipped_order_says_so_up_front(self):
        order = self._shipped_order("141-0000008-0000001", invoice=False)
        form = Form(self.env["amazon.cancel.wizard"].with_context(default_order_id=order.id))
        self.assertFalse(form.has_unshipped_lines)
        arch = _arch(self.env["amazon.cancel.wizard"], "form")
        (alert,) = arch.xpath("//div[hasclass('alert')][@invisible='has_unshipped_lines']")
        self.assertIn("nothing can be cancelled", "".join(alert.itertext()))

    def test_credit_note_only_for_what_amazon_accepted(self):
        order = self._shipped_order("141-0000009-0000001")
        cancellation_order = self._shipped_order("141-0000010-0000001", ship=False, invoice=False)
        with Form(
            self.env["amazon.cancel.wizard"].with_context(default_order_id=cancellation_order.id)
        ) as form:
            form.reason = "ShippingAddressUndeliverable"
            form.save().action_cancel_order()
        cancellation = cancellation_order.amazon_request_ids
        self.assertEqual(cancellation.amount_refund, 0.0, "a cancellation moves no money")
        arch = _arch(self.env["amazon.order.request"], "list")
        (amount,) = arch.xpath("//field[@name='amount_refund']")
        self.assertEqual(amount.get("invisible"), "request_type != 'refund' or not amount_refund")
        self.company_a.amazon_allow_over_refund = True
        with Form(self.env["amazon.refund.wizard"].with_context(default_order_id=order.id)) as form:
            form.reason = "CustomerReturn"
            with form.line_ids.edit(0) as line:
                line.amount_principal = 500.0
            refund = form.save()
        refund.action_refund()
        request = order.amazon_request_ids
        self.assertFalse(request.credit_note_id)
        self.assertEqual(request.amount_refund, request.amount_total, "money on its way")
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.emulator.process_feeds()
        request.batch_id._follow()
        self.assertEqual(request.state, "error")
        self.assertFalse(request.credit_note_id)
        self.assertFalse(order.invoice_ids.filtered(lambda move: move.move_type == "out_refund"))
        self.assertEqual(request.amount_refund, 0.0)


@tagged("post_install", "-at_install")
class TestQueueScreens(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.company_a.amazon_queue_requests = True

    def _batch(self, count=1):
        orders = [self._emulated_order(f"142-{index:07d}-0000001") for index in range(1, count + 1)]
        requests = self.env["amazon.order.request"]
        for order in orders:
            order.action_confirm()
            requests |= self._refund_request(order)
        return requests, self.env["amazon.feed.batch"]._batch_requests(requests)

    def _triggers(self, xmlid):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.env.ref(xmlid).id)])

    def test_process_says_requests_and_batches_in_proper_plurals(self):
        order = self._emulated_order("142-0000101-0000001")
        order.action_confirm()
        one = self._refund_request(order)
        message = one.with_user(self.manager_a).action_process()["params"]["message"]
        self.assertTrue(message.startswith(f"1 refund in batch {one.batch_id.name}: "), message)
        second = self._emulated_order("142-0000102-0000001")
        third = self._emulated_order("142-0000103-0000001")
        (second | third).action_confirm()
        two = self._refund_request(second) | self._refund_request(third)
        message = two.with_user(self.manager_a).action_process()["params"]["message"]
        self.assertTrue(message.startswith(f"2 refunds in batch {two.batch_id.name}: "), message)
        self.assertNotIn("(s)", message)
        # Amazon's API words are not the user's.
        self.assertIn("being sent to Amazon", message)
        for word in ("feed", "createFeed", "quota"):
            self.assertNotIn(word, message)

    def test_queue_list_reads_at_1440_px_with_the_cause_of_errors(self):
        arch = _arch(self.env["amazon.order.request"], "list", self.manager_a)
        shown = [
            field.get("name")
            for field in arch.xpath("/list/field")
            if field.get("optional") != "hide" and field.get("column_invisible") != "True"
        ]
        self.assertLessEqual(len(shown), 8, shown)
        (order_id,) = arch.xpath("//field[@name='amazon_order_number']")
        self.assertIsNone(order_id.get("optional"), "the Amazon Order ID always shows")
        self.assertTrue(order_id.get("width"), "and is never cut")
        self.assertIn("problem", shown)
        buttons = arch.xpath("//header/button/@name")
        self.assertIn("action_process", buttons)
        self.assertNotIn("action_process_refunds", buttons, "one Process for every type")
        order = self._emulated_order("142-0000104-0000001")
        order.action_confirm()
        request = self._refund_request(order)
        request._on_refused("AmazonRefused", "The refund is more than the buyer paid.")
        self.assertEqual(request.problem, "The refund is more than the buyer paid.")
        self.assertEqual(request._fields["problem"].string, "Cause")

    def test_processed_requests_stay_in_the_default_view(self):
        order = self._emulated_order("142-0000105-0000001")
        order.action_confirm()
        request = self._refund_request(order)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_refund_cancel.amazon_order_request_action"
        )
        defaults = [
            key.removeprefix("search_default_")
            for key, value in safe_eval(action["context"]).items()
            if key.startswith("search_default_") and value
        ]
        search = _arch(self.env["amazon.order.request"], "search", self.manager_a)
        eval_context = {
            "context_today": fields.Date.today,
            "relativedelta": relativedelta,
            "uid": self.manager_a.id,
        }
        domain = domain_or(
            safe_eval(search.xpath(f"//filter[@name='{name}']")[0].get("domain"), eval_context)
            for name in defaults
        )
        Request = self.env["amazon.order.request"]

        def listed():
            return request in Request.search(domain)

        self.assertTrue(listed(), "queued")
        request.with_user(self.manager_a).action_process()
        self.assertTrue(listed(), "just processed")
        request._set_sent(self.manager_a)
        self.assertTrue(listed(), "at Amazon")
        request._on_applied()
        self.assertTrue(listed(), "done this week")

    def test_send_now_and_check_status_queue_the_work_for_the_cron(self):
        _requests, batch = self._batch()
        batch.sudo().next_attempt_at = fields.Datetime.now() + timedelta(hours=1)
        with self.assertRaises(AccessError):
            batch.with_user(self.user_a).action_send_now()
        with self.assertRefused("Check Status applies to batches Sent to Amazon only"):
            batch.with_user(self.manager_a).action_check_status()
        senders = self._triggers("amazon_refund_cancel.ir_cron_amazon_send_requests")
        action = batch.with_user(self.manager_a).action_send_now()
        self.assertEqual(action["tag"], "display_notification")
        self.assertFalse(batch.next_attempt_at, "due at once")
        self.assertEqual(batch.state, "draft", "nothing is sent in the user's transaction")
        self.assertFalse(self.emulator.feeds)
        self.assertGreater(
            self._triggers("amazon_refund_cancel.ir_cron_amazon_send_requests"), senders
        )
        batch._send()
        self.assertEqual(batch.state, "submitted")
        self.assertEqual(batch.feed_status, "IN_QUEUE")
        labels = dict(batch._fields["feed_status"]._description_selection(self.env))
        self.assertEqual(labels[batch.feed_status], "Waiting at Amazon")
        with self.assertRefused("Send Now applies to batches To Send, Document Uploaded only"):
            batch.with_user(self.manager_a).action_send_now()
        followers = self._triggers("amazon_refund_cancel.ir_cron_amazon_follow_batches")
        batch.with_user(self.manager_a).action_check_status()
        self.assertFalse(batch.next_attempt_at)
        self.assertGreater(
            self._triggers("amazon_refund_cancel.ir_cron_amazon_follow_batches"), followers
        )
        arch = _arch(self.env["amazon.feed.batch"], "form", user=self.manager_a)
        self.assertTrue(arch.xpath("//header/button[@name='action_send_now']"))
        self.assertTrue(arch.xpath("//header/button[@name='action_check_status']"))
        self.assertFalse(
            _arch(self.env["amazon.feed.batch"], "form", user=self.user_a).xpath(
                "//header/button[@name='action_send_now']"
            )
        )

    def test_a_batch_that_cannot_connect_shows_as_retrying(self):
        requests, batch = self._batch()
        self.account_a.custom_api_url = CLOSED_PORT_URL
        batch._send()
        self.assertEqual(batch.state, "draft")
        self.assertEqual(batch.attempt_count, 1)
        self.assertEqual(
            batch.last_error, f"Cannot reach {CLOSED_PORT_URL}: check the SP-API address"
        )
        self.assertEqual(requests.state, "sending")
        self.assertEqual(requests.batch_attempt_count, 1)
        search = _arch(self.env["amazon.order.request"], "search", user=self.user_a)
        (needs_attention,) = search.xpath("//filter[@name='needs_attention']")
        domain = safe_eval(needs_attention.get("domain"))
        Request = self.env["amazon.order.request"].with_user(self.user_a)
        self.assertEqual(
            Request.search([*domain, ("seller_account_id", "=", self.account_a.id)]), requests
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_refund_cancel.amazon_order_request_action"
        )
        self.assertEqual(safe_eval(action["context"]).get("search_default_needs_attention"), 1)
        self.assertNotIn("process", action["help"].lower())
        self.assertEqual(self.account_a.batch_retrying_count, 1)
        self.assertEqual(
            self.env["amazon.feed.batch"].search(
                self.account_a.action_view_batches()["domain"]
                + [("attempt_count", ">", 0), ("state", "!=", "failed")]
            ),
            batch,
        )
        self.assertFalse(batch.next_attempt_late)
        batch.sudo().next_attempt_at = fields.Datetime.now() - timedelta(hours=1)
        batch.invalidate_recordset(["next_attempt_late"])
        self.assertTrue(batch.next_attempt_late, "the scheduled action did not run")
        batch_list = _arch(self.env["amazon.feed.batch"], "list")
        self.assertIn("attempt_count", batch_list.get("decoration-warning"))

    def test_seller_account_shows_its_queue_and_errors(self):
        requests, _batch = self._batch()
        order = self._emulated_order("142-0000201-0000001")
        order.action_confirm()
        queued = self._refund_request(order)
        self.assertEqual(self.account_a.request_queue_count, 1)
        self.assertEqual(
            self.env["amazon.order.request"].search(self.account_a.action_view_queue()["domain"]),
            queued,
        )
        requests._on_refused("Error", "Refused")
        self.account_a.invalidate_recordset(["request_error_count"])
        self.assertEqual(self.account_a.request_error_count, 1)
        form = _arch(self.env["amazon.seller.account"], "form", user=self.manager_a)
        buttons = form.xpath("//div[@name='button_box']/button/@name")
        for name in ("action_view_queue", "action_view_errors", "action_view_batches"):
            self.assertIn(name, buttons)


@tagged("post_install", "-at_install")
class TestWordsAndMenus(AmazonCase):
    def test_labels(self):
        self.assertEqual(
            self.env["amazon.rma"]._fields["amazon_rma_number"].string, "Amazon RMA ID"
        )
        for model in ("amazon.order.request", "amazon.feed.batch", "amazon.rma"):
            self.assertEqual(self.env[model]._fields["state"].string, "Status", model)
        self.assertEqual(
            self.env["res.company"]._fields["amazon_allow_over_refund"].string,
            "Allow refunds above what the buyer paid",
        )
        settings = etree.tostring(_arch(self.env["res.config.settings"], "form"), encoding=str)
        self.assertRegex(settings, r'name="amazon_stuck_feed_minutes"[^>]*/>\s*minutes')

    def test_menus(self):
        self.assertEqual(
            self.env.ref("amazon_refund_cancel.menu_amazon_seller_account").parent_id,
            self.env.ref("amazon_refund_cancel.menu_amazon_configuration"),
        )
        self.assertEqual(self.env.ref("amazon_refund_cancel.menu_amazon_rma").name, "All RMAs")
        report = self.env.ref("amazon_refund_cancel.menu_amazon_report")
        self.assertEqual(report.parent_id, self.env.ref("sale.menu_sale_report"))
        self.assertEqual(len(report.child_id), 7)

    def test_import_dialog_preselects_the_only_seller_account(self):
        Wizard = self.env["amazon.rma.import.wizard"].with_company(self.company_b)
        self.assertEqual(Form(Wizard).seller_account_id, self.account_b)
        self._create_account(self.company_b, "A1SELLERB2", self.marketplace_us)
        self.assertFalse(Form(Wizard).seller_account_id, "two accounts: the user chooses")
        OrderImport = self.env["amazon.order.import.wizard"].with_company(self.company_b)
        self.assertFalse(
            Form(OrderImport).seller_account_id, "no account of company B imports orders"
        )
        self.account_b.order_import = True
        self.assertEqual(Form(OrderImport).seller_account_id, self.account_b)

    def test_import_result_reloads_the_screen_behind_it(self):
        arch = _arch(self.env["amazon.rma.import"], "form")
        (close,) = arch.xpath("//footer/button")
        reload_action = self.env.ref("amazon_refund_cancel.action_amazon_soft_reload")
        self.assertEqual(close.get("name"), str(reload_action.id))
        self.assertEqual(reload_action.tag, "soft_reload")


@tagged("post_install", "-at_install")
class TestOneWordPerThing(AmazonEmulatorCase):
    """Words, not Amazon's codes, and one name for one thing across dialogs, lists and reports."""

    def _cancel(self, order, reason, quantities=None):
        with Form(self.env["amazon.cancel.wizard"].with_context(default_order_id=order.id)) as form:
            form.reason = reason
            if quantities is not None:
                for index in range(len(form.line_ids)):
                    with form.line_ids.edit(index) as line:
                        line.quantity = quantities.get(line.product_id.default_code, 0)
        form.record.action_cancel_order()
        return self.env["amazon.order.request"].search(
            [("order_id", "=", order.id)], order="id desc", limit=1
        )

    def test_buyers_request_is_one_reason_in_queue_and_reports(self):
        whole = self._cancel(
            self._shipped_order("144-0000001-0000001", ship=False, invoice=False), "BuyerCanceled"
        )
        partial = self._cancel(
            self._shipped_order("144-0000002-0000001", ship=False, invoice=False),
            "BuyerCanceled",
            {"MUG": 1},
        )
        # Amazon spells it BuyerCanceled in a cancellation, CustomerCancel in an adjustment.
        self.assertEqual((whole.reason, partial.reason), ("BuyerCanceled", "CustomerCancel"))
        requests = whole | partial
        Request = self.env["amazon.order.request"].with_user(self.user_a)
        labels = dict(Request.fields_get(["reason_shown"])["reason_shown"]["selection"])
        shown = {labels[request.reason_shown] for request in requests}
        self.assertEqual(shown, {"Buyer's request"})
        self.assertNotIn("Customer cancelled", labels.values())
        self.assertEqual(list(labels.values()).count("Buyer's request"), 1)
        groups = Request._read_group([("id", "in", requests.ids)], ["reason_shown"], ["__count"])
        self.assertEqual(groups, [("BuyerCanceled", 2)], "one row in the reports")
        lines = self.env["amazon.order.request.line"].with_user(self.user_a)
        groups = lines._read_group([("request_id", "in", requests.ids)], ["reason_shown"])
        self.assertEqual(groups, [("BuyerCanceled",)])
        # The queue shows the reason; Amazon's code is a technical column only.
        queue = _arch(Request, "list", self.user_a)
        self.assertTrue(queue.xpath("//field[@name='reason_shown']"))
        self.assertFalse(_shown(queue.xpath("//field[@name='reason']")))
        view = self.env.ref("amazon_refund_cancel.amazon_order_request_view_list")
        (code,) = etree.fromstring(view.arch).xpath("//field[@name='reason']")
        self.assertEqual(code.get("groups"), "base.group_no_one")
        self.assertEqual(Request._fields["reason_shown"].string, "Reason")

    def test_amazons_resolution_in_words(self):
        Rma = self.env["amazon.rma"]
        for code, label in (
            ("StandardRefund", "Refund after the return"),
            ("ReturnlessRefund", "Refund without return"),
            ("SomeNewResolution", "Some new resolution"),
        ):
            self.assertEqual(Rma.new({"amazon_resolution": code}).amazon_resolution_label, label)
        form = _arch(Rma, "form", self.user_a)
        self.assertTrue(form.xpath("//field[@name='amazon_resolution_label']"))
        self.assertFalse(
            _shown(form.xpath("//field[@name='amazon_resolution']")), "the code is technical"
        )
        view = etree.fromstring(self.env.ref("amazon_refund_cancel.amazon_rma_view_form").arch)
        (code,) = view.xpath("//field[@name='amazon_resolution']")
        self.assertEqual(code.get("groups"), "base.group_no_one")

    def test_buttons_and_the_reason_field_say_the_same_words(self):
        order_form = _arch(self.env["sale.order"], "form", self.user_a)
        (refund,) = order_form.xpath("//header/button[@name='action_amazon_refund']")
        (cancel,) = order_form.xpath("//header/button[@name='action_amazon_cancel']")
        self.assertEqual((refund.get("string"), cancel.get("string")), ("Refund", "Cancel Items"))
        refund_dialog = _arch(self.env["amazon.refund.wizard"], "form", self.user_a)
        (review,) = refund_dialog.xpath("//footer/button[@name='action_review']")
        self.assertEqual(review.get("string"), "Refund")
        cancel_dialog = _arch(self.env["amazon.cancel.wizard"], "form", self.user_a)
        (review,) = cancel_dialog.xpath("//footer/button[@name='action_review']")
        (confirm,) = cancel_dialog.xpath("//footer/button[@name='action_cancel_order']")
        self.assertEqual(
            (review.get("string"), confirm.get("string")), ("Cancel Items", "Confirm Cancellation")
        )
        for model in ("amazon.refund.wizard", "amazon.cancel.wizard", "amazon.order.request"):
            field = "reason_shown" if model == "amazon.order.request" else "reason"
            self.assertEqual(self.env[model]._fields[field].string, "Reason", model)


@tagged("post_install", "-at_install")
class TestReporting(RmaImportMixin, AmazonEmulatorCase):
    def test_reporting_views(self):
        Request = self.env["amazon.order.request"].with_user(self.user_a)
        views = Request.get_views([(False, "kanban"), (False, "pivot"), (False, "graph")])["views"]
        kanban = etree.fromstring(views["kanban"]["arch"])
        self.assertEqual(kanban.get("default_group_by"), "state")
        pivot = etree.fromstring(views["pivot"]["arch"])
        self.assertEqual(pivot.xpath("//field[@type='row']/@name"), ["reason_shown"])
        self.assertIn("amount_refund", pivot.xpath("//field[@type='measure']/@name"))
        for model in ("amazon.order.request.line", "amazon.rma.line", "amazon.rma"):
            self.env[model].with_user(self.user_a).get_views([(False, "pivot"), (False, "graph")])

    def test_refunds_and_cancellations_reported_apart(self):
        refunds = self.env.ref("amazon_refund_cancel.amazon_order_request_report_action")
        cancellations = self.env.ref(
            "amazon_refund_cancel.amazon_order_request_cancel_report_action"
        )
        self.assertEqual(safe_eval(refunds.domain), [("request_type", "=", "refund")])
        self.assertEqual(safe_eval(cancellations.domain), [("request_type", "=", "cancellation")])
        menus = self.env.ref("amazon_refund_cancel.menu_amazon_report").child_id
        self.assertEqual(
            {menu.action.name for menu in menus} & {"Refunds", "Cancellations"},
            {"Refunds", "Cancellations"},
        )
        Request = self.env["amazon.order.request"].with_user(self.user_a)
        for action, measure in ((refunds, "amount_refund"), (cancellations, "amount_total")):
            (graph,) = action.view_ids.filtered(lambda v: v.view_mode == "graph").view_id
            arch = _arch(Request, "graph", view_id=graph.id)
            self.assertEqual(arch.xpath("//field[@type='measure']/@name"), [measure])
            self.assertNotIn("request_type", arch.xpath("//field/@name"), "never summed")
        (graph,) = cancellations.view_ids.filtered(lambda v: v.view_mode == "graph").view_id
        (measure,) = _arch(Request, "graph", view_id=graph.id).xpath("//field[@type='measure']")
        self.assertEqual(measure.get("string"), "Value Cancelled")
        refused = self.env.ref("amazon_refund_cancel.amazon_order_request_refused_action")
        self.assertIs(safe_eval(refused.context)["graph_stacked"], False)
        # Both amounts say what they count.
        amounts = Request.fields_get(["amount_refund", "amount_total"])
        self.assertEqual(amounts["amount_refund"]["string"], "Refunded to Buyer")
        self.assertIn("Amazon refused", amounts["amount_total"]["help"])
        self.assertIn("Amount Requested", refunds.help)

    def test_refund_delay_in_days(self):
        action = self.env.ref("amazon_refund_cancel.amazon_rma_refund_delay_action")
        (view,) = action.view_ids.filtered(lambda v: v.view_mode == "list").view_id
        arch = _arch(self.env["amazon.rma"], "list", self.user_a, view.id)
        (days,) = arch.xpath("//field[@name='refund_delay_days']")
        self.assertEqual(days.get("avg"), "Average")
        self.assertEqual(
            self.env["amazon.rma"]._fields["refund_delay_days"].string, "Days to Refund"
        )

    def test_refunds_by_product_reason_and_return_rate(self):
        order = self._emulated_order("143-0000001-0000001", quantity=4)
        order.action_confirm()
        self._import(
            returns_flat_file({"Order ID": order.amazon_order_number, "Amazon RMA ID": "RATE01"})
        )
        rma = order.amazon_rma_ids
        rma.sudo().amazon_delivery_date = fields.Date.today() - timedelta(days=3)
        request = self._refund_request(order, principal=20.0)
        request.sudo().amazon_rma_id = rma
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.emulator.process_feeds()
        request.batch_id._follow()
        self.assertEqual(request.state, "done")
        self.assertTrue(request.done_at)
        self.assertEqual(rma.refunded_at, request.done_at)
        self.assertEqual(rma.refund_delay_days, 3)
        (group,) = (
            self.env["amazon.order.request.line"]
            .with_user(self.user_a)
            ._read_group(
                [("request_id", "=", request.id)],
                ["product_id", "reason", "seller_account_id"],
                ["amount_total:sum"],
            )
        )
        self.assertEqual(group, (self.product, "CustomerReturn", self.account_a, 20.0))
        Report = self.env["amazon.return.rate.report"].with_user(self.user_a)
        (rate,) = Report.search([("product_id", "=", self.product.id)])
        self.assertEqual((rate.quantity_sold, rate.quantity_returned), (4.0, 1.0))
        self.assertEqual(rate.return_rate, 25.0)

    def test_return_rate_rights(self):
        order_b = self._emulated_order("143-0000002-0000001", account=self.account_b)
        order_b.action_confirm()
        Report = self.env["amazon.return.rate.report"]
        self.assertTrue(Report.search([("seller_account_id", "=", self.account_b.id)]))
        self.assertFalse(
            Report.with_user(self.user_a).search([("seller_account_id", "=", self.account_b.id)]),
            "another company's sales stay hidden",
        )
        clerk = new_test_user(
            self.env,
            login="sales_clerk_return_rate",
            name="Sales clerk",
            groups="sales_team.group_sale_salesman",
        )
        with self.assertRaises(AccessError):
            Report.with_user(clerk).search([])
        self._emulated_order("143-0000003-0000001").action_confirm()
        for user in (self.user_a, self.manager_a):
            rows = Report.with_user(user).search([])
            self.assertTrue(rows)
            with self.assertRaises(AccessError):
                rows.write({"quantity_sold": 1})
            with self.assertRaises(AccessError):
                Report.with_user(user).create({"quantity_sold": 1})
            with self.assertRaises(AccessError):
                rows.unlink()
