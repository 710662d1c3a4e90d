from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import HOSTILE_HTML, AmazonCase, assert_shown_as_text

# A Tuesday: a return delivered the Friday before is due today.
TODAY = date(2025, 7, 15)
FRIDAY = date(2025, 7, 11)
WEDNESDAY = date(2025, 7, 9)


@tagged("post_install", "-at_install")
class TestRmaDeadlines(AmazonCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager_b = cls._create_user(
            "amazon_manager_b_due", cls.company_b, "group_amazon_manager"
        )
        cls.salesperson = new_test_user(
            cls.env,
            "due_salesperson",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        cls.due = cls.env.ref("amazon_refund_cancel.mail_activity_rma_refund_due")
        cls.overdue = cls.env.ref("amazon_refund_cancel.mail_activity_rma_refund_overdue")

    def _rma(self, number, delivered, account=None, salesperson=None):
        account = account or self.account_a
        order = self._create_amazon_order(account, number)
        order.user_id = salesperson
        return self.env["amazon.rma"].create(
            {
                "amazon_rma_number": f"D{number[4:11]}",
                "seller_account_id": account.id,
                "order_id": order.id,
                "amazon_delivery_date": delivered,
                "line_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "quantity": 1,
                            "order_line_id": order.order_line.id,
                        }
                    )
                ],
            }
        )

    def _activities(self, rma, activity_type):
        return rma.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)

    def _run(self, day=TODAY):
        with freeze_time(day):
            self.env["amazon.rma"]._cron_refund_deadlines()

    def test_due_today_goes_to_the_salesperson_once(self):
        rma = self._rma("117-0000001-0000001", FRIDAY, salesperson=self.salesperson)
        self.assertEqual(rma.refund_due_date, TODAY)
        self._run()
        self._run()
        activity = self._activities(rma, self.due)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertEqual(activity.date_deadline, TODAY)
        self.assertFalse(self._activities(rma, self.overdue))
        with freeze_time(TODAY):
            self.assertEqual(self.env["amazon.rma"].search([("id", "=", rma.id)]), rma)

    def test_notes_show_the_amazon_order_number_as_text(self):
        rma = self._rma("117-0000009-0000001", FRIDAY, salesperson=self.salesperson)
        # Typed by a salesperson on the order.
        rma.order_id.amazon_order_number = HOSTILE_HTML
        self._run()
        assert_shown_as_text(self, self._activities(rma, self.due).note)
        self._run(date(2025, 7, 17))
        assert_shown_as_text(self, self._activities(rma, self.overdue)[:1].note)

    def test_without_salesperson_an_amazon_manager_answers(self):
        rma = self._rma("117-0000002-0000001", FRIDAY)
        self._run()
        managers_a = self.env["amazon.seller.account"]._amazon_managers(self.company_a)
        self.assertIn(self.manager_a, managers_a)
        self.assertIn(self._activities(rma, self.due).user_id, managers_a)

    def test_overdue_escalates_to_the_managers_once(self):
        rma = self._rma("117-0000003-0000001", FRIDAY, salesperson=self.salesperson)
        self._run()
        self._run(date(2025, 7, 16))
        self._run(date(2025, 7, 17))
        escalation = self._activities(rma, self.overdue)
        managers_a = self.env["amazon.seller.account"]._amazon_managers(self.company_a)
        self.assertEqual(escalation.user_id, managers_a, "one activity per manager")
        self.assertIn(self.manager_a, escalation.user_id)
        self.assertEqual(len(self._activities(rma, self.due)), 1)
        self.assertEqual(rma.deadline_alert, "overdue")

    def test_not_due_yet_or_refunded_gets_nothing(self):
        later = self._rma("117-0000004-0000001", TODAY)
        closed = self._rma("117-0000005-0000001", WEDNESDAY)
        closed.action_close()
        self._run()
        self.assertFalse(later.activity_ids | closed.activity_ids)

    def test_closing_clears_the_deadline_activities(self):
        rma = self._rma("117-0000006-0000001", WEDNESDAY)
        self._run()
        self.assertTrue(self._activities(rma, self.overdue))
        rma.action_close()
        self._run()
        self.assertFalse(rma.activity_ids)

    def test_each_company_alerts_its_own_managers(self):
        rma_a = self._rma("117-0000007-0000001", WEDNESDAY)
        rma_b = self._rma("117-0000008-0000001", WEDNESDAY, account=self.account_b)
        self._run()
        self.assertIn(self.manager_a, self._activities(rma_a, self.overdue).user_id)
        self.assertNotIn(self.manager_b, self._activities(rma_a, self.overdue).user_id)
        self.assertEqual(self._activities(rma_b, self.overdue).user_id, self.manager_b)

    def test_overdue_count_on_the_seller_account(self):
        overdue = self._rma("117-0000009-0000001", WEDNESDAY)
        self._rma("117-0000010-0000001", date.today())
        self._rma("117-0000011-0000001", WEDNESDAY, account=self.account_b)
        self.assertEqual(self.account_a.overdue_rma_count, 1)
        action = self.account_a.action_view_overdue_rmas()
        self.assertEqual(action["context"], {"search_default_refund_overdue": 1})
        found = self.env["amazon.rma"].search(
            action["domain"] + self.account_a._overdue_rma_domain()
        )
        self.assertEqual(found, overdue)
