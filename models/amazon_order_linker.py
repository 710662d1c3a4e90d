import logging
import re
from datetime import timedelta
from functools import partial

from odoo import api, fields, models

from ..amazon_api import const
from ..amazon_api.errors import PermanentError, RetryableError
from ..utils import claim_free_rows

_logger = logging.getLogger(__name__)

# Where other connectors keep the Amazon ids, from their public sources. A preset is offered only
# when its fields exist in the database; the addon never writes into them.
LINK_PRESETS = {
    "sale_amazon": {
        "order_field": "amazon_order_ref",
        "channel_field": "amazon_channel",
        "channels": {"fba": "amazon", "fbm": "merchant"},
        "line_field": "amazon_item_ref",
    },
    "amazon_ept": {
        "order_field": "amz_order_reference",
        "channel_field": "amz_fulfillment_by",
        "channels": {"FBA": "amazon", "FBM": "merchant"},
        "line_field": "amazon_order_item_id",
    },
    "connector_amazon": {
        "order_field": "client_order_ref",
        "line_model": "amz.order.line",
        "line_model_link": "sale_order_line_id",
        "line_model_field": "order_item_id",
    },
}
# Orders linked per scheduled run and company; the rest wait for the next run.
LINK_BATCH = 500


class AccountPaused(Exception):
    """Amazon is busy or unreachable for one account: its orders wait, the others go on."""

    def __init__(self, account, error):
        super().__init__(str(error))
        self.account = account
        self.error = error


