from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..models.amazon_rma import add_business_days
from .test_return_refund_rules import ReturnRefundCase


@tagged("post_install", "-at_install")
class TestRmaOutcome(ReturnRefundCase):
    """After a return is validated the RMA says what became of its refund, and offers the next
    step; the queue names proposals; items not returned close the return."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.amazon_return_refund_mode = "propose"

    def _one_mug(self, number, condition="sellable"):
        return self._returned(number, [("MUG", 1, "CR-UNWANTED_ITEM", True, condition)])

    def test_proposal_is_said_and_reviewed_from_the_rma(self):
        self._rule("Any return")
        rma = self._one_mug("164-0000001-0000001")
        self.assertFalse(rma.amazon_outcome, "nothing to say before the return is received")
        request = self._receive(rma)
        self.assertEqual(request.queue_state, "proposed")
        self.assertEqual(rma.amazon_proposal_id, request)
        self.assertEqual(rma.amazon_outcome, "Refund of $\xa022.00 proposed: review it.")
        self.assertFalse(rma.amazon_receive_pending, "Receive is no longer offered")
        self.assertIn(
            request, self.env["amazon.order.request"].search([("queue_state", "=", "proposed")])
        )
        # A user who received it is told plainly who confirms it.
        with self.assertRaisesRegex(UserError, "only an Amazon manager of .* confirms it"):
            rma.with_user(self.user_a).action_review_proposal()
        action = rma.with_user(self.manager_a).action_review_proposal()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.manager_a)
            .with_context(**action["context"])
        ).save()
        self.assertIn("only an Amazon manager of", wizard.review_note)
        self.assertIn(self.manager_a.name, wizard.review_note)
        wizard.action_refund()
        self.assertEqual(request.queue_state, "queued")
        self.assertFalse(rma.amazon_proposal_id)
        self.assertEqual(rma.amazon_outcome, "Refund of $\xa022.00 sent.")

    def test_amazons_refund_is_said_with_its_date(self):
        self._rule("Any return")
        rma = self._one_mug("164-0000002-0000001", "customer_damaged")
        rma.write({"amazon_refunded_amount": 22.0, "request_date": "2026-01-05"})
        self.assertFalse(self._receive(rma))
        self.assertEqual(rma.amazon_outcome, "No refund to send: Amazon refunded on 2026-01-05.")

    def test_not_returned_closes_the_item_and_refunds_nothing(self):
        self._rule("Any return")
        rma = self._one_mug("164-0000003-0000001", "not_returned")
        self.assertFalse(self._receive(rma), "no rule refunds an item the buyer kept")
        self.assertEqual(rma.state, "received")
        self.assertFalse(rma.amazon_receive_pending)
        self.assertEqual(rma.amazon_outcome, "Nothing came back: no refund proposed.")

    def test_sent_refund_leaves_issue_refund_as_no_next_step(self):
        """Sent on receipt: the RMA says so, and Issue Refund is no longer the primary step,
        although the order's other units are still refundable."""
        self.company_a.amazon_return_refund_mode = "send"
        self._rule("Any return")
        rma = self._one_mug("164-0000004-0000001")
        request = self._receive(rma)
        self.assertEqual(request.state, "queued")
        self.assertEqual(rma.amazon_outcome, "Refund of $\xa022.00 sent.")
        self.assertFalse(rma.amazon_refund_blocked_reason, "another MUG is still refundable")
        self.assertFalse(rma.amazon_refund_is_next)
        self.assertFalse(rma.amazon_receive_pending)

    def test_issue_refund_is_next_only_when_nothing_else_is(self):
        self.company_a.amazon_return_refund_mode = "nothing"
        rma = self._one_mug("164-0000005-0000001")
        self.assertFalse(rma.amazon_refund_is_next, "Receive comes first")
        self.assertTrue(rma.amazon_receive_pending)
        self.assertFalse(self._receive(rma))
        self.assertTrue(rma.amazon_refund_is_next, "received, nothing proposed: refund it")
        self.company_a.amazon_return_refund_mode = "propose"
        self._rule("Any return")
        proposed = self._one_mug("164-0000006-0000001")
        self._receive(proposed)
        self.assertFalse(proposed.amazon_refund_is_next, "Review Refund is the next step")

    def test_no_refund_due_once_amazon_refunded(self):
        rma = self._one_mug("164-0000007-0000001")
        delivered = fields.Date.today() - timedelta(days=10)
        rma.amazon_delivery_date = delivered
        self.assertEqual(rma.refund_due_date, add_business_days(delivered, 2))
        overdue = [("refund_due_date", "<", fields.Date.today()), ("state", "in", ("open",))]
        self.assertIn(rma, self.env["amazon.rma"].search(overdue))
        rma.amazon_refunded_amount = 22.0
        self.assertTrue(rma.amazon_refunded_buyer)
        self.assertFalse(rma.refund_due_date, "nothing of the seller's is due any more")
        self.assertNotIn(rma, self.env["amazon.rma"].search(overdue))
        account = rma.seller_account_id
        self.assertNotIn(rma, self.env["amazon.rma"].search(account._overdue_rma_domain()))

    def test_receive_not_offered_once_an_older_return_holds_the_items(self):
        """A return made before Receive recorded conditions holds the items without one: once
        it is validated, Receive is no longer offered."""
        self.company_a.amazon_return_refund_mode = "nothing"
        rma = self._returned("164-0000008-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, False)])
        self._receive(rma)
        self.assertFalse(rma.line_ids.condition)
        self.assertFalse(rma.amazon_receive_pending)
        self.assertTrue(rma.amazon_refund_is_next)
        with self.assertRaisesRegex(UserError, "nothing left to receive"):
            rma.with_user(self.user_a).action_receive()
