import logging
from collections import Counter
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.tools import SQL

from ..amazon_api import const
from ..amazon_api.errors import PermanentError, RetryableError
from ..amazon_api.orders import IMPORT_DATASETS, DeliveryAddress
from ..compat import field_name
from ..utils import commit_unless_testing

_logger = logging.getLogger(__name__)

# The first import of an account reads the orders updated in the last week.
FIRST_IMPORT_DAYS = 7
# searchOrders covers updates up to two minutes before the call, with some margin for clocks.
ORDERS_API_LAG = timedelta(minutes=3)
# searchOrders' pagination tokens expire after 24 hours.
PAGE_TOKEN_LIFETIME = timedelta(hours=24)


class AmazonOrderImporter(models.AbstractModel):
    """Creates and updates sale orders from Amazon's Orders API, for accounts where no other
    connector brings Amazon orders into Odoo."""

    _name = "amazon.order.importer"
    _description = "Amazon Order Import"

    # -- scheduled action ----------------------------------------------------------------------

    @api.model
    def _cron_import_orders(self):
        accounts = self.env["amazon.seller.account"].search([("order_import", "=", True)])
        self.env["amazon.job.state"]._run("order_import", accounts.sudo(), self._import_account)

    @api.model
    def _import_account(self, account, state):
        """The orders asked for by hand, then every order updated since the last run."""
        self._import_requested(account)
        return self._summary(self._import_updates(account, state))

    @api.model
    def _trigger(self, at=None):
        self.env.ref("amazon_refund_cancel.ir_cron_amazon_import_orders")._trigger(at)

    @api.model
    def _import_updates(self, account, state=None):
        """Every page of the orders updated since the last run; a throttled or interrupted run
        resumes from the page it stopped at. Each page is committed with the token of the next
        one, so no order of a page is lost or imported twice."""
        state = state or account._amazon_job("order_import")
        client = account._amazon_client()
        now = fields.Datetime.now()
        # A token saved without its window (before the window was kept) cannot be continued.
        token = state.window_start and state.resume_ref
        if token:
            # Amazon wants the window of the first page again with every next page.
            after, before = state.window_start, state.window_end
        else:
            after = state.read_until or now - timedelta(days=FIRST_IMPORT_DAYS)
            before = now - ORDERS_API_LAG
            after = min(after, before)
        stats = Counter()
        while True:
            try:
                orders, next_token = client.search_orders(
                    after,
                    before,
                    IMPORT_DATASETS,
                    restricted=account.order_import_buyer_data,
                    pagination_token=token or None,
                    marketplace_ids=account.marketplace_ids.mapped("code"),
                )
            except RetryableError as error:
                self._trigger(fields.Datetime.now() + timedelta(seconds=error.retry_after))
                state.summary = self._summary(stats, error)
                raise
            except PermanentError as error:
                if not token or not self._page_token_expired(state):
                    # Amazon refused the search itself: reading it again would be refused too.
                    raise
                # Amazon no longer knows the page: read the whole window again.
                state.write(
                    {
                        "resume_ref": False,
                        "resume_ref_at": False,
                        "window_start": False,
                        "window_end": False,
                        "summary": self._summary(stats, error),
                    }
                )
                self._trigger()
                raise
            self._import_page(account, orders, stats)
            token = next_token
            state.write(
                {
                    "resume_ref": token or False,
                    "resume_ref_at": fields.Datetime.now() if token else False,
                    "window_start": after if token else False,
                    "window_end": before if token else False,
                    "read_until": state.read_until if token else before,
                }
            )
            commit_unless_testing(self.env)
            if not token:
                break
        return stats

    @api.model
    def _page_token_expired(self, state):
        """Whether Amazon may have forgotten the saved page: its tokens live 24 hours."""
        issued = state.resume_ref_at
        return not issued or fields.Datetime.now() - issued >= PAGE_TOKEN_LIFETIME

    @api.model
    def _import_requested(self, account):
        """The orders asked for by hand, one getOrder each."""
        client = account._amazon_client()
        stats = Counter()
        numbers = (account.order_import_requested or "").split()
        if numbers:
            # A user may ask for more orders meanwhile: the row is taken now, so that a
            # collision shows here, quietly, for the job to run again, and not in the write at
            # the end, which Odoo would log as an error.
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM amazon_seller_account WHERE id = %s FOR NO KEY UPDATE",
                    account.id,
                ),
                log_exceptions=False,
            )
        for index, number in enumerate(numbers):
            try:
                info = client.get_order(
                    number, IMPORT_DATASETS, restricted=account.order_import_buyer_data
                )
            except RetryableError as error:
                account.order_import_requested = " ".join(numbers[index:])
                self._trigger(fields.Datetime.now() + timedelta(seconds=error.retry_after))
                return stats
            except PermanentError as error:
                stats["failed"] += 1
                account._message_log(
                    body=self.env._(
                        "Amazon order %(number)s cannot be imported: %(error)s",
                        number=number,
                        error=error,
                    )
                )
                continue
            self._import_page(account, [info], stats)
        if numbers:
            account.order_import_requested = False
        return stats

    @api.model
    def _summary(self, stats, error=None):
        text = self.env._(
            "%(created)s created, %(updated)s updated, %(cancelled)s cancelled, %(waiting)s "
            "waiting for payment, %(skipped)s skipped, %(failed)s failed.",
            created=stats["created"],
            updated=stats["updated"],
            cancelled=stats["cancelled"],
            waiting=stats["waiting"],
            skipped=stats["skipped"],
            failed=stats["failed"],
        )
        if error:
            text += " " + self.env._("Stopped: %(error)s", error=error)
        return text

    # -- one page ------------------------------------------------------------------------------

    @api.model
    def _import_page(self, account, orders, stats):
        """Create or update the orders of one page; new ones are confirmed together, which
        lets Odoo plan their deliveries in one go."""
        existing = account._amazon_orders([info.order_id for info in orders])
        cache = {"products": self._products_by_sku(account, orders), "customers": {}}
        created = []
        for info in orders:
            outcome = self._guarded(
                account, info, self._import_order, account, info, existing.get(info.order_id), cache
            )
            if isinstance(outcome, tuple):
                created.append(outcome)
                outcome = "created"
            stats[outcome] += 1
        if not created:
            return
        new_orders = self.env["sale.order"].union(*(order for order, _info in created))
        # Amazon's amounts before confirming: the snapshot taken then is for orders without.
        self.env["amazon.item.ledger"]._amazon_sync_orders(created)
        try:
            with self.env.cr.savepoint():
                new_orders.action_confirm()
                confirmed = created
        except Exception:  # noqa: BLE001 - confirm one by one to find the one that fails
            confirmed = [
                (order, info)
                for order, info in created
                if self._guarded(account, info, order.action_confirm) != "failed"
            ]
        for order, info in confirmed:
            self._guarded(account, info, self._after_confirm, account, order, info)

    @api.model
    def _guarded(self, account, info, method, *args):
        """Run one order's step in a savepoint: a bad order must not stop the others."""
        try:
            with self.env.cr.savepoint():
                return method(*args)
        except Exception as error:  # noqa: BLE001
            _logger.warning("Amazon order %s not imported: %s", info.order_id, error)
            account._message_log(
                body=self.env._(
                    "Amazon order %(number)s not imported: %(error)s",
                    number=info.order_id,
                    error=error,
                )
            )
            return "failed"

    @api.model
    def _import_order(self, account, info, order, cache):
        if order:
            return self._update_order(order, info)
        # Orders waiting for payment are not imported until Amazon releases them.
        if info.is_waiting_for_payment:
            return "waiting"
        if info.is_cancelled:
            # Cancelled before Odoo ever saw it: nothing to do in Odoo.
            return "skipped"
        return self._create_order(account, info, cache)

    @api.model
    def _after_confirm(self, account, order, info):
        # Confirming dates the order today: it was placed when Amazon says.
        order.date_order = info.created or order.date_order
        if info.is_fba or (account.order_import_shipped_history and info.is_shipped):
            self._mark_shipped_elsewhere(order, info)

    @api.model
    def _update_order(self, order, info):
        order = order.sudo()
        order.amazon_order_status = info.fulfillment_status
        if order.state == "sale":
            self.env["amazon.item.ledger"]._amazon_sync_orders([(order, info)])
        if info.is_cancelled and order.state != "cancel":
            if any(line._amazon_quantity_shipped() for line in order.order_line):
                order._message_log(
                    body=self.env._(
                        "Amazon reports this order cancelled, but part of it has shipped: "
                        "check it in Seller Central."
                    )
                )
                return "updated"
            order._action_cancel()
            order._message_log(
                body=self.env._(
                    "Amazon cancelled this order before it shipped; it is cancelled here too."
                )
            )
            return "cancelled"
        return "updated"

    @api.model
    def _create_order(self, account, info, cache):
        """(the new order, not confirmed yet, `info`), or why no order is created."""
        marketplace = account.marketplace_ids.filtered(lambda m: m.code == info.marketplace_id)
        if not marketplace:
            return "skipped"
        lines, notes = self._order_lines(info, cache["products"])
        if notes and account.order_import_unmatched == "skip":
            account._message_log(
                body=Markup("%s<ul>%s</ul>")
                % (
                    self.env._("Amazon order %(number)s skipped:", number=info.order_id),
                    Markup().join(Markup("<li>%s</li>") % note for note in notes),
                )
            )
            return "skipped"
        partner = self._customer(account, marketplace, info, cache["customers"])
        fiscal_position = self._fiscal_position(account, partner)
        order_lines = [
            Command.create(values) for values in self._line_values(account, fiscal_position, lines)
        ]
        order_lines += [
            Command.create({"display_type": "line_note", "name": note}) for note in notes
        ]
        order = (
            self.env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": account.company_id.id,
                    "client_order_ref": info.order_id,
                    "date_order": info.created or fields.Datetime.now(),
                    "fiscal_position_id": fiscal_position.id,
                    "amazon_seller_account_id": account.id,
                    "amazon_order_number": info.order_id,
                    "amazon_seller_marketplace_id": marketplace.id,
                    "amazon_fulfillment": "amazon" if info.is_fba else "merchant",
                    "amazon_order_status": info.fulfillment_status,
                    "amazon_ship_by": info.ship_by,
                    "order_line": order_lines,
                }
            )
        )
        if notes:
            order._message_log(body=Markup("<br/>").join(notes))
        return order, info

    @api.model
    def _mark_shipped_elsewhere(self, order, info):
        """Amazon ships it (FBA), or it shipped before the import: no stock moves in Odoo, the
        quantities Amazon reports shipped count as delivered."""
        order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")).action_cancel()
        shipped = {item.order_item_id: item.quantity_shipped or 0 for item in info.items}
        for line in order.order_line.filtered("amazon_order_item_code"):
            line.qty_delivered = shipped.get(line.amazon_order_item_code, 0)
        order._message_log(
            body=self.env._(
                "Shipped by Amazon or before the import: delivered quantities are Amazon's; "
                "no stock moved in Odoo."
            )
        )

    # -- lines ---------------------------------------------------------------------------------

    @api.model
    def _products_by_sku(self, account, orders):
        """Products per SKU of a page's items: the account's mapping, else internal references."""
        skus = {item.sku for info in orders for item in info.items}
        found = {}
        for mapping in account.sku_mapping_ids.filtered(lambda m: m.seller_sku in skus):
            found[mapping.seller_sku] = mapping.product_id
        products = self.env["product.product"].search(
            [
                ("default_code", "in", list(skus - set(found))),
                ("company_id", "in", [False, account.company_id.id]),
            ]
        )
        for sku, same_code in products.grouped("default_code").items():
            found[sku] = same_code
        return found

    @api.model
    def _order_lines(self, info, products_by_sku):
        """(item, product) for items whose SKU names one product; a note for each other one."""
        lines, notes = [], []
        for item in info.items:
            products = products_by_sku.get(item.sku, self.env["product.product"])
            if len(products) == 1:
                lines.append((item, products))
                continue
            why = (
                self.env._("its SKU matches several products")
                if products
                else self.env._("no product has this internal reference or SKU mapping")
            )
            notes.append(
                self.env._(
                    "Amazon item %(code)s, %(title)s (SKU %(sku)s, units: %(quantity)s) is "
                    "not on the order: %(why)s.",
                    code=item.order_item_id,
                    title=item.title,
                    sku=item.sku,
                    quantity=item.quantity,
                    why=why,
                )
            )
        return lines, notes

    @api.model
    def _line_values(self, account, fiscal_position, lines):
        """Each promotion lowers the line of what it applies to: the item, the shipping or the
        gift wrap noted on the item."""
        company = account.company_id
        taxes_field = field_name(self.env["sale.order.line"], "tax_id")
        values, shipping, shipping_promotion, shipping_taxed = [], 0.0, 0.0, False
        for item, product in lines:
            quantity = item.quantity or 1
            item_total = item.charges.get(const.PRINCIPAL)
            if item_total is None:
                item_total = (item.unit_price or 0.0) * quantity
            discount = item.promotions.get(const.PRINCIPAL, 0.0)
            taxes = self._taxes(product, company, fiscal_position, item)
            shipping += item.charges.get(const.SHIPPING, 0.0)
            shipping_promotion += item.promotions.get(const.SHIPPING, 0.0)
            # Shipping tax Amazon collects as marketplace facilitator is not the seller's either.
            shipping_taxed = shipping_taxed or (
                bool(item.taxes.get(const.SHIPPING_TAX)) and not item.facilitator_tax
            )
            name = product.get_product_multiline_description_sale()
            if item.promotion_ids:
                name += "\n" + self.env._(
                    "Promotion: %(promotions)s", promotions=", ".join(item.promotion_ids)
                )
            gift_wrap = item.charges.get(const.GIFT_WRAP, 0.0) - item.promotions.get(
                const.GIFT_WRAP, 0.0
            )
            if gift_wrap:
                name += "\n" + self.env._(
                    "Gift wrap charged by Amazon: %(amount).2f", amount=gift_wrap
                )
            values.append(
                {
                    "product_id": product.id,
                    "name": name,
                    "product_uom_qty": quantity,
                    "price_unit": item_total / quantity,
                    "discount": _percent(discount, item_total),
                    taxes_field: [Command.set(taxes.ids)],
                    "amazon_order_item_code": item.order_item_id,
                }
            )
        if shipping and account.shipping_product_id:
            product = account.shipping_product_id
            taxes = self.env["account.tax"]
            if shipping_taxed:
                taxes = fiscal_position.map_tax(product.taxes_id._filter_taxes_by_company(company))
            values.append(
                {
                    "product_id": product.id,
                    "product_uom_qty": 1,
                    "price_unit": shipping,
                    "discount": _percent(shipping_promotion, shipping),
                    taxes_field: [Command.set(taxes.ids)],
                }
            )
        return values

    @api.model
    def _taxes(self, product, company, fiscal_position, item):
        # Tax Amazon collects as marketplace facilitator is not the seller's revenue.
        if item.facilitator_tax:
            return self.env["account.tax"]
        return fiscal_position.map_tax(product.taxes_id._filter_taxes_by_company(company))

    @api.model
    def _fiscal_position(self, account, partner):
        if account.order_import_fiscal_position_id:
            return account.order_import_fiscal_position_id
        return (
            self.env["account.fiscal.position"]
            .with_company(account.company_id)
            ._get_fiscal_position(partner)
        )

    # -- customers -----------------------------------------------------------------------------

    @api.model
    def _customer(self, account, marketplace, info, cache):
        partners = self.env["res.partner"].sudo().with_context(active_test=False)
        address = info.address or DeliveryAddress()
        if account.order_import_buyer_data and (address.name or info.buyer_name):
            if info.buyer_email:
                known = partners.search(
                    [
                        ("email", "=", info.buyer_email),
                        ("company_id", "in", [False, account.company_id.id]),
                    ],
                    limit=1,
                )
                if known:
                    return known
            country = self.env["res.country"].search([("code", "=", address.country_code)], limit=1)
            state = self.env["res.country.state"].search(
                [("country_id", "=", country.id), ("code", "=", address.state_code)],
                limit=1,
            )
            return partners.create(
                {
                    "name": address.name or info.buyer_name,
                    "email": info.buyer_email,
                    "company_id": account.company_id.id,
                    "street": address.street,
                    "street2": address.street2,
                    "city": address.city,
                    "zip": address.zip,
                    "state_id": state.id,
                    "country_id": country.id,
                    "phone": address.phone,
                }
            )
        if marketplace not in cache:
            cache[marketplace] = self._marketplace_customer(account, marketplace)
        return cache[marketplace]

    @api.model
    def _marketplace_customer(self, account, marketplace):
        partners = self.env["res.partner"].sudo().with_context(active_test=False)
        ref = f"AMAZON-{marketplace.code}"
        customer = partners.search(
            [("ref", "=", ref), ("company_id", "=", account.company_id.id)], limit=1
        )
        return customer or partners.create(
            {
                "name": self.env._("Amazon customer (%(market)s)", market=marketplace.name),
                "ref": ref,
                "company_id": account.company_id.id,
                "country_id": marketplace.country_id.id,
            }
        )


def _percent(promotion, total):
    return 100.0 * promotion / total if total and promotion else 0.0
