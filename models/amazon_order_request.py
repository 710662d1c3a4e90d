import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..amazon_api import const, documents
from ..amazon_api.errors import DocumentError

REQUEST_STATES = [
    ("draft", "Draft"),
    ("queued", "Queued"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("done", "Done"),
    ("error", "Error"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
]
# Reasons of both feed types, by Amazon's code; dialogs offer the ones their type accepts.
REQUEST_REASONS = sorted(
    {**const.ADJUSTMENT_REASONS, **const.CANCEL_REASONS}.items(), key=lambda item: item[1]
)
FEED_TYPES = [
    (const.FEED_ADJUSTMENT, "Refunds and partial cancellations"),
    (const.FEED_ACKNOWLEDGEMENT, "Cancellations"),
]


class AmazonOrderRequest(models.Model):
    _name = "amazon.order.request"
    _description = "Amazon Refund or Cancellation Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    request_type = fields.Selection(
        [("refund", "Refund"), ("cancellation", "Cancellation")],
        string="Type",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        REQUEST_STATES, default="draft", required=True, readonly=True, index=True
    )
    order_id = fields.Many2one(
        "sale.order",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    seller_account_id = fields.Many2one(
        "amazon.seller.account",
        string="Seller Account",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    amazon_order_number = fields.Char(related="order_id.amazon_order_number")
    reason = fields.Selection(REQUEST_REASONS, required=True, tracking=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    line_ids = fields.One2many("amazon.order.request.line", "request_id", string="Lines")
    amount_total = fields.Monetary(
        string="Total Refunded", compute="_compute_amount_total", store=True
    )
    feed_type = fields.Selection(FEED_TYPES, compute="_compute_feed_type", store=True)
    requested_by_id = fields.Many2one(
        "res.users", string="Requested By", default=lambda self: self.env.user, readonly=True
    )
    requested_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    sent_by_id = fields.Many2one("res.users", string="Sent By", readonly=True)
    sent_at = fields.Datetime(readonly=True)
    send_immediately = fields.Boolean(
        readonly=True,
        help="Sent on its own as soon as it is queued, because the company does not queue "
        "Amazon requests.",
    )
    batch_id = fields.Many2one("amazon.feed.batch", readonly=True, index=True, copy=False)
    feed_id = fields.Char(related="batch_id.feed_id", string="Document Number")
    message_number = fields.Integer(
        string="Message ID",
        readonly=True,
        copy=False,
        help="This request's MessageID in its batch.",
    )
    result_code = fields.Char(readonly=True, copy=False)
    result_message = fields.Text(readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("amazon.order.request") or "/"
        return super().create(vals_list)

    @api.depends("line_ids.amount_total")
    def _compute_amount_total(self):
        for request in self:
            request.amount_total = sum(request.line_ids.mapped("amount_total"))

    @api.depends("request_type", "line_ids.quantity_cancelled", "line_ids.order_line_id")
    def _compute_feed_type(self):
        for request in self:
            whole_lines = request.request_type == "cancellation" and all(
                line.quantity_cancelled >= line.order_line_id.product_uom_qty
                for line in request.line_ids
            )
            request.feed_type = const.FEED_ACKNOWLEDGEMENT if whole_lines else const.FEED_ADJUSTMENT

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

    def _queue(self):
        """Move draft or corrected requests to the queue; the sender picks them up from there."""
        for request in self:
            if request.state not in ("draft", "error"):
                raise UserError(
                    self.env._("%(request)s cannot be queued again.", request=request.name)
                )
            if not request.line_ids:
                raise UserError(self.env._("%(request)s has no line.", request=request.name))
        self._check_before_sending()
        for request in self:
            request.write(
                {
                    "state": "queued",
                    "batch_id": False,
                    "message_number": 0,
                    "result_code": False,
                    "result_message": False,
                    "send_immediately": not request.company_id.amazon_queue_requests,
                }
            )
        self._amazon_on_queued()
        if any(self.mapped("send_immediately")):
            self.env["amazon.feed.batch"]._trigger_sender()

    def _check_before_sending(self):
        """Refuse what Amazon would refuse, naming the request; checked again before sending."""
        for request in self:
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

    def _claim_queued(self):
        """Lock the queued requests among these that no other transaction holds."""
        if not self:
            return self
        self.flush_model(["state", "batch_id"])
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM amazon_order_request WHERE id IN %s AND state = 'queued' "
                        "AND batch_id IS NULL ORDER BY id FOR UPDATE SKIP LOCKED",
                        tuple(self.ids),
                    )
                )
                ids = [row[0] for row in self.env.cr.fetchall()]
        except psycopg2.errors.SerializationFailure:
            # Another sender batched them since this transaction began.
            return self.browse()
        return self.browse(ids)

    def _amazon_error(self, code, message):
        """The request failed: say why, and ask the person responsible for the order to act."""
        for request in self:
            request.write({"state": "error", "result_code": code, "result_message": message})
            user = request.order_id.user_id or request.requested_by_id
            request.order_id.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id or self.env.uid,
                summary=self.env._("Amazon %(type)s failed", type=request._type_label()),
                note=self.env._("%(request)s: %(message)s", request=request.name, message=message),
            )

    def _type_label(self):
        return dict(self._fields["request_type"]._description_selection(self.env))[
            self.request_type
        ].lower()

    # Hooks: what Odoo does when Amazon accepts or refuses a request. Refunds and cancellations
    # each add their part (credit notes, blocking and cancelling deliveries).

    def _amazon_on_queued(self):
        """The request is on its way to Amazon."""

    def _amazon_on_accepted(self):
        """Amazon applied the request."""
        for request in self:
            request.order_id._message_log(
                body=self.env._(
                    "Amazon accepted %(type)s %(request)s.",
                    type=request._type_label(),
                    request=request.name,
                )
            )

    def _amazon_on_refused(self):
        """Amazon refused the request, or it will never be sent (rejected, withdrawn)."""
        for request in self:
            request.order_id._message_log(
                body=self.env._(
                    "%(request)s was not applied by Amazon: %(reason)s",
                    request=request.name,
                    reason=request.result_message or dict(REQUEST_STATES)[request.state],
                )
            )

    # -- actions -------------------------------------------------------------------------------

    def _check_manager(self):
        if not self.env.user.has_group("amazon_refund_cancel.group_amazon_manager"):
            raise AccessError(self.env._("Only Amazon managers process the request queue."))

    def _action_process(self, request_type):
        """Process Refund / Process Cancellation: the selected requests go out in batches."""
        self._check_manager()
        wrong = self.filtered(lambda r: r.request_type != request_type or r.state != "queued")
        if wrong:
            raise UserError(
                self.env._(
                    "Only queued %(type)s requests can be processed here: %(requests)s.",
                    type=dict(self._fields["request_type"]._description_selection(self.env))[
                        request_type
                    ].lower(),
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
                    "%(count)s request(s) in batch(es) %(batches)s. You will see each "
                    "batch's Document Number as soon as Amazon gives it.",
                    count=len(batches.request_ids),
                    batches=", ".join(batches.mapped("name")),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_process_refunds(self):
        return self._action_process("refund")

    def action_process_cancellations(self):
        return self._action_process("cancellation")

    def action_reject(self):
        self._check_manager()
        wrong = self.filtered(lambda r: r.state not in ("draft", "queued", "error"))
        if wrong:
            raise UserError(
                self.env._(
                    "Requests on their way to Amazon or answered cannot be rejected: %(requests)s.",
                    requests=", ".join(wrong.mapped("name")),
                )
            )
        self.write({"state": "rejected"})
        self._amazon_on_refused()

    def action_withdraw(self):
        wrong = self.filtered(lambda r: r.state not in ("draft", "queued"))
        if wrong:
            raise UserError(
                self.env._(
                    "Only requests still waiting in the queue can be withdrawn: %(requests)s.",
                    requests=", ".join(wrong.mapped("name")),
                )
            )
        self.write({"state": "withdrawn"})
        self._amazon_on_refused()

    def action_retry(self):
        self._check_manager()
        self._queue()

    def action_mark_done(self):
        """After a stopped batch: the seller saw in Seller Central that Amazon applied it."""
        self._check_manager()
        wrong = self.filtered(lambda r: r.state != "error")
        if wrong:
            raise UserError(
                self.env._(
                    "Only requests in error can be marked done: %(requests)s.",
                    requests=", ".join(wrong.mapped("name")),
                )
            )
        self.write({"state": "done"})
        self._amazon_on_accepted()

    amazon_rma_id = fields.Many2one(
        "amazon.rma",
        string="RMA",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="The refund of this returned item marks the RMA refunded once Amazon accepts it.",
    )
