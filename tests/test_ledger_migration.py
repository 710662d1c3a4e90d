from odoo import Command
from odoo.modules.migration import load_script
from odoo.modules.module import get_module_path
from odoo.tests import tagged

from .common import AmazonEmulatorCase


@tagged("post_install", "-at_install")
class TestLedgerMigration(AmazonEmulatorCase):
    """A database of 18.0.1.1.0 (no ledgers) upgraded: its orders, requests, Amazon's own
    refunds and the returns reports' refunds fill the ledgers, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.script = load_script(
            f"{get_module_path('amazon_refund_cancel')}/migrations/18.0.1.2.0/post-migrate.py",
            "amazon_refund_cancel_post_migrate_18_0_1_2_0",
        )

    def _previous_release(self):
        """What 18.0.1.1.0 left: no ledgers, no refunds by Amazon apart from its requests of
        origin Amazon, no request in doubt."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("DELETE FROM amazon_item_ledger_refund")
        cr.execute("UPDATE amazon_order_request_line SET ledger_id = NULL")
        cr.execute("DELETE FROM amazon_item_ledger")
        cr.execute("UPDATE amazon_order_request SET in_doubt = NULL")
        self.env.invalidate_all()

    def test_upgrade_fills_the_ledgers_once(self):
        order = self._shipped_order("231-0000001-0000001", lines=(("MIG-1", 2, 10.0),), shipping=0)
        mug = order.order_line
        done = self._refund_request(order, principal=4.0, queue=False)
        done._on_applied()
        in_doubt = self._refund_request(order, principal=3.0)
        batch = self.env["amazon.feed.batch"]._batch_requests(in_doubt)
        batch.write({"state": "failed"})
        in_doubt.write({"state": "error", "in_doubt": True, "sent_at": batch.create_date})
        self.emulator.amazon_refund(
            order.amazon_order_number, mug.amazon_order_item_code, {"Principal": "2.00"}
        )
        self.env["amazon.seller.account"]._cron_read_amazon_refunds()
        booked = order.amazon_request_ids.filtered(lambda r: r.origin == "amazon")
        self.assertEqual(len(booked), 1)
        returned = self._shipped_order("231-0000002-0000001", lines=(("MIG-2", 1, 10.0),))
        rma = self.env["amazon.rma"].create(
            {
                "amazon_rma_number": "DMIGLEDGER",
                "seller_account_id": self.account_a.id,
                "order_id": returned.id,
                "amazon_refunded_amount": 11.0,
                "line_ids": [
                    Command.create(
                        {
                            "product_id": returned.order_line[0].product_id.id,
                            "quantity": 1,
                            "order_line_id": returned.order_line[0].id,
                        }
                    )
                ],
            }
        )
        rma._amazon_record_report_refund()
        expected = {
            line: (ledger.amount_refunded, ledger.amount_pending)
            for line, ledger in self.env["amazon.item.ledger"]
            ._for_lines(order.order_line | returned.order_line.filtered("amazon_order_item_code"))
            .items()
        }
        self._previous_release()
        self.assertFalse(self.env["amazon.item.ledger"].search([("order_id", "=", order.id)]))

        for _run in range(2):
            self.script.migrate(self.env.cr, "18.0.1.1.0")
            self.env.invalidate_all()
            ledger = self.env["amazon.item.ledger"].search([("order_line_id", "=", mug.id)])
            self.assertEqual(len(ledger), 1)
            self.assertEqual(ledger.charged_principal, 20.0)
            self.assertEqual(ledger.request_line_ids, order.amazon_request_ids.line_ids)
            self.assertTrue(in_doubt.in_doubt, "sent, then its batch stopped: maybe applied")
            (by_amazon,) = ledger.amazon_refund_ids
            self.assertEqual((by_amazon.request_id, by_amazon.amount_total), (booked, 2.0))
            self.assertTrue(by_amazon.seen_in_finances)
            self.assertEqual(ledger.amount_refunded, 6.0, "4.00 by the seller, 2.00 by Amazon")
            self.assertEqual(ledger.amount_pending, 3.0, "the request in doubt")
            (reported,) = rma.amazon_ledger_refund_ids
            self.assertEqual((reported.amount_total, reported.estimated), (11.0, True))
            for line, (refunded, pending) in expected.items():
                ledger = self.env["amazon.item.ledger"].search([("order_line_id", "=", line.id)])
                self.assertEqual(
                    (ledger.amount_refunded, ledger.amount_pending), (refunded, pending)
                )
