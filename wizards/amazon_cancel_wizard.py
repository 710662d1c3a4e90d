from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..amazon_api import const
from ..models.amazon_order_request import PENDING_STATES

CANCEL_REASONS = sorted(const.CANCEL_REASONS.items(), key=lambda item: item[1])


class AmazonCancelWizard(models.TransientModel):
    _name = "amazon.cancel.wizard"
    _description = "Cancel Amazon Order"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    company_id = fields.Many2one(related="order_id.company_id")
    allow_zero_out = fields.Boolean(related="company_id.amazon_allow_zero_out_inventory")
    allow_local_cancel = fields.Boolean(related="company_id.amazon_allow_local_cancel")
    reason = fields.Selection(CANCEL_REASONS, required=True)
    line_ids = fields.One2many("amazon.cancel.wizard.line", "wizard_id", string="Lines")
    zero_out_inventory = fields.Boolean(
        help="Set the on-hand quantity of the cancelled products to 0 in the warehouse's stock "
        "location."
    )
    zero_out_all_bins = fields.Boolean(
        help="Also set it to 0 in every location inside the warehouse's stock location."
    )
    has_unshipped_lines = fields.Boolean(compute="_compute_has_unshipped_lines")
    do_not_send = fields.Boolean(
        string="Do not send to Amazon",
        help="Cancel in Odoo only: Amazon is not told. Use it for orders already cancelled in "
        "Seller Central.",
    )
    step = fields.Selection([("edit", "Units"), ("confirm", "Confirmation")], default="edit")
    confirmation = fields.Char(compute="_compute_confirmation")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        # Created with its order given (not as a default), the dialog still fills its lines.
        order = self.env["sale.order"].browse(
            values.get("order_id") or self.env.context.get("default_order_id")
        )
        if order and "line_ids" in fields_list:
            # Opened from a line, that line's units only; from the order, all of them.
            only = self.env.context.get("amazon_cancel_line_id")
            values["line_ids"] = [
                Command.create(
                    {
                        "order_line_id": line.id,
                        "quantity_unshipped": line._amazon_quantity_unshipped(),
                        "quantity": line._amazon_quantity_unshipped()
                        if not only or line.id == only
                        else 0.0,
                    }
                )
                for line in order.order_line
                if not line.display_type
                and not line._amazon_is_shipping()
                and line.product_uom_qty > 0
            ]
        return values

    @api.depends("line_ids.quantity_unshipped")
    def _compute_has_unshipped_lines(self):
        for wizard in self:
            wizard.has_unshipped_lines = any(wizard.line_ids.mapped("quantity_unshipped"))

    @api.depends("line_ids.quantity", "order_id")
    def _compute_confirmation(self):
        for wizard in self:
            order = wizard.order_id
            units = sum(line.quantity for line in wizard.line_ids if line.quantity > 0)
            count = f"{units:g}"
            wizard.confirmation = self.env._(
                "Cancel %(units)s of order %(order)s for %(buyer)s? The buyer is told and Amazon "
                "cannot undo it.",
                units=self.env._("1 unit")
                if units == 1
                else self.env._("%(count)s units", count=count),
                order=order.amazon_order_number or order.name,
                buyer=order.partner_id.name,
            )

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel Amazon Order"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": self.env.context,
        }

    def action_review(self):
        """Cancel Order: check the units, then ask to confirm them with the order and buyer."""
        self.ensure_one()
        self.order_id._amazon_check_open_order()
        self._check_cancellable(self.line_ids.filtered(lambda line: line.quantity > 0))
        self.step = "confirm"
        return self._reopen()

    def action_back(self):
        self.ensure_one()
        self.step = "edit"
        return self._reopen()

    @api.onchange("reason")
    def _onchange_reason(self):
        if self.reason == const.NO_INVENTORY and self.allow_zero_out:
            self.zero_out_inventory = True

    def action_cancel_order(self):
        """Cancel Items: record the cancellation; the pipeline sends it to Amazon."""
        self.ensure_one()
        order = self.order_id
        order._amazon_check_open_order()
        lines = self.line_ids.filtered(lambda line: line.quantity > 0)
        self._check_cancellable(lines)
        if (self.zero_out_inventory or self.zero_out_all_bins) and not self.allow_zero_out:
            raise UserError(
                self.env._(
                    "Zeroing out inventory on cancellation is off in the settings of %(company)s.",
                    company=order.company_id.name,
                )
            )
        whole_lines = all(line.quantity >= line.order_line_id.product_uom_qty for line in lines)
        reason = self.reason
        if not whole_lines:
            if reason not in const.QUANTITY_CANCEL_REASON_OF:
                raise UserError(
                    self.env._(
                        "Amazon cancels part of a line's quantity only for No stock or the "
                        "buyer's request. Cancel whole lines, or choose one of those reasons."
                    )
                )
            reason = const.QUANTITY_CANCEL_REASON_OF[reason]
        zero_out = False
        if self.zero_out_all_bins:
            zero_out = "all_bins"
        elif self.zero_out_inventory or (self.reason == const.NO_INVENTORY and self.allow_zero_out):
            zero_out = "stock"
        # Users only read requests: the request is written as the system, after the checks.
        order.check_access("write")
        request = (
            self.env["amazon.order.request"]
            .sudo()
            .create(
                {
                    "request_type": "cancellation",
                    "order_id": order.id,
                    "seller_account_id": order.amazon_seller_account_id.id,
                    "reason": reason,
                    "zero_out": zero_out,
                    "line_ids": [
                        Command.create(
                            {
                                "order_line_id": line.order_line_id.id,
                                "quantity_cancelled": line.quantity,
                            }
                        )
                        for line in lines
                    ],
                }
            )
            .sudo(False)
        )
        if order.amazon_buyer_cancel_state == "pending":
            order._amazon_close_buyer_cancellation(
                "accepted",
                self.env._(
                    "Buyer's cancellation request accepted: %(request)s.", request=request.name
                ),
            )
        if self.do_not_send and self.allow_local_cancel:
            request._amazon_apply_locally()
            message = self.env._("%(request)s: cancelled in Odoo only.", request=request.name)
        else:
            request._queue()
            message = self.env._(
                "%(request)s: %(how)s. Deliveries of this order are blocked meanwhile.",
                request=request.name,
                how=self.env._("being sent to Amazon")
                if request.send_immediately
                else self.env._("waiting in the Refund & Cancellation Queue"),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Cancellation requested"),
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _check_cancellable(self, lines):
        order = self.order_id
        # The dialog's lines come from the client: a line of another order is refused.
        foreign = self.line_ids.order_line_id - order.order_line
        if foreign:
            raise AccessError(
                self.env._(
                    "%(lines)s: not lines of %(order)s; cancel them from their own order.",
                    lines=", ".join(foreign.mapped("display_name")),
                    order=order.name,
                )
            )
        if order.amazon_fulfillment == "amazon":
            raise UserError(
                self.env._(
                    "Amazon ships %(order)s from its fulfilment centres: only Amazon cancels it.",
                    order=order.name,
                )
            )
        if not self.has_unshipped_lines:
            raise UserError(
                self.env._(
                    "Everything of %(order)s has shipped: nothing can be cancelled. Issue a "
                    "refund instead.",
                    order=order.name,
                )
            )
        if not lines:
            raise UserError(self.env._("Choose the units to cancel."))
        pending = order.amazon_request_ids.filtered(
            lambda r: r.request_type == "cancellation" and r.state in PENDING_STATES
        )
        if pending:
            raise UserError(
                self.env._(
                    "%(request)s already cancels this order and waits for Amazon's answer.",
                    request=pending[0].name,
                )
            )
        for line in lines:
            unshipped = line.order_line_id._amazon_quantity_unshipped()
            if line.quantity > unshipped:
                raise UserError(
                    self.env._(
                        "%(product)s: %(quantity)s units to cancel, but only %(unshipped)s are "
                        "not shipped yet. Shipped units cannot be cancelled; refund them.",
                        product=line.product_id.display_name,
                        quantity=line.quantity,
                        unshipped=unshipped,
                    )
                )
            if line.quantity != int(line.quantity):
                raise UserError(
                    self.env._(
                        "%(product)s: Amazon cancels whole units.",
                        product=line.product_id.display_name,
                    )
                )
