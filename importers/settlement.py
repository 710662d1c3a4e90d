"""A settlement file read whole before anything of it is written."""

from decimal import Decimal

from ..amazon_api import const
from ..amazon_api.reports import iter_settlement
from ..models.amazon_settlement_line import SETTLED_COMPONENT_FIELDS

ZERO = Decimal(0)
ROW_FIELDS = {component: name for name, component in SETTLED_COMPONENT_FIELDS.items()}


class SettlementFileError(Exception):
    """The settlement as a whole cannot be imported; nothing of it is."""


class SettlementReader:
    """A settlement file read whole before anything is written: its summary, its refunded
    items with their rows summed, and what could not be used, row by row."""

    def __init__(self, env, account):
        self.env = env
        self.account = account
        self.summary = None
        self.currency = None
        self.row_count = 0
        # (order id, adjustment id, order item code, reference) -> summed values of its rows.
        self.items = {}
        self.failures = []
        self.commission_returned = ZERO
        self.commission_kept = ZERO

    def read_file(self, content):
        rows_total = ZERO
        for row in iter_settlement(content):
            if self.summary is None:
                if not row.is_summary:
                    raise SettlementFileError(
                        self.env._("The first row is not the settlement's summary row.")
                    )
                self.summary = row
                continue
            self.row_count += 1
            if row.settlement_id != self.summary.settlement_id:
                raise SettlementFileError(
                    self.env._(
                        "Line %(line)s belongs to settlement %(other)s, not %(id)s.",
                        line=row.line,
                        other=row.settlement_id,
                        id=self.summary.settlement_id,
                    )
                )
            rows_total += row.amount or ZERO
            self._read_row(row)
        if self.summary is None:
            raise SettlementFileError(self.env._("The file holds no settlement."))
        self._check_currency()
        if rows_total != self.summary.total_amount:
            raise SettlementFileError(
                self.env._(
                    "Its rows add up to %(rows)s, not to the total of %(total)s its summary "
                    "announces: the file is incomplete (truncated?) or altered.",
                    rows=rows_total,
                    total=self.summary.total_amount,
                )
            )

    def _check_currency(self):
        code = self.summary.currency
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code or "")], limit=1)
        )
        allowed = self.account.marketplace_ids.currency_id
        if not currency or currency not in allowed:
            raise SettlementFileError(
                self.env._(
                    "The settlement is in %(currency)s, but account %(account)s sells in "
                    "%(allowed)s.",
                    currency=code or "no currency",
                    account=self.account.name,
                    allowed=", ".join(allowed.mapped("name")),
                )
            )
        self.currency = currency

    def _read_row(self, row):
        kind = const.SETTLEMENT_REFUND_TYPES.get(row.transaction_type)
        if kind is None:
            if row.transaction_type not in const.SETTLEMENT_OTHER_TYPES:
                self.failures.append(
                    (
                        row,
                        self.env._(
                            "Unknown transaction type %(type)s: not imported.",
                            type=row.transaction_type or "(none)",
                        ),
                    )
                )
            return
        if not row.order_id or not row.order_item_code:
            self.failures.append(
                (row, self.env._("A refund row without order id or order item code."))
            )
            return
        key = (
            row.order_id,
            row.adjustment_id or "",
            row.order_item_code,
            row.merchant_adjustment_item_id or "",
        )
        item = self.items.get(key)
        if item is None:
            item = self.items[key] = {
                "file_line": row.line,
                "transaction_type": row.transaction_type,
                "refund_kind": kind,
                "amazon_order_number": row.order_id,
                "amazon_order_item_code": row.order_item_code,
                "adjustment_ref": row.adjustment_id or False,
                "merchant_adjustment_item_ref": row.merchant_adjustment_item_id or False,
                "sku": row.sku or False,
                "quantity": row.quantity or 0,
                "posted_at": row.posted_at or row.posted_date or False,
                "amounts": {},
                "unknown": [],
            }
        amount = row.amount or ZERO
        amounts = item["amounts"]
        description = row.amount_description or ""
        if row.amount_type == const.SETTLEMENT_ITEM_PRICE:
            if description in const.KEPT_COMPONENTS:
                field = "amount_restocking_fee"
                amount = -amount
            else:
                field = ROW_FIELDS.get(description, "amount_other")
            amounts[field] = amounts.get(field, ZERO) - amount
        elif row.amount_type == const.SETTLEMENT_PROMOTION:
            amounts["amount_promotion"] = amounts.get("amount_promotion", ZERO) + amount
        elif row.amount_type == const.SETTLEMENT_ITEM_FEES:
            if description == const.SETTLEMENT_COMMISSION:
                field = "commission_returned"
                self.commission_returned += amount
            elif description == const.SETTLEMENT_REFUND_COMMISSION:
                field = "commission_kept"
                amount = -amount
                self.commission_kept += amount
            else:
                field = "other_fees"
            amounts[field] = amounts.get(field, ZERO) + amount
        else:
            item["unknown"].append(row.amount_type or "(none)")
