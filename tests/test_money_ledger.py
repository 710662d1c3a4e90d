import base64
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from ..models.amazon_item_ledger import AmazonItemLedger
from .common import AmazonEmulatorCase
from .common_rma import RmaImportMixin, receive, returns_flat_file


@tagged("post_install", "-at_install")
class TestMoneyLedger(RmaImportMixin, AmazonEmulatorCase):
    """One ledger per Amazon order item decides what is refundable, whoever asks and however."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = {"company_id": cls.company_a.id, "company_ids": [Command.set(cls.company_a.ids)]}
        cls.salesman = new_test_user(
            cls.env, "ledger_salesman", groups="sales_team.group_sale_salesman", **company
        )
        cls.manager_no_invoicing = cls.manager_a
        cls.manager_invoicing = new_test_user(
            cls.env,
            "ledger_manager_invoicing",
            groups="amazon_refund_cancel.group_amazon_manager,account.group_account_invoice",
            **company,
        )

    def _ledger(self, line):
        return self.env["amazon.item.ledger"]._for_lines(line)[line]

    def _dialog(self, order, user=None, **context):
        env = self.env(user=user) if user else self.env
        return Form(env["amazon.refund.wizard"].with_context(default_order_id=order.id, **context))

    def _send(self):
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.emulator.process_feeds()
        self.env["amazon.feed.batch"].search([])._follow()

    # -- the six ways money leaked ---------------------------------------------------------------

    def test_an_edited_unit_price_does_not_raise_what_is_refundable(self):
        order = self._shipped_order("221-0000001-0000001", lines=(("MUG", 1, 10.0),), shipping=0)
        line = order.order_line
        # Odoo lets a salesperson change the price of a confirmed line.
        line.with_user(self.user_a).write({"price_unit": 1000.0})
        self.assertEqual(self._ledger(line).charged_principal, 10.0, "charged as confirmed")
        with self._dialog(order, user=self.user_a) as form:
            form.reason = "CustomerReturn"
            with form.line_ids.edit(0) as dialog_line:
                self.assertEqual(dialog_line.amount_principal, 10.0)
                dialog_line.amount_principal = 990.0
                dialog_line.amount_tax = 0.0
            wizard = form.save()
        with self.assertRefused(r"Item price \$\s990\.00 is more than the \$\s10\.00 left"):
            wizard.action_refund()
        self.assertFalse(order.amazon_request_ids)

    def test_the_managers_recheck_uses_the_ledger_too(self):
        order = self._shipped_order("221-0000002-0000001", lines=(("MUG", 2, 10.0),), shipping=0)
        request = self._refund_request(order, principal=20.0)
        order.order_line.price_unit = 1000.0
        # Someone else refunded the same item meanwhile (a second request, now done).
        other = self._refund_request(order, principal=5.0, queue=False)
        other._on_applied()
        with self.assertRefused(r"more than the \$\s15\.00 left to refund"):
            request.with_user(self.manager_a).action_process()

    def test_channel_and_quantities_of_a_confirmed_amazon_order_are_refused_over_rpc(self):
        order = self._shipped_order(
            "221-0000003-0000001", lines=(("MUG", 2, 12.5),), shipping=0, ship=False, invoice=False
        )
        line = order.order_line
        for user in (self.user_a, self.salesman):
            with self.assertRaises(AccessError, msg=user.name):
                order.with_user(user).write({"amazon_fulfillment": "amazon"})
            with self.assertRaises(AccessError, msg=user.name):
                line.with_user(user).write({"product_uom_qty": 40})
            with self.assertRaises(AccessError, msg=user.name):
                line.with_user(user).write({"amazon_order_item_code": "99999999999999"})
            with self.assertRaises(AccessError, msg=user.name):
                order.with_user(user).write({"amazon_order_number": "221-0000099-0000001"})
        # A manager may correct them; the ledger still knows 2 units charged 25.00, none shipped.
        order.with_user(self.manager_a).write({"amazon_fulfillment": "amazon"})
        line.with_user(self.manager_a).write({"product_uom_qty": 40})
        ledger = self._ledger(line)
        self.assertEqual((ledger.quantity_ordered, ledger.quantity_shipped), (2, 0))
        self.assertEqual(ledger.amount_refundable, 0.0)
        request = self.env["amazon.order.request"]._amazon_new(
            order,
            "refund",
            "CustomerReturn",
            [{"order_line_id": line.id, "quantity": 40, "amount_principal": 500.0}],
        )
        with self.assertRefused("only 0.0 shipped units are left to refund"):
            request._queue()

    def test_the_dialog_refuses_lines_and_returns_of_another_order(self):
        order = self._shipped_order("221-0000004-0000001", lines=(("MUG", 1, 10.0),))
        other = self._shipped_order("221-0000005-0000001", lines=(("TEE", 1, 10.0),))
        other_rma = self.env["amazon.rma"].create(
            {
                "amazon_rma_number": "DLEDGEROTHER",
                "seller_account_id": self.account_a.id,
                "order_id": other.id,
            }
        )
        Wizard = self.env["amazon.refund.wizard"].with_user(self.user_a)
        foreign_line = Wizard.create(
            {
                "order_id": order.id,
                "reason": "CustomerReturn",
                "line_ids": [
                    Command.clear(),
                    Command.create(
                        {
                            "order_line_id": other.order_line[0].id,
                            "quantity": 1,
                            "amount_principal": 5.0,
                        }
                    ),
                ],
            }
        )
        with self.assertRefused("Only lines and returns of order"):
            foreign_line.action_refund()
        foreign_rma = Wizard.create(
            {"order_id": order.id, "reason": "CustomerReturn", "rma_id": other_rma.id}
        )
        with self.assertRefused("Only lines and returns of order"):
            foreign_rma.action_refund()
        self.assertFalse(order.amazon_request_ids | other.amazon_request_ids)
        self.assertFalse(other_rma.refund_request_ids, "the other order's return is untouched")
        # The door itself refuses them, whoever calls it.
        with self.assertRefused("not lines of order"):
            self.env["amazon.order.request"]._amazon_new(
                order,
                "refund",
                "CustomerReturn",
                [{"order_line_id": other.order_line[0].id, "amount_principal": 1.0}],
            )

    def _returned_refunded_by_amazon(self, number, resolution="StandardRefund", refunded="11.00"):
        order = self._shipped_order(number, lines=(("RET-1", 1, 10.0),), shipping=0)
        log = self._import(
            returns_flat_file(
                {
                    "Order ID": number,
                    "Amazon RMA ID": f"D{number[4:11]}",
                    "Merchant SKU": "RET-1",
                    "Resolution": resolution,
                    "Refunded Amount": refunded,
                    "Order quantity": "1",
                }
            )
        )
        self.assertEqual(log.created_count, 1, log.line_ids.mapped("reason"))
        return order, self._rmas().filtered(lambda r: r.order_id == order)

    def test_an_rma_amazon_refunded_offers_nothing_and_no_deadline(self):
        order, rma = self._returned_refunded_by_amazon("221-0000006-0000001")
        self.assertIn("Amazon refunded the buyer itself", rma.amazon_refund_blocked_reason)
        with self.assertRefused("Amazon refunded the buyer itself"):
            rma.with_user(self.user_a).action_issue_refund()
        ledger = self._ledger(order.order_line)
        self.assertEqual(ledger.amount_refunded_by_amazon, 11.0)
        self.assertEqual(ledger.amount_refundable, 0.0)
        receive(rma, user=self.user_a)
        rma.picking_ids.filtered(lambda p: p.state != "done").button_validate()
        self.assertEqual(rma.state, "received")
        self.env["amazon.rma"].with_context(today=rma.refund_due_date)._cron_refund_deadlines()
        self.assertFalse(
            self.env["mail.activity"]
            .search([("res_model", "=", "amazon.rma"), ("res_id", "=", rma.id)])
            .filtered(lambda a: "refund" in (a.activity_type_id.name or "").lower()),
            "no deadline activity: Amazon refunded it",
        )

    def test_a_refund_held_before_sending_is_never_a_settlement_row(self):
        order = self._shipped_order("221-0000007-0000001", lines=(("MUG", 1, 19.63),), shipping=0)
        mug = order.order_line
        request = self.env["amazon.order.request"]._amazon_new(
            order,
            "refund",
            "CustomerReturn",
            [
                {
                    "order_line_id": mug.id,
                    "quantity": 1,
                    "amount_principal": 19.63,
                    "amount_tax": 1.96,
                }
            ],
        )
        request._queue()
        # Amazon refunded the buyer itself before the request went out: the sender holds it.
        self.emulator.amazon_refund(
            order.amazon_order_number,
            mug.amazon_order_item_code,
            {"Principal": "19.63", "Tax": "1.96"},
            kind="amazon",
        )
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.assertEqual(request.state, "error")
        self.assertFalse(request.credit_note_id)
        booked = order.amazon_request_ids - request
        self.assertEqual(booked.credit_note_id.amount_total, 21.59)
        self.emulator.close_settlement(self.account_a.seller_id)
        self.env["amazon.settlement"]._import_account_settlements(self.account_a)
        self.assertEqual(request.state, "error", "the held request is not Amazon's refund")
        self.assertFalse(request.settlement_line_ids)
        credit_notes = order.amazon_request_ids.credit_note_id.filtered(
            lambda move: move.state == "posted"
        )
        self.assertEqual(sum(credit_notes.mapped("amount_total")), 21.59, "booked once")

    def _settlement_by_hand(self, order, amount, user):
        self.emulator.amazon_refund(
            order.amazon_order_number,
            order.order_line[0].amazon_order_item_code,
            {"Principal": amount},
            kind="amazon",
        )
        self.emulator.close_settlement(self.account_a.seller_id)
        report = max(
            (r for r in self.emulator.reports.values() if r.seller_id == self.account_a.seller_id),
            key=lambda r: int(r.report_id),
        )
        content = self.emulator.documents[report.document_id].content
        form = Form(self.env(user=user)["amazon.settlement.import.wizard"])
        form.seller_account_id = self.account_a
        form.file = base64.b64encode(content)
        return form.save().action_import()

    def test_a_hand_written_settlement_books_no_more_than_amazon_charged(self):
        order = self._shipped_order("221-0000008-0000001", lines=(("MUG", 1, 19.63),), shipping=0)
        with self.assertRaises(AccessError):
            self._settlement_by_hand(order, "5400.00", self.manager_no_invoicing)
        action = self._settlement_by_hand(order, "5400.00", self.manager_invoicing)
        settlement = self.env["amazon.settlement"].browse(action["res_id"])
        self.assertEqual(settlement.excess_count, 1)
        self.assertEqual(settlement.line_ids.result, "excess")
        self.assertFalse(order.amazon_request_ids, "no refund booked, no credit note")
        self.assertEqual(self._ledger(order.order_line).amount_refunded, 0.0)
        self.assertIn("more than Amazon charged", settlement.line_ids.reason)

    # -- one of Amazon's refunds, however many reports tell it ------------------------------------

    def test_amazons_refund_told_by_three_sources_counts_once(self):
        order, _rma = self._returned_refunded_by_amazon("221-0000009-0000001", refunded="11.00")
        ledger = self._ledger(order.order_line)
        (refund,) = ledger.amazon_refund_ids
        self.assertTrue(refund.estimated)
        self.assertFalse(order.amazon_request_ids, "no credit note on an estimate")
        self.emulator.amazon_refund(
            order.amazon_order_number,
            order.order_line.amazon_order_item_code,
            {"Principal": "10.00", "Tax": "1.00"},
            kind="amazon",
        )
        self.env["amazon.seller.account"]._cron_read_amazon_refunds()
        self.assertEqual(ledger.amazon_refund_ids, refund, "the returns report's refund")
        self.assertTrue(refund.seen_in_finances and refund.seen_in_returns_report)
        self.assertFalse(refund.estimated)
        (booked,) = order.amazon_request_ids
        self.assertEqual(booked.credit_note_id.amount_total, 11.0)
        self.emulator.close_settlement(self.account_a.seller_id)
        self.env["amazon.settlement"]._import_account_settlements(self.account_a)
        settlement = self.env["amazon.settlement"].search(
            [("seller_account_id", "=", self.account_a.id)]
        )
        self.assertEqual(settlement.line_ids.result, "confirmed")
        self.assertEqual(ledger.amazon_refund_ids, refund)
        self.assertTrue(refund.seen_in_settlement)
        self.assertEqual(order.amazon_request_ids, booked, "one credit note")
        self.assertEqual(ledger.amount_refunded, 11.0)
        self.assertEqual(ledger.amount_refundable, 0.0)

    # -- every path asks the ledger ---------------------------------------------------------------

    def test_every_path_that_makes_or_sends_a_refund_asks_the_ledger(self):
        """Each path runs while spies count the ledger's answers (balances, Amazon's refunds
        recorded); each must ask. No path computes what is refundable on its own."""
        asked = []

        def spied(method):
            def spy(*args, **kwargs):
                asked.append(method.__name__)
                return method(*args, **kwargs)

            return spy

        def path(name, run, expected="_balances"):
            asked.clear()
            with (
                patch.object(AmazonItemLedger, "_balances", spied(AmazonItemLedger._balances)),
                patch.object(
                    AmazonItemLedger,
                    "_record_amazon_refund",
                    spied(AmazonItemLedger._record_amazon_refund),
                ),
            ):
                run()
            self.assertIn(expected, asked, f"{name} did not ask the ledger")

        order = self._shipped_order("221-0000010-0000001", lines=(("PATH-1", 2, 10.0),))
        path("refund dialog", lambda: self._dialog(order, default_reason="CustomerReturn").save())
        request = self._refund_request(order, principal=1.0, queue=False)
        path("queue", request._queue)
        path("process refund", lambda: request.with_user(self.manager_a).action_process())
        path("sender", self._send)
        rma = self.env["amazon.rma"].create(
            {
                "amazon_rma_number": "DLEDGERPATH",
                "seller_account_id": self.account_a.id,
                "order_id": order.id,
                "line_ids": [
                    Command.create(
                        {
                            "product_id": order.order_line[0].product_id.id,
                            "quantity": 1,
                            "order_line_id": order.order_line[0].id,
                        }
                    )
                ],
            }
        )
        path("refund dialog from an RMA", lambda: rma.action_issue_refund())
        path(
            "refund rules and proposals",
            lambda: self.env["amazon.return.refund.rule"]._refund_plan(rma),
        )
        path("RMA's Issue Refund button", lambda: rma.amazon_refund_blocked_reason)
        order.invalidate_recordset()
        path("order's refunded amounts", lambda: order.amazon_refunded_amount)
        rma.sudo().amazon_refunded_amount = 1.0
        path("returns report", rma._amazon_record_report_refund, "_record_amazon_refund")
        mug = order.order_line[0]
        self.emulator.amazon_refund(
            order.amazon_order_number, mug.amazon_order_item_code, {"Principal": "2.00"}
        )
        path(
            "Amazon's transactions",
            self.env["amazon.seller.account"]._cron_read_amazon_refunds,
            "_record_amazon_refund",
        )
        self.emulator.amazon_refund(
            order.amazon_order_number, mug.amazon_order_item_code, {"Principal": "3.00"}
        )
        self.emulator.close_settlement(self.account_a.seller_id)
        path(
            "settlement matcher",
            lambda: self.env["amazon.settlement"]._import_account_settlements(self.account_a),
            "_record_amazon_refund",
        )

    def test_checking_a_request_costs_the_same_queries_however_many_refunds_came_before(self):
        order = self._shipped_order("221-0000011-0000001", lines=(("QRY-1", 40, 10.0),))

        def queries_of_a_check(earlier):
            for _index in range(earlier):
                self._refund_request(order, principal=0.01, queue=False)._on_applied()
            request = self._refund_request(order, principal=0.01, queue=False)
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.env["amazon.item.ledger"]._check_request(request)
            return self.env.cr.sql_log_count - before

        self.assertEqual(queries_of_a_check(1), queries_of_a_check(20))


@tagged("post_install", "-at_install")
class TestMoneyLedgerRpc(AmazonEmulatorCase):
    """Ledgers and Amazon's refunds are read by Amazon users of their company; nobody changes
    them over RPC."""

    def test_every_group_tries_the_ledgers(self):
        company = {
            "company_id": self.company_a.id,
            "company_ids": [Command.set(self.company_a.ids)],
        }
        users = {
            "internal user": new_test_user(self.env, "ledger_rpc_internal", **company),
            "salesperson": new_test_user(
                self.env, "ledger_rpc_sales", groups="sales_team.group_sale_salesman", **company
            ),
            "Amazon User A": self.user_a,
            "Amazon Manager A": self.manager_a,
            "Amazon User B": self._create_user(
                "ledger_rpc_user_b", self.company_b, "group_amazon_user"
            ),
            "system admin": new_test_user(
                self.env,
                "ledger_rpc_admin",
                groups="base.group_system,amazon_refund_cancel.group_amazon_manager",
                **company,
            ),
        }
        readers = {"Amazon User A", "Amazon Manager A", "system admin"}
        order = self._shipped_order("221-0000020-0000001", lines=(("RPC-1", 1, 10.0),))
        line = order.order_line[0]
        ledger = self.env["amazon.item.ledger"]._for_lines(line)[line]
        refund, _outcome = ledger._record_amazon_refund(
            "finances",
            {"kind": "amazon", "ref": "RPC-1", "amounts": {"amount_principal": 1.0}},
        )
        attempts = denied = 0
        for name, user in users.items():
            for record, values, new in (
                (ledger, {"charged_principal": 1000.0}, {"order_line_id": line.id}),
                (refund, {"amount_principal": 0.0}, {"ledger_id": ledger.id}),
            ):
                as_user = record.with_user(user)
                attempts += 4
                if name in readers:
                    self.assertEqual(as_user.read(["id"])[0]["id"], record.id, name)
                else:
                    with self.assertRaises(AccessError, msg=f"{name} reads {record._name}"):
                        as_user.read(["id"])
                    denied += 1
                for method, args in (
                    ("write", (values,)),
                    ("unlink", ()),
                    ("create", ({**new, **values},)),
                ):
                    with self.assertRaises(AccessError, msg=f"{name} {method} {record._name}"):
                        getattr(as_user, method)(*args)
                    denied += 1
        self.assertEqual(ledger.charged_principal, 10.0)
        self.assertEqual(refund.amount_principal, 1.0)
        self.assertEqual((attempts, denied), (48, 42))
        # A salesperson without the ledgers' rights still sees the order's Amazon amounts.
        order.user_id = users["salesperson"]
        values = order.with_user(users["salesperson"]).read(
            ["amazon_can_refund", "amazon_refunded_amount", "amazon_refund_pending_amount"]
        )[0]
        self.assertEqual(
            (values["amazon_can_refund"], values["amazon_refunded_amount"]), (True, 1.0)
        )
