from datetime import timedelta

from odoo import Command, api, fields, models

from ..amazon_api import const
from .amazon_settlement_line import REFUND_KINDS, SETTLED_COMPONENT_FIELDS

# Up to this many orders in a batch, each order's transactions are asked for on their own.
PER_ORDER_QUERIES = 3


class AmazonOrderRequest(models.Model):
    """What Amazon settled of a request, and the refunds Amazon made itself, which Odoo records
    as done refund requests of origin Amazon so that every check counts them."""

    _inherit = "amazon.order.request"

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
    amazon_refund_key = fields.Char(readonly=True, index="btree_not_null", copy=False)
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

    # -- settlements ---------------------------------------------------------------------------

    def _amazon_settle(self):
        """Settled once Amazon's settlements hold every line; a difference between what was
        asked and what Amazon settled goes to a manager."""
        for request in self:
            lines = request.settlement_line_ids
            if request.state in ("sent", "error"):
                # Amazon settled it: it applied the request whatever the feed said.
                request._set_state(
                    "done",
                    result_message=self.env._(
                        "Confirmed by Amazon's settlement %(id)s.",
                        id=lines.settlement_id[:1].settlement_ref,
                    ),
                )
                request._amazon_on_accepted()
            differences = []
            for line in request.line_ids:
                settled = lines.filtered(lambda s, line=line: s.request_line_id == line)
                if not settled:
                    continue
                asked = line._amazon_components()
                got = {}
                for settled_line in settled:
                    for component, amount in settled_line._amazon_components().items():
                        got[component] = got.get(component, 0.0) + amount
                currency = request.currency_id
                for component in set(asked) | set(got):
                    if currency.compare_amounts(asked.get(component, 0.0), got.get(component, 0.0)):
                        differences.append(
                            self.env._(
                                "%(product)s, %(component)s: asked %(asked)s, settled %(got)s",
                                product=line.product_id.display_name,
                                component=const.PRICE_COMPONENTS.get(component, component),
                                asked=currency.format(asked.get(component, 0.0)),
                                got=currency.format(got.get(component, 0.0)),
                            )
                        )
                promotion = sum(settled.mapped("amount_promotion"))
                if currency.compare_amounts(promotion, 0.0):
                    differences.append(
                        self.env._(
                            "%(product)s: Amazon took back %(amount)s of a promotion",
                            product=line.product_id.display_name,
                            amount=currency.format(promotion),
                        )
                    )
            if request.origin == "odoo" and differences:
                lines.filtered(lambda s: s.result == "matched").sudo().result = "difference"
                request._amazon_alert(
                    self.env._("Amazon settled %(request)s differently", request=request.name),
                    "; ".join(differences),
                    user=self.env["amazon.seller.account"]._amazon_manager(request.company_id),
                )
            if request.state == "done" and set(lines.request_line_id.ids) >= set(
                request.line_ids.ids
            ):
                request._set_state("settled")

    # -- refunds Amazon made ---------------------------------------------------------------------

    @api.model
    def _amazon_record_amazon_refund(self, order_line, refund):
        """Record a refund Amazon made on `order_line` without a request of Odoo: a done refund
        of origin Amazon with its credit note, counted by every refund check from now on.

        `refund`: kind, key (what tells it from other refunds of the order), adjustment_id,
        quantity, posted_at, components (request line amount fields), other (added to the item
        price) and source (where it was seen, for the order's chatter).
        """
        order = order_line.order_id
        existing = self.search(
            [("order_id", "=", order.id), ("amazon_refund_key", "=", refund["key"])], limit=1
        )
        if existing:
            return existing
        components = {name: amount for name, amount in refund["components"].items() if amount}
        components["amount_principal"] = components.get("amount_principal", 0.0) + refund.get(
            "other", 0.0
        )
        line_values = {
            "order_line_id": order_line.id,
            "quantity": refund.get("quantity") or 0,
            **{
                name: amount
                for name, amount in components.items()
                if name in self.env["amazon.order.request.line"]._fields
            },
        }
        request = self.sudo().create(
            {
                "request_type": "refund",
                "origin": "amazon",
                "order_id": order.id,
                "seller_account_id": order.amazon_seller_account_id.id,
                "reason": "Other",
                "requested_by_id": self.env.uid,
                "amazon_refund_kind": refund["kind"],
                "amazon_refund_key": refund["key"],
                "amazon_adjustment_ref": refund.get("adjustment_id") or False,
                "amazon_refund_posted_at": refund.get("posted_at") or fields.Datetime.now(),
                "amazon_recorded_at": fields.Datetime.now(),
                "line_ids": [Command.create(line_values)],
            }
        )
        kind = dict(REFUND_KINDS)[refund["kind"]]
        request._set_state(
            "done",
            result_message=self.env._(
                "Refunded by Amazon (%(kind)s), seen in %(seen_in)s.",
                kind=kind,
                seen_in=refund["source"],
            ),
        )
        request._amazon_prepare_credit_note()
        request._amazon_post_credit_note()
        rma = order.amazon_rma_ids.filtered(lambda r: r.state in ("open", "received"))[:1]
        if rma:
            request.sudo().amazon_rma_id = rma
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
                seen_in=refund["source"],
                request=request.name,
            )
        )
        return request

    # -- how refunds are booked ------------------------------------------------------------------

    def _amazon_prepare_credit_note(self):
        booked = self.filtered(lambda r: r.seller_account_id.refund_booking != "none")
        return super(AmazonOrderRequest, booked)._amazon_prepare_credit_note()

    def _amazon_post_credit_note(self):
        """A credit note against nothing would leave the customer a credit: without a posted
        invoice it stays draft, for accounting to decide."""
        unbilled = self.sudo().filtered(
            lambda r: (
                r.credit_note_id.state == "draft"
                and r.credit_note_id.reversed_entry_id.state != "posted"
            )
        )
        for request in unbilled:
            request.credit_note_id.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(request.order_id.user_id or request.requested_by_id).id or self.env.uid,
                summary=self.env._("Amazon refund of an order not invoiced"),
                note=self.env._(
                    "Amazon refunded %(amount)s on %(order)s, which has no posted invoice: "
                    "post this credit note against an invoice, or cancel it.",
                    amount=request.currency_id.format(request.amount_total),
                    order=request.order_id.name,
                ),
            )
        return super(AmazonOrderRequest, self - unbilled)._amazon_post_credit_note()

    # -- just before sending ---------------------------------------------------------------------

    def _amazon_check_amazon_refunds(self, client):
        """Ask Amazon's transactions whether it refunded these requests' items itself since
        they were asked for; record what it did and refuse the request it makes redundant.

        Runs in the sender's scheduled action only: never in a user's transaction."""
        refused = self.browse()
        by_order = self.filtered(lambda r: r.request_type == "refund").grouped("order_id")
        # Amazon refunds only what it charged: nothing before the order was placed.
        since = {order: order.date_order - timedelta(days=1) for order in by_order}
        shared = None
        if len(by_order) > PER_ORDER_QUERIES:
            # One reading for the whole batch keeps within listTransactions' small burst.
            shared = client.refund_transactions(min(since.values()))
        for order, requests in by_order.items():
            found = self._amazon_read_transactions(client, order, since[order], shared)
            for request in requests:
                order_lines = request.line_ids.order_line_id
                news = found.filtered(
                    lambda r, lines=order_lines, asked=request: (
                        r.line_ids.order_line_id & lines
                        and r.amazon_recorded_at >= asked.requested_at
                    )
                )
                if not news:
                    continue
                request._set_refused(
                    "AmazonRefunded",
                    self.env._(
                        "Amazon already refunded %(details)s: this refund was not sent.",
                        details=", ".join(
                            self.env._(
                                "%(amount)s on %(date)s",
                                amount=r.currency_id.format(r.amount_total),
                                date=fields.Date.to_string(r.amazon_refund_posted_at),
                            )
                            for r in news
                        ),
                    ),
                )
                refused |= request
        return refused

    @api.model
    def _amazon_read_transactions(self, client, order, posted_after, transactions=None):
        """Record the refunds Amazon made on `order` that its transactions show; returns the
        refunds recorded now or before, of origin Amazon."""
        if transactions is None:
            transactions = client.refund_transactions(
                posted_after, order_id=order.amazon_order_number
            )
        recorded = self.browse()
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
            components = {
                name: float(transaction.amounts.get(component, 0))
                for name, component in SETTLED_COMPONENT_FIELDS.items()
            }
            recorded |= self._amazon_record_amazon_refund(
                order_line,
                {
                    "kind": const.TRANSACTION_REFUND_TYPES[transaction.transaction_type],
                    "key": f"{transaction.adjustment_id or transaction.transaction_id}/"
                    f"{order_line.amazon_order_item_code}",
                    "adjustment_id": transaction.adjustment_id,
                    "quantity": transaction.quantity,
                    "posted_at": transaction.posted,
                    "components": components,
                    "source": self.env._("Amazon's transactions"),
                },
            )
        return recorded
