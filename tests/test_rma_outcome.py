from odoo.exceptions import UserError
from odoo.tests import Form, tagged

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
