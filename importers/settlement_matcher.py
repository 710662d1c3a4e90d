from decimal import Decimal

from ..amazon_api import const
from ..models.amazon_settlement_line import SETTLED_COMPONENT_FIELDS

# Refunded items matched and written together: queries grow with chunks, not with rows.
CHUNK_SIZE = 500
# A settlement row is the refund of a request only if Amazon may have applied that request: one
# refused, rejected or never sent is not, and the row is Amazon's own refund.
MATCHABLE_DOMAIN = [
    "|",
    ("request_id.state", "in", ("sent", "done")),
    "&",
    ("request_id.state", "=", "error"),
    ("request_id.in_doubt", "=", True),
]


class SettlementMatcher:
    """The refunds of a settlement matched to the requests that asked for them, and the ones
    Amazon made itself recorded on their orders, a chunk of items at a time."""

    def __init__(self, settlement, reader):
        self.settlement = settlement
        self.reader = reader
        self.env = settlement.env
        self.account = settlement.seller_account_id
        self.counts = dict.fromkeys(
            ("matched", "difference", "amazon", "excess", "skipped", "failed"), 0
        )
        self.used_request_lines = set()
        self.touched_request_ids = set()

    def apply(self):
        rows = [self._failure(row, reason) for row, reason in self.reader.failures]
        self.counts["failed"] += len(rows)
        if rows:
            self.env["amazon.settlement.line"].create(rows)
        items = list(self.reader.items.values())
        for start in range(0, len(items), CHUNK_SIZE):
            self._apply_chunk(items[start : start + CHUNK_SIZE])
        requests = self.env["amazon.order.request"].browse(sorted(self.touched_request_ids))
        for start in range(0, len(requests), CHUNK_SIZE):
            self._settle(requests[start : start + CHUNK_SIZE])
            self.env.flush_all()
            self.env.invalidate_all()
        # Differences show once a request's lines are all compared.
        differences = self.env["amazon.settlement.line"].search_count(
            [("settlement_id", "=", self.settlement.id), ("result", "=", "difference")]
        )
        self.counts["difference"] = differences
        self.counts["matched"] -= differences
        return self.counts

    def _settle(self, requests):
        """Settled once Amazon's settlements hold every line; a difference between what was
        asked and what Amazon settled goes to a manager."""
        settled_ids = []
        for request in requests:
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
        requests.browse(settled_ids)._on_settled()

    def _failure(self, row, reason):
        return {
            "settlement_id": self.settlement.id,
            "file_line": row.line or 0,
            "transaction_type": row.transaction_type,
            "amazon_order_number": row.order_id,
            "amazon_order_item_code": row.order_item_code,
            "result": "failed",
            "reason": reason,
        }

    def _apply_chunk(self, items):
        env = self.env
        request_lines = env["amazon.order.request.line"].search_fetch(
            [
                (
                    "merchant_adjustment_item_ref",
                    "in",
                    [
                        i["merchant_adjustment_item_ref"]
                        for i in items
                        if i["merchant_adjustment_item_ref"]
                    ],
                ),
                ("request_id.seller_account_id", "=", self.account.id),
            ],
            ["merchant_adjustment_item_ref", "request_id", "order_line_id"],
        )
        by_reference = {line.merchant_adjustment_item_ref: line for line in request_lines}
        orders = env["sale.order"].search_fetch(
            [
                ("amazon_seller_account_id", "=", self.account.id),
                ("amazon_order_number", "in", list({i["amazon_order_number"] for i in items})),
            ],
            ["amazon_order_number"],
        )
        order_by_number = {order.amazon_order_number: order for order in orders}
        order_lines = env["sale.order.line"].search_fetch(
            [("order_id", "in", orders.ids), ("amazon_order_item_code", "!=", False)],
            ["order_id", "amazon_order_item_code"],
        )
        line_by_code = {
            (line.order_id.id, line.amazon_order_item_code): line for line in order_lines
        }
        candidates = env["amazon.order.request.line"].search_fetch(
            [
                ("order_line_id", "in", order_lines.ids),
                ("request_id.request_type", "=", "refund"),
                ("request_id.origin", "=", "odoo"),
                *MATCHABLE_DOMAIN,
            ],
            ["order_line_id", "request_id", "amount_total"],
            order="id",
        )
        settled = set(
            env["amazon.settlement.line"]
            .search_fetch([("request_line_id", "in", candidates.ids)], ["request_line_id"])
            .request_line_id.ids
        )
        candidates_by_line = {}
        for candidate in candidates:
            if candidate.id not in settled:
                candidates_by_line.setdefault(candidate.order_line_id.id, []).append(candidate)
        values_list = []
        for item in items:
            values = self._values(item)
            values_list.append(values)
            order = order_by_number.get(item["amazon_order_number"])
            request_line = by_reference.get(item["merchant_adjustment_item_ref"])
            order_line = order and line_by_code.get((order.id, item["amazon_order_item_code"]))
            if not request_line and order_line:
                request_line = self._match_by_amounts(
                    candidates_by_line.get(order_line.id, []), values["amount_total"]
                )
            if request_line:
                self.used_request_lines.add(request_line.id)
                self.touched_request_ids.add(request_line.request_id.id)
                values.update(
                    result="matched",
                    order_id=request_line.request_id.order_id.id,
                    request_id=request_line.request_id.id,
                    request_line_id=request_line.id,
                )
            elif not order:
                values.update(
                    result="skipped",
                    reason=env._(
                        "Amazon order %(order)s is not an order of account %(account)s in Odoo.",
                        order=item["amazon_order_number"],
                        account=self.account.name,
                    ),
                )
            elif not order_line:
                values.update(
                    result="failed",
                    order_id=order.id,
                    reason=env._(
                        "Order item %(item)s is not on order %(order)s in Odoo.",
                        item=item["amazon_order_item_code"],
                        order=order.name,
                    ),
                )
            else:
                values.update(self._amazon_refund(item, values, order, order_line))
            if item["unknown"]:
                unread = env._(
                    "Amount types not read: %(types)s.", types=", ".join(item["unknown"])
                )
                values["reason"] = " ".join(filter(None, [values.get("reason"), unread]))
            counted = "matched" if values["result"] == "confirmed" else values["result"]
            self.counts[counted] += 1
        env["amazon.settlement.line"].create(values_list)
        # Bounded memory whatever the size of the settlement.
        env.flush_all()
        env.invalidate_all()

    def _amazon_refund(self, item, values, order, order_line):
        """A refund Amazon made itself: recorded once in the item's ledger (a refund its
        transactions showed already is confirmed, not booked again), and never booked beyond
        what Amazon charged for the item."""
        env = self.env
        ledger = env["amazon.item.ledger"]._for_lines(order_line).get(order_line)
        amounts = {name: values.get(name, 0.0) for name in SETTLED_COMPONENT_FIELDS}
        # Other components and a fee kept go with the item price; a promotion taken back too.
        amounts["amount_principal"] += (
            values.get("amount_other", 0.0)
            - values.get("amount_promotion", 0.0)
            - values.get("amount_restocking_fee", 0.0)
        )
        refund, outcome = env["amazon.order.request"]._amazon_record_amazon_refund(
            ledger,
            "settlement",
            {
                "kind": item["refund_kind"],
                "ref": item["adjustment_ref"],
                "quantity": item["quantity"],
                "posted_at": item["posted_at"],
                "amounts": amounts,
            },
            env._("settlement %(id)s", id=self.settlement.settlement_ref),
        )
        if outcome == "excess":
            return {
                "result": "excess",
                "order_id": order.id,
                "reason": env._(
                    "%(amount)s is more than Amazon charged for this item and did not refund "
                    "already (%(charged)s charged): not booked.",
                    amount=ledger.currency_id.format(values["amount_total"]),
                    charged=ledger.currency_id.format(ledger._charged_total()),
                ),
            }
        self.touched_request_ids.update(refund.request_id.ids)
        return {
            "result": "amazon" if outcome == "new" else "confirmed",
            "order_id": order.id,
            "request_id": refund.request_id.id,
            "request_line_id": refund.request_id.line_ids[:1].id,
        }

    def _match_by_amounts(self, candidates, total):
        for candidate in candidates:
            if candidate.id in self.used_request_lines:
                continue
            if candidate.request_id.currency_id.compare_amounts(candidate.amount_total, total) == 0:
                return candidate
        return None

    def _values(self, item):
        values = {
            "settlement_id": self.settlement.id,
            **{
                name: item[name]
                for name in (
                    "file_line",
                    "transaction_type",
                    "refund_kind",
                    "amazon_order_number",
                    "amazon_order_item_code",
                    "adjustment_ref",
                    "merchant_adjustment_item_ref",
                    "sku",
                    "quantity",
                    "posted_at",
                )
            },
            **{name: float(amount) for name, amount in item["amounts"].items()},
        }
        amounts = item["amounts"]
        total = sum(
            (amounts.get(name, Decimal(0)) for name in (*SETTLED_COMPONENT_FIELDS, "amount_other")),
            Decimal(0),
        )
        total -= amounts.get("amount_restocking_fee", Decimal(0))
        total -= amounts.get("amount_promotion", Decimal(0))
        values["amount_total"] = float(total)
        return values
