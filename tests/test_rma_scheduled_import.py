import io
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from ..amazon_api import const
from ..amazon_api.client import AmazonClient
from .common import AmazonEmulatorCase, amazon
from .common_rma import RmaImportMixin, returns_flat_file

MAX_WINDOW = timedelta(days=const.RETURNS_REPORT_MAX_DAYS)


@tagged("post_install", "-at_install", "amazon_demo")
class TestRmaScheduledImport(RmaImportMixin, AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        # Only the accounts talking to this test's emulator (demo data has one of its own).
        self.env["amazon.seller.account"].search(
            [("id", "not in", (self.account_a | self.account_b).ids)]
        ).active = False
        self.company_a.amazon_import_rma_report = True
        self.Import = self.env["amazon.rma.import"]

    def _returned_order(self, number, days_ago=2, **details):
        order = self._emulated_order(number)
        self.emulator.add_return(
            number,
            [{"sku": "MUG-1", "quantity": 1, "reason": "CR-DEFECTIVE"}],
            request_date=self.emulator.now() - timedelta(days=days_ago),
            **details,
        )
        return order

    def _reports(self, seller_id=None):
        seller_id = seller_id or self.account_a.seller_id
        return sorted(
            (report for report in self.emulator.reports.values() if report.seller_id == seller_id),
            key=lambda report: int(report.report_id),
        )

    def _run(self):
        self.Import._cron_import_returns()

    def test_first_run_imports_the_last_30_days(self):
        order = self._returned_order("116-0000001-0000001")
        self._returned_order("116-0000002-0000001", status="Pending")
        self._run()
        (report,) = self._reports()
        self.assertEqual(report.report_type, const.REPORT_RETURNS_FLAT)
        self.assertAlmostEqual(
            report.data_end - report.data_start, timedelta(days=30), delta=timedelta(seconds=2)
        )
        pending = self.Import.search([("seller_account_id", "=", self.account_a.id)])
        self.assertEqual(pending.state, "pending", "a report in the works does not block")
        self.assertFalse(order.amazon_rma_ids)
        trigger = self.env["ir.cron.trigger"].search(
            [
                (
                    "cron_id",
                    "=",
                    self.env.ref("amazon_refund_cancel.ir_cron_amazon_import_returns").id,
                )
            ]
        )
        self.assertTrue(trigger)
        self.emulator.process_reports()
        self._run()
        self.assertEqual(pending.state, "done")
        self.assertEqual((pending.created_count, pending.skipped_count), (1, 1))
        self.assertEqual(order.amazon_rma_ids.line_ids.reason, "CR-DEFECTIVE")
        self.assertEqual(self.account_a._amazon_job("returns_import").read_until, pending.date_to)
        self.assertEqual(len(self._reports()), 1, "no new report right after an import")
        self.assertFalse(self._reports(self.account_b.seller_id), "company B does not import")

    def test_long_gap_is_split_in_windows_of_60_days_and_nothing_is_duplicated(self):
        now = fields.Datetime.now()
        self.account_a._amazon_job("returns_import").read_until = now - timedelta(days=100)
        old = self._returned_order("116-0000010-0000001", days_ago=70)
        edge = self._returned_order("116-0000011-0000001", days_ago=40, tracking_id="1ZEDGE")
        recent = self._returned_order("116-0000012-0000001", days_ago=3)
        self._run()
        self.emulator.process_reports()
        self._run()
        self.emulator.process_reports()
        self._run()
        reports = self._reports()
        self.assertEqual(len(reports), 2)
        first, second = reports
        for report in reports:
            self.assertLessEqual(report.data_end - report.data_start, MAX_WINDOW)
        self.assertLess(second.data_start, first.data_end, "windows overlap")
        self.assertGreaterEqual(second.data_end.replace(tzinfo=None), now)
        imports = self.Import.search([("seller_account_id", "=", self.account_a.id)], order="id")
        self.assertEqual(imports.mapped("state"), ["done", "done"])
        for order in old | edge | recent:
            self.assertEqual(len(order.amazon_rma_ids), 1)
        self.assertEqual(
            self.account_a._amazon_job("returns_import").read_until, imports[-1].date_to
        )
        # The same RMA by hand later: updated or unchanged, never twice.
        rma = edge.amazon_rma_ids
        log = self._import(
            returns_flat_file(
                {
                    "Order ID": edge.amazon_order_number,
                    "Amazon RMA ID": rma.amazon_rma_number,
                    "Tracking ID": "1ZEDGE",
                    "Return Reason": "CR-DEFECTIVE",
                    "Return request date": rma.request_date.strftime("%d-%b-%Y"),
                    "Label cost": "0.00",
                }
            )
        )
        self.assertEqual(log.created_count, 0)
        self.assertEqual(len(edge.amazon_rma_ids), 1)

    def test_failed_report_is_asked_again(self):
        self._returned_order("116-0000020-0000001")
        self.emulator.next_report_outcome = "FATAL"
        self._run()
        self.emulator.process_reports()
        self._run()
        failed = self.Import.search([("seller_account_id", "=", self.account_a.id)])
        self.assertEqual(failed.state, "failed")
        self.assertFalse(self.account_a._amazon_job("returns_import").read_until)
        self._run()
        self.emulator.process_reports()
        self._run()
        first, second = self._reports()
        self.assertEqual(second.data_start.date(), first.data_start.date())
        self.assertEqual(
            len(self.env["amazon.rma"].search([("seller_account_id", "=", self.account_a.id)])), 1
        )

    def test_amazon_down_is_recorded_and_retried(self):
        self.emulator.inject("createReport", status=503)
        self._run()
        failed = self.Import.search([("seller_account_id", "=", self.account_a.id)])
        self.assertEqual(failed.state, "failed")
        self.assertIn("createReport", failed.message)
        self._run()
        self.assertEqual(len(self._reports()), 1)

    def test_empty_period_moves_on(self):
        self._run()
        self.emulator.process_reports()
        self._run()
        log = self.Import.search([("seller_account_id", "=", self.account_a.id)])
        self.assertEqual(log.state, "done")
        self.assertTrue(self.account_a._amazon_job("returns_import").read_until)

    def test_xml_report_from_the_emulator_imports_by_hand(self):
        order = self._returned_order("116-0000030-0000001", tracking_id="1ZXMLEMU")
        client = self.account_a._amazon_client()
        report_id = client.request_report(amazon.REPORT_RETURNS_XML)
        self.emulator.process_reports()
        content = io.BytesIO()
        client.download_report(client.get_report(report_id).document_id, content)
        self.assertTrue(content.getvalue().lstrip().startswith(b"<?xml"))
        log = self._import(content.getvalue(), user=self.user_a)
        self.assertEqual(log.created_count, 1)
        rma = order.amazon_rma_ids
        self.assertEqual(rma.tracking_number, "1ZXMLEMU")
        self.assertEqual(rma.line_ids.order_line_id, order.order_line)

    def test_returnless_refund_as_amazon_reports_it(self):
        self.company_a.amazon_skip_returnless_rma = True
        returnless = self._returned_order("116-0000050-0000001", returnless=True)
        returned = self._returned_order("116-0000051-0000001")
        self._run()
        self.emulator.process_reports()
        self._run()
        self.assertFalse(returnless.amazon_rma_ids)
        self.assertTrue(returned.amazon_rma_ids)
        log = self.Import.search([("seller_account_id", "=", self.account_a.id)])
        self.assertEqual((log.created_count, log.skipped_count), (1, 1))

    def test_unknown_charset_does_not_stop_the_other_accounts(self):
        self.company_b.amazon_import_rma_report = True
        order_a = self._returned_order("116-0000060-0000001")
        order_b = self._emulated_order("116-0000061-0000001", account=self.account_b)
        self.emulator.add_return(
            order_b.amazon_order_number,
            [{"sku": "MUG-1", "quantity": 1}],
            request_date=self.emulator.now() - timedelta(days=2),
        )
        download = AmazonClient.download_report

        def announcing_an_unknown_charset(client, *args, **kwargs):
            download(client, *args, **kwargs)
            return "x-unknown-charset"

        with patch.object(AmazonClient, "download_report", announcing_an_unknown_charset):
            self._run()
            self.emulator.process_reports()
            self._run()
        self.assertEqual(len(order_a.amazon_rma_ids), 1)
        self.assertEqual(len(order_b.amazon_rma_ids), 1)
