import base64
import gzip
import io
import time
from decimal import Decimal
from unittest.mock import patch

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from ..wizards import amazon_settlement_import_wizard
from .common import AmazonEmulatorCase


@tagged("post_install", "-at_install")
class TestSettlement(AmazonEmulatorCase):
    """Amazon's settlements matched to the addon's refunds, and the refunds Amazon made itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Importing a settlement by hand books credit notes: Invoicing rights are needed too.
        cls.accountant_a = new_test_user(
            cls.env,
            "settle_manager_invoicing",
            groups="amazon_refund_cancel.group_amazon_manager,account.group_account_invoice",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )

    def _done_refund(self, order, principal=10.0):
        request = self._refund_request(order, principal=principal)
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.emulator.process_feeds()
        request.batch_id._follow()
        self.assertEqual(request.state, "done")
        return request

    def _import_settlements(self, account=None):
        account = account or self.account_a
        self.emulator.close_settlement(account.seller_id)
        self.env["amazon.settlement"]._import_account_settlements(account)
        return self.env["amazon.settlement"].search([("seller_account_id", "=", account.id)])

    def _settlement_file(self, account=None):
        """The text of the newest settlement report of the emulator."""
        account = account or self.account_a
        report = max(
            (r for r in self.emulator.reports.values() if r.seller_id == account.seller_id),
            key=lambda r: int(r.report_id),
        )
        return self.emulator.documents[report.document_id].content

    def _downloads(self, report_id):
        """How many times the document of a report of the emulator was asked for."""
        path = f"/reports/2021-06-30/documents/{self.emulator.reports[report_id].document_id}"
        return sum(1 for _method, asked, _query, _status in self.emulator.requests if asked == path)

    def _import_by_hand(self, content, user=None):
        env = self.env(user=user or self.accountant_a)
        form = Form(env["amazon.settlement.import.wizard"])
        form.seller_account_id = self.account_a
        form.file = base64.b64encode(content)
        return form.save().action_import()

    def test_matched_refund_shows_the_commission_amazon_returned(self):
        order = self._emulated_order("141-0000001-0000001")
        request = self._done_refund(order, principal=10.0)
        settlement = self._import_settlements()
        self.assertEqual(len(settlement), 1)
        self.assertEqual(settlement.state, "done")
        self.assertEqual((settlement.refund_count, settlement.matched_count), (1, 1))
        self.assertEqual(request.state, "settled")
        self.assertEqual(request.settlement_id, settlement)
        self.assertEqual(request.settlement_date, settlement.deposit_date)
        self.assertAlmostEqual(request.settled_principal, 10.0)
        self.assertAlmostEqual(request.settled_amount, 10.0)
        # Amazon gives back 15% commission and keeps 20% of it.
        self.assertAlmostEqual(request.commission_returned, 1.5)
        self.assertAlmostEqual(request.commission_kept, 0.3)
        line = request.settlement_line_ids
        self.assertEqual(
            line.merchant_adjustment_item_ref, request.line_ids.merchant_adjustment_item_ref
        )
        self.assertTrue(line.adjustment_ref.startswith("amzn1.adj."))
        self.assertEqual(order.amazon_payment_status, "partial")
        self.assertAlmostEqual(order.amazon_refunded_commission, 1.2)
        self.assertTrue(settlement.attachment_id.raw.startswith(b"settlement-id"))
        # Kept as Amazon sent it, its words not indexed: a big settlement stays small in memory.
        self.assertFalse(settlement.attachment_id.index_content)
        self.assertFalse(settlement.move_id, "no accounting configured: recorded only")

    def test_same_settlement_twice_is_imported_once(self):
        order = self._emulated_order("141-0000002-0000001")
        self._done_refund(order)
        settlement = self._import_settlements()
        self.env["amazon.settlement"]._cron_import_settlements()
        self.assertEqual(
            self.env["amazon.settlement"].search_count(
                [("seller_account_id", "=", self.account_a.id)]
            ),
            1,
        )
        with self.assertRaisesRegex(UserError, "not imported twice"):
            self._import_by_hand(self._settlement_file())
        self.assertEqual(len(settlement.line_ids), 1)

    def test_settlement_downloaded_from_seller_central_imported_by_hand(self):
        order = self._emulated_order("141-0000003-0000001")
        request = self._done_refund(order, principal=12.0)
        self.emulator.close_settlement(self.account_a.seller_id)
        action = self._import_by_hand(self._settlement_file())
        settlement = self.env["amazon.settlement"].browse(action["res_id"])
        self.assertEqual((settlement.source, settlement.state), ("manual", "done"))
        self.assertEqual(settlement.attachment_id.raw, self._settlement_file())
        self.assertFalse(settlement.attachment_id.index_content)
        self.assertEqual(request.state, "settled")
        self.assertAlmostEqual(request.commission_returned, 1.8)
        # The scheduled import finds the same settlement and leaves it, downloaded once.
        (report_id,) = [
            report_id
            for report_id, report in self.emulator.reports.items()
            if report.seller_id == self.account_a.seller_id
        ]
        for _run in range(3):
            self.env["amazon.settlement"]._import_account_settlements(self.account_a)
            self.emulator.advance(60)
        self.assertEqual(len(settlement.search([("seller_account_id", "=", self.account_a.id)])), 1)
        self.assertEqual(self._downloads(report_id), 1)
        self.assertEqual(settlement.relisted_report_refs, report_id)

    def test_relisted_settlement_is_downloaded_once(self):
        order = self._emulated_order("141-0000018-0000001")
        request = self._done_refund(order)
        settlement = self._import_settlements()
        self.emulator.advance(60)
        # Amazon lists the same settlement again under a new report id.
        relisted = self.emulator.relist_settlement(settlement.amazon_report_ref)
        for _run in range(3):
            self.env["amazon.settlement"]._cron_import_settlements()
            self.emulator.advance(60)
        self.assertEqual(self._downloads(settlement.amazon_report_ref), 1)
        self.assertEqual(self._downloads(relisted), 1)
        self.assertEqual(
            self.env["amazon.settlement"].search([("seller_account_id", "=", self.account_a.id)]),
            settlement,
        )
        self.assertEqual(settlement.relisted_report_refs, relisted)
        self.assertEqual(len(settlement.line_ids), 1)
        self.assertEqual(request.settlement_id, settlement)

    def test_settlement_bomb_is_refused_in_the_dialog(self):
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as file:
            file.write(b"settlement-id\ttransaction-type\tamount-type\tamount\n")
            for _ in range(1024):
                file.write(b"x\t" * 16384)
        start = time.perf_counter()
        with self.assertRefused("decompression bomb"):
            self._import_by_hand(buffer.getvalue())
        self.assertLess(time.perf_counter() - start, 1)
        self.assertFalse(self.env["amazon.settlement"].search([("source", "=", "manual")]))

    def test_settlement_too_big_for_the_dialog(self):
        content = b"settlement-id\ttransaction-type\tamount-type\tamount\n" * 1000
        # The upload is small, its content is not: the content decides.
        limit = len(content) // 2
        with (
            patch.object(amazon_settlement_import_wizard, "DIALOG_MAX_BYTES", limit),
            self.assertRefused("too big to import here"),
        ):
            self._import_by_hand(gzip.compress(content))

    def test_user_cannot_import_a_settlement(self):
        with self.assertRaises(AccessError):
            self._import_by_hand(b"settlement-id\n", user=self.user_a)

    def test_settled_differently_is_flagged_for_a_manager(self):
        order = self._emulated_order("141-0000004-0000001")
        request = self._done_refund(order, principal=10.0)
        (refund,) = self.emulator.refunds
        refund.amounts["Principal"] = Decimal("8.00")
        self._import_settlements()
        self.assertEqual(request.state, "settled")
        self.assertAlmostEqual(request.settled_principal, 8.0)
        self.assertEqual(request.settlement_line_ids.result, "difference")
        settlement = request.settlement_id
        self.assertEqual((settlement.matched_count, settlement.difference_count), (0, 1))
        activity = order.activity_ids.filtered(lambda a: "differently" in (a.summary or ""))
        self.assertRegex(
            str(activity.note), r"Item price: asked \$(&nbsp;| )10\.00, settled \$(&nbsp;| )8\.00"
        )
        self.assertTrue(activity.user_id.has_group("amazon_refund_cancel.group_amazon_manager"))
        self.assertIn(self.company_a, activity.user_id.company_ids)
        # The settlement's line says what was requested and what Amazon settled.
        line = request.settlement_line_ids.with_user(self.user_a)
        self.assertEqual((line.amount_requested, line.amount_total), (10.0, 8.0))
        self.assertRegex(
            line.reason,
            r"^Requested \$(\xa0| )10\.00, settled \$(\xa0| )8\.00: "
            r"Item price: requested \$(\xa0| )10\.00, settled \$(\xa0| )8\.00",
        )
        columns = etree.fromstring(
            settlement.with_user(self.user_a).get_views([(False, "form")])["views"]["form"]["arch"]
        ).xpath("//field[@name='line_ids']/list/field/@name")
        self.assertLess(columns.index("amount_requested"), columns.index("amount_total"))
        fields = line.fields_get(["amount_requested", "amount_total"])
        self.assertEqual(
            (fields["amount_requested"]["string"], fields["amount_total"]["string"]),
            ("Requested", "Settled"),
        )

    def test_empty_settlements_list_offers_the_import(self):
        action = self.env.ref("amazon_refund_cancel.amazon_settlement_action")
        self.assertIn("No settlement yet", action.help)
        self.assertNotIn("Create", action.help)
        help_ = etree.fromstring(f"<div>{action.help}</div>")
        (link,) = help_.xpath("//a[@type='action']")
        self.assertEqual(
            link.get("name"), "amazon_refund_cancel.amazon_settlement_import_wizard_action"
        )
        self.assertEqual(link.text.strip(), "Import Settlement")
        Settlement = self.env["amazon.settlement"]
        for user, shown in ((self.manager_a, True), (self.user_a, False)):
            arch = etree.fromstring(
                Settlement.with_user(user).get_views([(False, "list")])["views"]["list"]["arch"]
            )
            buttons = arch.xpath("//header/button[@string='Import Settlement']")
            self.assertEqual(bool(buttons), shown, user.login)
            if buttons:
                self.assertEqual(buttons[0].get("display"), "always")
                wizard = self.env.ref("amazon_refund_cancel.amazon_settlement_import_wizard_action")
                self.assertEqual(buttons[0].get("name"), str(wizard.id))

    def test_partial_settlement_keeps_the_request_done(self):
        order = self._shipped_order("141-0000005-0000001")
        mug, tee = order.order_line.filtered(lambda line: line.amazon_order_item_code)
        request = self.env["amazon.order.request"].create(
            {
                "request_type": "refund",
                "order_id": order.id,
                "seller_account_id": self.account_a.id,
                "reason": "CustomerReturn",
                "line_ids": [
                    Command.create(
                        {"order_line_id": mug.id, "quantity": 1, "amount_principal": 20}
                    ),
                    Command.create(
                        {"order_line_id": tee.id, "quantity": 1, "amount_principal": 15}
                    ),
                ],
            }
        )
        request._queue()
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.emulator.process_feeds()
        request.batch_id._follow()
        self.assertEqual(request.state, "done")
        tee_refund = next(
            r for r in self.emulator.refunds if r.order_item_id == tee.amazon_order_item_code
        )
        tee_refund.settlement_id = "in a later settlement"
        self._import_settlements()
        self.assertEqual(request.state, "done", "one line of two settled so far")
        self.assertAlmostEqual(request.settled_principal, 20.0)
        tee_refund.settlement_id = None
        self.emulator.advance(60)
        self._import_settlements()
        self.assertEqual(request.state, "settled")
        self.assertAlmostEqual(request.settled_principal, 35.0)
        self.assertEqual(len(request.settlement_line_ids.settlement_id), 2)

    def test_refunds_amazon_made_are_recorded_and_block_a_refund_in_odoo(self):
        kinds = {
            "atoz": "141-0000006-0000001",
            "chargeback": "141-0000007-0000001",
            "amazon": "141-0000008-0000001",
        }
        orders = {kind: self._shipped_order(number) for kind, number in kinds.items()}
        rma = self.env["amazon.rma"].create(
            {
                "amazon_rma_number": "DRMA0001",
                "seller_account_id": self.account_a.id,
                "order_id": orders["amazon"].id,
                "line_ids": [
                    Command.create(
                        {
                            "product_id": orders["amazon"].order_line[0].product_id.id,
                            "quantity": 2,
                            "order_line_id": orders["amazon"].order_line[0].id,
                        }
                    )
                ],
            }
        )
        for kind, order in orders.items():
            mug = order.order_line[0]
            self.emulator.amazon_refund(
                order.amazon_order_number,
                mug.amazon_order_item_code,
                {"Principal": "40.00", "Tax": "4.00"},
                kind=kind,
            )
        settlement = self._import_settlements()
        self.assertEqual(settlement.amazon_count, 3)
        for kind, order in orders.items():
            (request,) = order.amazon_request_ids
            self.assertEqual((request.origin, request.amazon_refund_kind), ("amazon", kind))
            self.assertEqual(request.state, "settled")
            self.assertAlmostEqual(request.amount_total, 44.0)
            self.assertEqual(request.credit_note_id.state, "posted")
            self.assertAlmostEqual(request.credit_note_id.amount_total, 44.0)
            self.assertEqual(order.amazon_payment_status, "partial")
        self.assertEqual(rma.state, "refunded")
        order = orders["atoz"]
        with self.assertRefused("left to refund"):
            self._refund_request(order.with_user(self.env.user), principal=40.0)

    def test_transactions_record_amazon_refunds_before_the_settlement(self):
        order = self._shipped_order("141-0000009-0000001")
        mug = order.order_line[0]
        self.emulator.amazon_refund(
            order.amazon_order_number,
            mug.amazon_order_item_code,
            {"Principal": "20.00"},
            kind="atoz",
        )
        self.env["amazon.seller.account"]._cron_read_amazon_refunds()
        (request,) = order.amazon_request_ids
        self.assertEqual((request.origin, request.state), ("amazon", "done"))
        self.assertEqual(request.credit_note_id.state, "posted")
        self.account_a._amazon_read_refunds()
        self.assertEqual(len(order.amazon_request_ids), 1, "read twice, recorded once")
        settlement = self._import_settlements()
        self.assertEqual(len(order.amazon_request_ids), 1, "the settlement confirms it")
        self.assertEqual(request.state, "settled")
        self.assertEqual(settlement.line_ids.result, "confirmed")

    def test_pre_send_check_holds_a_request_amazon_already_refunded(self):
        order = self._shipped_order("141-0000010-0000001")
        mug = order.order_line[0]
        request = self._refund_request(order, principal=20.0)
        self.emulator.amazon_refund(
            order.amazon_order_number,
            mug.amazon_order_item_code,
            {"Principal": "19.99"},
            kind="amazon",
        )
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.assertEqual(request.state, "error")
        self.assertIn("Amazon already refunded $\xa019.99 on", request.result_message)
        self.assertFalse(self.emulator.feeds, "nothing was sent")
        amazon_refund = order.amazon_request_ids.filtered(lambda r: r.origin == "amazon")
        self.assertAlmostEqual(amazon_refund.amount_total, 19.99)

    def test_order_amazon_cancelled_is_cancelled_when_nothing_shipped(self):
        unshipped = self._shipped_order("141-0000011-0000001", ship=False, invoice=False)
        shipped = self._shipped_order("141-0000012-0000001")
        self.emulator.amazon_cancel(unshipped.amazon_order_number)
        self.emulator.amazon_cancel(shipped.amazon_order_number)
        for item in self.emulator.orders[shipped.amazon_order_number].items.values():
            item.quantity_cancelled = item.quantity
        self.emulator.advance(600)
        self.env["amazon.seller.account"]._cron_read_cancelled_orders()
        self.assertEqual(unshipped.state, "cancel")
        self.assertIn("Amazon cancelled", unshipped.message_ids[0].body)
        self.assertEqual(shipped.state, "sale")
        self.assertTrue(shipped.activity_ids.filtered(lambda a: "cancelled" in (a.summary or "")))

    def test_bad_files_import_nothing(self):
        order = self._emulated_order("141-0000013-0000001")
        self._done_refund(order)
        self.emulator.close_settlement(self.account_a.seller_id)
        good = self._settlement_file().decode()
        lines = good.splitlines(keepends=True)
        header = lines[0].split("\t")
        amount = header.index("amount")
        no_amount = "".join(
            "\t".join(c for i, c in enumerate(row.split("\t")) if i != amount) for row in lines
        )
        header_less = {
            name: "".join(
                "\t".join(c for i, c in enumerate(row.split("\t")) if i not in drop) + "\n"
                for row in good.splitlines()
            )
            for name, drop in (
                ("no item codes", {header.index("order-item-code"), header.index("sku")}),
                (
                    "no item codes nor references",
                    {header.index("order-item-code"), header.index("merchant-adjustment-item-id")},
                ),
            )
        }
        cases = {
            "missing column": (no_amount, "lacks the column"),
            "no item codes": (header_less["no item codes"], "lacks the column order-item-code"),
            "no item codes nor references": (
                header_less["no item codes nor references"],
                "lacks the columns order-item-code, merchant-adjustment-item-id",
            ),
            "truncated": ("".join(lines[:-1]), "truncated"),
            "other currency": (good.replace("\tUSD\t", "\tEUR\t"), "in EUR"),
        }
        Settlement = self.env["amazon.settlement"]
        for name, (content, message) in cases.items():
            with self.subTest(name):
                action = self._import_by_hand(content.encode())
                settlement = Settlement.browse(action["res_id"])
                self.assertEqual(settlement.state, "failed")
                self.assertIn(message, settlement.message)
                self.assertFalse(settlement.line_ids)
        self.assertEqual(order.amazon_request_ids.state, "done", "nothing half-imported")
        # An unknown transaction type fails its row; the rest imports: the files refused above
        # are not taken for this settlement imported already.
        unknown = lines[:]
        fields_ = unknown[-1].split("\t")
        fields_[header.index("transaction-type")] = "Mystery"
        fields_[amount] = "0.00"
        unknown.append("\t".join(fields_))
        action = self._import_by_hand("".join(unknown).encode())
        settlement = Settlement.browse(action["res_id"])
        self.assertEqual((settlement.state, settlement.failed_count), ("done", 1))
        self.assertIn(
            "Unknown transaction type Mystery",
            settlement.line_ids.filtered(lambda line: line.result == "failed").reason,
        )
        self.assertEqual(order.amazon_request_ids.state, "settled")

    def test_decimal_comma_reads_as_amazon_wrote_it(self):
        order = self._emulated_order("141-0000014-0000001")
        request = self._done_refund(order, principal=10.0)
        self.emulator.close_settlement(self.account_a.seller_id)
        text = self._settlement_file().decode()
        rows = text.splitlines(keepends=True)
        commas = [rows[0]] + [
            "\t".join(
                c.replace(".", ",") if c.replace("-", "").replace(".", "").isdigit() else c
                for c in row.split("\t")
            )
            for row in rows[1:]
        ]
        self._import_by_hand("".join(commas).encode())
        self.assertEqual(request.state, "settled")
        self.assertAlmostEqual(request.commission_returned, 1.5)

    def test_accounting_entry_when_configured(self):
        journal = self.env["account.journal"].search(
            [("company_id", "=", self.company_a.id), ("type", "=", "bank")], limit=1
        )
        income = self.env["account.account"].search(
            [("company_ids", "in", self.company_a.ids), ("account_type", "=", "income_other")],
            limit=1,
        )
        expense = self.env["account.account"].search(
            [("company_ids", "in", self.company_a.ids), ("account_type", "=", "expense")], limit=1
        )
        self.account_a.write(
            {
                "settlement_journal_id": journal.id,
                "settlement_commission_account_id": income.id,
                "settlement_fee_account_id": expense.id,
            }
        )
        order = self._emulated_order("141-0000015-0000001")
        self._done_refund(order, principal=10.0)
        settlement = self._import_settlements()
        move = settlement.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.journal_id, journal)
        by_account = {line.account_id: line.balance for line in move.line_ids}
        self.assertAlmostEqual(sum(move.line_ids.mapped("balance")), 0.0)
        self.assertAlmostEqual(
            sum(row.balance for row in move.line_ids if row.account_id == income), -1.5
        )
        self.assertAlmostEqual(
            sum(row.balance for row in move.line_ids if row.account_id == expense), 0.3
        )
        self.assertIn(journal.default_account_id, by_account)

    def test_multi_company(self):
        order_b = self._emulated_order("141-0000016-0000001", account=self.account_b)
        order_b.company_id = self.company_b
        request_b = self._done_refund(order_b)
        settlement_a = self._import_settlements(self.account_a)
        self.assertFalse(settlement_a)
        settlement_b = self._import_settlements(self.account_b)
        self.assertEqual(settlement_b.company_id, self.company_b)
        self.assertEqual(request_b.state, "settled")
        Settlement = self.env["amazon.settlement"].with_user(self.manager_a)
        self.assertFalse(Settlement.search([]))
        with self.assertRaises(AccessError):
            settlement_b.with_user(self.manager_a).read(["total_amount"])

    def test_refunds_booked_without_credit_notes(self):
        self.account_a.refund_booking = "none"
        order = self._shipped_order("141-0000018-0000001")
        mug = order.order_line[0]
        self.emulator.amazon_refund(
            order.amazon_order_number, mug.amazon_order_item_code, {"Principal": "20.00"}
        )
        self._import_settlements()
        (request,) = order.amazon_request_ids
        self.assertEqual(request.state, "settled")
        self.assertFalse(request.credit_note_id, "the settlement books Amazon's money")
        self.assertEqual(order.invoice_ids.move_type, "out_invoice")

    def test_amazon_refund_of_an_order_not_invoiced_keeps_its_credit_note_draft(self):
        order = self._shipped_order("141-0000019-0000001", invoice=False)
        mug = order.order_line[0]
        self.emulator.amazon_refund(
            order.amazon_order_number,
            mug.amazon_order_item_code,
            {"Principal": "20.00"},
            kind="atoz",
        )
        self._import_settlements()
        credit_note = order.amazon_request_ids.credit_note_id
        self.assertEqual(credit_note.state, "draft")
        self.assertIn("no posted invoice", credit_note.activity_ids.note)

    def test_rpc_cannot_forge_settlements(self):
        order = self._emulated_order("141-0000017-0000001")
        request = self._done_refund(order)
        settlement = self._import_settlements()
        line = settlement.line_ids
        company = {
            "company_id": self.company_a.id,
            "company_ids": [Command.set(self.company_a.ids)],
        }
        groups = {
            "internal user": new_test_user(self.env, "settle_internal", **company),
            "Sales user": new_test_user(
                self.env, "settle_salesman", groups="sales_team.group_sale_salesman", **company
            ),
            "Amazon User A": self.user_a,
            "Amazon Manager A": self.manager_a,
            "Amazon User B": self._create_user(
                "settle_user_b", self.company_b, "group_amazon_user"
            ),
            "system admin": new_test_user(
                self.env,
                "settle_admin",
                groups="base.group_system,amazon_refund_cancel.group_amazon_manager",
                **company,
            ),
        }
        attempts = {
            "change a settlement's total": lambda env: settlement.with_env(env).write(
                {"total_amount": 1}
            ),
            "create a settlement": lambda env: env["amazon.settlement"].create(
                {"source": "manual", "seller_account_id": self.account_a.id, "settlement_ref": "1"}
            ),
            "delete a settlement": lambda env: settlement.with_env(env).unlink(),
            "change the commission of a refund": lambda env: line.with_env(env).write(
                {"commission_returned": 99}
            ),
            "create a settled refund": lambda env: env["amazon.settlement.line"].create(
                {"settlement_id": settlement.id, "request_id": request.id, "amount_total": 5}
            ),
            "settle a request by write": lambda env: request.with_env(env).write(
                {"state": "done", "origin": "amazon"}
            ),
            "mark a report as seen": lambda env: settlement.with_env(env).write(
                {"relisted_report_refs": "70000000001"}
            ),
            "record a reading error": lambda env: (
                self.account_a._amazon_job("settlements")
                .with_env(env)
                .write({"last_error": "forged"})
            ),
        }
        for who, user in groups.items():
            for what, attempt in attempts.items():
                with self.subTest(who=who, what=what), self.assertRaises(AccessError):
                    attempt(self.env(user=user))
        self.assertEqual(request.state, "settled")
        self.assertEqual(settlement.line_ids, line)
        self.assertAlmostEqual(line.commission_returned, 1.5)
        # Users of the company read settlements; others do not see them.
        self.assertEqual(settlement.with_user(self.user_a).total_amount, settlement.total_amount)
        with self.assertRaises(AccessError):
            settlement.with_user(groups["Amazon User B"]).read(["total_amount"])
        with self.assertRaises(AccessError):
            settlement.with_user(groups["Sales user"]).read(["total_amount"])
        for who in ("internal user", "Sales user", "Amazon User A", "Amazon Manager A"):
            with self.subTest(wizard=who), self.assertRaises(AccessError):
                self._import_by_hand(self._settlement_file(), user=groups[who])
