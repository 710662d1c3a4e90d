from datetime import timedelta
from decimal import Decimal

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import AmazonEmulatorCase
from .common_rma import RmaImportMixin, receive, returns_flat_file

# One MUG of two (20.00 each, 10 % tax) and its share of the 5.00 shipping: 3.64 + 0.36 tax for
# the two MUGs, half of it for one.
MUG_PRINCIPAL, MUG_TAX, MUG_SHIPPING, MUG_SHIPPING_TAX = 20.0, 2.0, 1.82, 0.18


class ReturnRefundCase(RmaImportMixin, AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        # The condition each RMA's items are found in when received.
        self.found_in = {}

    def _reasons(self, *codes):
        reasons = self.env["amazon.return.reason"]._amazon_resolve(codes)
        return [Command.set([reasons[code].id for code in codes])]

    def _conditions(self, *codes):
        conditions = self.env["amazon.return.condition"].search([("code", "in", codes)])
        return [Command.set(conditions.ids)]

    def _rule(self, name, **values):
        return self.env["amazon.return.refund.rule"].create(
            {"name": name, "company_id": self.company_a.id, **values}
        )

    def _returned(self, number, items, days=5, account=None):
        """A shipped and invoiced order, and its RMA of `items`: (sku, units, reason code,
        in policy, condition found at receipt), requested `days` after the delivery."""
        order = self._shipped_order(number, account=account)
        lines = {line.product_id.default_code: line for line in order.order_line}
        rma = self.env["amazon.rma"].create(
            {
                "amazon_rma_number": f"D{number.replace('-', '')}",
                "seller_account_id": order.amazon_seller_account_id.id,
                "order_id": order.id,
                "request_date": fields.Date.today() + timedelta(days=days),
                "return_reason": ", ".join(item[2] for item in items),
                "line_ids": [
                    Command.create(
                        {
                            "sequence": sequence,
                            "product_id": lines[sku].product_id.id,
                            "order_line_id": lines[sku].id,
                            "quantity": units,
                            "sold_quantity": units,
                            "reason": reason,
                            "in_policy": in_policy,
                        }
                    )
                    for sequence, (sku, units, reason, in_policy, _condition) in enumerate(
                        items, start=1
                    )
                ],
            }
        )
        self.found_in[rma] = [item[4] for item in items]
        return rma

    def _receive(self, rma):
        """Receive the items in the conditions they are found in through the dialog, then
        validate the returns in stock, as the warehouse does. A condition False: the return
        made without recording it, as Receive made returns before conditions were recorded."""
        conditions = self.found_in.get(rma) or ["sellable"] * len(rma.line_ids)
        if all(conditions):
            receive(rma, conditions)
        else:
            rma._create_returns(rma.line_ids)
        for picking in rma.picking_ids:
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            picking.button_validate()
        self.assertEqual(rma.state, "received")
        return rma.refund_request_ids

    def _line(self, request, sku):
        return request.line_ids.filtered(lambda line: line.product_id.default_code == sku)


@tagged("post_install", "-at_install")
class TestReturnRefundRules(ReturnRefundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.amazon_return_refund_mode = "send"

    def test_restocking_fee_on_an_opened_item_returned_by_choice(self):
        rule = self._rule(
            "Opened: 10 % fee",
            reason_category="buyer_remorse",
            condition_ids=self._conditions("opened"),
            restocking_fee_percent=10,
        )
        rma = self._returned(
            "161-0000001-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "opened")]
        )
        request = self._receive(rma)
        self.assertEqual(request.state, "queued")
        self.assertEqual(request.refund_rule_ids, rule)
        line = self._line(request, "MUG")
        self.assertEqual(
            (line.quantity, line.amount_principal, line.amount_tax, line.amount_restocking_fee),
            (1, MUG_PRINCIPAL, MUG_TAX, 2.0),
        )
        self.assertEqual(line.amount_shipping, 0.0)
        self.assertAlmostEqual(request.amount_total, 20.0)
        self.assertIn("Opened: 10 % fee", request.refund_rule_note)
        self.assertIn("No longer needed", request.refund_rule_note)
        self.assertEqual(rma.return_reason_label, "No longer needed")
        self.assertEqual(rma.line_ids.reason_id.name, "No longer needed")
        self.assertEqual(rma.line_ids.reason, "CR-UNWANTED_ITEM", "the code stays available")

    def test_shipping_refunded_for_seller_fault_only(self):
        self._rule("Buyer's remorse", reason_category="buyer_remorse")
        self._rule("Seller fault", reason_category="seller_fault", refund_shipping=True)
        rma = self._returned(
            "161-0000002-0000001",
            [
                ("MUG", 1, "CR-DEFECTIVE", True, "sellable"),
                ("TEE", 1, "CR-UNWANTED_ITEM", True, "sellable"),
            ],
        )
        request = self._receive(rma)
        mug, tee = self._line(request, "MUG"), self._line(request, "TEE")
        self.assertEqual(
            (mug.amount_principal, mug.amount_tax, mug.amount_shipping, mug.amount_shipping_tax),
            (MUG_PRINCIPAL, MUG_TAX, MUG_SHIPPING, MUG_SHIPPING_TAX),
        )
        self.assertEqual(
            (tee.amount_principal, tee.amount_tax, tee.amount_shipping, tee.amount_shipping_tax),
            (15.0, 1.5, 0.0, 0.0),
        )
        self.assertEqual(rma.return_reason_label, "Defective or does not work, No longer needed")

    def test_late_return_carries_a_fee_an_early_one_not(self):
        self._rule("Changed mind", reason_category="buyer_remorse")
        late = self._rule(
            "Late return", reason_category="buyer_remorse", min_days=31, restocking_fee_percent=15
        )
        late_rma = self._returned(
            "161-0000003-0000001", [("MUG", 1, "CR-FOUND_BETTER_PRICE", False, "sellable")], days=45
        )
        request = self._receive(late_rma)
        self.assertEqual(request.refund_rule_ids, late)
        self.assertEqual(self._line(request, "MUG").amount_restocking_fee, 3.0)
        self.assertIn("returned 45 days after delivery", request.refund_rule_note)
        early_rma = self._returned(
            "161-0000004-0000001", [("MUG", 1, "CR-FOUND_BETTER_PRICE", True, "sellable")], days=10
        )
        request = self._receive(early_rma)
        self.assertEqual(request.refund_rule_ids.name, "Changed mind")
        self.assertEqual(self._line(request, "MUG").amount_restocking_fee, 0.0)

    def test_fees_amazon_does_not_allow_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "caps restocking fees at 20 %"):
            self._rule(
                "Too much",
                reason_category="buyer_remorse",
                condition_ids=self._conditions("opened"),
                restocking_fee_percent=25,
            )
        with self.assertRaisesRegex(ValidationError, "when the seller is at fault"):
            self._rule(
                "Defective fee",
                reason_ids=self._reasons("CR-DEFECTIVE"),
                condition_ids=self._conditions("opened"),
                restocking_fee_percent=10,
            )
        with self.assertRaisesRegex(ValidationError, "when the seller is at fault"):
            self._rule(
                "Any reason fee",
                condition_ids=self._conditions("opened"),
                restocking_fee_percent=10,
            )
        with self.assertRaisesRegex(ValidationError, "only on returns out of policy"):
            self._rule(
                "In original condition",
                reason_category="buyer_remorse",
                condition_ids=self._conditions("sellable"),
                restocking_fee_percent=10,
            )
        rule = self._rule(
            "Allowed",
            reason_category="buyer_remorse",
            policy="out_of_policy",
            restocking_fee_percent=20,
        )
        with self.assertRaisesRegex(ValidationError, "20 %"), Form(rule) as form:
            form.restocking_fee_percent = 20.5

    def test_overlapping_rules_the_most_specific_wins(self):
        self._rule("Any return", sequence=1)
        self._rule("Buyer's remorse", reason_category="buyer_remorse", sequence=2)
        unwanted = self._rule("Unwanted", reason_ids=self._reasons("UNWANTED_ITEM"), sequence=3)
        first = self._rule(
            "Unwanted in policy A",
            reason_ids=self._reasons("CR-UNWANTED_ITEM"),
            policy="in_policy",
            sequence=4,
        )
        self._rule(
            "Unwanted in policy B",
            reason_ids=self._reasons("CR-UNWANTED_ITEM"),
            policy="in_policy",
            sequence=5,
        )
        rma = self._returned(
            "161-0000005-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "sellable")]
        )
        request = self._receive(rma)
        self.assertEqual(request.refund_rule_ids, first, "most specific, then first in sequence")
        self.assertIn("Chosen over Unwanted in policy B, Unwanted", request.refund_rule_note)
        out_of_policy = self._returned(
            "161-0000006-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", False, "sellable")]
        )
        self.assertEqual(self._receive(out_of_policy).refund_rule_ids, unwanted)
        account_rule = self._rule(
            "This account",
            seller_account_id=self.account_a.id,
            reason_ids=self._reasons("CR-UNWANTED_ITEM"),
            policy="in_policy",
        )
        rma = self._returned(
            "161-0000007-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "sellable")]
        )
        self.assertEqual(self._receive(rma).refund_rule_ids, account_rule)

    def test_propose_waits_for_review_and_the_reviewer_may_change_it(self):
        self.company_a.amazon_return_refund_mode = "propose"
        self._rule("Any return", refund_shipping=True)
        rma = self._returned(
            "161-0000008-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "sellable")]
        )
        request = self._receive(rma)
        self.assertEqual(request.state, "draft")
        self.assertFalse(request.credit_note_id, "no credit note before Amazon accepts")
        self.assertIn(
            request,
            self.env["amazon.order.request"].search(
                [("state", "=", "draft"), ("refund_rule_ids", "!=", False)]
            ),
            "listed under Proposed, to Review",
        )
        self.assertTrue(
            request.order_id.activity_ids.filtered(
                lambda a: a.summary == "Refund proposal to review"
            )
        )
        with self.assertRaises(AccessError):
            request.with_user(self.user_a).action_correct()
        action = request.with_user(self.manager_a).action_correct()
        self.assertIn("Review Refund", action["name"])
        Wizard = self.env(user=self.manager_a)[action["res_model"]]
        with Form(Wizard.with_context(**action["context"])) as form:
            self.assertEqual(form.request_id, request)
            self.assertIn("Any return", form.refund_rule_note)
            self.assertEqual(form.refund_rule_ids[:], request.refund_rule_ids)
            with form.line_ids.edit(0) as line:
                self.assertEqual(line.amount_principal, MUG_PRINCIPAL)
                self.assertEqual(line.amount_shipping, MUG_SHIPPING)
                line.amount_shipping = 0.0
                line.amount_shipping_tax = 0.0
            wizard = form.save()
        wizard.action_refund()
        self.assertEqual(request.state, "queued")
        self.assertEqual(rma.refund_request_ids, request, "the proposal, not a new request")
        self.assertEqual(request.line_ids.amount_shipping, 0.0)
        self.assertAlmostEqual(request.amount_total, 22.0)

    def test_account_chooses_over_the_company(self):
        self.company_a.amazon_return_refund_mode = "nothing"
        self._rule("Any return")
        rma = self._returned(
            "161-0000009-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "sellable")]
        )
        self.assertFalse(self._receive(rma), "nothing: today's behaviour")
        self.account_a.return_refund_mode = "send"
        rma = self._returned(
            "161-0000010-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "sellable")]
        )
        request = self._receive(rma)
        self.assertEqual((request.state, request.send_immediately), ("queued", True))

    def test_condition_not_recorded_is_proposed_not_sent(self):
        self._rule("Any return")
        opened = self._rule(
            "Opened",
            reason_category="buyer_remorse",
            condition_ids=self._conditions("opened"),
            restocking_fee_percent=10,
        )
        rma = self._returned("161-0000011-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, False)])
        request = self._receive(rma)
        self.assertEqual(request.state, "draft")
        self.assertNotIn(opened, request.refund_rule_ids)
        self.assertEqual(self._line(request, "MUG").amount_restocking_fee, 0.0)
        self.assertIn("the condition is not recorded", request.refund_rule_note)
        self.assertIn("Not sent, to review", request.refund_rule_note)

    def test_no_rule_is_proposed_not_sent(self):
        rma = self._returned(
            "161-0000012-0000001", [("MUG", 1, "CR-SOMETHING_NEW", True, "sellable")]
        )
        request = self._receive(rma)
        self.assertEqual(request.state, "draft")
        self.assertIn("No refund rule applies", request.refund_rule_note)
        self.assertEqual(rma.return_reason_label, "Something new", "labelled from its code")
        self.assertTrue(rma.line_ids.reason_id.to_review)

    def test_already_refunded_by_amazon_is_not_sent(self):
        self._rule("Any return")
        rma = self._returned(
            "161-0000013-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "sellable")]
        )
        rma.amazon_refunded_amount = 22.0
        self.assertFalse(self._receive(rma))
        self.assertIn("Amazon refunded the buyer itself", rma.message_ids[:1].body)
        # Queued first, then Amazon's report shows the refund: the sender does not send it.
        rma = self._returned(
            "161-0000014-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "sellable")]
        )
        request = self._receive(rma)
        self.assertEqual(request.state, "queued")
        rma.write({"returnless": True, "amazon_resolution": "ReturnlessRefund"})
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.assertEqual(request.state, "error")
        self.assertIn("Amazon already refunded $\xa022.00", request.result_message)
        self.assertIn("this refund was not sent", request.result_message)
        self.assertFalse(self.emulator.feeds, "nothing reached Amazon")
        self.assertFalse(request.credit_note_id, "no credit note of a refund never applied")
        # A proposal reviewed after Amazon refunded: refused, then withdrawn.
        self.company_a.amazon_return_refund_mode = "propose"
        rma = self._returned(
            "161-0000015-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "sellable")]
        )
        request = self._receive(rma)
        rma.amazon_refunded_amount = 22.0
        action = request.action_correct()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"])).save()
        with self.assertRaisesRegex(
            UserError, r"is not sent: Amazon refunded the buyer itself: \$\s22\.00"
        ):
            wizard.action_refund()
        request.action_withdraw()
        self.assertEqual(request.state, "withdrawn")

    def test_returns_report_refund_seen_on_import_means_no_refund(self):
        self._rule("Any return")
        order = self._shipped_order("161-0000018-0000001")
        self._import(
            returns_flat_file(
                {
                    "Order ID": order.amazon_order_number,
                    "Amazon RMA ID": "DIMPORTED18",
                    "Merchant SKU": "MUG",
                    "Return Reason": "AMZ-PG-APP-TOO-SMALL",
                    "Resolution": "StandardRefund",
                    "Refunded Amount": "22.00",
                }
            )
        )
        rma = order.amazon_rma_ids
        self.assertEqual(
            (rma.amazon_resolution, rma.amazon_refunded_amount), ("StandardRefund", 22.0)
        )
        self.assertEqual(rma.return_reason_label, "Too small (apparel)")
        self.assertEqual(rma.line_ids.reason, "AMZ-PG-APP-TOO-SMALL")
        self.assertFalse(self._receive(rma))
        self.assertIn("Amazon refunded the buyer itself: $&nbsp;22.00", rma.message_ids[:1].body)

    def test_proposal_refused_once_amazon_refunded_itself(self):
        self.company_a.amazon_return_refund_mode = "propose"
        self._rule("Any return")
        rma = self._returned(
            "161-0000017-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "sellable")]
        )
        proposal = self._receive(rma)
        self.assertEqual(proposal.state, "draft")
        # Amazon's transactions show it refunded the buyer itself (A-to-z guarantee).
        order_line = rma.line_ids.order_line_id
        ledger = self.env["amazon.item.ledger"]._for_lines(order_line)[order_line]
        refund, outcome = self.env["amazon.order.request"]._amazon_record_amazon_refund(
            ledger,
            "finances",
            {
                "kind": "atoz",
                "ref": "GUARANTEE-1",
                "quantity": 1,
                "amounts": {"amount_principal": 5.0},
            },
            "Amazon's transactions",
        )
        self.assertEqual(outcome, "new")
        self.assertEqual(refund.request_id.amazon_rma_id, rma)
        action = proposal.action_correct()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"])).save()
        with self.assertRaisesRegex(
            UserError, r"is not sent: Amazon refunded the buyer itself: \$\s5\.00"
        ):
            wizard.action_refund()
        self.assertEqual(proposal.state, "draft")

    def test_companies_keep_their_rules(self):
        self.company_b.amazon_return_refund_mode = "send"
        self._rule("A: any return", refund_shipping=True)
        rule_b = self.env["amazon.return.refund.rule"].create(
            {"name": "B: any return", "company_id": self.company_b.id}
        )
        with self.assertRaises(UserError):
            self._rule("Wrong account", seller_account_id=self.account_b.id)
        rma = self._returned(
            "161-0000016-0000001",
            [("MUG", 1, "CR-UNWANTED_ITEM", True, "sellable")],
            account=self.account_b,
        )
        request = self._receive(rma.with_company(self.company_b))
        self.assertEqual(request.refund_rule_ids, rule_b)
        self.assertEqual(self._line(request, "MUG").amount_shipping, 0.0)
        manager_b = self._create_user("amazon_manager_b", self.company_b, "group_amazon_manager")
        self.assertEqual(
            self.env["amazon.return.refund.rule"].with_user(manager_b).search([]), rule_b
        )


@tagged("post_install", "-at_install")
class TestReturnRefundRulesRpc(ReturnRefundCase):
    """Every group tries, as over RPC, to change rules, proposals and the account's choice."""

    def test_rules_and_proposals_refused_over_rpc(self):
        company = {
            "company_id": self.company_a.id,
            "company_ids": [Command.set(self.company_a.ids)],
        }
        internal = new_test_user(self.env, "rules_internal", **company)
        salesman = new_test_user(
            self.env, "rules_salesman", groups="sales_team.group_sale_salesman", **company
        )
        user_b = self._create_user("rules_user_b", self.company_b, "group_amazon_user")
        manager_b = self._create_user("rules_manager_b", self.company_b, "group_amazon_manager")
        admin = new_test_user(
            self.env,
            "rules_admin",
            groups="base.group_system,amazon_refund_cancel.group_amazon_manager",
            **company,
        )
        rule = self._rule("Any return")
        self.company_a.amazon_return_refund_mode = "propose"
        rma = self._returned(
            "162-0000001-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "sellable")]
        )
        request = self._receive(rma)
        attempts = {
            "create a rule": lambda env: env["amazon.return.refund.rule"].create(
                {"name": "Mine", "company_id": self.company_a.id}
            ),
            "refund shipping by a rule": lambda env: rule.with_env(env).write(
                {"refund_shipping": True}
            ),
            "write a proposal's rules": lambda env: request.with_env(env).write(
                {"refund_rule_ids": [Command.clear()], "refund_rule_note": "forged"}
            ),
            "raise a proposal's amount": lambda env: request.line_ids.with_env(env).write(
                {"amount_principal": 500.0}
            ),
            "send a proposal": lambda env: request.with_env(env).write({"state": "queued"}),
            "write what Amazon refunded": lambda env: rma.with_env(env).write(
                {"amazon_refunded_amount": 0.0, "returnless": False}
            ),
            "change the account's choice": lambda env: self.account_a.with_env(env).write(
                {"return_refund_mode": "send"}
            ),
        }
        groups = {
            "internal user": (internal, set()),
            "Sales user": (salesman, set()),
            "Amazon User A": (self.user_a, set()),
            "Amazon User B": (user_b, set()),
            "Amazon Manager B": (manager_b, set()),
            "Amazon Manager A": (
                self.manager_a,
                {"create a rule", "refund shipping by a rule", "change the account's choice"},
            ),
            "system admin": (
                admin,
                {"create a rule", "refund shipping by a rule", "change the account's choice"},
            ),
        }
        for who, (user, allowed) in groups.items():
            env = self.env(user=user)
            for attempt, call in attempts.items():
                with self.subTest(who=who, attempt=attempt):
                    if attempt in allowed:
                        call(env)
                        env.flush_all()
                    else:
                        with self.assertRaises(AccessError):
                            call(env)
                            env.flush_all()
        self.assertEqual(request.state, "draft")
        self.assertEqual(request.refund_rule_ids, rule)
        self.assertEqual(request.line_ids.amount_principal, MUG_PRINCIPAL)
        self.assertNotEqual(request.refund_rule_note, "forged")
        with self.assertRaisesRegex(ValidationError, "caps restocking fees"):
            rule.with_user(self.manager_a).write(
                {
                    "reason_category": "buyer_remorse",
                    "policy": "out_of_policy",
                    "restocking_fee_percent": 30,
                }
            )


@tagged("post_install", "-at_install")
class TestReturnRefundScenario(ReturnRefundCase):
    def test_return_received_refund_sent_accepted_credit_note(self):
        """Return received → refund sent by the rules → Amazon accepts → credit note posted."""
        self.account_a.return_refund_mode = "send"
        self._rule(
            "Opened: 10 % fee",
            reason_category="buyer_remorse",
            condition_ids=self._conditions("opened"),
            restocking_fee_percent=10,
        )
        rma = self._returned(
            "163-0000001-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "opened")]
        )
        invoice = rma.order_id.invoice_ids
        request = self._receive(rma)
        self.assertEqual((request.state, request.send_immediately), ("queued", True))
        self.assertFalse(self.emulator.feeds, "nothing is sent in the user's transaction")
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.assertEqual(request.state, "sent")
        self.emulator.process_feeds()
        request.batch_id._follow()
        self.assertEqual(request.state, "done")
        self.assertEqual(rma.state, "refunded")
        credit_note = request.credit_note_id
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertAlmostEqual(credit_note.amount_untaxed, 18.0)
        mug = rma.order_id.order_line.filtered(lambda line: line.product_id.default_code == "MUG")
        refunded = (
            self.emulator.orders[rma.order_id.amazon_order_number]
            .items[mug.amazon_order_item_code]
            .refunded
        )
        self.assertEqual(
            refunded,
            {
                "Principal": Decimal("20.00"),
                "Tax": Decimal("2.00"),
                "RestockingFee": Decimal("-2.00"),
            },
        )
