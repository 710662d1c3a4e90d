from datetime import date

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from ..models.amazon_rma import add_business_days
from .common import AmazonCase, AmazonEmulatorCase
from .common_rma import RmaImportMixin, receive, returns_flat_file


def _deliver(order):
    """Confirm the order and ship all of it from stock."""
    order.action_confirm()
    for move in order.picking_ids.move_ids:
        move.quantity = move.product_uom_qty
        move.picked = True
    order.picking_ids.button_validate()


@tagged("post_install", "-at_install")
class TestRma(RmaImportMixin, AmazonCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company_a.id)])
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, warehouse[:1].lot_stock_id, 20
        )

    def _rma(self, number, quantity=1, account=None, deliver=True, **row):
        account = account or self.account_a
        order = self._create_amazon_order(account, number, lines=(("MUG-1", 3),))
        if deliver:
            _deliver(order)
        else:
            # Shipped as far as Amazon knows (it fulfilled the order), not delivered from Odoo.
            order.amazon_fulfillment = "amazon"
        self._import(
            returns_flat_file(
                {
                    "Order ID": number,
                    "Amazon RMA ID": f"R{number[4:11]}",
                    "Return quantity": str(quantity),
                    **row,
                }
            ),
            account=account,
        )
        return order.amazon_rma_ids

    def test_receive_makes_a_return_of_the_delivery(self):
        rma = self._rma("115-0000001-0000001", quantity=2)
        action = receive(rma, user=self.user_a)
        picking = rma.picking_ids
        self.assertEqual(action["res_id"], picking.id)
        self.assertEqual(picking.picking_type_code, "incoming")
        self.assertEqual(picking.return_id, rma.order_id.picking_ids.filtered("date_done")[:1])
        self.assertEqual(picking.move_ids.product_id, self.product)
        self.assertEqual(picking.move_ids.product_uom_qty, 2)
        self.assertEqual(picking.move_ids.sale_line_id, rma.order_id.order_line)
        self.assertEqual(rma.state, "open", "received when the return is validated in stock")
        self.assertEqual(rma.with_user(self.user_a).action_receive()["res_id"], picking.id)
        log = self._import(
            returns_flat_file(
                {
                    "Order ID": rma.amazon_order_number,
                    "Amazon RMA ID": rma.amazon_rma_number,
                    "Return quantity": "3",
                }
            )
        )
        self.assertEqual(log.updated_count, 1)
        self.assertIn("lines were kept", log.line_ids.reason)
        self.assertEqual(rma.line_ids.quantity, 2, "a return on its way keeps its lines")
        picking.move_ids.quantity = 2
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(rma.state, "received")
        self.assertEqual(rma.received_date, fields.Date.context_today(rma))
        self.assertEqual(rma.refund_due_date, add_business_days(fields.Date.context_today(rma), 2))
        self.assertEqual(rma.order_id.order_line.qty_delivered, 1)
        with self.assertRaisesRegex(UserError, "nothing left to receive"):
            receive(rma)

    def test_receive_without_delivery_is_refused(self):
        rma = self._rma("115-0000002-0000001", deliver=False)
        with self.assertRaisesRegex(UserError, "were not delivered"):
            receive(rma)

    def test_refund_due_counts_business_days(self):
        friday, saturday, wednesday = date(2025, 7, 11), date(2025, 7, 12), date(2025, 7, 9)
        self.assertEqual(add_business_days(friday, 2), date(2025, 7, 15))
        self.assertEqual(add_business_days(saturday, 2), date(2025, 7, 15))
        self.assertEqual(add_business_days(wednesday, 2), date(2025, 7, 11))
        rma = self._rma(
            "115-0000003-0000001", deliver=False, **{"Return delivery date": "11-Jul-2025"}
        )
        self.assertEqual(rma.refund_due_date, date(2025, 7, 15))
        overdue = self.env["amazon.rma"].search(
            [("refund_due_date", "<", date.today()), ("state", "in", ("open", "received"))]
        )
        self.assertIn(rma, overdue)

    def test_close_and_cancel(self):
        rma = self._rma("115-0000004-0000001")
        receive(rma)
        rma.with_user(self.user_a).action_cancel()
        self.assertEqual(rma.state, "cancelled")
        self.assertEqual(rma.picking_ids.state, "cancel")
        with self.assertRaises(UserError):
            rma.action_close()
        other = self._rma("115-0000005-0000001")
        other.with_user(self.user_a).action_close()
        self.assertEqual(other.state, "closed")
        with self.assertRaises(UserError):
            other.action_cancel()

    def test_refund_lines_and_issue_refund(self):
        rma = self._rma("115-0000006-0000001", quantity=2)
        self.assertEqual(
            rma._amazon_refund_lines(),
            [{"order_line": rma.order_id.order_line, "quantity": 2, "reason": "CustomerReturn"}],
        )
        action = rma.action_issue_refund()
        self.assertEqual(action["res_model"], "amazon.refund.wizard")
        self.assertEqual(action["context"]["default_rma_id"], rma.id)
        self.assertEqual(
            action["context"]["amazon_refund_quantities"], [[rma.order_id.order_line.id, 2]]
        )

    def test_rights_and_company_isolation(self):
        rma_a = self._rma("115-0000007-0000001")
        rma_b = self._rma("115-0000008-0000001", account=self.account_b, deliver=False)
        Rma = self.env["amazon.rma"].with_user(self.user_a)
        self.assertEqual(Rma.search([("id", "in", (rma_a | rma_b).ids)]), rma_a)
        with self.assertRaises(AccessError):
            rma_b.with_user(self.user_a).read(["amazon_rma_number"])
        imports = self.env["amazon.rma.import"].with_user(self.user_a).search([])
        self.assertEqual(imports.seller_account_id, self.account_a)
        self.assertFalse(
            self.env["amazon.rma.import.line"]
            .with_user(self.user_a)
            .search([("amazon_rma_number", "=", rma_b.amazon_rma_number)])
        )
        rma_a.with_user(self.user_a).resolution = "exchange"
        with self.assertRaises(AccessError):
            rma_a.with_user(self.user_a).unlink()
        with self.assertRaises(AccessError):
            self._import(
                returns_flat_file({"Order ID": "115-0000008-0000001", "Amazon RMA ID": "X"}),
                account=self.account_b,
                user=self.user_a,
            )
        nobody = new_test_user(
            self.env,
            login="salesman_no_amazon",
            name="Salesman",
            groups="sales_team.group_sale_salesman",
        )
        with self.assertRaises(AccessError):
            self.env["amazon.rma"].with_user(nobody).search([])
        rma_a.with_user(self.manager_a).unlink()
        self.assertFalse(rma_a.exists())