class AmazonOrderLinker(models.AbstractModel):
    """Links sale orders that another connector imported, or that were typed by hand, to their
    Amazon order: fills the addon's fields from the account's source and Amazon's Orders API."""

    _name = "amazon.order.linker"
    _description = "Amazon Order Linking"

    # -- sources -------------------------------------------------------------------------------

    @api.model
    def _source(self, account):
        """What `account` links orders from: the order field, and the preset's other fields."""
        if account.order_link_source == "own":
            return {"order_field": "amazon_order_number"}
        if account.order_link_source == "field":
            # Users linking an order may not read field definitions; the name is no secret.
            return {"order_field": account.sudo().order_link_field_id.name}
        return LINK_PRESETS.get(account.order_link_source)

    @api.model
    def _missing_fields(self, source_name):
        """Fields of a preset that this database does not have."""
        preset = LINK_PRESETS[source_name]
        order_model, line_model = self.env["sale.order"], self.env["sale.order.line"]
        missing = [
            f"sale.order.{preset[key]}"
            for key in ("order_field", "channel_field")
            if key in preset and preset[key] not in order_model._fields
        ]
        if "line_field" in preset and preset["line_field"] not in line_model._fields:
            missing.append(f"sale.order.line.{preset['line_field']}")
        if "line_model" in preset:
            model = self.env.get(preset["line_model"])
            if model is None or not {
                preset["line_model_link"],
                preset["line_model_field"],
            } <= set(model._fields):
                missing.append(f"{preset['line_model']}.{preset['line_model_field']}")
        return missing

    @api.model
    def _source_value(self, order, source):
        value = order.sudo()[source["order_field"]]
        return value.strip() if isinstance(value, str) else value

    @api.model
    def _source_item_codes(self, order, source):
        """Order item ids the source holds, per order line."""
        lines = order.order_line.sudo()
        if "line_field" in source:
            return {
                line: line[source["line_field"]] for line in lines if line[source["line_field"]]
            }
        if "line_model" in source:
            bindings = (
                self.env[source["line_model"]]
                .sudo()
                .search([(source["line_model_link"], "in", lines.ids)])
            )
            return {
                binding[source["line_model_link"]].with_env(self.env): binding[
                    source["line_model_field"]
                ]
                for binding in bindings
                if binding[source["line_model_field"]]
            }
        return {}

    @api.model
    def _candidates(self, accounts):
        """Orders of one company that the scheduled action tries to link, never tried before."""
        orders = self.env["sale.order"]
        for account in accounts:
            source = self._source(account)
            if account.order_link_source == "own":
                domain = [
                    ("amazon_seller_account_id", "=", account.id),
                    "|",
                    "|",
                    ("amazon_seller_marketplace_id", "=", False),
                    ("amazon_fulfillment", "=", False),
                    (
                        "order_line",
                        "any",
                        [
                            ("amazon_order_item_code", "=", False),
                            ("display_type", "=", False),
                            ("product_id.type", "!=", "service"),
                        ],
                    ),
                ]
            else:
                domain = [
                    ("company_id", "=", account.company_id.id),
                    ("amazon_seller_account_id", "=", False),
                    (source["order_field"], "!=", False),
                ]
            orders |= orders.search(
                [*domain, ("amazon_link_state", "=", False), ("state", "!=", "cancel")],
                limit=LINK_BATCH,
            )
        return orders

    # -- scheduled action ----------------------------------------------------------------------

    @api.model
    def _cron_link_orders(self):
        """Link orders company by company: those asked for by hand first, then new ones."""
        accounts = self.env["amazon.seller.account"].search([("order_link_source", "!=", "none")])
        self.env["amazon.job.state"]._run_per_company(
            accounts,
            lambda company_accounts: self.with_env(company_accounts.env)._link_company_orders(
                company_accounts
            ),
        )

    @api.model
    def _link_company_orders(self, company_accounts):
        """Link the orders of the company of `company_accounts`, as that company."""
        cron = self.env.ref("amazon_refund_cancel.ir_cron_amazon_link_orders")
        requested = self.env["sale.order"].search(
            [("company_id", "=", self.env.company.id), ("amazon_link_requested", "=", True)]
        )
        candidates = self._candidates(company_accounts)
        if len(candidates) >= LINK_BATCH:
            # More orders wait than one run takes: the next run follows at once.
            cron._trigger()
        paused = self.env["amazon.seller.account"]
        for order in requested | candidates:
            accounts_of_order = [a for a, _n in self._accounts_for(order, company_accounts)]
            if paused and accounts_of_order and all(a in paused for a in accounts_of_order):
                # Its accounts' Amazon does not answer now: the next run takes it up.
                continue
            try:
                self.env["amazon.job.state"]._retry_collisions(
                    f"linking order {order.id}",
                    partial(self._lock_and_link, order, company_accounts - paused),
                )
            except AccountPaused as pause:
                # Nothing of this order is written before Amazon answers; the error is the
                # account's, recorded on it, and its other orders wait too.
                _logger.info("Linking orders of account %s paused: %s", pause.account.id, pause)
                paused |= pause.account
                self.env["amazon.job.state"]._of(pause.account, "order_link")._record(
                    None, pause.error
                )
                cron._trigger(
                    fields.Datetime.now() + timedelta(seconds=max(pause.error.retry_after, 60))
                )
        for account in company_accounts - paused:
            self.env["amazon.job.state"]._of(account, "order_link")._record(None)

    @api.model
    def _lock_and_link(self, order, accounts):
        """Link the order unless another transaction works on it."""
        if self._lock(order):
            self._link(order, accounts)

    @api.model
    def _lock(self, order):
        """Claim the order unless another transaction works on it."""
        return bool(claim_free_rows(order))

    # -- linking one order ---------------------------------------------------------------------

    @api.model
    def _accounts_for(self, order, accounts):
        """The accounts that may link `order`, with the Amazon order ID each reads for it."""
        if order.amazon_seller_account_id:
            account = order.amazon_seller_account_id
            return [(account, order.amazon_order_number)] if account in accounts else []
        found = []
        for account in accounts.filtered(lambda a: a.order_link_source not in ("none", "own")):
            source = self._source(account)
            if source["order_field"] in order._fields:
                value = self._source_value(order, source)
                if value:
                    found.append((account, value))
        return found

    @api.model
    def _refusal(self, order, account, number):
        """Why `number` cannot be linked to `order` on `account`, without asking Amazon."""
        if not re.match(const.AMAZON_ORDER_ID_PATTERN, number or ""):
            return self.env._(
                "%(value)r is not an Amazon order ID (3-7-7 digits, such as 112-1234567-1234567).",
                value=number,
            )
        other = order.search(
            [
                ("amazon_seller_account_id", "=", account.id),
                ("amazon_order_number", "=", number),
                ("id", "!=", order.id),
            ],
            limit=1,
        )
        if other:
            return self.env._(
                "Amazon order %(number)s is already linked to %(other)s on account "
                "%(account)s: %(order)s is not linked.",
                number=number,
                other=other.name,
                account=account.name,
                order=order.name,
            )
        return False

    @api.model
    def _link(self, order, accounts):
        """Link one order; record why when it cannot be."""
        candidates = self._accounts_for(order, accounts)
        if not candidates:
            return self._record(
                order,
                "failed",
                self.env._(
                    "No seller account of %(company)s links this order.",
                    company=order.company_id.name,
                ),
            )
        reasons = []
        for account, number in candidates:
            refusal = self._refusal(order, account, number)
            if refusal:
                reasons.append(refusal)
                continue
            try:
                info = account._amazon_client().get_order(number)
            except RetryableError as error:
                raise AccountPaused(account, error) from error
            except PermanentError as error:
                reasons.append(
                    self.env._(
                        "Account %(account)s: Amazon does not know order %(number)s."
                        if error.status == 404
                        else "Account %(account)s: Amazon refused to show order %(number)s "
                        "(%(error)s).",
                        account=account.name,
                        number=number,
                        error=error,
                    )
                )
                continue
            return self._apply(order, account, number, info)
        return self._record(order, "failed", "\n".join(reasons))

    @api.model
    def _apply(self, order, account, number, info):
        marketplace = account.marketplace_ids.filtered(lambda m: m.code == info.marketplace_id)
        if not marketplace:
            return self._record(
                order,
                "failed",
                self.env._(
                    "Amazon order %(number)s was placed in marketplace %(marketplace)s, which "
                    "account %(account)s does not list.",
                    number=number,
                    marketplace=info.marketplace_id,
                    account=account.name,
                ),
            )
        source = self._source(account)
        if info.is_fba:
            fulfillment = "amazon"
        elif info.is_merchant_fulfilled:
            fulfillment = "merchant"
        elif source.get("channel_field"):
            fulfillment = source["channels"].get(order.sudo()[source["channel_field"]])
        else:
            fulfillment = None
        codes, notes = self._match_lines(order, account, source, info)
        if not codes:
            # None of its lines is one of Amazon's items: not this Amazon order, or not yet.
            return self._record(
                order,
                "failed",
                "\n".join(
                    [
                        self.env._(
                            "No line of %(order)s matches an item of Amazon order %(number)s: "
                            "the order is not linked.",
                            order=order.name,
                            number=number,
                        ),
                        *notes,
                    ]
                ),
            )
        order.write(
            {
                "amazon_seller_account_id": account.id,
                "amazon_order_number": number,
                "amazon_seller_marketplace_id": marketplace.id,
                "amazon_fulfillment": fulfillment or order.amazon_fulfillment,
            }
        )
        for line, code in codes.items():
            if line.amazon_order_item_code != code:
                line.amazon_order_item_code = code
        Ledger = self.env["amazon.item.ledger"]
        Ledger._amazon_sync_orders([(order, info)])
        if order.state == "sale":
            Ledger._snapshot_orders(order)
        return self._record(order, "partial" if notes else "linked", "\n".join(notes))

    @api.model
    def _record(self, order, state, note):
        order.sudo().write(
            {"amazon_link_state": state, "amazon_link_note": note, "amazon_link_requested": False}
        )
        return state

    # -- lines ---------------------------------------------------------------------------------

    @api.model
    def _item_lines(self, order, account):
        """Lines that stand for items Amazon sold: not sections, notes, down payments,
        delivery lines or the account's Shipping Product (the order may not name the account
        yet)."""
        return order.order_line.filtered(
            lambda line: (
                not line.display_type
                and line.product_id
                and not line.is_downpayment
                and not line._amazon_is_shipping()
                and line.product_id != account.shipping_product_id
            )
        )

    @api.model
    def _products_of_sku(self, account, sku, company):
        mapped = account.sku_mapping_ids.filtered(lambda m: m.seller_sku == sku).product_id
        if mapped:
            return mapped
        return (
            self.env["product.product"]
            .with_context(active_test=True)
            .search(
                [("default_code", "=", sku), ("company_id", "in", [False, company.id])], limit=3
            )
        )

    @api.model
    def _match_item(self, order, account, item, lines):
        """The one line among `lines` of the item's product and quantity, or why there is none."""
        products = self._products_of_sku(account, item.sku, order.company_id)
        if len(products) > 1:
            return None, self.env._(
                "SKU %(sku)s matches several products (%(products)s).",
                sku=item.sku,
                products=", ".join(products.mapped("display_name")),
            )
        if not products:
            return None, self.env._(
                "no product has the internal reference or SKU mapping %(sku)s.", sku=item.sku
            )
        same_product = lines.filtered(lambda line: line.product_id == products)
        matching = same_product.filtered(lambda line: line.product_uom_qty == item.quantity)
        if len(matching) == 1:
            return matching, None
        if matching:
            return None, self.env._(
                "%(count)s lines of %(product)s have quantity %(quantity)s.",
                count=len(matching),
                product=products.display_name,
                quantity=item.quantity,
            )
        if same_product:
            return None, self.env._(
                "Amazon sold %(quantity)s, the order's lines of %(product)s have %(lines)s.",
                quantity=item.quantity,
                product=products.display_name,
                lines=", ".join(f"{q:g}" for q in same_product.mapped("product_uom_qty")),
            )
        return None, self.env._(
            "no line of the order has product %(product)s.", product=products.display_name
        )

    @api.model
    def _match_lines(self, order, account, source, info):
        """Order item id per line, from the source where it has them, else by SKU and quantity;
        and a note per line or item left unmatched, saying why."""
        items = {item.order_item_id: item for item in info.items}
        lines = self._item_lines(order, account)
        codes, notes, used = {}, [], set()
        for line, code in self._source_item_codes(order, source).items():
            if line not in lines:
                continue
            if "_" in code:
                # A charge line of the connector (gift wrap, discounts), not an item.
                lines -= line
                continue
            if code in items and code not in used:
                codes[line] = code
                used.add(code)
            else:
                notes.append(
                    self.env._(
                        "%(line)s: item %(code)s is not in Amazon's order.",
                        line=line.name.splitlines()[0],
                        code=code,
                    )
                )
            lines -= line
        for line in lines.filtered("amazon_order_item_code"):
            code = line.amazon_order_item_code
            if code in items and code not in used:
                codes[line] = code
                used.add(code)
                lines -= line
        item_reasons = []
        for item in info.items:
            if item.order_item_id in used:
                continue
            line, reason = self._match_item(order, account, item, lines)
            if line:
                codes[line] = item.order_item_id
                used.add(item.order_item_id)
                lines -= line
            else:
                item_reasons.append((item, reason))
        for item, reason in item_reasons:
            notes.append(
                self.env._(
                    "Amazon item %(code)s (SKU %(sku)s, units: %(quantity)s) not matched: "
                    "%(reason)s",
                    code=item.order_item_id,
                    sku=item.sku,
                    quantity=item.quantity,
                    reason=reason,
                )
            )
        for line in lines:
            notes.append(
                self.env._(
                    "%(line)s (units: %(quantity)g) not matched: Amazon's order has no item "
                    "left with SKU %(sku)s and this quantity.",
                    line=line.name.splitlines()[0],
                    quantity=line.product_uom_qty,
                    sku=line.product_id.default_code or self.env._("(no internal reference)"),
                )
            )
        return codes, notes
