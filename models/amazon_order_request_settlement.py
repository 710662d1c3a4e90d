import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..amazon_api import const
from .amazon_item_ledger_refund import REFUND_KINDS
from .amazon_settlement_line import SETTLED_COMPONENT_FIELDS

_logger = logging.getLogger(__name__)

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
        settled_ids = []
        for request in self:
            lines = request.settlement_line_ids
            if request.state in ("sent", "error"):
                # Amazon settled it: it applied the request whatever the feed said.
                request._on_applied(
                    message=self.env._(
                        "Confirmed by Amazon's settlement %(id)s.",
                        id=lines.settlement_id[:1].settlement_ref,
                    )
                )
            differences = []
            # The settlement lines of each request line Amazon settled otherwise, with what differs.
            line_differences = {}
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
                        line_differences.setdefault(settled, []).append(
                            self.env._(
                                "%(component)s: requested %(asked)s, settled %(got)s",
                                component=const.PRICE_COMPONENTS.get(component, component),
                                asked=currency.format(asked.get(component, 0.0)),
                                got=currency.format(got.get(component, 0.0)),
                            )
                        )
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
                    line_differences.setdefault(settled, []).append(
                        self.env._(
                            "Amazon took back %(amount)s of a promotion",
                            amount=currency.format(promotion),
                        )
                    )
                    differences.append(
                        self.env._(
                            "%(product)s: Amazon took back %(amount)s of a promotion",
                            product=line.product_id.display_name,
                            amount=currency.format(promotion),
                        )
                    )
            if request.origin == "odoo" and differences:
                for settled, details in line_differences.items():
                    for settled_line in settled.filtered(lambda s: s.result == "matched"):
                        settled_line.sudo().write(
                            {
                                "result": "difference",
                                "reason": self.env._(
                                    "Requested %(asked)s, settled %(got)s: %(details)s",
                                    asked=request.currency_id.format(
                                        settled_line.request_line_id.amount_total
                                    ),
                                    got=request.currency_id.format(
                                        sum(settled.mapped("amount_total"))
                                    ),
                                    details="; ".join(details),
                                ),
                            }
                        )
                request._amazon_alert(
                    self.env._("Amazon settled %(request)s differently", request=request.name),
                    "; ".join(differences),
                    user=self.env["amazon.seller.account"]._amazon_manager(request.company_id),
                )
            if request.state == "done" and set(lines.request_line_id.ids) >= set(
                request.line_ids.ids
            ):
                settled_ids.append(request.id)
        # One write for all of them.
        self.browse(settled_ids)._on_settled()

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
            "Other",
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
