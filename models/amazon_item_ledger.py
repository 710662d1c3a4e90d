from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..amazon_api import const
from ..amazon_api.orders import charged_components
from ..compat import UNIT_PRECISION, Constraint
from .amazon_order_request import PENDING_STATES, REFUNDED_STATES
from .amazon_order_request_line import COMPONENT_FIELDS as AMOUNT_FIELDS

# Ledger field -> Amazon's price component: what the buyer paid for the item, all its units.
CHARGED_FIELDS = {
    "charged_principal": const.PRINCIPAL,
    "charged_tax": const.TAX,
    "charged_shipping": const.SHIPPING,
    "charged_shipping_tax": const.SHIPPING_TAX,
    "charged_gift_wrap": const.GIFT_WRAP,
    "charged_gift_wrap_tax": const.GIFT_WRAP_TAX,
}
REFUNDABLE_COMPONENTS = tuple(CHARGED_FIELDS.values())
# One refund of Amazon's seen by two sources: same item and amount, this close in time.
SAME_REFUND_WINDOW = timedelta(days=30)


class AmazonItemLedger(models.Model):
    """The money of one Amazon order item: what Amazon charged, and every refund of it, by the
    seller (requests) or by Amazon itself. The only place that says what is refundable."""

    _name = "amazon.item.ledger"
    _description = "Amazon Order Item Ledger"
    _inherit = "amazon.seller.account.owned.mixin"
    _order = "order_id desc, id"
    _check_company_auto = True

    order_line_id = fields.Many2one(
        "sale.order.line", required=True, readonly=True, index=True, ondelete="cascade"
    )
    order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", related=False, required=True, readonly=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    product_id = fields.Many2one(related="order_line_id.product_id")
    amazon_order_number = fields.Char(related="order_id.amazon_order_number")
    amazon_order_item_code = fields.Char(string="Amazon Order Item ID", readonly=True)
    charged_source = fields.Selection(
        [("amazon", "Amazon"), ("snapshot", "The order when confirmed or linked")],
        string="Charged Amounts From",
        required=True,
        readonly=True,
        help="Amazon: the amounts of Amazon's order. Otherwise those of the Odoo order when it "
        "was confirmed or linked; later changes of its lines never change them.",
    )
    charged_updated_at = fields.Datetime(string="Charged Amounts Of", readonly=True)
    fulfilled_by_amazon = fields.Boolean(readonly=True)
    quantity_ordered = fields.Float(string="Units Ordered", digits=UNIT_PRECISION, readonly=True)
    quantity_cancelled = fields.Float(
        string="Units Cancelled", digits=UNIT_PRECISION, readonly=True
    )
    quantity_shipped_by_amazon = fields.Float(
        string="Units Amazon Shipped", digits=UNIT_PRECISION, readonly=True
    )
    shipped_known_from_amazon = fields.Boolean(readonly=True)
    charged_principal = fields.Monetary(string="Item Price Charged", readonly=True)
    charged_tax = fields.Monetary(string="Tax Charged", readonly=True)
    charged_shipping = fields.Monetary(string="Shipping Charged", readonly=True)
    charged_shipping_tax = fields.Monetary(string="Shipping Tax Charged", readonly=True)
    charged_gift_wrap = fields.Monetary(string="Gift Wrap Charged", readonly=True)
    charged_gift_wrap_tax = fields.Monetary(string="Gift Wrap Tax Charged", readonly=True)
    charged_promotion = fields.Monetary(
        string="Promotions", readonly=True, help="What promotions took off the buyer's price."
    )
    request_line_ids = fields.One2many(
        "amazon.order.request.line", "ledger_id", string="Requests", readonly=True
    )
    amazon_refund_ids = fields.One2many(
        "amazon.item.ledger.refund", "ledger_id", string="Refunds by Amazon", readonly=True
    )
    quantity_shipped = fields.Float(
        string="Units Shipped", digits=UNIT_PRECISION, compute="_compute_balance"
    )
    amount_charged = fields.Monetary(string="Charged for Shipped Units", compute="_compute_balance")
    amount_refunded = fields.Monetary(
        string="Refunded", compute="_compute_balance", help="By the seller and by Amazon."
    )
    amount_refunded_by_amazon = fields.Monetary(
        string="Refunded by Amazon", compute="_compute_balance"
    )
    amount_pending = fields.Monetary(
        string="Refunds Pending",
        compute="_compute_balance",
        help="Refunds proposed, queued, on their way or that Amazon may have applied.",
    )
    amount_refundable = fields.Monetary(string="Refundable", compute="_compute_balance")

    _order_line_unique = Constraint(
        "unique(seller_account_id, order_line_id)",
        "An Amazon order item has one ledger per seller account.",
    )

    @api.depends("amazon_order_number", "product_id")
    def _compute_display_name(self):
        for ledger in self:
            ledger.display_name = " / ".join(
                filter(None, [ledger.amazon_order_number, ledger.product_id.display_name])
            )

    @api.depends(
        "request_line_ids.state",
        "request_line_ids.amount_total",
        "request_line_ids.request_id.in_doubt",
        "amazon_refund_ids.amount_total",
        "order_line_id.qty_delivered",
        "quantity_cancelled",
    )
    def _compute_balance(self):
        balances = self._balances()
        for ledger in self:
            balance = balances[ledger]
            ledger.quantity_shipped = balance.shipped
            ledger.amount_charged = sum(balance.charged.values())
            ledger.amount_refunded = balance.total("refunded")
            ledger.amount_refunded_by_amazon = balance.total("by_amazon")
            ledger.amount_pending = balance.total("pending")
            ledger.amount_refundable = sum(balance.refundable.values())

    # -- what was charged --------------------------------------------------------------------------

    @api.model
    def _for_lines(self, order_lines):
        """The ledgers of these order lines, by line; lines of an Amazon order that has none
        yet (an order that got its account without being confirmed or linked since) get one
        from the order as it is now."""
        lines = order_lines.filtered(lambda line: line.order_id.amazon_seller_account_id)
        ledgers = self.sudo().search([("order_line_id", "in", lines.ids)])
        missing = lines.order_id - ledgers.order_id
        if missing:
            ledgers |= self._snapshot_orders(missing)
        by_line = {ledger.order_line_id: ledger for ledger in ledgers}
        return {line: by_line[line] for line in lines if line in by_line}

    @api.model
    def _item_lines(self, order):
        return order.order_line.filtered(
            lambda line: not line.display_type and not line._amazon_is_shipping()
        )

    @api.model
    def _snapshot_orders(self, orders):
        """Ledgers of the product lines of these Amazon orders that have none, charged as the
        orders are now: Amazon's data replaces them when it comes.

        Shipping that Odoo holds on delivery lines is shared among the order's product lines in
        proportion to their price, the last line taking the rounding remainder.
        """
        values = []
        orders = orders.filtered("amazon_seller_account_id")
        existing = set(self.sudo().search([("order_id", "in", orders.ids)]).order_line_id.ids)
        now = fields.Datetime.now()
        for order in orders:
            products = self._item_lines(order)
            delivery = order.order_line.filtered(
                lambda line: not line.display_type and line._amazon_is_shipping()
            )
            totals = {
                "charged_shipping": sum(delivery.mapped("price_subtotal")),
                "charged_shipping_tax": sum(delivery.mapped("price_tax")),
            }
            left = dict(totals)
            base = sum(products.mapped("price_subtotal"))
            for index, line in enumerate(products, start=1):
                ratio = line.price_subtotal / base if base else 1 / len(products)
                share = {
                    name: left[name]
                    if index == len(products)
                    else order.currency_id.round(total * ratio)
                    for name, total in totals.items()
                }
                for name, amount in share.items():
                    left[name] -= amount
                if line.id in existing:
                    continue
                values.append(
                    {
                        "order_line_id": line.id,
                        "order_id": order.id,
                        "company_id": order.company_id.id,
                        "seller_account_id": order.amazon_seller_account_id.id,
                        "amazon_order_item_code": line.amazon_order_item_code,
                        "charged_source": "snapshot",
                        "charged_updated_at": now,
                        "fulfilled_by_amazon": order.amazon_fulfillment == "amazon",
                        "quantity_ordered": line.product_uom_qty + line.amazon_quantity_cancelled,
                        "quantity_cancelled": line.amazon_quantity_cancelled,
                        "charged_principal": line.price_subtotal,
                        "charged_tax": line.price_tax,
                        **share,
                    }
                )
        return self.sudo().create(values)

    @api.model
    def _amazon_sync_orders(self, orders_info):
        """What Amazon says it charged for the items of these orders ((order, OrderInfo of the
        Orders API) pairs): ledgers are made from it, or take it in place of their snapshot,
        with a note on the order when amounts change."""
        orders = self.env["sale.order"].union(*(order for order, _info in orders_info))
        existing = {
            ledger.order_line_id: ledger
            for ledger in self.sudo().search([("order_id", "in", orders.ids)])
        }
        now = fields.Datetime.now()
        to_create = []
        for order, info in orders_info:
            lines = {
                line.amazon_order_item_code: line
                for line in self._item_lines(order)
                if line.amazon_order_item_code
            }
            changes = []
            for item in info.items:
                line = lines.get(item.order_item_id)
                if not line:
                    continue
                values = {
                    "amazon_order_item_code": item.order_item_id,
                    "fulfilled_by_amazon": info.is_fba,
                    "quantity_ordered": item.quantity,
                }
                if item.quantity_shipped is not None:
                    values["quantity_shipped_by_amazon"] = item.quantity_shipped
                    values["shipped_known_from_amazon"] = True
                if item.charges or item.unit_price is not None:
                    charged, promotion = charged_components(item)
                    values.update(
                        {name: charged[component] for name, component in CHARGED_FIELDS.items()},
                        charged_promotion=promotion,
                        charged_source="amazon",
                        charged_updated_at=now,
                    )
                ledger = existing.get(line)
                if not ledger:
                    to_create.append(
                        {
                            "order_line_id": line.id,
                            "order_id": order.id,
                            "company_id": order.company_id.id,
                            "seller_account_id": order.amazon_seller_account_id.id,
                            "charged_source": "snapshot",
                            "charged_updated_at": now,
                            **values,
                        }
                    )
                    continue
                if values.get("charged_source"):
                    before = ledger._charged_total()
                    after = sum(values[name] for name in CHARGED_FIELDS)
                    if ledger.currency_id.compare_amounts(before, after):
                        changes.append(
                            self.env._(
                                "%(product)s: %(before)s, now %(after)s",
                                product=ledger.product_id.display_name,
                                before=ledger.currency_id.format(before),
                                after=ledger.currency_id.format(after),
                            )
                        )
                if any(
                    ledger[name] != value
                    for name, value in values.items()
                    if name != "charged_updated_at"
                ):
                    ledger.sudo().write(values)
            if changes:
                order._message_log(
                    body=Markup("%s<ul>%s</ul>")
                    % (
                        self.env._("Amounts charged, as Amazon's order gives them:"),
                        Markup().join(Markup("<li>%s</li>") % change for change in changes),
                    )
                )
        return self.sudo().create(to_create)

    def _charged_total(self):
        self.ensure_one()
        return sum(self[name] for name in CHARGED_FIELDS)

    def _amazon_add_cancelled(self, quantity):
        """Amazon cancelled `quantity` more units of the item: never charged, never refunded."""
        for ledger in self.sudo():
            ledger.quantity_cancelled = min(
                ledger.quantity_cancelled + quantity, ledger.quantity_ordered
            )

    # -- what is refundable ------------------------------------------------------------------------

    def _quantity_shipped(self):
        """Units Amazon charged: those it shipped, or Odoo's deliveries when the seller ships,
        never more than ordered and not cancelled."""
        self.ensure_one()
        left = max(self.quantity_ordered - self.quantity_cancelled, 0.0)
        if self.fulfilled_by_amazon:
            shipped = self.quantity_shipped_by_amazon if self.shipped_known_from_amazon else left
        else:
            shipped = self.order_line_id._amazon_quantity_delivered()
        return min(shipped, left)

    def _balances(self, exclude_requests=None):
        """Each ledger's balance: charged for shipped units, refunded (by the seller and by
        Amazon), pending and refundable, per component. Two queries whatever the number of
        ledgers and refunds."""
        balances = {ledger: LedgerBalance(ledger) for ledger in self}
        if not self:
            return balances
        self.env["amazon.order.request"].flush_model(["state", "in_doubt", "origin"])
        self.env["amazon.order.request.line"].flush_model(
            ["ledger_id", "request_id", "quantity", *AMOUNT_FIELDS]
        )
        self.env["amazon.item.ledger.refund"].flush_model()
        exclude = tuple(exclude_requests.ids) if exclude_requests else (0,)
        sums = SQL(", ").join(SQL("SUM(line.%s)", SQL.identifier(name)) for name in AMOUNT_FIELDS)
        self.env.cr.execute(
            SQL(
                """SELECT line.ledger_id, request.state, request.in_doubt,
                          SUM(line.quantity), %s
                     FROM amazon_order_request_line line
                     JOIN amazon_order_request request ON request.id = line.request_id
                    WHERE line.ledger_id IN %s AND request.request_type = 'refund'
                      AND request.origin = 'odoo' AND request.id NOT IN %s
                 GROUP BY 1, 2, 3""",
                sums,
                tuple(self.ids),
                exclude,
            )
        )
        by_id = {ledger.id: balance for ledger, balance in balances.items()}
        for ledger_id, state, in_doubt, quantity, *amounts in self.env.cr.fetchall():
            if state in REFUNDED_STATES:
                bucket = "refunded"
            elif state in PENDING_STATES or (state == "error" and in_doubt):
                bucket = "pending"
            else:
                continue
            by_id[ledger_id].add(
                bucket, quantity, zip(AMOUNT_FIELDS.values(), amounts, strict=True)
            )
        refund_fields = [name for name in AMOUNT_FIELDS if name != "amount_restocking_fee"]
        sums = SQL(", ").join(SQL("SUM(%s)", SQL.identifier(name)) for name in refund_fields)
        self.env.cr.execute(
            SQL(
                "SELECT ledger_id, SUM(quantity), %s FROM amazon_item_ledger_refund "
                "WHERE ledger_id IN %s GROUP BY 1",
                sums,
                tuple(self.ids),
            )
        )
        for ledger_id, quantity, *amounts in self.env.cr.fetchall():
            components = list(
                zip([AMOUNT_FIELDS[name] for name in refund_fields], amounts, strict=True)
            )
            by_id[ledger_id].add("refunded", quantity, components)
            by_id[ledger_id].add("by_amazon", quantity, components)
        return balances

    # -- the checks every refund goes through ------------------------------------------------------

    @api.model
    def _check_request(self, request):
        """Refuse a refund request whose units or amounts are more than what is left to refund
        of its items, counting what anyone refunded and every other refund on its way. Checked
        when a request is queued and again just before it is sent."""
        ledgers = self._for_lines(request.line_ids.order_line_id)
        balances = self.browse().union(*ledgers.values())._balances(exclude_requests=request)
        over_refund = request.company_id.amazon_allow_over_refund
        currency = request.currency_id
        for line in request.line_ids:
            ledger = ledgers.get(line.order_line_id)
            product = line.order_line_id.product_id.display_name
            if not ledger:
                raise UserError(
                    self.env._(
                        "%(request)s, %(product)s: not an item of an Amazon order.",
                        request=request.name,
                        product=product,
                    )
                )
            balance = balances[ledger]
            if currency.compare_amounts(line.quantity - balance.quantity_refundable, 0.0) > 0:
                raise UserError(
                    self.env._(
                        "%(request)s, %(product)s: %(quantity)s units refunded, but only "
                        "%(left)s shipped units are left to refund.",
                        request=request.name,
                        product=product,
                        quantity=line.quantity,
                        left=balance.quantity_refundable,
                    )
                )
            if over_refund:
                continue
            for component, amount in line._amazon_components().items():
                if component in const.KEPT_COMPONENTS:
                    continue
                left = balance.refundable.get(component, 0.0)
                if currency.compare_amounts(amount, left) > 0:
                    raise UserError(
                        self.env._(
                            "%(request)s, %(product)s: %(component)s %(amount)s is more than "
                            "the %(left)s left to refund (charged %(charged)s for %(shipped)s "
                            "shipped units; refunded %(refunded)s, of which by Amazon "
                            "%(by_amazon)s; pending %(pending)s).",
                            request=request.name,
                            product=product,
                            component=const.PRICE_COMPONENTS[component],
                            amount=currency.format(amount),
                            left=currency.format(left),
                            charged=currency.format(balance.charged.get(component, 0.0)),
                            shipped=balance.shipped,
                            refunded=currency.format(balance.refunded.get(component, 0.0)),
                            by_amazon=currency.format(balance.by_amazon.get(component, 0.0)),
                            pending=currency.format(balance.pending.get(component, 0.0)),
                        )
                    )

    # -- Amazon's own refunds ----------------------------------------------------------------------

    def _record_amazon_refund(self, source, refund):
        """Record a refund Amazon made itself on this item, once however many sources report
        it: the same Amazon id, else the same amount within SAME_REFUND_WINDOW of a refund no
        Amazon id tells apart.

        `refund`: kind, ref (Amazon's id, if any), posted_at, quantity, amounts (refund field
        -> amount), rma (an RMA, for the returns report), estimated. Returns (refund record,
        outcome), outcome one of "new", "known" and "excess" (more than Amazon charged for the
        item: recorded nowhere, for the caller to flag).
        """
        self.ensure_one()
        Refund = self.env["amazon.item.ledger.refund"].sudo()
        currency = self.currency_id
        total = sum(refund["amounts"].values())
        known = self.amazon_refund_ids.sudo()
        same = refund.get("ref") and known.filtered(lambda r: r.amazon_refund_ref == refund["ref"])
        if not same and refund.get("rma"):
            # A returns report read again tells the same refund of the same return.
            same = known.filtered(lambda r: r.rma_id == refund["rma"] and r[f"seen_in_{source}"])
            if same and same[:1].estimated:
                same[:1].write(refund["amounts"])
        if not same:
            posted = refund.get("posted_at") or fields.Datetime.now()
            # Two ids that differ are two refunds; an estimate (the returns report's) is the
            # same refund as Amazon's money data of the time, whatever the amount.
            same = known.filtered(
                lambda r: (
                    not r[f"seen_in_{source}"]
                    and not (r.amazon_refund_ref and refund.get("ref"))
                    and (
                        r.estimated
                        or refund.get("estimated")
                        or not currency.compare_amounts(r.amount_total, total)
                    )
                    and (
                        # The returns report gives no refund date: its estimate has none to match.
                        r.estimated
                        or refund.get("estimated")
                        or abs((r.posted_at or posted) - posted) <= SAME_REFUND_WINDOW
                    )
                )
            )
        if same:
            same = same[:1]
            values = {f"seen_in_{source}": True}
            if refund.get("ref") and not same.amazon_refund_ref:
                values["amazon_refund_ref"] = refund["ref"]
            if same.estimated and not refund.get("estimated"):
                # Amazon's money data replaces an estimate of the returns report.
                values.update(refund["amounts"], estimated=False)
                values["posted_at"] = refund.get("posted_at") or same.posted_at
            same.write(values)
            return same, "known"
        charged = sum(self[name] for name in CHARGED_FIELDS)
        refunded = sum(known.mapped("amount_total"))
        if currency.compare_amounts(refunded + total, charged) > 0 and not refund.get("estimated"):
            return Refund, "excess"
        record = Refund.create(
            {
                "ledger_id": self.id,
                "source": source,
                f"seen_in_{source}": True,
                "kind": refund["kind"],
                "amazon_refund_ref": refund.get("ref") or False,
                "posted_at": refund.get("posted_at") or fields.Datetime.now(),
                "quantity": refund.get("quantity") or 0,
                "rma_id": refund.get("rma") and refund["rma"].id,
                "estimated": bool(refund.get("estimated")),
                **refund["amounts"],
            }
        )
        return record, "new"


