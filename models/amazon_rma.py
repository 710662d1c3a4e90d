from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare

from ..amazon_api import const
from ..utils import check_system_fields
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
# Amazon expects the refund within this many business days of receiving the return.
REFUND_DUE_BUSINESS_DAYS = 2


def add_business_days(day, count):
    """`day` plus `count` working days, Monday to Friday."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


class AmazonRma(models.Model):
    _name = "amazon.rma"
    _description = "Amazon RMA"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "request_date desc, id desc"
    _rec_name = "amazon_rma_number"
    _check_company_auto = True

    amazon_rma_number = fields.Char(
        string="Amazon RMA ID",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        help="Amazon's RMA ID of this return.",
    )
    seller_account_id = fields.Many2one(
        "amazon.seller.account",
        string="Seller Account",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(related="seller_account_id.company_id", store=True, index=True)
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

    _sql_constraints = [
        (
            "amazon_rma_id_unique",
            "unique(seller_account_id, amazon_rma_number)",
            "This Amazon RMA is already recorded for this seller account.",
        ),
    ]

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

    @api.depends("picking_ids")
    def _compute_picking_count(self):
        for rma in self:
            rma.picking_count = len(rma.picking_ids)

    @api.depends("state", "amazon_ledger_refund_ids", "refund_request_ids.state")
    def _compute_amazon_refund_blocked_reason(self):
        for rma in self:
            reason = False
            if rma.state in ("open", "received") and rma.line_ids:
                reason = rma._amazon_nothing_to_refund()
            rma.amazon_refund_blocked_reason = reason

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

    @api.depends("refund_request_ids")
    def _compute_refund_request_count(self):
        for rma in self:
            rma.refund_request_count = len(rma.refund_request_ids)

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

    # -- actions -------------------------------------------------------------------------------

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
