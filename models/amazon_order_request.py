import logging
from datetime import timedelta

from markupsafe import escape

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..amazon_api import const, documents
from ..amazon_api.errors import DocumentError
from ..utils import claim_free_rows
from .amazon_item_ledger_refund import REFUND_KINDS
from .amazon_settlement_line import SETTLED_COMPONENT_FIELDS

_logger = logging.getLogger(__name__)

REQUEST_STATES = [
    ("draft", "Draft"),
    ("queued", "Queued"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("done", "Done"),
    ("settled", "Settled"),
    ("error", "Error"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
]
# Requests Amazon has applied, those it may still apply, and those still the seller's business.
REFUNDED_STATES = ("done", "settled")
PENDING_STATES = ("draft", "queued", "sending", "sent")
OPEN_STATES = (*PENDING_STATES, "error")
# The states each state is reached from: `_set_state` refuses every other move.
TRANSITIONS = {
    "queued": ("draft", "error"),
    "sending": ("queued",),
    "sent": ("sending",),
    "done": ("draft", "sent", "error"),
    "error": ("queued", "sending", "sent"),
    "rejected": ("draft", "queued", "error"),
    "withdrawn": ("draft", "queued"),
    "settled": ("done",),
}
# Reasons of both feed types, by Amazon's code; dialogs offer the ones their type accepts.
REQUEST_REASONS = sorted(
    {**const.ADJUSTMENT_REASONS, **const.CANCEL_REASONS}.items(), key=lambda item: item[1]
)
# The reasons as the seller reads them: one per reason, whichever feed's code carried it.
SHOWN_REASONS = [(code, label) for code, label in REQUEST_REASONS if code not in const.SAME_REASON]
# Where the cancel dialog asked to zero out the inventory of the cancelled products.
ZERO_OUT = [
    ("stock", "Stock location"),
    ("all_bins", "Stock location and all its bins"),
]
FEED_TYPES = [
    (const.FEED_ADJUSTMENT, "Refunds and partial cancellations"),
    (const.FEED_ACKNOWLEDGEMENT, "Cancellations"),
]
# Up to this many orders in a batch, each order's transactions are asked for on their own.
PER_ORDER_QUERIES = 3


class AmazonOrderRequest(models.Model):
    _name = "amazon.order.request"
    _description = "Amazon Refund or Cancellation Request"
    _inherit = [
        "amazon.sequence.mixin",
        "amazon.seller.account.owned.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True

    request_type = fields.Selection(
        [("refund", "Refund"), ("cancellation", "Cancellation")],
        string="Type",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        REQUEST_STATES,
        string="Status",
        default="draft",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
    )
    order_id = fields.Many2one(
        "sale.order",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(related="order_id.company_id")
    amazon_order_number = fields.Char(related="order_id.amazon_order_number")
    reason = fields.Selection(
        REQUEST_REASONS,
        string="Reason Code",
        required=True,
        readonly=True,
        help="Amazon's code of the reason, as the feed sends it.",
    )
    reason_shown = fields.Selection(
        SHOWN_REASONS,
        string="Reason",
        compute="_compute_reason_shown",
        store=True,
        tracking=True,
    )
    currency_id = fields.Many2one(related="order_id.currency_id")
    line_ids = fields.One2many("amazon.order.request.line", "request_id", string="Lines")
    amount_total = fields.Monetary(
        string="Amount Requested",
        compute="_compute_amount_total",
        store=True,
        help="What the request asked: the amount of a refund, the value of the cancelled units; "
        "counted whatever Amazon answered, also when Amazon refused it.",
    )
    amount_refund = fields.Monetary(
        string="Refunded to Buyer",
        compute="_compute_amount_refund",
        store=True,
        help="What the buyer gets back: refunds Amazon applied or may still apply. Refused, "
        "rejected and withdrawn refunds move no money.",
    )
    feed_type = fields.Selection(FEED_TYPES, compute="_compute_feed_type", store=True)
    requested_by_id = fields.Many2one(
        "res.users", string="Requested By", default=lambda self: self.env.user, readonly=True
    )
    requested_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    sent_by_id = fields.Many2one("res.users", string="Sent By", readonly=True)
    sent_at = fields.Datetime(readonly=True)
    done_at = fields.Datetime(
        string="Applied On", readonly=True, copy=False, help="When Amazon's acceptance was seen."
    )
    send_immediately = fields.Boolean(
        readonly=True,
        help="Sent on its own as soon as it is queued, because the company does not queue "
        "Amazon requests.",
    )
    batch_id = fields.Many2one("amazon.feed.batch", readonly=True, index=True, copy=False)
    batch_attempt_count = fields.Integer(
        related="batch_id.attempt_count", string="Failed Attempts of the Batch"
    )
    batch_last_error = fields.Text(related="batch_id.last_error", string="Last Error of the Batch")
    feed_number = fields.Char(related="batch_id.feed_number", string="Document Number")
    message_number = fields.Integer(
        string="Message ID",
        readonly=True,
        copy=False,
        help="This request's MessageID in its batch.",
    )
    credit_note_id = fields.Many2one(
        "account.move", string="Credit Note", readonly=True, copy=False, check_company=True
    )
    amazon_rma_id = fields.Many2one(
        "amazon.rma",
        string="RMA",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="The refund of this returned item marks the RMA refunded once Amazon accepts it.",
    )
    result_code = fields.Char(readonly=True, copy=False)
    result_message = fields.Text(readonly=True, copy=False)
    needs_correction = fields.Boolean(
        compute="_compute_correction",
        help="A refund in error that would fail again as it is: more than is left to refund.",
    )
    correction_note = fields.Char(compute="_compute_correction")
    problem = fields.Char(
        string="Cause",
        compute="_compute_problem",
        help="Why this request needs attention: Amazon's refusal, or why its batch retries.",
    )
    # Asked in the cancel dialog, done only once the cancellation applies: a queued or refused
    # cancellation leaves the stock as it is.
    zero_out = fields.Selection(
        ZERO_OUT,
        string="Zero Out Inventory",
        readonly=True,
        copy=False,
        help="Where the on-hand quantity of the cancelled products is set to 0 once the "
        "cancellation is applied.",
    )
    in_doubt = fields.Boolean(
        readonly=True,
        copy=False,
        help="Amazon stopped while processing it: it may have applied it. Its amounts still "
        "count as on their way until a manager checks Seller Central.",
    )
    origin = fields.Selection(
        [("odoo", "Odoo"), ("amazon", "Amazon")],
        required=True,
        default="odoo",
        readonly=True,
        index=True,
        help="Amazon: a refund Amazon made itself (A-to-z guarantee, chargeback, Seller "
        "Central), found in a settlement or in Amazon's transactions.",
    )
    amazon_refund_kind = fields.Selection(REFUND_KINDS, string="Refunded By", readonly=True)
    amazon_adjustment_ref = fields.Char(string="Adjustment ID", readonly=True, copy=False)
    amazon_refund_posted_at = fields.Datetime(string="Refunded On", readonly=True, copy=False)
    amazon_recorded_at = fields.Datetime(readonly=True, copy=False)
    settlement_line_ids = fields.One2many(
        "amazon.settlement.line", "request_id", string="Settled", readonly=True
    )
    settlement_id = fields.Many2one(
        "amazon.settlement", compute="_compute_settled", store=True, string="Settlement"
    )
    settlement_date = fields.Datetime(compute="_compute_settled", store=True)
    settled_amount = fields.Monetary(
        string="Settled Refund", compute="_compute_settled", store=True
    )
    settled_principal = fields.Monetary(
        string="Settled Item Price", compute="_compute_settled", store=True
    )
    settled_shipping = fields.Monetary(
        string="Settled Shipping", compute="_compute_settled", store=True
    )
    settled_tax = fields.Monetary(string="Settled Tax", compute="_compute_settled", store=True)
    settled_promotion = fields.Monetary(
        string="Promotion Taken Back", compute="_compute_settled", store=True
    )
    commission_returned = fields.Monetary(compute="_compute_settled", store=True)
    commission_kept = fields.Monetary(compute="_compute_settled", store=True)
    refund_rule_ids = fields.Many2many(
        "amazon.return.refund.rule",
        string="Refund Rules",
        readonly=True,
        copy=False,
        help="The rules that decided this refund of a received return.",
    )
    refund_rule_note = fields.Text(
        string="Why These Amounts", readonly=True, copy=False, help="Which rule applied and why."
    )
    queue_state = fields.Selection(
        [("proposed", "Proposed"), *REQUEST_STATES],
        string="Queue Status",
        compute="_compute_queue_state",
        store=True,
        index=True,
        help="The status, with the drafts the refund rules made named Proposed: they wait for "
        "a review.",
    )

    @api.depends("reason")
    def _compute_reason_shown(self):
        for request in self:
            request.reason_shown = const.SAME_REASON.get(request.reason, request.reason)

    @api.depends("line_ids.amount_total")
    def _compute_amount_total(self):
        for request in self:
            request.amount_total = sum(request.line_ids.mapped("amount_total"))

    @api.depends("state", "in_doubt", "request_type", "amount_total", "line_ids")
    def _compute_correction(self):
        """A refund in error asking more than is left to refund fails again if retried: its
        next step is Correct, with the amounts that say why."""
        Ledger = self.env["amazon.item.ledger"]
        for request in self:
            request.needs_correction = False
            request.correction_note = False
            if request.state != "error" or request.in_doubt or request.request_type != "refund":
                continue
            ledgers = Ledger._for_lines(request.line_ids.order_line_id)
            balances = Ledger.union(*ledgers.values())._balances(exclude_requests=request)
            currency = request.currency_id
            refundable = currency.round(
                sum(sum(balance.refundable.values()) for balance in balances.values())
            )
            try:
                Ledger._check_request(request)
                refused = False
            except UserError:
                refused = True
            if not refused and currency.compare_amounts(request.amount_total, refundable) <= 0:
                continue
            request.needs_correction = True
            request.correction_note = self.env._(
                "Requested %(requested)s, but %(refundable)s is left to refund on these items: "
                "retrying fails again. Correct the amounts.",
                requested=currency.format(request.amount_total),
                refundable=currency.format(refundable),
            )

    @api.depends("state", "result_message", "batch_attempt_count", "batch_last_error")
    def _compute_problem(self):
        for request in self:
            if request.state == "error":
                request.problem = request.result_message
            elif request.state == "sending" and request.batch_attempt_count:
                request.problem = request.batch_last_error
            else:
                request.problem = False

    @api.depends("amount_total", "request_type", "state")
    def _compute_amount_refund(self):
        for request in self:
            moves_money = request.request_type == "refund" and request.state in (
                REFUNDED_STATES + PENDING_STATES
            )
            request.amount_refund = request.amount_total if moves_money else 0.0

    @api.depends("request_type", "line_ids.quantity_cancelled", "line_ids.order_line_id")
    def _compute_feed_type(self):
        for request in self:
            whole_lines = request.request_type == "cancellation" and all(
                line.quantity_cancelled >= line.order_line_id.product_uom_qty
                for line in request.line_ids
            )
            request.feed_type = const.FEED_ACKNOWLEDGEMENT if whole_lines else const.FEED_ADJUSTMENT

    @api.depends("state", "refund_rule_ids")
    def _compute_queue_state(self):
        for request in self:
            request.queue_state = (
                "proposed"
                if request.state == "draft" and request.refund_rule_ids
                else request.state
            )

    @api.depends(
        "settlement_line_ids.amount_total",
        "settlement_line_ids.commission_returned",
        "settlement_line_ids.commission_kept",
    )
    def _compute_settled(self):
        for request in self:
            lines = request.settlement_line_ids
            last = lines.settlement_id.sorted(lambda s: s.deposit_date or s.create_date)[-1:]
            request.settlement_id = last
            request.settlement_date = last.deposit_date
            request.settled_amount = sum(lines.mapped("amount_total"))
            request.settled_principal = sum(lines.mapped("amount_principal"))
            request.settled_shipping = sum(lines.mapped("amount_shipping"))
            request.settled_tax = sum(lines.mapped("amount_tax")) + sum(
                lines.mapped("amount_shipping_tax")
            )
            request.settled_promotion = sum(lines.mapped("amount_promotion"))
            request.commission_returned = sum(lines.mapped("commission_returned"))
            request.commission_kept = sum(lines.mapped("commission_kept"))

    @api.constrains("reason", "request_type", "feed_type")
    def _check_reason(self):
        for request in self:
            if request.feed_type == const.FEED_ACKNOWLEDGEMENT:
                allowed = const.CANCEL_REASONS
            elif request.request_type == "cancellation":
                allowed = const.QUANTITY_CANCEL_REASONS
            else:
                allowed = const.ADJUSTMENT_REASONS
            if request.reason not in allowed:
                raise ValidationError(
                    self.env._(
                        "%(request)s: Amazon does not accept the reason %(reason)s here.",
                        request=request.name,
                        reason=dict(REQUEST_REASONS)[request.reason],
                    )
                )

    # -- life of a request ----------------------------------------------------------------------

    def _check_transition(self, state, sources=None):
        """Refuse to move requests to `state` from a state that does not lead there (or, for an
        action that allows fewer, from a state not among `sources`)."""
        sources = sources or TRANSITIONS[state]
        wrong = self.filtered(lambda r: r.state not in sources)
        if wrong:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "A request that is %(current)s cannot become %(state)s: %(requests)s.",
                    current=", ".join(sorted({labels[r.state].lower() for r in wrong})),
                    state=labels[state].lower(),
                    requests=", ".join(wrong.mapped("name")),
                )
            )

    def _set_state(self, state, **values):
        """The one way a request changes state: checked here, written as the system, because
        users only read requests."""
        self._check_transition(state)
        if state == "done":
            values.setdefault("done_at", fields.Datetime.now())
        self.sudo().write({"state": state, **values})

    def _set_sending(self, batch):
        self._set_state("sending", batch_id=batch.id)

    def _set_sent(self, sent_by):
        self._set_state("sent", sent_at=fields.Datetime.now(), sent_by_id=sent_by.id)

    # -- events: the only ways into applied, refused, in doubt and settled, with their effects --

    def _on_applied(self, code=None, message=None):
        """Amazon applied these requests (its processing report or settlement says so, or a
        manager saw it in Seller Central): a refund gets its credit note, a cancellation lowers
        the order."""
        values = {"in_doubt": False}
        if code is not None:
            values["result_code"] = code
        if message is not None:
            values["result_message"] = message
        self._set_state("done", **values)
        self.filtered(lambda r: r.request_type == "refund")._amazon_book_credit_note()
        self.filtered(lambda r: r.request_type == "cancellation")._amazon_apply_cancellation()
        for request in self:
            request.order_id._message_log(
                body=self.env._(
                    "Amazon accepted %(type)s %(request)s.",
                    type=request._type_label(),
                    request=request.name,
                )
            )

    def _on_refused(self, code, message):
        """Amazon refused these requests, or they cannot be sent: nothing of them applies."""
        self._set_state("error", result_code=code, result_message=message, in_doubt=False)
        self._amazon_alert_error(message)
        self._amazon_undo()

    def _on_in_doubt(self, code, message):
        """Amazon stopped midway: the requests may be applied, so Odoo undoes nothing, and
        their amounts stay counted, until a manager has checked Seller Central."""
        self._set_state("error", result_code=code, result_message=message, in_doubt=True)
        self._amazon_alert_error(message)

    def _on_settled(self):
        """Amazon's settlements hold every line of these applied requests."""
        self._set_state("settled")

    def _amazon_alert_error(self, message):
        for request in self:
            request._amazon_alert(
                self.env._("Amazon %(type)s failed", type=request._type_label()),
                self.env._("%(request)s: %(message)s", request=request.name, message=message),
            )

    # -- the one way requests are made -------------------------------------------------------------

    @api.model
    def _amazon_new(self, order, request_type, reason, line_values, rma=None, **values):
        """Create a request of `order`, once its lines and RMA are checked to be the order's.

        Users only read requests: it is written as the system, by the dialogs, the refund
        rules and the demo data, each after checking who asks. `values` are other fields of the
        request (refund rules and their note, who asked).
        """
        self._amazon_check_order_lines(order, line_values)
        if rma and rma.order_id != order:
            raise UserError(
                self.env._(
                    "%(rma)s is a return of order %(other)s, not of %(order)s.",
                    rma=rma.display_name,
                    other=rma.order_id.name,
                    order=order.name,
                )
            )
        if rma and request_type == "refund":
            rma.sudo()._amazon_check_restocking_fee(line_values)
        request = self.sudo().create(
            {
                "request_type": request_type,
                "order_id": order.id,
                "seller_account_id": order.amazon_seller_account_id.id,
                "amazon_rma_id": rma.id if rma else False,
                "reason": reason,
                "line_ids": [Command.create(line) for line in line_values],
                **values,
            }
        )
        return request.with_env(self.env)

    def _amazon_replace_lines(self, reason, line_values):
        """A proposal reviewed or a refund in error corrected: its lines as the dialog has them."""
        self.ensure_one()
        self._check_transition("queued", sources=("draft", "error"))
        self._amazon_check_order_lines(self.order_id, line_values)
        if self.amazon_rma_id and self.request_type == "refund":
            self.amazon_rma_id.sudo()._amazon_check_restocking_fee(line_values)
        self.line_ids.sudo().unlink()
        self.sudo().write(
            {"reason": reason, "line_ids": [Command.create(line) for line in line_values]}
        )

    @api.model
    def _amazon_check_order_lines(self, order, line_values):
        if not order.amazon_seller_account_id:
            raise UserError(self.env._("%(order)s is not an Amazon order.", order=order.name))
        order_lines = self.env["sale.order.line"].browse(
            [values["order_line_id"] for values in line_values]
        )
        foreign = order_lines.filtered(lambda line: line.order_id != order)
        if foreign:
            raise UserError(
                self.env._(
                    "%(lines)s: not lines of order %(order)s.",
                    lines=", ".join(foreign.sudo().mapped("display_name")),
                    order=order.name,
                )
            )

    def _queue(self):
        """Move draft or corrected requests to the queue; the sender picks them up from there."""
        self._check_transition("queued")
        empty = self.filtered(lambda r: not r.line_ids)
        if empty:
            raise UserError(
                self.env._("%(requests)s has no line.", requests=", ".join(empty.mapped("name")))
            )
        self._check_before_sending()
        values = {"batch_id": False, "message_number": 0, "result_code": False, "in_doubt": False}
        for immediately, requests in self.grouped(
            lambda r: not r.company_id.amazon_queue_requests
        ).items():
            requests._set_state(
                "queued", result_message=False, send_immediately=immediately, **values
            )
        if any(self.mapped("send_immediately")):
            self.env["amazon.feed.batch"]._trigger_sender()

    def _check_before_sending(self):
        """Refuse what Amazon would refuse, naming the request; checked again before sending.
        A refund asks its items' ledgers what is left to refund."""
        Ledger = self.env["amazon.item.ledger"]
        for request in self:
            if request.request_type == "refund":
                request._amazon_check_open_order()
                # Amazon refunded the buyer of this return itself: any refund of it is a second.
                rma = request.amazon_rma_id
                refunded = rma and rma._amazon_refunded_by_amazon()
                if refunded:
                    raise UserError(
                        self.env._(
                            "%(request)s is not sent: %(why)s", request=request.name, why=refunded
                        )
                    )
                Ledger._check_request(request)
            try:
                request._amazon_message()
            except DocumentError as error:
                raise UserError(str(error)) from error

    def _amazon_message(self, message_number=1):
        """The seam's feed message of this request; raises DocumentError if Amazon would refuse."""
        self.ensure_one()
        if self.feed_type == const.FEED_ACKNOWLEDGEMENT:
            message = documents.AcknowledgementMessage(
                message_id=message_number,
                amazon_order_id=self.amazon_order_number,
                items=[
                    documents.AcknowledgementItem(
                        order_item_code=line.amazon_order_item_code, cancel_reason=self.reason
                    )
                    for line in self.line_ids
                ],
                reference=self.name,
            )
            documents.check_acknowledgement_message(message)
            return message
        message = documents.AdjustmentMessage(
            message_id=message_number,
            amazon_order_id=self.amazon_order_number,
            items=[line._amazon_adjustment_item() for line in self.line_ids],
            reference=self.name,
        )
        documents.check_adjustment_message(message)
        return message

    def _amazon_check_open_order(self):
        order = self.order_id
        if order.state == "cancel" or not order.amazon_seller_account_id:
            raise UserError(
                self.env._(
                    "%(order)s is not an open Amazon order: it cannot be refunded.",
                    order=order.name,
                )
            )

    def _claim_queued(self):
        """Lock the queued requests among these that no other transaction holds."""
        return claim_free_rows(self, SQL("state = 'queued' AND batch_id IS NULL"))

    def _amazon_alert(self, summary, note, user=None):
        """An activity on the order for `user`, or else the person responsible for it."""
        self.ensure_one()
        user = user or self.order_id.user_id or self.requested_by_id
        # The system schedules it: whoever triggered the alert needs no e-mail address.
        self.order_id.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=user.id or self.env.uid,
            summary=summary,
            note=escape(note),
        )

    def _type_label(self):
        return dict(self._fields["request_type"]._description_selection(self.env))[
            self.request_type
        ].lower()

    def _amazon_who_confirms(self):
        """Who may confirm this proposal, in words: the Amazon managers of its company."""
        self.ensure_one()
        managers = self.env["amazon.seller.account"]._amazon_managers(self.company_id)
        return self.env._(
            "The refund rules proposed %(request)s when the return was received; only an Amazon "
            "manager of %(company)s confirms it and sends it to Amazon (%(managers)s).",
            request=self.name,
            company=self.company_id.name,
            managers=", ".join(managers.mapped("name")) or self.env._("none yet"),
        )

    def _amazon_undo(self):
        """These requests will never apply (refused, rejected, withdrawn): a buyer's
        cancellation they accepted is open again, and the order says why."""
        self.filtered(lambda r: r.request_type == "cancellation").order_id.filtered(
            lambda order: order.amazon_buyer_cancel_state == "accepted"
        ).sudo().amazon_buyer_cancel_state = "pending"
        for request in self:
            request.order_id._message_log(
                body=self.env._(
                    "%(request)s was not applied by Amazon: %(reason)s",
                    request=request.name,
                    reason=request.result_message or dict(REQUEST_STATES)[request.state],
                )
            )

    # -- cancellations in Odoo -------------------------------------------------------------------

    def _amazon_apply_cancellation(self):
        """Cancel in Odoo what Amazon cancelled: lower the lines (and so their deliveries), and
        cancel the order through Odoo's own flow when nothing of it is left."""
        for request in self:
            order = request.order_id
            for line in request.line_ids:
                order_line = line.order_line_id
                quantity = min(line.quantity_cancelled, order_line.product_uom_qty)
                line.ledger_id._amazon_add_cancelled(quantity)
                order_line.sudo().write(
                    {
                        "amazon_quantity_cancelled": order_line.amazon_quantity_cancelled
                        + quantity,
                        "product_uom_qty": order_line.product_uom_qty - quantity,
                    }
                )
            left = order.order_line.filtered(
                lambda line: (
                    not line.display_type
                    and not line._amazon_is_shipping()
                    and line.product_uom_qty > 0
                )
            )
            if not left and order.state != "cancel":
                order._action_cancel()
            order._amazon_zero_out_after_cancellation(request)

    def _amazon_apply_locally(self):
        """Do not send to Amazon: the cancellation applies in Odoo at once."""
        self._set_state(
            "done", result_message=self.env._("Cancelled in Odoo only; Amazon was not told.")
        )
        self._amazon_apply_cancellation()
        for request in self:
            request.order_id._message_log(
                body=self.env._(
                    "%(request)s cancelled in Odoo only; Amazon was not told.",
                    request=request.name,
                )
            )

    # -- refunds in Odoo's books -------------------------------------------------------------------

    def _amazon_book_credit_note(self):
        """The customer credit note of each refund Amazon applied, once: posted and reconciled
        with the order's invoice, or left in draft with an activity when the order has no
        posted invoice (a credit note against nothing would leave the customer a credit). None
        where the seller account books no refunds.

        Amazon users need no accounting rights to ask for a refund: the books follow as the
        system, in the request's company.
        """
        for request in self.sudo():
            if request.seller_account_id.refund_booking == "none":
                continue
            if request.credit_note_id.state == "posted":
                continue
            if request.credit_note_id:
                request.credit_note_id.button_draft()
                request.credit_note_id.unlink()
            order = request.order_id
            invoice = order.invoice_ids.filtered(
                lambda move: move.move_type == "out_invoice" and move.state == "posted"
            )[:1]
            credit_note = request.env["account.move"].create(
                {
                    "move_type": "out_refund",
                    "company_id": request.company_id.id,
                    "partner_id": order.partner_invoice_id.id,
                    "currency_id": request.currency_id.id,
                    "fiscal_position_id": order.fiscal_position_id.id,
                    "invoice_origin": order.name,
                    "invoice_user_id": order.user_id.id,
                    "team_id": order.team_id.id,
                    "ref": self.env._(
                        "Amazon refund %(request)s, order %(order)s",
                        request=request.name,
                        order=order.amazon_order_number,
                    ),
                    "reversed_entry_id": invoice.id,
                    "invoice_line_ids": request.line_ids._amazon_credit_note_lines(),
                }
            )
            request.credit_note_id = credit_note
            if not invoice:
                credit_note.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=(order.user_id or request.requested_by_id).id or self.env.uid,
                    summary=self.env._("Amazon refund of an order not invoiced"),
                    note=escape(
                        self.env._(
                            "Amazon refunded %(amount)s on %(order)s, which has no posted "
                            "invoice: post this credit note against an invoice, or cancel it.",
                            amount=request.currency_id.format(request.amount_total),
                            order=order.name,
                        )
                    ),
                )
                continue
            credit_note.action_post()
            if invoice.amount_residual:
                (invoice.line_ids | credit_note.line_ids).filtered(
                    lambda line: (
                        line.account_id.account_type == "asset_receivable" and not line.reconciled
                    )
                ).reconcile()

    # -- actions -------------------------------------------------------------------------------

    def _check_manager(self):
        """Queue actions write as the system: the caller must be a manager who sees them."""
        if not self.env.su and not self.env.user.has_group(
            "amazon_refund_cancel.group_amazon_manager"
        ):
            raise AccessError(self.env._("Only Amazon managers process the request queue."))
        self.check_access("read")

    def _check_requester(self):
        if not self.env.su and not self.env.user.has_group(
            "amazon_refund_cancel.group_amazon_user"
        ):
            raise AccessError(self.env._("Only Amazon users change Amazon requests."))
        self.check_access("read")

    def action_process(self):
        """Process: the selected requests go out in batches, refunds and cancellations each in
        documents of their own."""
        self._check_manager()
        wrong = self.filtered(lambda r: r.state != "queued")
        if wrong:
            raise UserError(
                self.env._(
                    "Only queued requests can be processed: %(requests)s.",
                    requests=", ".join(wrong.mapped("name")),
                )
            )
        self._check_before_sending()
        batches = self.env["amazon.feed.batch"]._batch_requests(self, processed_by=self.env.user)
        if not batches:
            raise UserError(self.env._("These requests are being sent already."))
        batches._trigger_sender()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Sending to Amazon"),
                "message": self.env._(
                    "%(requests)s: being sent to Amazon. Each batch shows Amazon's document "
                    "number once Amazon has received it. %(queue)s",
                    requests=self._batched_summary(batches),
                    queue=" ".join(
                        f"{account.name}: {account.queue_forecast}"
                        for account in batches.seller_account_id.sudo()
                    ),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _batched_summary(self, batches):
        """'1 refund in batch B1', '2 refunds and 1 cancellation in batches B1, B2'."""
        requests = batches.request_ids
        refunds = len(requests.filtered(lambda r: r.request_type == "refund"))
        cancellations = len(requests) - refunds
        parts = []
        if refunds:
            parts.append(
                self.env._("1 refund")
                if refunds == 1
                else self.env._("%(count)s refunds", count=refunds)
            )
        if cancellations:
            parts.append(
                self.env._("1 cancellation")
                if cancellations == 1
                else self.env._("%(count)s cancellations", count=cancellations)
            )
        what = self.env._(" and ").join(parts)
        names = ", ".join(batches.mapped("name"))
        if len(batches) == 1:
            return self.env._("%(requests)s in batch %(batch)s", requests=what, batch=names)
        return self.env._("%(requests)s in batches %(batches)s", requests=what, batches=names)

    def action_reject(self):
        self._check_manager()
        self._set_state("rejected")
        self._amazon_undo()
        for request in self:
            request._amazon_alert(
                self.env._("Amazon %(type)s rejected", type=request._type_label()),
                self.env._(
                    "%(request)s was rejected and will not be sent to Amazon.",
                    request=request.name,
                ),
            )
        return True

    def action_withdraw(self):
        self._check_requester()
        self._set_state("withdrawn")
        self._amazon_undo()
        return True

    def action_retry(self):
        self._check_manager()
        self._queue()
        return True

    def action_correct(self):
        """Correct a refund in error, or review a proposed one: the refund dialog with its
        lines, checked like a new one."""
        self.ensure_one()
        self._check_manager()
        self._check_transition("queued", sources=("draft", "error"))
        if self.request_type != "refund":
            raise UserError(
                self.env._(
                    "Only refunds are corrected: retry the cancellation as it is, or reject it "
                    "and cancel the order again."
                )
            )
        action = self.order_id.action_amazon_refund()
        action["name"] = (
            self.env._("Review Refund %(request)s", request=self.name)
            if self.state == "draft"
            else self.env._("Correct Refund %(request)s", request=self.name)
        )
        action["context"].update(
            {
                "default_request_id": self.id,
                "default_reason": self.reason,
                "default_rma_id": self.amazon_rma_id.id,
            }
        )
        return action

    def action_mark_done(self):
        """After a stopped batch: the seller saw in Seller Central that Amazon applied it."""
        self._check_manager()
        self._check_transition("done", sources=("error",))
        self._on_applied()
        return True

    # -- refunds Amazon made ---------------------------------------------------------------------

    @api.model
    def _amazon_record_amazon_refund(self, ledger, source, refund, seen_in):
        """Record in `ledger` a refund Amazon made itself, as `source` reports it (see
        amazon.item.ledger's _record_amazon_refund), and book it once Amazon's money data gives
        its amounts: a done refund of origin Amazon with its credit note, once per refund.
        `seen_in` names the report for the order's chatter. Returns (refund, outcome)."""
        refund_record, outcome = ledger._record_amazon_refund(source, refund)
        if outcome != "excess" and not refund_record.request_id and not refund_record.estimated:
            request = self._amazon_book_amazon_refund(refund_record, seen_in)
            refund_record.write(
                {
                    "request_id": request.id,
                    "rma_id": (refund_record.rma_id or request.amazon_rma_id).id,
                }
            )
        return refund_record, outcome

    @api.model
    def _amazon_book_amazon_refund(self, refund, seen_in):
        ledger = refund.ledger_id
        order = ledger.order_id
        kind = dict(REFUND_KINDS)[refund.kind]
        rma = (
            refund.rma_id
            or order.amazon_rma_ids.filtered(lambda r: r.state in ("open", "received"))[:1]
        )
        request = self._amazon_new(
            order,
            "refund",
            const.OTHER_REASON,
            [
                {
                    "order_line_id": ledger.order_line_id.id,
                    "quantity": refund.quantity,
                    **{name: refund[name] for name in SETTLED_COMPONENT_FIELDS},
                }
            ],
            rma=rma,
            origin="amazon",
            amazon_refund_kind=refund.kind,
            amazon_adjustment_ref=refund.amazon_refund_ref,
            amazon_refund_posted_at=refund.posted_at,
            amazon_recorded_at=fields.Datetime.now(),
        )
        request._on_applied(
            message=self.env._(
                "Refunded by Amazon (%(kind)s), seen in %(seen_in)s.", kind=kind, seen_in=seen_in
            )
        )
        if rma:
            rma._message_log(
                body=self.env._(
                    "Refunded by Amazon (%(kind)s): %(amount)s.",
                    kind=kind,
                    amount=request.currency_id.format(request.amount_total),
                )
            )
        order._message_log(
            body=self.env._(
                "Amazon refunded %(amount)s itself (%(kind)s), seen in %(seen_in)s: recorded as "
                "%(request)s.",
                amount=request.currency_id.format(request.amount_total),
                kind=kind,
                seen_in=seen_in,
                request=request.name,
            )
        )
        return request

    # -- Amazon's transactions -------------------------------------------------------------------

    def _amazon_read_amazon_refunds(self, client):
        """Just before sending: record the refunds Amazon made on these requests' orders, and
        refuse each request whose items Amazon refunded itself since it was asked for (Amazon
        refunds on the seller's behalf when the seller is late: the request would refund the
        buyer twice). Returns the requests refused.

        Runs in the sender's scheduled action only: never in a user's transaction."""
        refunds = self.filtered(lambda r: r.request_type == "refund")
        by_order = refunds.order_id
        # Amazon refunds only what it charged: nothing before the order was placed.
        since = {order: order.date_order - timedelta(days=1) for order in by_order}
        shared = None
        if len(by_order) > PER_ORDER_QUERIES:
            # One reading for the whole batch keeps within listTransactions' small burst.
            shared = client.refund_transactions(min(since.values()))
        unread = []
        for order in by_order:
            unread += self._amazon_read_transactions(client, order, since[order], shared)
        refused = self.browse()
        for request in refunds:
            unknown = [
                (transaction, why)
                for transaction, order_line, why in unread
                if order_line in request.line_ids.order_line_id
            ]
            if unknown:
                # Amazon may have refunded these items: nothing goes out until someone looks.
                request._on_refused(
                    "AmazonUnreadable",
                    self.env._(
                        "Amazon's transactions of these items cannot be read (%(why)s): this "
                        "refund was not sent. Check Seller Central, then retry it.",
                        why="; ".join(f"{t.transaction_id}: {why}" for t, why in unknown),
                    ),
                )
                refused |= request
                continue
            news = request.line_ids.ledger_id.amazon_refund_ids.filtered(
                lambda r, asked=request: r.recorded_at >= asked.requested_at
            )
            if not news:
                continue
            request._on_refused(
                "AmazonRefunded",
                self.env._(
                    "Amazon already refunded %(details)s: this refund was not sent.",
                    details=", ".join(
                        self.env._(
                            "%(amount)s on %(date)s",
                            amount=r.currency_id.format(r.amount_total),
                            date=fields.Date.to_string(r.posted_at),
                        )
                        for r in news
                    ),
                ),
            )
            refused |= request
        return refused

    @api.model
    def _amazon_read_transactions(self, client, order, posted_after, transactions=None):
        """Record the refunds Amazon made on `order` that its transactions show. A transaction
        that cannot be read or recorded fails alone, said once on the order; returns those
        failed, with the order line each is about."""
        if transactions is None:
            transactions = client.refund_transactions(
                posted_after, order_id=order.amazon_order_number
            )
        Ledger = self.env["amazon.item.ledger"]
        failed = []
        for transaction in transactions:
            if transaction.order_id != order.amazon_order_number:
                continue
            order_line = order.order_line.filtered(
                lambda line, sku=transaction.sku: (
                    line.product_id.default_code == sku and line.amazon_order_item_code
                )
            )[:1]
            if not order_line:
                continue
            if transaction.currency and transaction.currency != order.currency_id.name:
                # Not this order's money: the settlement will tell, row by row.
                continue
            why = transaction.unreadable
            if not why:
                amounts = {
                    name: float(transaction.amounts.get(component, 0))
                    for name, component in SETTLED_COMPONENT_FIELDS.items()
                }
                try:
                    with self.env.cr.savepoint():
                        _refund, outcome = self._amazon_record_amazon_refund(
                            Ledger._for_lines(order_line)[order_line],
                            "finances",
                            {
                                "kind": const.TRANSACTION_REFUND_TYPES[
                                    transaction.transaction_type
                                ],
                                "ref": transaction.adjustment_id or transaction.transaction_id,
                                "quantity": transaction.quantity,
                                "posted_at": transaction.posted,
                                "amounts": amounts,
                            },
                            self.env._("Amazon's transactions"),
                        )
                    if outcome == "excess":
                        why = self.env._(
                            "it refunds more than Amazon charged for the item and did not "
                            "refund already."
                        )
                except UserError as error:
                    why = error.args[0]
            if why:
                failed.append((transaction, order_line, why))
                self._amazon_note_unread(order, transaction, why)
        return failed

    @api.model
    def _amazon_note_unread(self, order, transaction, why):
        """Say once on the order that a transaction of Amazon's could not be recorded."""
        said = self.env["mail.message"].search_count(
            [
                ("model", "=", "sale.order"),
                ("res_id", "=", order.id),
                ("body", "ilike", transaction.transaction_id),
            ]
        )
        if said:
            return
        _logger.info("Amazon transaction %s not recorded: %s", transaction.transaction_id, why)
        order._message_log(
            body=self.env._(
                "Amazon's transaction %(id)s could not be recorded: %(why)s Check it in Seller "
                "Central.",
                id=transaction.transaction_id,
                why=why,
            )
        )
