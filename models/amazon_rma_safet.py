from datetime import timedelta

from markupsafe import escape

from odoo import api, fields, models

from ..amazon_api.const import SAFET_CLAIM_WINDOW_DAYS, return_resolution_label
from ..utils import commit_unless_testing

SAFET_ACTIVITY = "amazon_refund_cancel.mail_activity_rma_safet_claim"
# Conditions for which Amazon reimburses a refund it made: damaged or used, materially
# different, or not sent back. Amazon may point damage in transit to a carrier claim instead;
# the recommendation leaves that to Seller Central's eligibility check.
SAFET_CONDITIONS = ("customer_damaged", "carrier_damaged", "wrong_item", "not_returned")


class AmazonRma(models.Model):
    """What Amazon's returns report says it refunded, the seller's SAFE-T claim on the return,
    and the recommendation to file one."""

    _inherit = "amazon.rma"

    amazon_resolution = fields.Char(
        string="Resolution Code", readonly=True, help="Amazon's code of the resolution."
    )
    amazon_resolution_label = fields.Char(
        string="Amazon's Resolution",
        compute="_compute_amazon_resolution_label",
        help="How Amazon resolved the return, as its returns report says.",
    )
    amazon_refunded_amount = fields.Monetary(
        string="Refunded by Amazon",
        readonly=True,
        help="What the returns report says the buyer was refunded for this return.",
    )
    safet_action_reason = fields.Char(string="SAFE-T Reason", readonly=True)
    safet_claim_ref = fields.Char(
        string="SAFE-T Claim ID", readonly=True, tracking=True, index="btree_not_null"
    )
    safet_claim_state = fields.Char(string="SAFE-T Claim Status", readonly=True, tracking=True)
    safet_claim_date = fields.Datetime(string="SAFE-T Claim Filed", readonly=True)
    safet_reimbursed_amount = fields.Monetary(
        string="SAFE-T Reimbursed",
        readonly=True,
        tracking=True,
        help="What Amazon reimbursed on the SAFE-T claim, from the returns report.",
    )
    amazon_refunded_buyer = fields.Boolean(
        compute="_compute_safet_recommended",
        store=True,
        string="Refunded by Amazon Already",
        help="Amazon refunded the buyer itself: a returnless refund, a refunded amount in the "
        "returns report, or a refund of Amazon's own found on the order.",
    )
    safet_recommended = fields.Boolean(
        string="SAFE-T Claim Recommended",
        compute="_compute_safet_recommended",
        store=True,
        index=True,
        help="The item came back damaged, wrong or not at all after Amazon refunded the buyer, "
        "and no claim is filed yet.",
    )
    safet_deadline = fields.Date(
        string="File SAFE-T Claim By",
        compute="_compute_safet_recommended",
        store=True,
        help=f"Amazon accepts SAFE-T claims up to {SAFET_CLAIM_WINDOW_DAYS} days after the later "
        "of the return's delivery and the refund.",
    )
    safet_alerted = fields.Boolean(readonly=True, copy=False)
    # The file-by date the activity was given: the activity moves when the deadline does.
    safet_activity_date = fields.Date(readonly=True, copy=False)
    safet_photo_count = fields.Integer(string="Photos", compute="_compute_safet_photo_count")

    @api.depends("amazon_resolution")
    def _compute_amazon_resolution_label(self):
        for rma in self:
            rma.amazon_resolution_label = return_resolution_label(rma.amazon_resolution)

    @api.depends(
        "line_ids.condition",
        "returnless",
        "amazon_refunded_amount",
        "safet_claim_ref",
        "state",
        "received_date",
        "request_date",
        "amazon_ledger_refund_ids.posted_at",
    )
    def _compute_safet_recommended(self):
        for rma in self:
            amazon_refunds = rma.amazon_ledger_refund_ids
            rma.amazon_refunded_buyer = bool(
                rma.returnless or rma.amazon_refunded_amount > 0 or amazon_refunds
            )
            rma.safet_recommended = bool(
                rma.amazon_refunded_buyer
                and not rma.safet_claim_ref
                and rma.state != "cancelled"
                and set(rma.line_ids.mapped("condition")) & set(SAFET_CONDITIONS)
            )
            rma.safet_deadline = rma.safet_recommended and rma._safet_window_start(
                amazon_refunds
            ) + timedelta(days=SAFET_CLAIM_WINDOW_DAYS)

    def _safet_window_start(self, amazon_refunds):
        """The later of the return's delivery and Amazon's refund; the report's request date
        stands for a refund whose date Odoo does not know."""
        dates = [self.received_date] if self.received_date else []
        dates += [
            fields.Date.context_today(self, refund.posted_at)
            for refund in amazon_refunds
            if refund.posted_at and not refund.estimated
        ]
        return max(dates or [self.request_date or fields.Date.context_today(self)])

    def _compute_safet_photo_count(self):
        counts = dict(
            self.env["ir.attachment"]._read_group(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("mimetype", "=like", "image/%"),
                ],
                ["res_id"],
                ["__count"],
            )
        )
        for rma in self:
            rma.safet_photo_count = counts.get(rma.id, 0)

    def _amazon_sync_safet_activities(self):
        """An activity to file the claim when one is recommended and the return is validated,
        once, due on the file-by date and moved with it; none once a claim is filed or no
        longer recommended."""
        for rma in self.sudo():
            if rma.safet_recommended and not rma.safet_alerted:
                if not rma._amazon_return_validated():
                    continue
                rma.activity_schedule(
                    SAFET_ACTIVITY,
                    date_deadline=rma.safet_deadline,
                    user_id=rma._amazon_responsible_user().id or self.env.uid,
                    note=escape(rma._safet_checklist()),
                )
                rma.write({"safet_alerted": True, "safet_activity_date": rma.safet_deadline})
            elif not rma.safet_recommended and rma.safet_alerted:
                rma.activity_unlink([SAFET_ACTIVITY])
                rma.write({"safet_alerted": False, "safet_activity_date": False})
            elif rma._amazon_safet_activity_moved():
                activities = rma.activity_ids.filtered(
                    lambda a: a.activity_type_id == self.env.ref(SAFET_ACTIVITY)
                )
                activities.write(
                    {
                        "date_deadline": rma.safet_deadline,
                        "note": escape(rma._safet_checklist()),
                    }
                )
                rma.safet_activity_date = rma.safet_deadline

    def _amazon_follow_safet(self):
        """The claim's activity follows its recommendation and file-by date as soon as they
        change, whatever changed them: not only when the scheduled action runs."""
        self.filtered(
            lambda rma: (
                rma.safet_recommended != rma.safet_alerted or rma._amazon_safet_activity_moved()
            )
        )._amazon_sync_safet_activities()

    def _amazon_safet_activity_moved(self):
        """Whether the file-by date changed since the activity was given."""
        self.ensure_one()
        return bool(
            self.safet_recommended
            and self.safet_alerted
            and self.safet_activity_date != self.safet_deadline
        )

    def _safet_checklist(self):
        self.ensure_one()
        return self.env._(
            "Amazon refunded the buyer of order %(order)s, and the item came back damaged, "
            "wrong or not at all. File a SAFE-T claim in Seller Central (Orders > Manage SAFE-T "
            "Claims) by %(deadline)s with: order %(order)s, RMA %(rma)s, return tracking number "
            "%(tracking)s and photos of the item and its packaging (%(photos)s attached to the "
            "RMA).",
            order=self.amazon_order_number or self.order_id.name,
            deadline=self.safet_deadline,
            rma=self.display_name,
            tracking=self.tracking_number or self.env._("none"),
            photos=self.safet_photo_count,
        )

    @api.model
    def _cron_safet_claims(self):
        """Activities for the SAFE-T claims to file, company by company."""
        rmas = self.search(
            [
                "|",
                "&",
                ("safet_recommended", "=", True),
                ("safet_alerted", "=", False),
                "|",
                "&",
                ("safet_recommended", "=", False),
                ("safet_alerted", "=", True),
                # Claims still open to file, whose file-by date may have moved since.
                "&",
                ("safet_alerted", "=", True),
                ("safet_deadline", ">=", fields.Date.context_today(self)),
            ],
            order="company_id, id",
        )
        for company, company_rmas in rmas.grouped("company_id").items():
            company_rmas.with_company(company)._amazon_sync_safet_activities()
            commit_unless_testing(self.env)
