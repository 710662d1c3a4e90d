from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..amazon_api import const
from ..compat import Constraint
from .amazon_return_reason import REASON_CATEGORIES
from .amazon_rma import ITEM_COMPONENTS, SHIPPING_COMPONENTS

POLICY_CHOICES = [("in_policy", "In policy"), ("out_of_policy", "Out of policy")]
# Conditions found at receipt that are not the item's original condition.
RESTOCKING_FEE_CONDITIONS = ("opened", "customer_damaged")


class AmazonReturnRefundRule(models.Model):
    _name = "amazon.return.refund.rule"
    _description = "Amazon Return Refund Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(
        default=10, help="Among rules equally specific, the first in this order applies."
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    seller_account_id = fields.Many2one(
        "amazon.seller.account",
        index=True,
        check_company=True,
        help="Empty: every seller account of the company.",
    )
    reason_ids = fields.Many2many(
        "amazon.return.reason",
        string="Return Reasons",
        help="Amazon's return reasons, whatever the spelling of their codes. Empty: any reason "
        "of the category below.",
    )
    reason_category = fields.Selection(
        REASON_CATEGORIES,
        help="Seller fault: defective, damaged, wrong item, not as described, missing parts, "
        "arrived late. Buyer's remorse: the other reasons Amazon documents. Empty: any reason.",
    )
    policy = fields.Selection(
        POLICY_CHOICES, string="Return Policy", help="Empty: in or out of policy."
    )
    condition_ids = fields.Many2many(
        "amazon.return.condition",
        string="Conditions",
        help="Conditions found at receipt, as Receive records them. Empty: any condition, "
        "recorded or not.",
    )
    min_days = fields.Integer(
        string="Returned After (days)",
        help="At least this many days between the delivery to the buyer and the return "
        "request. 0: no minimum.",
    )
    max_days = fields.Integer(
        string="Returned Within (days)",
        help="At most this many days between the delivery to the buyer and the return "
        "request. 0: no maximum.",
    )
    refund_item = fields.Boolean(
        string="Refund Item Price and Tax", default=True, help="The returned units' price and tax."
    )
    refund_shipping = fields.Boolean(
        help="The returned units' share of what the buyer paid for shipping, and its tax."
    )
    restocking_fee_percent = fields.Float(
        string="Restocking Fee (%)",
        digits=(5, 2),
        help="Kept from the item price refunded. Amazon allows it only for returns out of "
        "policy or items not in their original condition, never for seller-fault reasons, "
        "and at most 20 %.",
    )

    _days_positive = Constraint(
        "CHECK (min_days >= 0 AND max_days >= 0)",
        "Days between delivery and return cannot be negative.",
    )

    @api.constrains("min_days", "max_days")
    def _check_days(self):
        for rule in self:
            if rule.max_days and rule.min_days > rule.max_days:
                raise ValidationError(
                    self.env._(
                        "%(rule)s: returned after %(min)s days and within %(max)s days cannot "
                        "both hold.",
                        rule=rule.name,
                        min=rule.min_days,
                        max=rule.max_days,
                    )
                )

    @api.constrains(
        "restocking_fee_percent",
        "refund_item",
        "reason_ids",
        "reason_category",
        "policy",
        "condition_ids",
        "min_days",
    )
    def _check_restocking_fee(self):
        cap = const.RESTOCKING_FEE_MAX_PERCENT
        for rule in self:
            fee = rule.restocking_fee_percent
            if not fee:
                continue
            if fee < 0 or fee > cap:
                fee_text, cap_text = f"{fee:g}", f"{cap:g}"
                raise ValidationError(
                    self.env._(
                        "%(rule)s: a restocking fee of %(fee)s %% is refused: Amazon caps "
                        "restocking fees at %(cap)s %% of the item price.",
                        rule=rule.name,
                        fee=fee_text,
                        cap=cap_text,
                    )
                )
            if not rule.refund_item:
                raise ValidationError(
                    self.env._(
                        "%(rule)s: a restocking fee is kept from the item price refunded: "
                        "refund the item price, or set no fee.",
                        rule=rule.name,
                    )
                )
            if not rule._only_buyer_remorse():
                raise ValidationError(
                    self.env._(
                        "%(rule)s: Amazon allows no restocking fee when the seller is at fault "
                        "(defective, damaged, wrong item, not as described, missing parts, "
                        "arrived late): limit the rule to buyer's remorse reasons.",
                        rule=rule.name,
                    )
                )
            conditions = rule.condition_ids.mapped("code")
            not_original = conditions and set(conditions) <= set(RESTOCKING_FEE_CONDITIONS)
            late = rule.policy == "out_of_policy" or rule.min_days > const.RETURN_WINDOW_DAYS
            if not (not_original or late):
                raise ValidationError(
                    self.env._(
                        "%(rule)s: Amazon allows a restocking fee only on returns out of policy "
                        "(or more than %(days)s days after delivery) or on items that came back "
                        "opened or damaged by the buyer: restrict the rule to those.",
                        rule=rule.name,
                        days=const.RETURN_WINDOW_DAYS,
                    )
                )

    def _only_buyer_remorse(self):
        """Whether every reason this rule matches is documented as the buyer's choice."""
        self.ensure_one()
        if self.reason_ids:
            return set(self.reason_ids.mapped("category")) == {"buyer_remorse"}
        return self.reason_category == "buyer_remorse"

    # -- matching ------------------------------------------------------------------------------

    def _specificity(self):
        """How many things the rule names: the most specific matching rule applies."""
        self.ensure_one()
        return (
            bool(self.seller_account_id)
            + (2 if self.reason_ids else bool(self.reason_category))
            + bool(self.policy)
            + bool(self.condition_ids)
            + bool(self.min_days or self.max_days)
        )

    def _depends_on_condition(self):
        self.ensure_one()
        return bool(self.condition_ids)

    def _depends_on_days(self):
        self.ensure_one()
        return bool(self.min_days or self.max_days)

    def _matches(self, facts):
        """Whether the rule holds for a returned item; unknown conditions or days match any
        rule that does not ask for them, and rules that do are matched as possible only.

        `facts`: reason (an amazon.return.reason, empty if none), in_policy, conditions (a
        set, None if not all recorded), days (None if the delivery date is unknown). Returns
        "yes", "maybe" or "no".
        """
        self.ensure_one()
        reason = facts["reason"]
        if self.reason_ids and reason not in self.reason_ids:
            return "no"
        if not self.reason_ids and self.reason_category and reason.category != self.reason_category:
            return "no"
        if self.policy and (self.policy == "in_policy") != bool(facts["in_policy"]):
            return "no"
        maybe = False
        if self._depends_on_condition():
            if facts["conditions"] is None:
                maybe = True
            elif not facts["conditions"] <= set(self.condition_ids.mapped("code")):
                return "no"
        if self._depends_on_days():
            days = facts["days"]
            if days is None:
                maybe = True
            elif days < self.min_days or (self.max_days and days > self.max_days):
                return "no"
        return "maybe" if maybe else "yes"

    @api.model
    def _rules_for(self, account):
        """The active rules of `account`, most specific first, then by sequence."""
        rules = self.search(
            [
                ("company_id", "=", account.company_id.id),
                "|",
                ("seller_account_id", "=", False),
                ("seller_account_id", "=", account.id),
            ]
        )
        return rules.sorted(lambda rule: (-rule._specificity(), rule.sequence, rule.id))

    def _choose(self, facts):
        """Of these rules, most specific first, the one holding for an item (empty if none), why
        it applies, and why the refund needs a review (False if it does not)."""
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
        for rule in self:
            match = rule._matches(facts)
            if match == "no":
                continue
            if match == "maybe":
                fallback = next((other for other in self if other._matches(facts) == "yes"), None)
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
                    self.browse(),
                    self.env._(
                        "no rule applies for sure to %(facts)s; %(review)s: item price and tax "
                        "proposed.",
                        facts=facts_text,
                        review=review,
                    ),
                    review,
                )
            others = [
                other.name for other in self if other != rule and other._matches(facts) != "no"
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
            self.browse(),
            self.env._(
                "%(review)s to %(facts)s: item price and tax proposed.",
                review=review.capitalize(),
                facts=facts_text,
            ),
            review,
        )

    def _describe(self):
        """What the rule asks for and decides, in words."""
        self.ensure_one()
        parts = []
        if self.reason_ids:
            parts.append(
                self.env._("reasons %(codes)s", codes=", ".join(self.reason_ids.mapped("name")))
            )
        elif self.reason_category:
            parts.append(dict(REASON_CATEGORIES)[self.reason_category].lower())
        if self.policy:
            parts.append(dict(POLICY_CHOICES)[self.policy].lower())
        if self.condition_ids:
            parts.append(
                self.env._(
                    "condition %(conditions)s",
                    conditions=", ".join(
                        name.lower() for name in self.condition_ids.mapped("name")
                    ),
                )
            )
        if self.min_days:
            parts.append(self.env._("returned after %(days)s days", days=self.min_days))
        if self.max_days:
            parts.append(self.env._("returned within %(days)s days", days=self.max_days))
        if self.seller_account_id:
            parts.append(self.env._("account %(account)s", account=self.seller_account_id.name))
        return ", ".join(parts) or self.env._("any return")

    # -- refund of a return ------------------------------------------------------------------------

    @api.model
    def _refund_plan(self, rma):
        """What the rules refund of each item of the return `rma`.

        Returns lines (request line values, one per order line), the rules applied, a note
        saying which rule applied to each item and why, and why the refund needs a review
        (False when none).
        """
        rma.ensure_one()
        rules = self._rules_for(rma.seller_account_id)
        delivered = rma._amazon_delivered_to_buyer()
        days = (rma.request_date - delivered).days if delivered and rma.request_date else None
        items = defaultdict(lambda: self.env["amazon.rma.line"])
        for line in rma.line_ids:
            items[line.order_line_id, line.sequence] |= line
        ledgers = rma._amazon_ledgers()
        balances = self.env["amazon.item.ledger"].union(*ledgers.values())._balances()
        amounts = defaultdict(lambda: defaultdict(float))
        notes, reviews = [], []
        applied = self.browse()
        currency = rma.currency_id
        for (order_line, _sequence), lines in items.items():
            first = lines[:1]
            conditions = set(lines.mapped("condition"))
            facts = {
                "reason": first.reason_id,
                "in_policy": first.in_policy,
                "conditions": None if False in conditions else conditions,
                "days": days,
            }
            rule, why, review = rules._choose(facts)
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
