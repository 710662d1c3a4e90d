from markupsafe import escape

from odoo import api, fields, models

from ..utils import commit_unless_testing

DUE_ACTIVITY = "amazon_refund_cancel.mail_activity_rma_refund_due"
OVERDUE_ACTIVITY = "amazon_refund_cancel.mail_activity_rma_refund_overdue"
TO_REFUND_STATES = ("open", "received")


class AmazonRma(models.Model):
    """The refund deadline: an activity to the responsible user on the due date, and to the
    company's Amazon managers once it has passed."""

    _inherit = "amazon.rma"

    # The deadline alert already given, so that a rerun of the scheduled action gives none twice.
    deadline_alert = fields.Selection(
        [("due", "Due today"), ("overdue", "Overdue")], readonly=True, copy=False
    )

    def _amazon_responsible_user(self):
        """Whoever answers for the refund: the order's salesperson, else an Amazon manager of
        the company."""
        self.ensure_one()
        salesperson = self.order_id.user_id
        if (
            salesperson.active
            and not salesperson.share
            and self.company_id in (salesperson.company_ids)
        ):
            return salesperson
        return self.env["amazon.seller.account"]._amazon_manager(self.company_id)

    @api.model
    def _cron_refund_deadlines(self):
        """RMAs to refund today or late get their activities, company by company."""
        today = fields.Date.context_today(self)
        rmas = self.search(
            [
                ("refund_due_date", "<=", today),
                ("state", "in", TO_REFUND_STATES),
                ("deadline_alert", "!=", "overdue"),
                # Amazon refunded the buyer itself: there is no refund of the seller's to give.
                ("amazon_ledger_refund_ids", "=", False),
            ],
            order="company_id, refund_due_date, id",
        )
        for company, company_rmas in rmas.grouped("company_id").items():
            company_rmas.with_company(company)._amazon_alert_deadlines(today)
            commit_unless_testing(self.env)
        self._amazon_clear_deadline_activities()
        commit_unless_testing(self.env)

    def _amazon_alert_deadlines(self, today):
        managers = self.env["amazon.seller.account"]._amazon_managers(self.company_id)
        for rma in self:
            if rma.refund_due_date < today:
                rma._amazon_escalate(managers)
            elif not rma.deadline_alert:
                user = rma._amazon_responsible_user()
                rma.activity_schedule(
                    DUE_ACTIVITY,
                    date_deadline=rma.refund_due_date,
                    user_id=user.id or self.env.uid,
                    note=escape(
                        self.env._(
                            "Amazon expects the refund of %(rma)s (order %(order)s) today, or "
                            "refunds the buyer on your behalf.",
                            rma=rma.display_name,
                            order=rma.amazon_order_number or rma.order_id.name,
                        )
                    ),
                )
                rma.deadline_alert = "due"

    def _amazon_escalate(self, managers):
        users = managers or self._amazon_responsible_user()
        for user in users:
            self.activity_schedule(
                OVERDUE_ACTIVITY,
                date_deadline=fields.Date.context_today(self),
                user_id=user.id or self.env.uid,
                note=escape(
                    self.env._(
                        "The refund of %(rma)s (order %(order)s) was due on %(date)s and is not "
                        "sent: Amazon may refund the buyer on your behalf.",
                        rma=self.display_name,
                        order=self.amazon_order_number or self.order_id.name,
                        date=self.refund_due_date,
                    )
                ),
            )
        self.deadline_alert = "overdue"

    @api.model
    def _amazon_clear_deadline_activities(self):
        """Deadline activities of RMAs refunded, closed or cancelled since have no object."""
        types = [self.env.ref(DUE_ACTIVITY).id, self.env.ref(OVERDUE_ACTIVITY).id]
        activities = self.env["mail.activity"].search(
            [("res_model", "=", self._name), ("activity_type_id", "in", types)]
        )
        done = self.browse(activities.mapped("res_id")).filtered(
            lambda rma: rma.state not in TO_REFUND_STATES or rma.amazon_ledger_refund_ids
        )
        activities.filtered(lambda activity: activity.res_id in done.ids).unlink()
