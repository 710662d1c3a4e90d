import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..amazon_api import const
from ..models.amazon_order_request_line import COMPONENT_FIELDS

REFUND_REASONS = sorted(const.ADJUSTMENT_REASONS.items(), key=lambda item: item[1])
# The dialog refunds shipped items: reasons of units that never left are not offered.
SHIPPED_REFUND_REASONS = [
    (code, label)
    for code, label in REFUND_REASONS
    if code not in const.UNSHIPPED_ADJUSTMENT_REASONS
]


class AmazonRefundWizard(models.TransientModel):
    _name = "amazon.refund.wizard"
    _description = "Issue Amazon Refund"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    rma_id = fields.Many2one("amazon.rma", string="RMA", readonly=True)
    request_id = fields.Many2one(
        "amazon.order.request",
        readonly=True,
        help="A refund in error that this dialog corrects and queues again, or a refund the "
        "refund rules proposed, which it queues once reviewed.",
    )
    request_heading = fields.Char(compute="_compute_request_heading")
    refund_rule_ids = fields.Many2many(related="request_id.refund_rule_ids", string="Refund Rules")
    refund_rule_note = fields.Text(related="request_id.refund_rule_note")
    review_note = fields.Char(compute="_compute_review_note")
    company_id = fields.Many2one(related="order_id.company_id")
    currency_id = fields.Many2one(related="order_id.currency_id")
    allow_over_refund = fields.Boolean(related="company_id.amazon_allow_over_refund")
    # Required on the form when there is something to refund; an unshipped order has nothing.
    reason = fields.Selection(SHIPPED_REFUND_REASONS)
    line_ids = fields.One2many("amazon.refund.wizard.line", "wizard_id", string="Lines")
    has_shipped_lines = fields.Boolean(compute="_compute_has_shipped_lines")
    amount_total = fields.Monetary(string="To Refund Now", compute="_compute_amount_total")
    step = fields.Selection([("edit", "Amounts"), ("confirm", "Confirmation")], default="edit")
    confirmation = fields.Char(compute="_compute_confirmation")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        # Created with its order given (not as a default), the dialog still fills its lines.
        order = self.env["sale.order"].browse(
            values.get("order_id") or self.env.context.get("default_order_id")
        )
        if order and "line_ids" in fields_list:
            values["line_ids"] = [Command.create(vals) for vals in self._default_lines(order)]
        if "reason" in fields_list and values.get("reason") not in dict(SHIPPED_REFUND_REASONS):
            # A return is refunded as such; any other refund of a shipped item is an adjustment.
            values["reason"] = (
                const.CUSTOMER_RETURN
                if values.get("rma_id") or self.env.context.get("amazon_refund_quantities")
                else const.GENERAL_ADJUSTMENT
            )
        return values

    @api.model
    def _default_lines(self, order):
        """One line per shipped product line, prefilled with everything still refundable.

        With `amazon_refund_quantities` in the context ([order line id, units] pairs, as an RMA
        gives them), only those lines come, refunding the item price and tax of those units.
        Correcting a refund in error, its lines come with its amounts.
        """
        correcting = self.env["amazon.order.request"].browse(
            self.env.context.get("default_request_id")
        )
        pairs = self.env.context.get("amazon_refund_quantities")
        wanted = dict(pairs) if pairs is not None else None
        ledgers = self.env["amazon.item.ledger"]._for_lines(
            order.order_line.filtered(
                lambda line: (
                    not line.display_type
                    and not line._amazon_is_shipping()
                    and (wanted is None or line.id in wanted)
                )
            )
        )
        balances = (
            self.env["amazon.item.ledger"]
            .union(*ledgers.values())
            ._balances(exclude_requests=correcting)
        )
        currency = order.currency_id
        values = []
        for line, ledger in ledgers.items():
            balance = balances[ledger]
            if balance.shipped <= 0:
                continue
            left_quantity = balance.quantity_refundable
            left = balance.refundable
            quantity = left_quantity
            if wanted is not None:
                # The returned units' item price and tax, never more than is left.
                quantity = min(wanted[line.id], left_quantity)
                ratio = quantity / balance.shipped
                left = {
                    component: min(left[component], balance.charged[component] * ratio)
                    for component in (const.PRINCIPAL, const.TAX)
                }
            amounts = {
                name: currency.round(left.get(component, 0.0))
                for name, component in COMPONENT_FIELDS.items()
            }
            if correcting:
                request_line = correcting.line_ids.filtered(
                    lambda rl, line=line: rl.order_line_id == line
                )
                quantity = request_line.quantity
                amounts = {name: request_line[name] for name in COMPONENT_FIELDS}
            values.append(
                {
                    "order_line_id": line.id,
                    "quantity_left": left_quantity,
                    "amount_left": currency.round(sum(balance.refundable.values())),
                    "amount_refunded": currency.round(
                        balance.total("refunded") + balance.total("pending")
                    ),
                    "quantity": quantity,
                    **amounts,
                }
            )
        return values

    @api.depends("request_id")
    def _compute_request_heading(self):
        for wizard in self:
            request = wizard.request_id
            if not request:
                wizard.request_heading = False
            elif request.state == "error":
                wizard.request_heading = self.env._("Correcting %(request)s", request=request.name)
            else:
                wizard.request_heading = self.env._("Reviewing %(request)s", request=request.name)

    @api.depends("line_ids")
    def _compute_has_shipped_lines(self):
        for wizard in self:
            wizard.has_shipped_lines = bool(wizard.line_ids)

    @api.depends("line_ids.amount_total")
    def _compute_amount_total(self):
        for wizard in self:
            wizard.amount_total = sum(wizard.line_ids.mapped("amount_total"))

    @api.depends("amount_total", "order_id")
    def _compute_confirmation(self):
        for wizard in self:
            order = wizard.order_id
            wizard.confirmation = self.env._(
                "Refund %(amount)s to %(buyer)s for order %(order)s? Amazon cannot undo a refund.",
                amount=order.currency_id.format(wizard.amount_total),
                buyer=order.partner_id.name,
                order=order.amazon_order_number or order.name,
            )

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refund"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": {**self.env.context, "dialog_size": "extra-large"},
        }

    def action_review(self):
        """Refund: check the amounts, then ask to confirm the total and the buyer."""
        self.ensure_one()
        self._check_belongs_to_order()
        self._check_request_values()
        self.step = "confirm"
        return self._reopen()

    def action_back(self):
        self.ensure_one()
        self.step = "edit"
        return self._reopen()

    @api.depends("request_id")
    def _compute_review_note(self):
        for wizard in self:
            proposal = wizard.request_id.sudo()
            wizard.review_note = (
                proposal.state == "draft"
                and proposal.refund_rule_ids
                and proposal._amazon_who_confirms()
            )

    def _check_request_values(self):
        self.order_id._amazon_check_open_order()
        if not self.reason:
            raise UserError(self.env._("Choose the reason for the refund."))
        lines = self.line_ids.filtered(lambda line: line._amazon_has_amounts())
        if not lines:
            raise UserError(self.env._("Enter an amount to refund."))
        lines._check_amounts()
        if self.rma_id:
            # Said at the first step, not only when the request is made.
            self.rma_id.sudo()._amazon_check_restocking_fee(
                [line._request_line_values() for line in lines]
            )
        return lines

    def action_open_cancel(self):
        return self.order_id.action_amazon_cancel()

    def _check_belongs_to_order(self):
        """The dialog's lines, RMA and corrected request are its order's: checked here, since
        a client may send any."""
        order = self.order_id
        foreign = self.line_ids.order_line_id.filtered(lambda line: line.order_id != order)
        if foreign or (self.rma_id and self.rma_id.order_id != order):
            raise UserError(
                self.env._(
                    "Only lines and returns of order %(order)s are refunded here.",
                    order=order.name,
                )
            )
        if self.request_id and self.request_id.order_id != order:
            raise UserError(
                self.env._(
                    "%(request)s is a request of another order than %(order)s.",
                    request=self.request_id.name,
                    order=order.name,
                )
            )

    def action_refund(self):
        """Refund: record the refund request; the pipeline sends it to Amazon."""
        self.ensure_one()
        order = self.order_id
        self._check_belongs_to_order()
        lines = self._check_request_values()
        self._lock_order_lines(lines.order_line_id)
        line_values = [line._request_line_values() for line in lines]
        Request = self.env["amazon.order.request"]
        if self.request_id:
            request = self.request_id
            request._check_manager()
            request._amazon_replace_lines(self.reason, line_values)
        else:
            order.check_access("write")
            request = Request._amazon_new(
                order, "refund", self.reason, line_values, rma=self.rma_id
            )
        request._queue()
        order._message_log(
            body=self.env._(
                "Amazon refund %(request)s of %(amount)s requested: %(reason)s.",
                request=request.name,
                amount=order.currency_id.format(request.amount_total),
                reason=dict(REFUND_REASONS)[self.reason],
            )
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Refund requested"),
                "message": self.env._(
                    "%(request)s: %(amount)s, %(how)s.",
                    request=request.name,
                    amount=order.currency_id.format(request.amount_total),
                    how=self.env._("being sent to Amazon")
                    if request.send_immediately
                    else self.env._("waiting in the Refund & Cancellation Queue"),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _lock_order_lines(self, order_lines):
        """Two people refunding the same line at once: the second one waits for the first."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM sale_order_line WHERE id IN %s FOR UPDATE NOWAIT",
                        tuple(order_lines.ids),
                    )
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "Someone is refunding these lines right now. Try again in a moment: the "
                    "amounts left to refund will include their refund."
                )
            ) from None
