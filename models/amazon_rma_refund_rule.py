from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..amazon_api import const
from .amazon_order_request import OPEN_STATES, REFUNDED_STATES

# Request line field -> the price component it refunds, as the rules decide them.
ITEM_COMPONENTS = {"amount_principal": const.PRINCIPAL, "amount_tax": const.TAX}
SHIPPING_COMPONENTS = {
    "amount_shipping": const.SHIPPING,
    "amount_shipping_tax": const.SHIPPING_TAX,
}


class AmazonRma(models.Model):
    """What the refund rules of the seller account make of a received return: nothing, a
    refund proposed for review, or a refund sent."""

    _inherit = "amazon.rma"

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

    def _amazon_nothing_came_back(self):
        self.ensure_one()
        return bool(self.line_ids) and set(self.line_ids.mapped("condition")) == {"not_returned"}

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

    def _amazon_ledgers(self):
        """The ledgers of this return's items, by order line."""
        self.ensure_one()
        return self.env["amazon.item.ledger"]._for_lines(self.line_ids.order_line_id)

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

    def _amazon_refund_by_rules(self, send):
        """Create the refund the rules decide; queue it when `send` and nothing needs review."""
        self.ensure_one()
        plan = self._amazon_refund_plan()
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

    def _amazon_refund_plan(self):
        """What the rules refund of each returned item.

        Returns lines (request line values, one per order line), the rules applied, a note
        saying which rule applied to each item and why, and why the refund needs a review
        (False when none).
        """
        self.ensure_one()
        Rule = self.env["amazon.return.refund.rule"]
        rules = Rule._rules_for(self.seller_account_id)
        delivered = self._amazon_delivered_to_buyer()
        days = (self.request_date - delivered).days if delivered and self.request_date else None
        items = defaultdict(lambda: self.env["amazon.rma.line"])
        for line in self.line_ids:
            items[line.order_line_id, line.sequence] |= line
        ledgers = self._amazon_ledgers()
        balances = self.env["amazon.item.ledger"].union(*ledgers.values())._balances()
        amounts = defaultdict(lambda: defaultdict(float))
        notes, reviews = [], []
        applied = Rule
        currency = self.currency_id
        for (order_line, _sequence), lines in items.items():
            first = lines[:1]
            conditions = set(lines.mapped("condition"))
            facts = {
                "reason": first.reason_id,
                "in_policy": first.in_policy,
                "conditions": None if False in conditions else conditions,
                "days": days,
            }
            rule, why, review = self._amazon_choose_rule(rules, facts)
            product = order_line.product_id.display_name
            notes.append(f"{product}: {why}")
            if review:
                reviews.append(f"{product}: {review}")
            quantity = first.sold_quantity
            amounts[order_line]["quantity"] += quantity
            balance = balances[ledgers[order_line]] if order_line in ledgers else None
            shipped = balance.shipped if balance else 0.0
            share = quantity / shipped if shipped else 0.0
            line_charged = balance.charged if balance else {}
            refund_item = rule.refund_item if rule else True
            components = dict(ITEM_COMPONENTS) if refund_item else {}
            if rule.refund_shipping:
                components |= SHIPPING_COMPONENTS
            for name, component in components.items():
                amounts[order_line][name] += line_charged.get(component, 0.0) * share
            if rule.restocking_fee_percent and refund_item:
                amounts[order_line]["amount_restocking_fee"] += (
                    line_charged.get(const.PRINCIPAL, 0.0)
                    * share
                    * rule.restocking_fee_percent
                    / 100
                )
            applied |= rule
        lines = []
        for order_line, values in amounts.items():
            balance = balances[ledgers[order_line]] if order_line in ledgers else None
            refundable = balance.refundable if balance else {}
            refund = {"order_line_id": order_line.id, "quantity": values.pop("quantity")}
            if balance:
                refund["quantity"] = min(refund["quantity"], balance.quantity_refundable)
            for name, amount in values.items():
                component = {**ITEM_COMPONENTS, **SHIPPING_COMPONENTS}.get(name)
                if component:
                    # Never more than what the ledger says is left to refund.
                    amount = min(amount, refundable.get(component, 0.0))
                refund[name] = currency.round(amount)
            lines.append(refund)
        return {
            "lines": lines,
            "rules": applied,
            "note": "\n".join(notes),
            "review": "; ".join(reviews) or False,
        }

    def _amazon_choose_rule(self, rules, facts):
        """The most specific rule holding for an item, why it applies, and why the refund
        needs a review (False if it does not)."""
        labels = dict(
            self.env["amazon.rma.line"]._fields["condition"]._description_selection(self.env)
        )
        reason = facts["reason"]
        said = [
            self.env._(
                "reason %(label)s (%(code)s, %(category)s)",
                label=reason.name or self.env._("none"),
                code=reason.code or "-",
                category={
                    "seller_fault": self.env._("seller fault"),
                    "buyer_remorse": self.env._("buyer's remorse"),
                }.get(reason.category, self.env._("not documented by Amazon")),
            ),
            self.env._("in policy") if facts["in_policy"] else self.env._("out of policy"),
            self.env._(
                "condition %(condition)s",
                condition=", ".join(sorted(labels[c].lower() for c in facts["conditions"]))
                if facts["conditions"] is not None
                else self.env._("not recorded"),
            ),
            self.env._("returned %(days)s days after delivery", days=facts["days"])
            if facts["days"] is not None
            else self.env._("delivery date unknown"),
        ]
        facts_text = ", ".join(said)
        for rule in rules:
            match = rule._matches(facts)
            if match == "no":
                continue
            if match == "maybe":
                fallback = next((other for other in rules if other._matches(facts) == "yes"), None)
                needed = (
                    self.env._("the condition is not recorded")
                    if rule._depends_on_condition() and facts["conditions"] is None
                    else self.env._("the delivery date to the buyer is unknown")
                )
                review = self.env._(
                    "rule %(rule)s may apply but %(needed)s", rule=rule.name, needed=needed
                )
                if fallback:
                    return (
                        fallback,
                        self.env._(
                            "rule %(rule)s (%(what)s) applied to %(facts)s; %(review)s.",
                            rule=fallback.name,
                            what=fallback._describe(),
                            facts=facts_text,
                            review=review,
                        ),
                        review,
                    )
                return (
                    self.env["amazon.return.refund.rule"],
                    self.env._(
                        "no rule applies for sure to %(facts)s; %(review)s: item price and tax "
                        "proposed.",
                        facts=facts_text,
                        review=review,
                    ),
                    review,
                )
            others = [
                other.name for other in rules if other != rule and other._matches(facts) != "no"
            ]
            why = self.env._(
                "rule %(rule)s (%(what)s) applied to %(facts)s.",
                rule=rule.name,
                what=rule._describe(),
                facts=facts_text,
            )
            if others:
                why += " " + self.env._(
                    "Chosen over %(others)s, less specific or later in the sequence.",
                    others=", ".join(others),
                )
            return rule, why, False
        review = self.env._("no refund rule applies")
        return (
            self.env["amazon.return.refund.rule"],
            self.env._(
                "%(review)s to %(facts)s: item price and tax proposed.",
                review=review.capitalize(),
                facts=facts_text,
            ),
            review,
        )
