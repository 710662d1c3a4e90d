from contextvars import ContextVar
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_datetime

from ..amazon_api import const
from ..compat import Constraint
from ..utils import check_system_fields
from .amazon_order_request import PENDING_STATES, REFUNDED_STATES

BUYER_CANCEL_DAYS = 2
# Set while Odoo's own cancellation flow runs (_action_cancel, which RPC cannot call): the only
# way an Amazon order in process becomes cancelled. Not a context key, which any caller sets.
_CANCELLING = ContextVar("amazon_refund_cancel_cancelling", default=False)
# The buyer's cancellation request as Amazon reported it, and the hold it puts on the order.
BUYER_CANCEL_FIELDS = (
    "amazon_buyer_cancel_state",
    "amazon_buyer_cancel_reason",
    "amazon_buyer_cancel_date",
    "amazon_on_hold",
)
# What decides the money of a confirmed Amazon order: Amazon managers change them, or the
# addon's checked methods; never Amazon users or salespeople over RPC.
AMAZON_ORDER_FIELDS = (
    "amazon_seller_account_id",
    "amazon_order_number",
    "amazon_fulfillment",
    "amazon_seller_marketplace_id",
)
# How the order was linked to or imported from Amazon, written by the addon only.
LINK_IMPORT_FIELDS = (
    "amazon_link_state",
    "amazon_link_note",
    "amazon_link_requested",
    "amazon_order_status",
)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    amazon_seller_account_id = fields.Many2one(
        "amazon.seller.account",
        string="Amazon Account",
        check_company=True,
        index="btree_not_null",
        copy=False,
    )
    amazon_order_number = fields.Char(
        string="Amazon Order ID", index="btree_not_null", copy=False, tracking=True
    )
    amazon_fulfillment = fields.Selection(
        [("merchant", "Merchant"), ("amazon", "Amazon")],
        string="Fulfilled By",
        copy=False,
        help="Merchant: you ship the order (MFN). Amazon: Amazon ships it from its "
        "fulfilment centres (FBA).",
    )
    amazon_seller_marketplace_id = fields.Many2one(
        "amazon.seller.marketplace",
        string="Amazon Marketplace",
        copy=False,
        domain="[('id', 'in', amazon_marketplace_allowed_ids)]",
    )
    amazon_marketplace_allowed_ids = fields.Many2many(
        related="amazon_seller_account_id.marketplace_ids"
    )

    amazon_rma_ids = fields.One2many("amazon.rma", "order_id", string="Amazon RMAs")
    amazon_rma_count = fields.Integer(compute="_compute_amazon_rma_count")
    amazon_request_ids = fields.One2many(
        "amazon.order.request", "order_id", string="Amazon Requests"
    )
    amazon_request_count = fields.Integer(compute="_compute_amazon_request_count")
    amazon_ledger_ids = fields.One2many(
        "amazon.item.ledger", "order_id", string="Amazon Item Ledgers", readonly=True
    )
    amazon_refunded_amount = fields.Monetary(
        string="Refunded on Amazon", compute="_compute_amazon_refund_amounts"
    )
    amazon_refund_pending_amount = fields.Monetary(
        string="Refunds Pending", compute="_compute_amazon_refund_amounts"
    )

    amazon_buyer_cancel_state = fields.Selection(
        [
            ("pending", "Waiting for your answer"),
            ("accepted", "Accepted"),
            ("declined", "Declined"),
        ],
        string="Buyer Cancellation",
        copy=False,
        index="btree_not_null",
        tracking=True,
        readonly=True,
    )
    amazon_buyer_cancel_reason = fields.Char(
        string="Buyer's Cancel Reason", copy=False, readonly=True
    )
    amazon_buyer_cancel_date = fields.Datetime(
        string="Cancellation Requested On", copy=False, readonly=True
    )
    amazon_buyer_cancel_deadline = fields.Datetime(
        string="Answer Before",
        compute="_compute_amazon_buyer_cancel_deadline",
        store=True,
        help="Amazon gives the seller 2 days to answer; then the buyer may turn to Amazon.",
    )
    amazon_on_hold = fields.Boolean(
        string="On Hold",
        copy=False,
        readonly=True,
        tracking=True,
        help="The buyer asked to cancel: nothing ships until the request is answered.",
    )
    amazon_can_cancel = fields.Boolean(compute="_compute_amazon_actions")
    amazon_can_refund = fields.Boolean(compute="_compute_amazon_actions")
    amazon_no_action_reason = fields.Char(compute="_compute_amazon_actions")
    amazon_refund_status = fields.Selection(
        [
            ("pending", "Refund pending"),
            ("refunded", "Refunded"),
            ("refused", "Refund refused"),
        ],
        string="Refund Status",
        compute="_compute_amazon_refund_status",
        help="Refund pending: a refund is on its way to Amazon. Refund refused: Amazon refused "
        "the last refund and none went through.",
    )
    amazon_shipping_blocked = fields.Boolean(compute="_compute_amazon_shipping_block")
    amazon_shipping_block_reason = fields.Char(compute="_compute_amazon_shipping_block")

    amazon_payment_status = fields.Selection(
        [("paid", "Paid"), ("partial", "Partly refunded"), ("refunded", "Refunded")],
        compute="_compute_amazon_payment_status",
    )
    amazon_refunded_commission = fields.Monetary(
        string="Refunded Commission",
        compute="_compute_amazon_payment_status",
        help="The referral fees Amazon gave back on this order's refunds, less what it kept.",
    )
    amazon_safet_reimbursed_amount = fields.Monetary(
        string="SAFE-T Reimbursed", compute="_compute_amazon_safet_reimbursed_amount"
    )

    amazon_link_state = fields.Selection(
        [
            ("linked", "Linked"),
            ("partial", "Linked, lines unmatched"),
            ("failed", "Not linked"),
        ],
        string="Amazon Link",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )
    amazon_link_note = fields.Text(string="Linking Notes", copy=False, readonly=True)
    amazon_link_requested = fields.Boolean(copy=False, readonly=True, index="btree_not_null")
    amazon_order_status = fields.Selection(
        const.ORDER_STATUSES,
        string="Amazon Status",
        copy=False,
        readonly=True,
        help="The order's status at Amazon when it was last imported.",
    )
    amazon_ship_by = fields.Datetime(
        string="Ship By", copy=False, help="Amazon's latest ship date for this order."
    )

    _amazon_order_number_unique = Constraint(
        "unique(amazon_seller_account_id, amazon_order_number)",
        "This Amazon order ID is already on another order of the same seller account.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_system_fields(self, vals, BUYER_CANCEL_FIELDS + LINK_IMPORT_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        check_system_fields(self, vals, BUYER_CANCEL_FIELDS + LINK_IMPORT_FIELDS)
        self._amazon_check_order_fields(vals)
        return super().write(vals)

    def _amazon_check_order_fields(self, vals):
        cancelling = vals.get("state") == "cancel" and not _CANCELLING.get()
        if (
            cancelling
            and not self.env.su
            and self.filtered(
                lambda order: order.amazon_seller_account_id and order.state == "sale"
            )
        ):
            raise AccessError(
                self.env._("An Amazon order is cancelled with Cancel Items, which tells Amazon.")
            )
        if self.env.su or not set(vals) & set(AMAZON_ORDER_FIELDS):
            return
        if self.env.user.has_group("amazon_refund_cancel.group_amazon_manager"):
            return
        confirmed = self.filtered(
            lambda order: order.amazon_seller_account_id and order.state == "sale"
        )
        changed = [
            name
            for name in AMAZON_ORDER_FIELDS
            if name in vals
            and any(
                order[name]
                != order._fields[name].convert_to_record(
                    order._fields[name].convert_to_cache(vals[name], order), order
                )
                for order in confirmed
            )
        ]
        if changed:
            raise AccessError(
                self.env._(
                    "%(fields)s of a confirmed Amazon order decide what Amazon refunds: only "
                    "Amazon managers change them.",
                    fields=", ".join(self._fields[name].string for name in changed),
                )
            )

    def _action_confirm(self):
        result = super()._action_confirm()
        # What the buyer was charged, as the order is now: later edits of its lines never
        # change it, only Amazon's data does.
        self.env["amazon.item.ledger"]._snapshot_orders(self.filtered("amazon_seller_account_id"))
        return result

    @api.depends("amazon_request_ids")
    def _compute_amazon_request_count(self):
        for order in self:
            order.amazon_request_count = len(order.amazon_request_ids)

    @api.depends("amazon_request_ids.state", "amazon_request_ids.amount_total")
    def _compute_amazon_refund_amounts(self):
        """As the order items' ledgers count them: by the seller and by Amazon."""
        for order in self:
            # Salespeople see the order's amounts without reading the ledgers themselves.
            ledgers = order.sudo().amazon_ledger_ids
            order.amazon_refunded_amount = sum(ledgers.mapped("amount_refunded"))
            order.amazon_refund_pending_amount = sum(ledgers.mapped("amount_pending"))

    @api.depends("amazon_request_ids.state")
    def _compute_amazon_refund_status(self):
        for order in self:
            states = set(
                order.amazon_request_ids.filtered(lambda r: r.request_type == "refund").mapped(
                    "state"
                )
            )
            if states & set(PENDING_STATES):
                order.amazon_refund_status = "pending"
            elif states & set(REFUNDED_STATES):
                order.amazon_refund_status = "refunded"
            elif "error" in states:
                order.amazon_refund_status = "refused"
            else:
                order.amazon_refund_status = False

    @api.depends(
        "amazon_request_ids.state",
        "amazon_request_ids.amount_total",
        "amazon_request_ids.commission_returned",
        "amazon_request_ids.commission_kept",
        "amount_total",
    )
    def _compute_amazon_payment_status(self):
        for order in self:
            refunds = order.amazon_request_ids.filtered(
                lambda r: r.request_type == "refund" and r.state in REFUNDED_STATES
            )
            refunded = sum(refunds.mapped("amount_total"))
            if not order.amazon_seller_account_id:
                order.amazon_payment_status = False
            elif order.currency_id.compare_amounts(refunded, 0.0) <= 0:
                order.amazon_payment_status = "paid"
            elif order.currency_id.compare_amounts(refunded, order.amount_total) >= 0:
                order.amazon_payment_status = "refunded"
            else:
                order.amazon_payment_status = "partial"
            order.amazon_refunded_commission = sum(refunds.mapped("commission_returned")) - sum(
                refunds.mapped("commission_kept")
            )

    @api.depends("amazon_rma_ids.safet_reimbursed_amount")
    def _compute_amazon_safet_reimbursed_amount(self):
        for order in self:
            order.amazon_safet_reimbursed_amount = sum(
                order.amazon_rma_ids.mapped("safet_reimbursed_amount")
            )

    def _amazon_product_lines(self):
        return self.order_line.filtered(
            lambda line: not line.display_type and not line._amazon_is_shipping()
        )

    @api.depends(
        "state",
        "amazon_seller_account_id",
        "amazon_fulfillment",
        "order_line.qty_delivered",
        "order_line.product_uom_qty",
    )
    def _compute_amazon_actions(self):
        """Refund once something shipped, Cancel Items while something has not: the order
        offers only what applies, and says why when nothing does."""
        for order in self:
            open_amazon_order = order.amazon_seller_account_id and order.state == "sale"
            lines = order._amazon_product_lines() if open_amazon_order else order.order_line[:0]
            order.amazon_can_refund = any(line._amazon_quantity_shipped() > 0 for line in lines)
            order.amazon_can_cancel = order.amazon_fulfillment != "amazon" and any(
                line._amazon_quantity_unshipped() > 0 for line in lines
            )
            reason = False
            if open_amazon_order and not (order.amazon_can_refund or order.amazon_can_cancel):
                reason = (
                    self.env._(
                        "Amazon fulfils this order: only Amazon cancels it, and it is refunded "
                        "once shipped."
                    )
                    if order.amazon_fulfillment == "amazon"
                    else self.env._("This order has no item left to cancel or refund.")
                )
            order.amazon_no_action_reason = reason

    def _amazon_pending_cancellations(self):
        return self.amazon_request_ids.filtered(
            lambda r: r.request_type == "cancellation" and r.state in PENDING_STATES
        )

    @api.depends("amazon_request_ids.state", "amazon_on_hold", "amazon_buyer_cancel_deadline")
    def _compute_amazon_shipping_block(self):
        """Nothing ships while Amazon may cancel it or the buyer asked to cancel."""
        for order in self:
            pending = order._amazon_pending_cancellations()
            reason = False
            if pending:
                reason = self.env._(
                    "Cancellation %(request)s waits for Amazon's answer: its deliveries cannot "
                    "be validated.",
                    request=pending[0].name,
                )
            elif order.amazon_on_hold and order.amazon_buyer_cancel_deadline:
                reason = self.env._(
                    "On hold: the buyer asked to cancel (%(reason)s). Accept or decline the "
                    "request by %(deadline)s (Amazon gives %(days)s days, then the buyer may turn "
                    "to Amazon); nothing ships until then.",
                    reason=order.amazon_buyer_cancel_reason or self.env._("no reason given"),
                    deadline=format_datetime(
                        self.env, order.amazon_buyer_cancel_deadline, dt_format="short"
                    ),
                    days=BUYER_CANCEL_DAYS,
                )
            elif order.amazon_on_hold:
                reason = self.env._(
                    "On hold: the buyer asked to cancel (%(reason)s). Accept or decline the "
                    "request before shipping.",
                    reason=order.amazon_buyer_cancel_reason or self.env._("no reason given"),
                )
            order.amazon_shipping_blocked = bool(reason)
            order.amazon_shipping_block_reason = reason

    @api.depends("amazon_buyer_cancel_date")
    def _compute_amazon_buyer_cancel_deadline(self):
        for order in self:
            order.amazon_buyer_cancel_deadline = order.amazon_buyer_cancel_date and (
                order.amazon_buyer_cancel_date + timedelta(days=BUYER_CANCEL_DAYS)
            )

    # -- buyer cancellation requests -------------------------------------------------------------

    def _amazon_register_buyer_cancellation(self, reason, requested_at=None):
        """A buyer asked Amazon to cancel: hold the order if it qualifies, ask the person
        responsible to answer before the deadline. Seeing the same request again changes
        nothing. Returns whether the order is new to the request."""
        self.ensure_one()
        if self.amazon_buyer_cancel_state:
            return False
        self.sudo().write(
            {
                "amazon_buyer_cancel_state": "pending",
                "amazon_buyer_cancel_reason": reason,
                "amazon_buyer_cancel_date": requested_at or fields.Datetime.now(),
            }
        )
        why_not = self._amazon_hold_refusal()
        reason_text = reason or self.env._("no reason given")
        if why_not:
            note = self.env._(
                "The buyer asked Amazon to cancel this order (%(reason)s). It is not put on "
                "hold: %(why)s.",
                reason=reason_text,
                why=why_not,
            )
        else:
            self.sudo().amazon_on_hold = True
            note = self.env._(
                "The buyer asked Amazon to cancel this order (%(reason)s). The order is on hold "
                "until you accept or decline the request.",
                reason=reason_text,
            )
        self._message_log(body=note)
        self.sudo().activity_schedule(
            "amazon_refund_cancel.mail_activity_buyer_cancel",
            date_deadline=fields.Date.to_date(
                fields.Datetime.context_timestamp(self, self.amazon_buyer_cancel_deadline)
            ),
            user_id=self.user_id.id or self.env.uid,
            # The buyer's reason is Amazon's text: the note is HTML, the reason is not.
            note=escape(note),
        )
        return True

    def _amazon_hold_refusal(self):
        """Why a buyer's cancellation request does not hold this order, or False if it does."""
        self.ensure_one()
        if self.state != "sale":
            return self.env._("the order is not in process (%(state)s)", state=self.state)
        if self.amazon_fulfillment == "amazon" or any(
            line._amazon_quantity_shipped() for line in self.order_line
        ):
            return self.env._("some of it has shipped already")
        if self._amazon_dropship_confirmed():
            return self.env._("its dropship purchase is confirmed with the vendor")
        return False

    def _amazon_dropship_confirmed(self):
        """Where dropshipping is installed: a vendor confirmed shipping this order directly."""
        if "purchase_line_ids" not in self.env["sale.order.line"]._fields:
            return False
        purchases = self.order_line.purchase_line_ids.order_id.filtered(
            lambda purchase: purchase.picking_type_id.code == "dropship"
        )
        return any(purchase.state in ("purchase", "done") for purchase in purchases)

    def _amazon_close_buyer_cancellation(self, state, note):
        self.sudo().write({"amazon_buyer_cancel_state": state})
        self.sudo().activity_feedback(
            ["amazon_refund_cancel.mail_activity_buyer_cancel"], feedback=note
        )

    def action_amazon_accept_buyer_cancel(self):
        """Accepting opens Cancel Items with the buyer's reason."""
        self.ensure_one()
        return self.action_amazon_cancel(reason=const.BUYER_CANCELED)

    def action_amazon_decline_buyer_cancel(self):
        """The order ships after all."""
        if not self.env.user.has_group("amazon_refund_cancel.group_amazon_user"):
            raise AccessError(self.env._("Only Amazon users answer buyers' cancellation requests."))
        self.check_access("write")
        for order in self.filtered(lambda o: o.amazon_buyer_cancel_state == "pending"):
            note = self.env._("Buyer's cancellation request declined: the order ships.")
            order.sudo().amazon_on_hold = False
            order._amazon_close_buyer_cancellation("declined", note)
            order._message_log(body=note)
        return True

    @api.depends("order_line.invoice_lines", "amazon_request_ids.credit_note_id")
    def _get_invoiced(self):
        # Amazon refunds' credit notes belong to the order without changing invoiced quantities.
        result = super()._get_invoiced()
        for order in self:
            credit_notes = order.amazon_request_ids.credit_note_id
            if credit_notes:
                order.invoice_ids |= credit_notes
                order.invoice_count = len(order.invoice_ids)
        return result

    def _amazon_check_open_order(self):
        self.ensure_one()
        if not self.amazon_seller_account_id:
            raise UserError(self.env._("%(order)s is not an Amazon order.", order=self.name))
        if self.state != "sale":
            raise UserError(
                self.env._(
                    "%(order)s is not a confirmed order: only those are refunded or cancelled "
                    "on Amazon.",
                    order=self.name,
                )
            )

    def action_amazon_refund(self):
        """Refund: the refund dialog, prefilled with what is left to refund."""
        self._amazon_check_open_order()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refund"),
            "res_model": "amazon.refund.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id, "dialog_size": "extra-large"},
        }

    def action_amazon_cancel(self, reason=None):
        """Cancel Items: the cancellation dialog with every unshipped unit selected."""
        self._amazon_check_open_order()
        if self.amazon_fulfillment == "amazon":
            raise UserError(
                self.env._(
                    "%(order)s is fulfilled by Amazon: only Amazon cancels it, not the seller.",
                    order=self.name,
                )
            )
        if not self.amazon_can_cancel:
            raise UserError(
                self.env._(
                    "Everything of %(order)s has shipped: nothing can be cancelled. Issue a "
                    "refund instead.",
                    order=self.name,
                )
            )
        context = {"default_order_id": self.id}
        if reason:
            context["default_reason"] = reason
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel Items"),
            "res_model": "amazon.cancel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    def action_cancel(self):
        # An Amazon order is cancelled on Amazon first; Odoo's button opens that dialog. No
        # context key skips this (an RPC caller sets any): the addon's own cancellations, once
        # Amazon or the settings allow them, call _action_cancel.
        amazon_orders = self.filtered(
            lambda order: order.amazon_seller_account_id and order.state == "sale"
        )
        if not amazon_orders:
            return super().action_cancel()
        if len(self) == 1:
            return self.action_amazon_cancel()
        raise UserError(
            self.env._(
                "Cancel Amazon orders one at a time, with Cancel Items: Amazon must be told."
            )
        )

    def _action_cancel(self):
        token = _CANCELLING.set(True)
        try:
            return super()._action_cancel()
        finally:
            _CANCELLING.reset(token)

    def _amazon_cancelled_by_amazon(self):
        """Amazon cancelled the order: cancel it here too when nothing shipped, else flag it."""
        for order in self:
            shipped = any(
                line.qty_delivered
                for line in order.order_line
                if not line.display_type and not line._amazon_is_shipping()
            )
            if shipped:
                order.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=order.user_id.id or self.env.uid,
                    summary=self.env._("Amazon cancelled a shipped order"),
                    note=escape(
                        self.env._(
                            "Amazon shows %(order)s cancelled, but some of it shipped: check it "
                            "in Seller Central.",
                            order=order.amazon_order_number,
                        )
                    ),
                )
                continue
            order.sudo()._action_cancel()
            order._message_log(
                body=self.env._(
                    "Cancelled because Amazon cancelled order %(order)s; nothing had shipped.",
                    order=order.amazon_order_number,
                )
            )

    def _amazon_zero_out_after_cancellation(self, request):
        """The zero out asked for with `request`, now that its cancellation is applied."""
        self.ensure_one()
        if request.zero_out:
            self._amazon_zero_out_inventory(
                request.line_ids.order_line_id.product_id, all_bins=request.zero_out == "all_bins"
            )

    def _amazon_zero_out_inventory(self, products, all_bins=False):
        """An applied inventory adjustment to 0 of these products in the warehouse's stock
        location, or in it and all its sub-locations."""
        self.ensure_one()
        location = self.warehouse_id.lot_stock_id
        domain = [("product_id", "in", products.ids)]
        domain += (
            [("location_id", "child_of", location.id)]
            if all_bins
            else [("location_id", "=", location.id)]
        )
        quants = self.env["stock.quant"].sudo().search(domain)
        quants = quants.filtered(lambda quant: quant.quantity)
        if not quants:
            return
        zeroed = [
            f"{quant.product_id.display_name}: {quant.quantity:g} "
            f"in {quant.location_id.display_name}"
            for quant in quants
        ]
        quants.with_context(inventory_mode=True).write({"inventory_quantity": 0})
        quants.with_context(
            inventory_name=self.env._("Amazon cancellation of %(order)s", order=self.name)
        ).action_apply_inventory()
        self._message_log(
            body=Markup("%s<ul>%s</ul>")
            % (
                self.env._("On-hand quantity set to 0:"),
                Markup().join(Markup("<li>%s</li>") % line for line in zeroed),
            )
        )

    def action_view_amazon_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_refund_cancel.amazon_order_request_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id}
        return action

    @api.depends("amazon_rma_ids")
    def _compute_amazon_rma_count(self):
        for order in self:
            order.amazon_rma_count = len(order.amazon_rma_ids)

    def action_view_amazon_rmas(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_refund_cancel.amazon_rma_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {}
        return action

    # -- linking to Amazon ---------------------------------------------------------------------

    def action_amazon_link(self):
        """Link Amazon Order: checked here, linked in the background (Amazon is asked there)."""
        if not self.env.user.has_group("amazon_refund_cancel.group_amazon_user"):
            raise AccessError(self.env._("Only Amazon users link orders to Amazon."))
        linker = self.env["amazon.order.linker"]
        for order in self:
            accounts = (
                self.env["amazon.seller.account"]
                .with_company(order.company_id)
                .search(
                    [
                        ("company_id", "=", order.company_id.id),
                        ("order_link_source", "!=", "none"),
                    ]
                )
            )
            candidates = linker._accounts_for(order, accounts)
            if not candidates:
                raise UserError(
                    self.env._(
                        "%(order)s: no seller account of %(company)s links orders from a field "
                        "this order fills (see Link Orders From on the seller accounts).",
                        order=order.name,
                        company=order.company_id.name,
                    )
                )
            refusals = [linker._refusal(order, account, number) for account, number in candidates]
            if all(refusals):
                raise UserError("\n".join(refusals))
        self.sudo().write(
            {"amazon_link_requested": True, "amazon_link_state": False, "amazon_link_note": False}
        )
        self.env.ref("amazon_refund_cancel.ir_cron_amazon_link_orders")._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": self.env._("Linking to Amazon"),
                "message": self.env._(
                    "The order will be linked in a moment; its Amazon tab tells the result."
                )
                if len(self) == 1
                else self.env._(
                    "%(count)s orders will be linked in a moment; their Amazon tab tells the "
                    "result.",
                    count=len(self),
                ),
                "sticky": False,
            },
        }