@tagged("post_install", "-at_install")
class TestRmaRefund(RmaImportMixin, AmazonEmulatorCase):
    def test_refund_from_rma_marks_it_refunded_when_amazon_accepts(self):
        order = self._emulated_order("115-0000020-0000001", quantity=2)
        order.action_confirm()
        self._import(
            returns_flat_file({"Order ID": order.amazon_order_number, "Amazon RMA ID": "DREFUND01"})
        )
        rma = order.amazon_rma_ids
        action = rma.action_issue_refund()
        with Form(self.env["amazon.refund.wizard"].with_context(**action["context"])) as form:
            self.assertEqual(form.reason, "CustomerReturn")
            self.assertEqual(len(form.line_ids), 1)
            with form.line_ids.edit(0) as line:
                # One returned unit of two: half the item price and tax come back.
                self.assertEqual(line.quantity, 1)
                self.assertEqual(line.amount_principal, 20.0)
                self.assertEqual(line.amount_shipping, 0.0)
            wizard = form.save()
        wizard.action_refund()
        request = rma.order_id.amazon_request_ids
        self.assertEqual(request.amazon_rma_id, rma)
        self.assertEqual(rma.refund_request_count, 1)
        Batch = self.env["amazon.feed.batch"]
        Batch._cron_send_requests()
        self.assertEqual(rma.state, "open")
        with self.assertRaises(UserError):
            rma.action_cancel()
        self.emulator.process_feeds()
        request.batch_id._follow()
        self.assertEqual(request.state, "done")
        self.assertEqual(rma.state, "refunded")
        (message,) = [m for feed in self.emulator.feeds.values() for m in feed.messages]
        self.assertEqual(message.amazon_order_id, order.amazon_order_number)
        (item,) = message.items
        self.assertEqual(item["order_item_id"], order.order_line.amazon_order_item_code)
        self.assertEqual(item["reason"], "CustomerReturn")
        refunded = next(iter(self.emulator.orders[order.amazon_order_number].items.values()))
        self.assertEqual(str(refunded.refunded["Principal"]), "20.00")
        # The order has no posted invoice: its credit note waits in draft for accounting.
        self.assertEqual(request.credit_note_id.state, "draft")
        self.assertTrue(request.credit_note_id.activity_ids)