class LedgerBalance:
    """One ledger's money, per component: charged for shipped units, refunded (by anyone),
    refunded by Amazon itself, pending, and what that leaves refundable."""

    def __init__(self, ledger):
        self.ledger = ledger
        self.shipped = ledger._quantity_shipped()
        ordered = ledger.quantity_ordered
        ratio = self.shipped / ordered if ordered else 0.0
        currency = ledger.currency_id
        self.charged = {
            component: currency.round(ledger[name] * ratio)
            for name, component in CHARGED_FIELDS.items()
        }
        self.quantities = {"refunded": 0.0, "by_amazon": 0.0, "pending": 0.0}
        self.refunded, self.by_amazon, self.pending = {}, {}, {}

    def add(self, bucket, quantity, amounts):
        self.quantities[bucket] += quantity or 0.0
        totals = getattr(self, bucket)
        for component, amount in amounts:
            totals[component] = totals.get(component, 0.0) + (amount or 0.0)

    def total(self, bucket):
        """Money of a bucket back to the buyer: the fee the seller kept deducted."""
        return sum(
            -amount if component in const.KEPT_COMPONENTS else amount
            for component, amount in getattr(self, bucket).items()
        )

    @property
    def refundable(self):
        return {
            component: max(
                charged - self.refunded.get(component, 0.0) - self.pending.get(component, 0.0),
                0.0,
            )
            for component, charged in self.charged.items()
        }

    @property
    def quantity_refundable(self):
        taken = self.quantities["refunded"] + self.quantities["pending"]
        return max(self.shipped - taken, 0.0)
