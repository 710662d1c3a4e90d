from collections import defaultdict
from datetime import timedelta

from markupsafe import escape

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare

from ..amazon_api import const
from ..compat import Constraint
from ..utils import check_system_fields, commit_unless_testing
from .amazon_order_request import OPEN_STATES, REFUNDED_STATES

RMA_STATES = [
    ("open", "Open"),
    ("received", "Received"),
    ("refunded", "Refunded"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
# What users decide on an RMA; the rest comes from Amazon's report and the checked actions.
USER_FIELDS = {"resolution"}
# What moves or ends the SAFE-T claim's recommendation or its file-by date.
SAFET_FIELDS = {
    "amazon_delivery_date",
    "returnless",
    "amazon_refunded_amount",
    "request_date",
    "safet_claim_ref",
    "closing_state",
}
# Request line field -> the price component it refunds, as the rules decide them.
ITEM_COMPONENTS = {"amount_principal": const.PRINCIPAL, "amount_tax": const.TAX}
SHIPPING_COMPONENTS = {
    "amount_shipping": const.SHIPPING,
    "amount_shipping_tax": const.SHIPPING_TAX,
}
# Amazon expects the refund within this many business days of receiving the return.
REFUND_DUE_BUSINESS_DAYS = 2
TO_REFUND_STATES = ("open", "received")
DUE_ACTIVITY = "amazon_refund_cancel.mail_activity_rma_refund_due"
OVERDUE_ACTIVITY = "amazon_refund_cancel.mail_activity_rma_refund_overdue"
SAFET_ACTIVITY = "amazon_refund_cancel.mail_activity_rma_safet_claim"
# Conditions for which Amazon reimburses a refund it made: damaged or used, materially
# different, or not sent back. Amazon may point damage in transit to a carrier claim instead;
# the recommendation leaves that to Seller Central's eligibility check.
SAFET_CONDITIONS = ("customer_damaged", "carrier_damaged", "wrong_item", "not_returned")


def add_business_days(day, count):
    """`day` plus `count` working days, Monday to Friday."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


class AmazonRma(models.Model):
    """A return of Amazon's returns report: its items and their receipt, the refund of it (by
    hand or by the refund rules) and its deadline, and the seller's SAFE-T claim on it."""

    _name = "amazon.rma"
    _description = "Amazon RMA"
    _inherit = ["amazon.seller.account.owned.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "request_date desc, id desc"
    _rec_name = "amazon_rma_number"
    _check_company_auto = True

    # -- the return and its order ------------------------------------------------------------------
    amazon_rma_number = fields.Char(
        string="Amazon RMA ID",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        help="Amazon's RMA ID of this return.",
    )
    order_id = fields.Many2one(
        "sale.order",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    amazon_order_number = fields.Char(related="order_id.amazon_order_number")
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer", store=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    state = fields.Selection(
        RMA_STATES,
        string="Status",
        compute="_compute_state",
        store=True,
        index=True,
        tracking=True,
        help="Open until the return is validated in stock (Received), then Refunded when Amazon "
        "accepts a refund of it. Closed and Cancelled are set by hand.",
    )
    # Close and Cancel are decisions; the other statuses follow the pickings and refunds.
    closing_state = fields.Selection(
        [("closed", "Closed"), ("cancelled", "Cancelled")],
        string="Closing Status",
        readonly=True,
        copy=False,
    )
    resolution = fields.Selection(
        [
            ("refund", "Refund"),
            ("replace", "Replace"),
            ("exchange", "Exchange"),
            ("undecided", "Not decided"),
        ],
        required=True,
        default="refund",
        tracking=True,
    )

    # -- what Amazon's returns report says ---------------------------------------------------------
    request_date = fields.Date(string="Return Request Date", readonly=True)
    a_to_z_claim = fields.Boolean(
        string="A-to-z Claim",
        readonly=True,
        tracking=True,
        help="The buyer filed an A-to-z Guarantee claim: Amazon decides it and may refund the "
        "buyer from your account.",
    )
    returnless = fields.Boolean(
        string="Returnless Refund",
        readonly=True,
        help="Amazon refunds the buyer without asking for the item back.",
    )
    label_type = fields.Char(readonly=True)
    label_cost = fields.Monetary(readonly=True)
    label_paid_by = fields.Char(string="Label Paid By", readonly=True)
    return_reason = fields.Char(readonly=True)
    tracking_number = fields.Char(readonly=True, tracking=True, index="btree_not_null")
    carrier = fields.Char(readonly=True, tracking=True)
    amazon_delivery_date = fields.Date(
        string="Delivered to You",
        readonly=True,
        help="When the carrier delivered the return to you, as Amazon reports it.",
    )
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
    return_reason_label = fields.Char(
        string="Return Reasons",
        compute="_compute_return_reason_label",
        help="Amazon's return reasons of the items, in words; the codes are kept as Amazon sent "
        "them.",
    )
    # Stored, so that RMAs are grouped by reason, whatever the spelling of its code.
    reason_ids = fields.Many2many(
        "amazon.return.reason",
        string="Reason",
        compute="_compute_reason_ids",
        store=True,
        help="Amazon's return reasons of the items.",
    )

    # -- receipt and refund deadline ---------------------------------------------------------------
    received_date = fields.Date(
        compute="_compute_received_date",
        store=True,
        help="The earliest of the carrier's delivery to you (from Amazon) and the validation of "
        "the return in stock.",
    )
    refund_due_date = fields.Date(
        compute="_compute_refund_due_date",
        store=True,
        index="btree_not_null",
        help="Amazon expects the refund within 2 business days of receiving the return, or "
        "refunds the buyer on your behalf. None once Amazon refunded the buyer itself.",
    )
    # The deadline alert already given, so that a rerun of the scheduled action gives none twice.
    deadline_alert = fields.Selection(
        [("due", "Due today"), ("overdue", "Overdue")], readonly=True, copy=False
    )
    refunded_at = fields.Datetime(
        string="Refunded On",
        compute="_compute_refund_delay",
        store=True,
        help="When Amazon applied the first refund of this return.",
    )
    refund_delay_days = fields.Integer(
        string="Days to Refund",
        compute="_compute_refund_delay",
        store=True,
        aggregator="avg",
        help="Days from receiving the return to Amazon applying its refund.",
    )

    # -- items, returns and refunds ----------------------------------------------------------------
    line_ids = fields.One2many("amazon.rma.line", "rma_id", string="Lines")
    picking_ids = fields.One2many("stock.picking", "amazon_rma_id", string="Returns")
    picking_count = fields.Integer(compute="_compute_picking_count")
    refund_request_ids = fields.One2many(
        "amazon.order.request", "amazon_rma_id", string="Refund Requests"
    )
    refund_request_count = fields.Integer(compute="_compute_refund_request_count")
    amazon_ledger_refund_ids = fields.One2many(
        "amazon.item.ledger.refund", "rma_id", string="Refunds by Amazon", readonly=True
    )
    amazon_refund_blocked_reason = fields.Char(
        string="Nothing to Refund",
        compute="_compute_amazon_refund_blocked_reason",
        help="Why Refund is not offered: Amazon refunded the buyer itself, or nothing of "
        "the returned items is left to refund.",
    )
    amazon_receive_pending = fields.Boolean(
        string="To Receive",
        compute="_compute_amazon_receive_pending",
        help="Items whose condition is not recorded yet, or returns not validated yet.",
    )

    # -- what the refund rules made of the return --------------------------------------------------
    amazon_proposal_id = fields.Many2one(
        "amazon.order.request",
        string="Proposed Refund",
        compute="_compute_amazon_outcome",
        help="The refund the rules proposed for this return, waiting for a review.",
    )
    amazon_outcome = fields.Char(
        string="Refund Outcome",
        compute="_compute_amazon_outcome",
        help="What became of the refund of this return once it was received.",
    )
    amazon_refund_is_next = fields.Boolean(
        string="Refund Is Next",
        compute="_compute_amazon_outcome",
        help="Issue Refund is the next step: the return is received, and no refund of it is "
        "proposed, sent or made by Amazon.",
    )

    # -- SAFE-T claim ------------------------------------------------------------------------------
    amazon_refunded_buyer = fields.Boolean(
        compute="_compute_safet_recommended",
        store=True,
        string="Refunded by Amazon Already",
        help="Amazon refunded the buyer itself: a returnless refund, a refunded amount in the "
        "returns report, or a refund of Amazon's own found on the order.",
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
        help=f"Amazon accepts SAFE-T claims up to {const.SAFET_CLAIM_WINDOW_DAYS} days after the "
        "later of the return's delivery and the refund.",
    )
    safet_alerted = fields.Boolean(readonly=True, copy=False)
    # The file-by date the activity was given: the activity moves when the deadline does.
    safet_activity_date = fields.Date(readonly=True, copy=False)
    safet_photo_count = fields.Integer(string="Photos", compute="_compute_safet_photo_count")

    _amazon_rma_id_unique = Constraint(
        "unique(seller_account_id, amazon_rma_number)",
        "This Amazon RMA is already recorded for this seller account.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        rmas = super().create(vals_list)
        rmas.filtered(
            lambda rma: rma.returnless or rma.amazon_refunded_amount > 0
        )._amazon_record_report_refund()
        return rmas

    def write(self, vals):
        mail_fields = set(self.env["mail.thread"]._fields) | set(
            self.env["mail.activity.mixin"]._fields
        )
        check_system_fields(self, vals, sorted(set(vals) - USER_FIELDS - mail_fields))
        result = super().write(vals)
        if {"returnless", "amazon_refunded_amount"} & set(vals):
            # What the returns report says Amazon refunded goes to the items' ledgers.
            self._amazon_record_report_refund()
        if SAFET_FIELDS & set(vals):
            self._amazon_follow_safet()
        return result

    def _check_rma_user(self):
        if not self.env.su and not self.env.user.has_group(
            "amazon_refund_cancel.group_amazon_user"
        ):
            raise AccessError(self.env._("Only Amazon users close or cancel RMAs."))
        self.check_access("write")

    # -- computes ----------------------------------------------------------------------------------

    @api.depends(
        "closing_state", "picking_ids.state", "refund_request_ids.state", "line_ids.condition"
    )
    def _compute_state(self):
        for rma in self:
            conditions = set(rma.line_ids.mapped("condition"))
            if rma.closing_state:
                rma.state = rma.closing_state
            elif set(REFUNDED_STATES) & set(rma.refund_request_ids.mapped("state")):
                rma.state = "refunded"
            elif "done" in rma.picking_ids.mapped("state") or conditions == {"not_returned"}:
                # Items known not to come back are done with as much as those received.
                rma.state = "received"
            else:
                rma.state = "open"

    @api.depends("amazon_delivery_date", "picking_ids.state", "picking_ids.date_done")
    def _compute_received_date(self):
        for rma in self:
            dates = [
                fields.Date.context_today(rma, picking.date_done)
                for picking in rma.picking_ids
                if picking.state == "done" and picking.date_done
            ]
            if rma.amazon_delivery_date:
                dates.append(rma.amazon_delivery_date)
            rma.received_date = min(dates) if dates else False

    @api.depends("received_date", "amazon_refunded_buyer")
    def _compute_refund_due_date(self):
        for rma in self:
            # Once Amazon refunded the buyer itself, no refund of the seller's is due.
            rma.refund_due_date = (
                rma.received_date
                and not rma.amazon_refunded_buyer
                and add_business_days(rma.received_date, REFUND_DUE_BUSINESS_DAYS)
            )

    @api.depends("received_date", "refund_request_ids.done_at", "refund_request_ids.state")
    def _compute_refund_delay(self):
        for rma in self:
            applied = rma.refund_request_ids.filtered(
                lambda r: r.state in REFUNDED_STATES and r.done_at
            )
            rma.refunded_at = min(applied.mapped("done_at")) if applied else False
            rma.refund_delay_days = (
                (fields.Date.context_today(rma, rma.refunded_at) - rma.received_date).days
                if rma.refunded_at and rma.received_date
                else 0
            )

    @api.depends("state", "line_ids.condition", "line_ids.quantity", "picking_ids.state")
    def _compute_amazon_receive_pending(self):
        for rma in self:
            rma.amazon_receive_pending = rma.state in ("open", "received", "refunded") and bool(
                rma._amazon_lines_to_receive() or rma._amazon_waiting_pickings()
            )

    @api.depends("picking_ids")
    def _compute_picking_count(self):
        for rma in self:
            rma.picking_count = len(rma.picking_ids)

    @api.depends("refund_request_ids")
    def _compute_refund_request_count(self):
        for rma in self:
            rma.refund_request_count = len(rma.refund_request_ids)

    @api.depends("state", "amazon_ledger_refund_ids", "refund_request_ids.state")
    def _compute_amazon_refund_blocked_reason(self):
        for rma in self:
            reason = False
            if rma.state in ("open", "received") and rma.line_ids:
                reason = rma._amazon_nothing_to_refund()
            rma.amazon_refund_blocked_reason = reason

    @api.depends("line_ids.reason_id")
    def _compute_reason_ids(self):
        for rma in self:
            rma.reason_ids = rma.line_ids.reason_id

    @api.depends("line_ids.reason_id")
    def _compute_return_reason_label(self):
        for rma in self:
            rma.return_reason_label = ", ".join(
                dict.fromkeys(rma.line_ids.reason_id.mapped("name"))
            )

    @api.depends(
        "state",
        "refund_request_ids.state",
        "refund_request_ids.amount_total",
        "amazon_ledger_refund_ids.posted_at",
        "amazon_receive_pending",
        "amazon_refund_blocked_reason",
    )
    def _compute_amazon_outcome(self):
        for rma in self:
            requests = rma.refund_request_ids.filtered(lambda r: r.request_type == "refund")
            proposal = requests.filtered(lambda r: r.state == "draft" and r.refund_rule_ids)[:1]
            by_amazon = rma.amazon_ledger_refund_ids.filtered("posted_at")
            sent = requests.filtered(
                lambda r: (
                    r.state in ("queued", "sending", "sent", *REFUNDED_STATES)
                    and r.origin != "amazon"
                )
            )
            rma.amazon_proposal_id = proposal
            outcome = False
            if by_amazon:
                outcome = self.env._(
                    "No refund to send: Amazon refunded on %(date)s.",
                    date=fields.Date.to_string(min(by_amazon.mapped("posted_at")).date()),
                )
            elif proposal:
                outcome = self.env._(
                    "Refund of %(amount)s proposed: review it.",
                    amount=proposal.currency_id.format(proposal.amount_total),
                )
            elif sent:
                outcome = self.env._(
                    "Refund of %(amount)s sent.",
                    amount=rma.currency_id.format(sum(sent.mapped("amount_total"))),
                )
            elif rma.state == "received" and rma._amazon_nothing_came_back():
                outcome = self.env._("Nothing came back: no refund proposed.")
            rma.amazon_outcome = outcome
            rma.amazon_refund_is_next = bool(
                rma.state == "received"
                and not (proposal or sent or by_amazon)
                and not rma.amazon_receive_pending
                and not rma.amazon_refund_blocked_reason
            )

    @api.depends("amazon_resolution")
    def _compute_amazon_resolution_label(self):
        for rma in self:
            rma.amazon_resolution_label = const.return_resolution_label(rma.amazon_resolution)

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
            ) + timedelta(days=const.SAFET_CLAIM_WINDOW_DAYS)

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

    # -- receipt -----------------------------------------------------------------------------------

    def _amazon_lines_to_receive(self):
        """Items whose condition is not recorded and that no return holds: returns made before
        Receive recorded conditions hold their items without one."""
        self.ensure_one()
        held = defaultdict(float)
        for move in self.picking_ids.move_ids.filtered(lambda m: m.state != "cancel"):
            held[move.sale_line_id, move.product_id] += move.product_qty
        recorded = self.line_ids.filtered(
            lambda line: line.condition and line.condition != "not_returned"
        )
        for line in recorded:
            held[line.order_line_id, line.product_id] -= line.quantity
        pending = self.env["amazon.rma.line"]
        for line in (self.line_ids - recorded).filtered(lambda line: not line.condition):
            key = (line.order_line_id, line.product_id)
            if float_compare(held[key], line.quantity, precision_digits=6) >= 0:
                held[key] -= line.quantity
            else:
                pending |= line
        return pending

    def _amazon_waiting_pickings(self):
        return self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))

    def _amazon_return_validated(self):
        """Whether what came back of this return is known: a return validated in stock or an
        item's condition recorded, and no return of it waiting for validation."""
        self.ensure_one()
        return (
            bool(
                self.picking_ids.filtered(lambda p: p.state == "done")
                or self.line_ids.filtered("condition")
            )
            and not self._amazon_waiting_pickings()
        )

    def _amazon_nothing_came_back(self):
        self.ensure_one()
        return bool(self.line_ids) and set(self.line_ids.mapped("condition")) == {"not_returned"}

    def _log_tracking_note(self):
        """The return label's tracking number, as a note."""
        self._message_log_batch(
            bodies={rma.id: rma._tracking_note() for rma in self}, message_type="comment"
        )

    def _tracking_note(self):
        self.ensure_one()
        return self.env._(
            "Return label tracking number: %(tracking)s (%(carrier)s).",
            tracking=self.tracking_number,
            carrier=self.carrier or self.env._("carrier unknown"),
        )

    # -- actions -----------------------------------------------------------------------------------

    def action_receive(self):
        """Receive: the dialog for the condition of each item still to come back, or the
        returns on their way."""
        self.ensure_one()
        # Goods come back whoever refunded them: only a closed or cancelled RMA receives nothing.
        if self.state not in ("open", "received", "refunded"):
            raise UserError(
                self.env._(
                    "%(rma)s is %(state)s: there is nothing to receive.",
                    rma=self.display_name,
                    state=dict(self._fields["state"]._description_selection(self.env))[self.state],
                )
            )
        waiting = self._amazon_waiting_pickings()
        if waiting:
            return self._action_view_pickings(waiting)
        return self.env["amazon.rma.receive.wizard"]._open_for(self)

    def _create_returns(self, lines):
        """Odoo's returns of the order's deliveries for `lines`, whose condition is recorded:
        one return per delivery and destination; units not returned are not moved."""
        rma = self.sudo().with_company(self.company_id)
        # What each order line still expects back: its lines, less what returns already hold.
        expected = defaultdict(float)
        for line in rma.line_ids.filtered(lambda line: line.condition != "not_returned"):
            expected[line.order_line_id, line.product_id] += line.quantity
        for move in rma.picking_ids.move_ids.filtered(lambda m: m.state != "cancel"):
            expected[move.sale_line_id, move.product_id] -= move.product_qty
        by_condition = defaultdict(lambda: defaultdict(float))
        returned = lines.filtered(lambda line: line.condition != "not_returned")
        for line in returned.sorted("sequence"):
            key = (line.order_line_id, line.product_id)
            quantity = min(line.quantity, max(expected[key], 0.0))
            expected[key] -= quantity
            if quantity > 0:
                by_condition[line.condition][key] += quantity
        if not by_condition:
            self.message_post(
                body=self.env._("Nothing came back: no return is made for the items not returned.")
            )
            return self.env["stock.picking"]
        deliveries = rma.order_id.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done"
        ).sorted("id")
        pickings = self.env["stock.picking"]
        missing = []
        for condition, quantities in by_condition.items():
            location = rma.company_id._amazon_return_location(condition)
            pickings |= rma._create_condition_returns(deliveries, quantities, location)
            missing += [
                f"{product.display_name}: {quantity:g}"
                for (_line, product), quantity in quantities.items()
                if quantity > 0
            ]
        if not pickings:
            raise UserError(
                self.env._(
                    "Nothing of %(rma)s is left to receive from the deliveries of order "
                    "%(order)s: the returned items were not delivered, or are already returned.",
                    rma=self.display_name,
                    order=self.order_id.name,
                )
            )
        if missing:
            self.message_post(
                body=self.env._(
                    "Not found in the order's done deliveries, so not in the return: %(items)s",
                    items=", ".join(missing),
                )
            )
        return pickings.with_env(self.env)

    def _create_condition_returns(self, deliveries, quantities, location):
        """Returns of `deliveries` for `quantities` (by order line and product, lessened as they
        are taken) to `location`, or to Odoo's return location when empty."""
        pickings = self.env["stock.picking"]
        wizard_model = (
            self.env["stock.return.picking"]
            .sudo()
            .with_company(self.company_id)
            .with_context(amazon_return_location_id=location.id)
        )
        for delivery in deliveries:
            wizard = wizard_model.create({"picking_id": delivery.id})
            returned = False
            for return_line in wizard.product_return_moves:
                move = return_line.move_id
                key = (move.sale_line_id, move.product_id)
                quantity = min(quantities.get(key, 0.0), self._returnable_quantity(move))
                if quantity > 0:
                    return_line.quantity = quantity
                    quantities[key] -= quantity
                    returned = True
            if returned:
                picking = pickings.browse(wizard.action_create_returns()["res_id"])
                picking.amazon_rma_id = self.id
                pickings |= picking
        return pickings

    @staticmethod
    def _returnable_quantity(move):
        """What of a done delivery move is not returned yet, in the product's unit."""
        returned = sum(
            returned_move.product_qty
            for returned_move in move.returned_move_ids
            if returned_move.state != "cancel"
        )
        delivered = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
        return delivered - returned

    def _action_view_pickings(self, pickings):
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        if len(pickings) == 1:
            action.update(views=[(False, "form")], res_id=pickings.id)
        else:
            action["domain"] = [("id", "in", pickings.ids)]
        action["context"] = {"create": False}
        return action

    def action_view_pickings(self):
        self.ensure_one()
        return self._action_view_pickings(self.picking_ids)

    def action_view_refund_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_refund_cancel.amazon_order_request_action"
        )
        action["domain"] = [("amazon_rma_id", "=", self.id)]
        action["context"] = {}
        return action

    def _amazon_refund_lines(self):
        """What the refund dialog prefills: a dict per order line with the quantity returned.

        The quantity is in units of the order line's product: a kit's components come back as
        RMA lines of their own, and the kit counts once per returned item (the lines of one
        item share a sequence).
        """
        self.ensure_one()
        if self.state not in ("open", "received"):
            raise UserError(
                self.env._(
                    "%(rma)s is refunded, closed or cancelled already.", rma=self.display_name
                )
            )
        nothing = self._amazon_nothing_to_refund()
        if nothing:
            raise UserError(self.env._("%(rma)s: %(why)s", rma=self.display_name, why=nothing))
        items = {}
        for line in self.line_ids:
            items[line.order_line_id, line.sequence] = line.sold_quantity
        quantities = defaultdict(float)
        for (order_line, _sequence), quantity in items.items():
            quantities[order_line] += quantity
        return [
            {"order_line": order_line, "quantity": quantity, "reason": const.CUSTOMER_RETURN}
            for order_line, quantity in quantities.items()
        ]

    def action_issue_refund(self):
        """Refund: the refund dialog with the returned units, reason Customer
        return; the RMA turns Refunded when Amazon accepts."""
        self.ensure_one()
        action = self.order_id.action_amazon_refund()
        action["context"].update(
            {
                "default_reason": const.CUSTOMER_RETURN,
                "default_rma_id": self.id,
                # Pairs, not a dict: the context travels as JSON, whose keys are strings.
                "amazon_refund_quantities": [
                    [line["order_line"].id, line["quantity"]]
                    for line in self._amazon_refund_lines()
                ],
            }
        )
        return action

    def action_review_proposal(self):
        """Review Refund: the refund dialog of the proposal, which Amazon managers confirm."""
        self.ensure_one()
        if not self.amazon_proposal_id:
            raise UserError(self.env._("%(rma)s has no refund proposed.", rma=self.display_name))
        if not self.env.su and not self.env.user.has_group(
            "amazon_refund_cancel.group_amazon_manager"
        ):
            raise UserError(self.amazon_proposal_id._amazon_who_confirms())
        return self.amazon_proposal_id.action_correct()

    def action_close(self):
        done = self.filtered(lambda rma: rma.state in ("closed", "cancelled"))
        if done:
            raise UserError(
                self.env._(
                    "Already closed or cancelled: %(rmas)s.",
                    rmas=", ".join(done.mapped("display_name")),
                )
            )
        self._check_rma_user()
        self.sudo().closing_state = "closed"
        return True

    def action_cancel(self):
        self._check_rma_user()
        refunded = self.filtered(
            lambda rma: (
                rma.state in ("refunded", "closed", "cancelled")
                or set(rma.refund_request_ids.mapped("state")) & set(OPEN_STATES)
            )
        )
        if refunded:
            raise UserError(
                self.env._(
                    "RMAs refunded, being refunded, closed or cancelled cannot be cancelled: "
                    "%(rmas)s.",
                    rmas=", ".join(refunded.mapped("display_name")),
                )
            )
        self.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        ).sudo().action_cancel()
        self.sudo().closing_state = "cancelled"
        return True

    # -- refunds and the items' ledgers ------------------------------------------------------------

    def _amazon_ledgers(self):
        """The ledgers of this return's items, by order line."""
        self.ensure_one()
        return self.env["amazon.item.ledger"]._for_lines(self.line_ids.order_line_id)

    def _amazon_nothing_to_refund(self):
        """Why nothing of this return is left to refund, as its items' ledgers say, or False."""
        self.ensure_one()
        refunded = self._amazon_refunded_by_amazon()
        if refunded:
            return refunded
        ledgers = self._amazon_ledgers()
        balances = self.env["amazon.item.ledger"].union(*ledgers.values())._balances()
        if not any(
            balance.quantity_refundable > 0 or any(balance.refundable.values())
            for balance in balances.values()
        ):
            return self.env._("Nothing of the returned items is left to refund.")
        return False

    def _amazon_refunded_by_amazon(self):
        """Why Amazon has refunded the buyer of this return already, or False: the ledgers of
        its items hold a refund Amazon made itself, seen in the returns report, its
        transactions or a settlement."""
        self.ensure_one()
        ledgers = self.env["amazon.item.ledger"].union(*self._amazon_ledgers().values())
        refunds = ledgers.amazon_refund_ids.sudo().filtered(
            lambda refund: refund.rma_id in (self, self.browse())
        )
        if not refunds:
            return False
        return self.env._(
            "Amazon refunded the buyer itself: %(refunds)s.",
            refunds=", ".join(refund._describe() for refund in refunds),
        )

    def _amazon_record_report_refund(self):
        """What the returns report says Amazon refunded for this return (an amount, or a
        returnless refund), recorded in its items' ledgers. The report gives one amount for the
        return: it is shared among the items as their returned units' share of what was
        charged, an estimate until Amazon's transactions or settlement tell."""
        for rma in self.sudo():
            currency = rma.currency_id
            reported = rma.amazon_refunded_amount
            if not rma.returnless and currency.compare_amounts(reported, 0.0) <= 0:
                continue
            ledgers = rma._amazon_ledgers()
            if not ledgers:
                continue
            balances = self.env["amazon.item.ledger"].union(*ledgers.values())._balances()
            returned = defaultdict(float)
            for line in rma.line_ids:
                returned[line.order_line_id] += line.sold_quantity or line.quantity
            shares = {}
            for order_line, quantity in returned.items():
                ledger = ledgers.get(order_line)
                if not ledger:
                    continue
                balance = balances[ledger]
                ratio = min(quantity / balance.shipped, 1.0) if balance.shipped else 0.0
                shares[ledger] = (
                    quantity,
                    {
                        name: balance.charged[component] * ratio
                        for name, component in ITEM_COMPONENTS.items()
                    },
                )
            estimate = sum(sum(amounts.values()) for _quantity, amounts in shares.values())
            if reported and not estimate and shares:
                # Nothing charged is known: the whole amount stands as the first item's price.
                first = next(iter(shares))
                shares[first][1]["amount_principal"] = estimate = reported
            scale = reported / estimate if reported and estimate else 1.0
            for ledger, (quantity, amounts) in shares.items():
                ledger._record_amazon_refund(
                    "returns_report",
                    {
                        "kind": "returnless" if rma.returnless else "amazon",
                        "quantity": quantity,
                        "posted_at": fields.Datetime.to_datetime(rma.request_date)
                        or fields.Datetime.now(),
                        "amounts": {
                            name: currency.round(amount * scale) for name, amount in amounts.items()
                        },
                        "rma": rma,
                        "estimated": True,
                    },
                )

    def _amazon_check_restocking_fee(self, line_values):
        """Refuse a restocking fee on an item returned for a seller-fault reason, as the rules'
        check does: Amazon allows none when the seller is at fault."""
        self.ensure_one()
        for values in line_values:
            if not values.get("amount_restocking_fee"):
                continue
            reasons = self.line_ids.filtered(
                lambda line, values=values: line.order_line_id.id == values["order_line_id"]
            ).reason_id.filtered(lambda reason: reason.category == "seller_fault")
            if reasons:
                raise UserError(
                    self.env._(
                        "%(product)s: no restocking fee. It was returned as %(reasons)s, the "
                        "seller's fault (defective, damaged, wrong item, not as described, "
                        "missing parts, arrived late): Amazon allows no restocking fee then.",
                        product=self.env["sale.order.line"]
                        .browse(values["order_line_id"])
                        .product_id.display_name,
                        reasons=", ".join(reasons.mapped("name")),
                    )
                )

    # -- when the return is received ---------------------------------------------------------------

    def _amazon_on_return_received(self):
        """The SAFE-T claim to file, then the account's choice for received returns: nothing,
        propose or send.

        Called when a return of the RMA is validated in stock (or when Receive finds nothing
        came back), in that user's transaction: nothing here talks to Amazon, a refund sent is
        only queued for the sender.
        """
        for rma in self.sudo():
            # Decided once everything Amazon announced is received, or known not to come.
            if not rma._amazon_return_validated():
                continue
            rma._amazon_sync_safet_activities()
            mode = rma.seller_account_id._amazon_return_refund_mode()
            if mode == "nothing" or rma.state not in ("received", "refunded"):
                continue
            if rma._amazon_nothing_came_back():
                # No rule refunds an item the buyer kept: that is the seller's call.
                rma._message_log(body=self.env._("Nothing came back: no refund proposed or sent."))
                continue
            # Before the requests: Amazon's own refund, once confirmed, is one of them.
            refunded = rma._amazon_refunded_by_amazon()
            if refunded:
                rma._message_log(
                    body=self.env._("No refund proposed or sent: %(why)s", why=refunded)
                )
                continue
            if rma.refund_request_ids.filtered(lambda r: r.state in OPEN_STATES + REFUNDED_STATES):
                continue
            rma.with_company(rma.company_id)._amazon_refund_by_rules(send=mode == "send")

    def _amazon_refund_by_rules(self, send):
        """Create the refund the rules decide; queue it when `send` and nothing needs review."""
        self.ensure_one()
        plan = self.env["amazon.return.refund.rule"]._refund_plan(self)
        refunded = (*ITEM_COMPONENTS, *SHIPPING_COMPONENTS)
        line_values = [
            values for values in plan["lines"] if any(values.get(name) for name in refunded)
        ]
        Request = self.env["amazon.order.request"]
        if not line_values:
            self._message_log(
                body=self.env._(
                    "The refund rules refund nothing of this return: %(why)s",
                    why=plan["note"],
                )
            )
            return Request
        request = Request._amazon_new(
            self.order_id,
            "refund",
            const.CUSTOMER_RETURN,
            line_values,
            rma=self,
            requested_by_id=self.env.uid,
            refund_rule_ids=[Command.set(plan["rules"].ids)],
            refund_rule_note=plan["note"],
        )
        review = plan["review"]
        if send and not review:
            try:
                with self.env.cr.savepoint():
                    request._queue()
            except UserError as error:
                review = error.args[0]
        if send and review:
            request.sudo().refund_rule_note = "\n".join(
                [plan["note"], self.env._("Not sent, to review: %(why)s", why=review)]
            )
        if request.state == "draft":
            request._amazon_alert(
                self.env._("Refund proposal to review"),
                self.env._(
                    "%(request)s proposes %(amount)s for return %(rma)s. %(why)s",
                    request=request.name,
                    amount=request.currency_id.format(request.amount_total),
                    rma=self.display_name,
                    why=review or "",
                ),
            )
            body = self.env._(
                "Refund %(request)s of %(amount)s proposed for review.",
                request=request.name,
                amount=request.currency_id.format(request.amount_total),
            )
        else:
            body = self.env._(
                "Refund %(request)s of %(amount)s sent to Amazon by the refund rules.",
                request=request.name,
                amount=request.currency_id.format(request.amount_total),
            )
        self._message_log(body=body)
        return request

    def _amazon_delivered_to_buyer(self):
        """When the order's items were delivered to the buyer, as far as Odoo knows: the
        validation of its delivery; unknown when Amazon shipped it."""
        self.ensure_one()
        dates = self.order_id.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done" and p.date_done
        ).mapped("date_done")
        return fields.Date.context_today(self, min(dates)) if dates else None

    # -- refund deadline ---------------------------------------------------------------------------

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
        self.env["amazon.job.state"]._run_per_company(
            rmas, lambda company_rmas: company_rmas._amazon_alert_deadlines(today)
        )
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

    # -- SAFE-T claim's activity -------------------------------------------------------------------

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
        self.env["amazon.job.state"]._run_per_company(
            rmas, lambda company_rmas: company_rmas._amazon_sync_safet_activities()
        )
