import base64
from datetime import datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from odoo import fields
from odoo.tests import tagged

from ..amazon_api.const import SAFET_CLAIM_WINDOW_DAYS
from .common import HOSTILE_HTML, AmazonEmulatorCase, assert_shown_as_text, report_content
from .common_rma import RmaImportMixin, receive
from .test_rma import _deliver

PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
)


@tagged("post_install", "-at_install")
class TestRmaSafet(RmaImportMixin, AmazonEmulatorCase):
    """SAFE-T claims: recommended when Amazon refunded and the item came back bad, then
    followed from the returns report in either format."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for company in (cls.company_a, cls.company_b):
            warehouse = cls.env["stock.warehouse"].search([("company_id", "=", company.id)])[:1]
            cls.env["stock.quant"]._update_available_quantity(
                cls.product, warehouse.lot_stock_id, 20
            )
        cls.manager_b = cls._create_user(
            "amazon_manager_b_safet", cls.company_b, "group_amazon_manager"
        )
        cls.safet = cls.env.ref("amazon_refund_cancel.mail_activity_rma_safet_claim")

    def _returned(self, number, refunded="22.00", account=None):
        """An order of 2 MUG-1 delivered from Odoo, one of which the buyer returns."""
        account = account or self.account_a
        order = self._emulated_order(number, account=account)
        order.amazon_fulfillment = "merchant"
        _deliver(order)
        self.emulator.add_return(
            number,
            [{"sku": "MUG-1", "quantity": 1, "refunded_amount": refunded and Decimal(refunded)}],
            rma_id=f"S{number[4:11]}",
        )
        return order

    def _import_report(self, fmt, account=None):
        """Amazon's returns report of the emulated state, imported through the dialog."""
        account = account or self.account_a
        report = SimpleNamespace(
            seller_id=account.seller_id,
            marketplace_ids=account.marketplace_ids.mapped("code"),
            data_start=None,
            data_end=None,
        )
        if fmt == "xml":
            text, _count = report_content.returns_xml(
                self.emulator.returns, self.emulator.orders, report, "UTF-8"
            )
        else:
            text, _count = report_content.returns_flat(
                self.emulator.returns, self.emulator.orders, report
            )
        return self._import(text.encode(), account=account)

    def _safet_activities(self, rma):
        return rma.activity_ids.filtered(lambda a: a.activity_type_id == self.safet)

    def _claim_followed(self, fmt, number):
        order = self._returned(number)
        self._import_report(fmt)
        rma = order.amazon_rma_ids
        self.assertEqual(rma.amazon_refunded_amount, 22.0)
        self.assertTrue(rma.amazon_refunded_buyer)
        self.assertFalse(rma.safet_recommended, "nothing says the item came back bad yet")

        receive(rma, ["customer_damaged"])
        self.assertTrue(rma.safet_recommended)
        for move in rma.picking_ids.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        rma.picking_ids.button_validate()
        self.assertEqual(
            rma.safet_deadline,
            fields.Date.context_today(rma) + timedelta(days=SAFET_CLAIM_WINDOW_DAYS),
        )
        activity = self._safet_activities(rma)
        self.assertEqual(len(activity), 1)
        self.assertIn(rma.tracking_number, str(activity.note))
        self.assertIn(rma.amazon_order_number, str(activity.note))
        self.env["amazon.rma"]._cron_safet_claims()
        self.assertEqual(len(self._safet_activities(rma)), 1, "no second activity")

        self.env["ir.attachment"].create(
            [
                {"name": f"{name}", "datas": data, "res_model": "amazon.rma", "res_id": rma.id}
                for name, data in (
                    ("box.png", PNG),
                    ("item.png", PNG),
                    ("label.pdf", base64.b64encode(b"%PDF-1.4 label")),
                )
            ]
        )
        rma.invalidate_recordset(["safet_photo_count"])
        self.assertEqual(rma.safet_photo_count, 2, "photos are the images attached")

        claim_id = self.emulator.file_safet_claim(rma.amazon_rma_number)
        self._import_report(fmt)
        self.assertEqual(rma.safet_claim_ref, claim_id)
        self.assertEqual(rma.safet_claim_state, "Under Investigation")
        self.assertEqual(rma.safet_action_reason, "Item returned damaged")
        self.assertTrue(rma.safet_claim_date)
        self.assertFalse(rma.safet_recommended, "no recommendation once a claim exists")
        self.assertFalse(self._safet_activities(rma))

        self.emulator.decide_safet_claim(rma.amazon_rma_number, "Granted", "22.00")
        self._import_report(fmt)
        self.assertEqual(rma.safet_claim_state, "Granted")
        self.assertEqual(rma.safet_reimbursed_amount, 22.0)
        self.assertEqual(order.amazon_safet_reimbursed_amount, 22.0)

    def test_claim_followed_from_the_flat_file(self):
        self._claim_followed("flat", "118-0000001-0000001")

    def test_claim_followed_from_the_xml_report(self):
        self._claim_followed("xml", "118-0000002-0000001")

    def test_checklist_shows_the_files_tracking_id_as_text(self):
        order = self._returned("118-0000009-0000001")
        self._import_report("flat")
        rma = order.amazon_rma_ids
        # As a returns file's Tracking ID cell gives it.
        rma.tracking_number = HOSTILE_HTML
        receive(rma, ["customer_damaged"])
        for move in rma.picking_ids.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        rma.picking_ids.button_validate()
        assert_shown_as_text(self, self._safet_activities(rma).note)

    def test_no_recommendation_when_sellable_or_not_refunded_by_amazon(self):
        sellable = self._returned("118-0000003-0000001")
        not_refunded = self._returned("118-0000004-0000001", refunded=None)
        self._import_report("flat")
        receive(sellable.amazon_rma_ids, ["sellable"])
        receive(not_refunded.amazon_rma_ids, ["wrong_item"])
        self.assertFalse(not_refunded.amazon_rma_ids.amazon_refunded_buyer)
        for rma in (sellable | not_refunded).amazon_rma_ids:
            self.assertFalse(rma.safet_recommended)
            self.assertFalse(self._safet_activities(rma))

    def test_amazons_own_refund_on_the_order_counts(self):
        order = self._returned("118-0000005-0000001", refunded=None)
        self._import_report("flat")
        rma = order.amazon_rma_ids
        receive(rma, ["not_returned"])
        self.assertFalse(rma.picking_ids, "units not returned are not moved")
        self.assertFalse(rma.safet_recommended)
        # Amazon's transactions show it refunded the buyer itself.
        self.emulator.amazon_refund(
            order.amazon_order_number,
            order.order_line.amazon_order_item_code,
            {"Principal": "20.00"},
            kind="amazon",
        )
        self.env["amazon.seller.account"]._cron_read_amazon_refunds()
        self.assertTrue(rma.safet_recommended)
        self.env["amazon.rma"]._cron_safet_claims()
        self.assertEqual(len(self._safet_activities(rma)), 1)

    def test_each_company_its_own_claims(self):
        order_b = self._returned("118-0000006-0000001", account=self.account_b)
        self._import_report("flat", account=self.account_b)
        rma_b = order_b.amazon_rma_ids
        receive(rma_b, ["carrier_damaged"])
        self.assertTrue(rma_b.safet_recommended)
        self._validate(rma_b)
        self.assertEqual(self._safet_activities(rma_b).user_id, self.manager_b)
        self.assertFalse(
            self.env["amazon.rma"].search(
                [("seller_account_id", "=", self.account_a.id), ("safet_recommended", "=", True)]
            )
        )

    def _validate(self, rma):
        for move in rma.picking_ids.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        rma.picking_ids.button_validate()

    def test_receive_after_amazon_refunded(self):
        """Amazon's confirmed refund makes the RMA Refunded: the goods still come back into
        stock by condition, nothing is refunded again, and SAFE-T is recommended."""
        order = self._returned("118-0000010-0000001", refunded=None)
        self.account_a.return_refund_mode = "propose"
        self._import_report("flat")
        rma = order.amazon_rma_ids
        self.emulator.amazon_refund(
            order.amazon_order_number,
            order.order_line.amazon_order_item_code,
            {"Principal": "20.00"},
            kind="amazon",
        )
        self.env["amazon.seller.account"]._cron_read_amazon_refunds()
        self.assertEqual(rma.state, "refunded")
        self.assertTrue(rma.amazon_receive_pending, "Receive is offered")
        before = self.product.with_company(self.company_a).qty_available
        receive(rma, ["customer_damaged"])
        self.assertEqual(rma.line_ids.condition, "customer_damaged")
        self.assertTrue(rma.picking_ids)
        self.assertFalse(self._safet_activities(rma), "no activity before the return is validated")
        self._validate(rma)
        self.assertEqual(rma.picking_ids.state, "done")
        self.assertEqual(self.product.with_company(self.company_a).qty_available, before + 1)
        self.assertFalse(rma.amazon_receive_pending, "nothing is left to receive")
        self.assertEqual(
            rma.refund_request_ids.mapped("origin"), ["amazon"], "nothing refunded again"
        )
        self.assertIn("No refund proposed or sent", rma.message_ids.mapped("body")[0])
        self.assertTrue(rma.safet_recommended)
        activity = self._safet_activities(rma)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.date_deadline, rma.safet_deadline)

    def test_safet_activity_made_at_validation_and_moved_with_the_deadline(self):
        order = self._returned("118-0000011-0000001")
        self._import_report("flat")
        rma = order.amazon_rma_ids
        receive(rma, ["customer_damaged"])
        self.assertTrue(rma.safet_recommended)
        self.assertFalse(self._safet_activities(rma), "not at Receive: nothing is validated yet")
        self.env["amazon.rma"]._cron_safet_claims()
        self.assertFalse(self._safet_activities(rma), "nor by the scheduled action")
        self._validate(rma)
        activity = self._safet_activities(rma)
        self.assertEqual(activity.date_deadline, rma.safet_deadline)
        self.assertEqual(
            rma.safet_deadline,
            fields.Date.context_today(rma) + timedelta(days=SAFET_CLAIM_WINDOW_DAYS),
        )
        # The report later tells the carrier delivered the return five days before.
        rma.amazon_delivery_date = fields.Date.context_today(rma) - timedelta(days=5)
        self.assertEqual(
            rma.safet_deadline,
            fields.Date.context_today(rma) + timedelta(days=SAFET_CLAIM_WINDOW_DAYS - 5),
        )
        self.env["amazon.rma"]._cron_safet_claims()
        self.assertEqual(activity.date_deadline, rma.safet_deadline, "the activity moved")
        self.assertEqual(len(self._safet_activities(rma)), 1)

    def test_nothing_returned_recommends_at_receive(self):
        order = self._returned("118-0000012-0000001")
        self._import_report("flat")
        rma = order.amazon_rma_ids
        receive(rma, ["not_returned"])
        self.assertFalse(rma.picking_ids)
        activity = self._safet_activities(rma)
        self.assertEqual(len(activity), 1, "nothing to validate: known at Receive")
        self.assertEqual(activity.date_deadline, rma.safet_deadline)

    def test_safet_activity_moves_when_the_later_date_changes(self):
        """No scheduled action needed: the delivery date the report gives, then Amazon's refund
        read from its transactions, move the activity as soon as they are known."""
        order = self._returned("118-0000013-0000001")
        self._import_report("flat")
        rma = order.amazon_rma_ids
        receive(rma, ["customer_damaged"])
        self._validate(rma)
        activity = self._safet_activities(rma)
        today, window = fields.Date.context_today(rma), timedelta(days=SAFET_CLAIM_WINDOW_DAYS)
        self.assertEqual(activity.date_deadline, today + window)
        rma.amazon_delivery_date = today - timedelta(days=10)
        self.assertEqual(activity.date_deadline, today - timedelta(days=10) + window)
        refunded_on = datetime.combine(today - timedelta(days=4), time(12))
        self.emulator.amazon_refund(
            order.amazon_order_number,
            order.order_line.amazon_order_item_code,
            {"Principal": "20.00"},
            when=refunded_on,
            kind="amazon",
        )
        self.env["amazon.seller.account"]._cron_read_amazon_refunds()
        self.assertEqual(rma.safet_deadline, refunded_on.date() + window)
        self.assertEqual(activity.date_deadline, rma.safet_deadline, "moved by Amazon's refund")
        self.assertEqual(self._safet_activities(rma), activity, "still one activity")

    def test_closing_a_claim_removes_the_activity_at_once(self):
        order = self._returned("118-0000014-0000001")
        self._import_report("flat")
        rma = order.amazon_rma_ids
        receive(rma, ["customer_damaged"])
        self._validate(rma)
        self.assertTrue(self._safet_activities(rma))
        claim_id = self.emulator.file_safet_claim(rma.amazon_rma_number)
        rma.safet_claim_ref = claim_id
        self.assertFalse(self._safet_activities(rma), "a claim is filed: nothing left to do")

    def test_safet_activity_made_when_amazons_refund_comes_after_validation(self):
        order = self._returned("118-0000015-0000001", refunded=None)
        self._import_report("flat")
        rma = order.amazon_rma_ids
        receive(rma, ["customer_damaged"])
        self._validate(rma)
        self.assertFalse(rma.safet_recommended, "Amazon has not refunded the buyer")
        self.assertFalse(self._safet_activities(rma))
        self.emulator.amazon_refund(
            order.amazon_order_number,
            order.order_line.amazon_order_item_code,
            {"Principal": "20.00"},
            kind="amazon",
        )
        self.env["amazon.seller.account"]._cron_read_amazon_refunds()
        self.assertTrue(rma.safet_recommended)
        activity = self._safet_activities(rma)
        self.assertEqual(len(activity), 1, "made as soon as Amazon's refund is read")
        self.assertEqual(activity.date_deadline, rma.safet_deadline)
