import codecs
import logging
import tempfile
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..amazon_api import const
from ..amazon_api.client import AmazonClient, Connection
from ..amazon_api.errors import AmazonError
from ..amazon_api.reports import OrderReport
from ..compat import Constraint, field_name
from ..utils import check_system_fields
from .amazon_feed_batch import NEEDS_ATTENTION_BATCH_DOMAIN
from .amazon_seller_marketplace import REGION_SELECTION
from .res_company import RETURN_REFUND_MODES

_logger = logging.getLogger(__name__)

CREDENTIAL_FIELDS = ("lwa_client_id", "lwa_client_secret", "lwa_refresh_token")
# Where the credentials and access tokens go: only those who may read the credentials choose it.
ENDPOINT_FIELDS = ("endpoint", "custom_api_url", "custom_lwa_url")
# Amazon's answers and the addon's bookkeeping, written by scheduled actions only.
SYSTEM_FIELDS = (
    "order_import_requested",
    "connection_state",
    "connection_checked_at",
    "connection_message",
)
# Buyers ask to cancel orders that have not shipped: the last weeks of orders are enough.
BUYER_CANCEL_LOOKBACK_DAYS = 14
# searchOrders covers updates up to two minutes before the call, with some margin for clocks.
ORDERS_API_LAG = timedelta(minutes=3)
# The first reading of Amazon's transactions looks this far back.
FIRST_TRANSACTIONS_WINDOW = timedelta(days=14)
# Amazon may show a transaction some time after it was posted: read that much again.
TRANSACTIONS_OVERLAP = timedelta(hours=const.TRANSACTIONS_LAG_HOURS)
FIRST_CANCELLED_WINDOW = timedelta(days=7)


def _known_encoding(charset):
    """The charset Amazon announced, if Python knows it; else the parser guesses."""
    try:
        return charset and codecs.lookup(charset).name
    except LookupError:
        return None


class AmazonSellerAccount(models.Model):
    _name = "amazon.seller.account"
    _description = "Amazon Seller Account"
    _inherit = ["mail.thread"]
    _check_company_auto = True
    _order = "company_id, name"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, tracking=True
    )
    seller_id = fields.Char(
        string="Seller ID",
        required=True,
        tracking=True,
        help="Amazon's Merchant Token, shown in Seller Central under Settings > Account Info.",
    )
    region = fields.Selection(REGION_SELECTION, required=True, default="na", tracking=True)
    marketplace_ids = fields.Many2many(
        "amazon.seller.marketplace",
        string="Marketplaces",
        domain="[('region', '=', region)]",
    )
    lwa_client_id = fields.Char(
        string="LWA Client ID", groups="base.group_system", copy=False, tracking=True
    )
    lwa_client_secret = fields.Char(
        string="LWA Client Secret", groups="base.group_system", copy=False
    )
    lwa_refresh_token = fields.Char(string="Refresh Token", groups="base.group_system", copy=False)
    endpoint = fields.Selection(
        [
            ("production", "Amazon"),
            ("sandbox", "Amazon sandbox"),
            ("custom", "Other address"),
        ],
        required=True,
        default="production",
        tracking=True,
        help="Where to send requests: Amazon itself, Amazon's sandbox, or another address such "
        "as a local emulator or a proxy.",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        string="Shipping Product",
        check_company=True,
        help="Order lines of this product hold what the buyer paid for shipping, when orders "
        "do not use delivery methods.",
    )
    custom_api_url = fields.Char(string="SP-API Address", tracking=True)
    custom_lwa_url = fields.Char(string="LWA Token Address", tracking=True)

    buyer_cancel_report_type = fields.Selection(
        [
            (const.REPORT_ORDERS_SHIPPING, "Order report"),
            (const.REPORT_ORDERS_UNSHIPPED, "Unshipped orders report (restricted)"),
        ],
        string="Buyer Cancellations From",
        default=const.REPORT_ORDERS_SHIPPING,
        required=True,
        help="The report read for buyers' cancellation requests. The unshipped orders report "
        "holds buyer data: the application needs the restricted role for it.",
    )
    feed_batch_size = fields.Integer(
        string="Requests per Batch",
        default=const.MAX_MESSAGES_PER_FEED,
        required=True,
        tracking=True,
        help="At most this many requests go to Amazon in one document. Amazon creates about one "
        "feed per two minutes after a burst of 15: larger batches send a long queue sooner. "
        f"At most {const.LARGEST_FEED_MESSAGES}, which keeps documents under Amazon's 10 MiB.",
    )
    queue_forecast = fields.Char(
        string="Queue",
        compute="_compute_queue_forecast",
        help="Requests waiting to reach Amazon, and how long sending them takes: Amazon limits "
        "how often documents are sent.",
    )

    connection_state = fields.Selection(
        [("ok", "Connected"), ("failed", "Failed")],
        string="Last Connection",
        readonly=True,
        copy=False,
        help="How the last connection test went; the scheduled jobs show their own runs.",
    )
    connection_checked_at = fields.Datetime(string="Checked On", readonly=True, copy=False)
    connection_message = fields.Text(string="Connection Error", readonly=True, copy=False)

    job_state_ids = fields.One2many(
        "amazon.job.state", "account_id", string="Scheduled Jobs", readonly=True
    )

    request_queue_count = fields.Integer(
        string="In Queue", compute="_compute_request_counts", help="Requests waiting to be sent."
    )
    request_error_count = fields.Integer(string="Errors", compute="_compute_request_counts")
    batch_retrying_count = fields.Integer(string="Retrying", compute="_compute_request_counts")

    order_link_source = fields.Selection(
        [
            ("none", "Nothing"),
            ("own", "This addon's fields"),
            ("sale_amazon", "Odoo Amazon Connector (sale_amazon)"),
            ("amazon_ept", "Emipro Amazon Connector (amazon_ept)"),
            ("connector_amazon", "OCA Amazon Connector (connector_amazon)"),
            ("field", "An order field"),
        ],
        string="Link Orders From",
        default="own",
        required=True,
        help="Where the Amazon order ID of orders entered by another connector or by hand is "
        "read. The rest (marketplace, fulfilment channel, order item IDs) comes from that "
        "connector where it has it, else from Amazon.",
    )
    order_link_field_id = fields.Many2one(
        "ir.model.fields",
        string="Order Field",
        domain="[('model', '=', 'sale.order'), ('ttype', '=', 'char'), ('store', '=', True)]",
        ondelete="set null",
        help="The sales order field holding the Amazon order ID, such as Customer Reference "
        "or Source Document.",
    )
    sku_mapping_ids = fields.One2many(
        "amazon.sku.mapping", "account_id", string="SKU Mappings", copy=False
    )
    order_import = fields.Boolean(
        string="Import Orders",
        help="Read new and updated orders from Amazon and create or update sales orders: for "
        "businesses where no other connector brings Amazon orders into Odoo.",
    )
    order_import_unmatched = fields.Selection(
        [("note", "Create the order with a note"), ("skip", "Skip the order")],
        string="Items Without Product",
        default="note",
        required=True,
        help="What to do with an order whose SKU matches no product (or several).",
    )
    order_import_fiscal_position_id = fields.Many2one(
        "account.fiscal.position",
        string="Fiscal Position",
        check_company=True,
        help="Maps the products' taxes on imported orders; empty: Odoo's automatic fiscal "
        "position of the customer. Tax Amazon collects as marketplace facilitator is never "
        "put on the order: it is not your revenue.",
    )
    order_import_shipped_history = fields.Boolean(
        string="Shipped Orders Without Stock Moves",
        help="Orders Amazon reports as shipped when first imported are marked delivered "
        "without moving stock: for importing past orders.",
    )
    order_import_buyer_data = fields.Boolean(
        string="Buyer Names and Addresses",
        help="The application has Amazon's restricted role for buyer data: customers are "
        "created with the buyer's name and shipping address. Otherwise every order goes to "
        "one Amazon customer per marketplace.",
    )
    order_import_requested = fields.Char(
        string="Orders to Import",
        readonly=True,
        copy=False,
        help="Amazon order IDs asked for by hand, imported in the background.",
    )

    refund_booking = fields.Selection(
        [
            ("credit_note", "Credit notes against the order's invoice"),
            ("none", "None: the settlement books Amazon's money"),
        ],
        string="Book Refunds As",
        required=True,
        default="credit_note",
    )
    settlement_journal_id = fields.Many2one(
        "account.journal",
        string="Settlement Journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'general'))]",
        help="Where the commission Amazon returns and keeps on refunds is booked, a journal "
        "entry per settlement; its default account holds Amazon's side. Leave empty to "
        "record settlements without booking them.",
    )
    settlement_commission_account_id = fields.Many2one(
        "account.account",
        string="Refunded Commission Account",
        check_company=True,
        help="Credited with the referral fees Amazon gives back on refunds.",
    )
    settlement_fee_account_id = fields.Many2one(
        "account.account",
        string="Refund Fees Account",
        check_company=True,
        help="Debited with the refund administration fees Amazon keeps.",
    )
    return_refund_mode = fields.Selection(
        RETURN_REFUND_MODES,
        string="When a Return Is Received",
        tracking=True,
        help="Empty: as the company's setting. Nothing: refund by hand. Propose: a refund "
        "decided by the refund rules waits in the queue for review. Send: that refund goes to "
        "Amazon, unless something needs a review.",
    )
    overdue_rma_count = fields.Integer(string="Overdue RMAs", compute="_compute_overdue_rma_count")

    _feed_batch_size_range = Constraint(
        f"CHECK(feed_batch_size BETWEEN 1 AND {const.LARGEST_FEED_MESSAGES})",
        f"Requests per batch: from 1 to {const.LARGEST_FEED_MESSAGES}.",
    )
    _seller_region_unique = Constraint(
        "unique(company_id, seller_id, region)",
        "This company already has an account for this seller in this region.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_system_fields(self, vals, SYSTEM_FIELDS)
            if vals.get("endpoint", "production") != "production" or any(
                vals.get(name) for name in ENDPOINT_FIELDS[1:]
            ):
                self._check_endpoint_admin()
        return super().create(vals_list)

    def write(self, vals):
        check_system_fields(self, vals, SYSTEM_FIELDS)
        changed = [
            name
            for name in ENDPOINT_FIELDS
            if name in vals and any((vals[name] or False) != account[name] for account in self)
        ]
        if changed and not self.env.su:
            self._check_endpoint_admin()
            self._check_new_lwa_url_gets_new_secrets(vals)
        return super().write(vals)

    def _check_endpoint_admin(self):
        if not self.env.su and not self.env.user.has_group("base.group_system"):
            raise AccessError(
                self.env._(
                    "Only system administrators choose where a seller account connects: its "
                    "credentials go there."
                )
            )

    def _check_new_lwa_url_gets_new_secrets(self, vals):
        """A new token address never receives the secrets entered for the old one."""
        for account in self.sudo():
            new = account._amazon_lwa_url(
                vals.get("endpoint", account.endpoint),
                vals.get("custom_lwa_url", account.custom_lwa_url),
            )
            stored = account.lwa_client_secret or account.lwa_refresh_token
            if (
                stored
                and new != account._amazon_endpoints()[1]
                and not (vals.get("lwa_client_secret") and vals.get("lwa_refresh_token"))
            ):
                raise UserError(
                    self.env._(
                        "Account %(account)s gets its access tokens from a new address: enter "
                        "its LWA client secret and refresh token again, so that the stored ones "
                        "are never sent there.",
                        account=account.name,
                    )
                )

    @api.constrains("marketplace_ids", "region")
    def _check_marketplace_region(self):
        for account in self:
            foreign = account.marketplace_ids.filtered_domain([("region", "!=", account.region)])
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Marketplaces: %(names)s are not in the region of account %(account)s.",
                        names=", ".join(foreign.mapped("name")),
                        account=account.name,
                    )
                )

    @api.constrains("endpoint", "custom_api_url", "custom_lwa_url")
    def _check_custom_urls(self):
        labels = {
            "custom_api_url": self._fields["custom_api_url"].string,
            "custom_lwa_url": self._fields["custom_lwa_url"].string,
        }
        for account in self.filtered(lambda a: a.endpoint == "custom"):
            for field_name, label in labels.items():
                parts = urlsplit(account[field_name] or "")
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of account %(account)s must be a full http(s) address, "
                            "such as https://proxy.example.com.",
                            field=label,
                            account=account.name,
                        )
                    )

    @api.constrains("active", *CREDENTIAL_FIELDS)
    def _check_credentials(self):
        for account in self.sudo().filtered("active"):
            missing = [
                account._fields[name].string for name in CREDENTIAL_FIELDS if not account[name]
            ]
            if missing:
                raise ValidationError(
                    self.env._(
                        "Account %(account)s is active but has no %(fields)s. A system "
                        "administrator enters them, or archive the account.",
                        account=account.name,
                        fields=", ".join(missing),
                    )
                )

    @api.constrains("order_link_source", "order_link_field_id")
    def _check_order_link_source(self):
        linker = self.env["amazon.order.linker"]
        for account in self:
            if account.order_link_source == "field" and not account.order_link_field_id:
                raise ValidationError(
                    self.env._("Account %(account)s: choose the order field.", account=account.name)
                )
            if account.order_link_source in ("none", "own", "field"):
                continue
            missing = linker._missing_fields(account.order_link_source)
            if missing:
                raise ValidationError(
                    self.env._(
                        "Account %(account)s cannot link orders from that connector: this "
                        "database has no %(fields)s.",
                        account=account.name,
                        fields=", ".join(missing),
                    )
                )

    @api.depends("feed_batch_size")
    def _compute_queue_forecast(self):
        Request = self.env["amazon.order.request"].sudo()
        waiting = Request._read_group(
            [("seller_account_id", "in", self.ids), ("state", "in", ("queued", "sending"))],
            ["seller_account_id", "batch_id", "feed_type"],
            ["__count"],
        )
        counts = {account: [0, 0] for account in self}
        for account, batch, _feed_type, count in waiting:
            counts[account][0] += count
            # Queued requests make batches of the account's size; each batch is one feed.
            counts[account][1] += 1 if batch else -(-count // account.feed_batch_size)
        for account in self:
            requests, feeds = counts.get(account, (0, 0))
            if not requests or not account.id:
                account.queue_forecast = self.env._("No request waiting.")
                continue
            seconds = account._amazon_quota_seconds(const.CREATE_FEED, feeds)
            account.queue_forecast = self.env._(
                "%(requests)s in %(documents)s: %(when)s.",
                requests=self.env._("1 request")
                if requests == 1
                else self.env._("%(count)s requests", count=requests),
                documents=self.env._("1 document")
                if feeds == 1
                else self.env._("%(count)s documents", count=feeds),
                when=self.env._("all sent to Amazon at once")
                if seconds < 60
                else self.env._(
                    "all sent to Amazon in about %(minutes)s minutes, as Amazon limits how often "
                    "documents are sent",
                    minutes=round(seconds / 60),
                ),
            )

    def _compute_request_counts(self):
        request_counts = {
            (account, state): count
            for account, state, count in self.env["amazon.order.request"]._read_group(
                [("seller_account_id", "in", self.ids), ("state", "in", ("queued", "error"))],
                ["seller_account_id", "state"],
                ["__count"],
            )
        }
        retrying = dict(
            self.env["amazon.feed.batch"]._read_group(
                [("seller_account_id", "in", self.ids), *NEEDS_ATTENTION_BATCH_DOMAIN],
                ["seller_account_id"],
                ["__count"],
            )
        )
        for account in self:
            account.request_queue_count = request_counts.get((account, "queued"), 0)
            account.request_error_count = request_counts.get((account, "error"), 0)
            account.batch_retrying_count = retrying.get(account, 0)

    def _overdue_rma_domain(self):
        return [
            ("seller_account_id", "in", self.ids),
            ("refund_due_date", "<", fields.Date.context_today(self)),
            ("state", "in", ("open", "received")),
        ]

    def _compute_overdue_rma_count(self):
        counts = dict(
            self.env["amazon.rma"]._read_group(
                self._overdue_rma_domain(), ["seller_account_id"], ["__count"]
            )
        )
        for account in self:
            account.overdue_rma_count = counts.get(account, 0)

    def action_view_overdue_rmas(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_refund_cancel.amazon_rma_action"
        )
        action["domain"] = [("seller_account_id", "=", self.id)]
        action["context"] = {"search_default_refund_overdue": 1}
        return action

    def _amazon_return_refund_mode(self):
        self.ensure_one()
        return self.return_refund_mode or self.company_id.amazon_return_refund_mode

    def _amazon_job(self, job):
        """The state of the scheduled job `job` (a key of JOBS) for this account."""
        self.ensure_one()
        return self.env["amazon.job.state"]._of(self, job)

    def _amazon_open(self, xmlid, domain, context=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("seller_account_id", "=", self.id), *domain]
        action["context"] = context or {}
        return action

    def action_view_queue(self):
        return self._amazon_open(
            "amazon_refund_cancel.amazon_order_request_action", [("state", "=", "queued")]
        )

    def action_view_errors(self):
        return self._amazon_open(
            "amazon_refund_cancel.amazon_order_request_action", [("state", "=", "error")]
        )

    def action_view_batches(self):
        return self._amazon_open(
            "amazon_refund_cancel.amazon_feed_batch_action",
            [],
            {"search_default_needs_attention": 1},
        )

    def _amazon_quota_seconds(self, operation, calls):
        """How long `calls` calls of `operation` take at this account's quota, shared by the
        database's workers, as it stands now."""
        self.ensure_one()
        api_url = self._amazon_endpoints()[0]
        return (
            self.env["amazon.rate.bucket"]
            ._limiter()
            .seconds_for((api_url, self.seller_id), operation, calls)
        )

    @api.model
    def _amazon_manager(self, company):
        """An Amazon manager of `company`, for what only a manager decides."""
        return self._amazon_managers(company)[:1]

    @api.model
    def _amazon_managers(self, company):
        """The active Amazon managers of `company`."""
        group = self.env.ref("amazon_refund_cancel.group_amazon_manager").sudo()
        managers = group[field_name(group, "users")]
        return managers.filtered(
            lambda user: user.active and not user.share and company in user.company_ids
        )

    def _amazon_endpoints(self):
        """(SP-API base URL, LWA token URL) of the account."""
        self.ensure_one()
        lwa_url = self._amazon_lwa_url(self.endpoint, self.custom_lwa_url)
        if self.endpoint == "custom":
            return self.custom_api_url.rstrip("/"), lwa_url
        region = const.REGIONS[self.region]
        api_url = region["sandbox"] if self.endpoint == "sandbox" else region["endpoint"]
        return api_url, lwa_url

    @api.model
    def _amazon_lwa_url(self, endpoint, custom_lwa_url):
        return custom_lwa_url if endpoint == "custom" else const.LWA_TOKEN_URL

    def _amazon_client(self, marketplace=None):
        """The seam's client for this account, in `marketplace` or its first marketplace."""
        self.ensure_one()
        marketplace = marketplace or self.marketplace_ids[:1]
        if not marketplace:
            raise UserError(
                self.env._("Account %(account)s has no marketplace.", account=self.name)
            )
        api_url, lwa_url = self._amazon_endpoints()
        secrets = self.sudo()
        return AmazonClient(
            Connection(
                seller_id=self.seller_id,
                marketplace_id=marketplace.code,
                endpoint=api_url,
                lwa_url=lwa_url,
                client_id=secrets.lwa_client_id or "",
                client_secret=secrets.lwa_client_secret or "",
                refresh_token=secrets.lwa_refresh_token or "",
                aws_region=const.REGIONS[self.region]["aws_region"],
            ),
            # Every worker and server of the database spends the seller's one quota.
            limiter=self.env["amazon.rate.bucket"]._limiter(),
        )

    # -- buyer cancellation requests -------------------------------------------------------------

    @api.model
    def _cron_sync_buyer_cancellations(self):
        """Read buyers' cancellation requests, company by company, account by account."""
        self.env["amazon.job.state"]._run(
            "buyer_cancellations",
            self.search([]),
            lambda account, state: account._amazon_sync_buyer_cancellations(state),
        )

    def _amazon_sync_buyer_cancellations(self, state=None):
        """The order report, once Amazon has it ready, and the Orders API; what was found."""
        self.ensure_one()
        state = state or self._amazon_job("buyer_cancellations")
        client = self._amazon_client()
        now = fields.Datetime.now()
        # Amazon's order search ends a little before now; read on from there next time.
        until = now - ORDERS_API_LAG
        since = min(
            state.read_until or now - timedelta(days=BUYER_CANCEL_LOOKBACK_DAYS),
            until,
        )
        if not state.resume_ref:
            state.resume_ref = client.request_report(
                self.buyer_cancel_report_type, now - timedelta(days=BUYER_CANCEL_LOOKBACK_DAYS), now
            )
        report = client.get_report(state.resume_ref)
        summary = []
        if report.status == const.REPORT_DONE:
            with tempfile.TemporaryFile() as document:
                charset = client.download_report(report.document_id, document, report.report_type)
                document.seek(0)
                summary.append(self._amazon_read_order_report(document, charset))
            state.resume_ref = False
        elif report.status in const.REPORT_FINAL_STATUSES:
            # Amazon cancels a report with no rows in it: nothing to read.
            state.resume_ref = False
        else:
            summary.append(self.env._("The order report is not ready yet."))
            self.env.ref("amazon_refund_cancel.ir_cron_amazon_buyer_cancellations")._trigger(
                now + timedelta(minutes=5)
            )
        found = client.buyer_cancellations(since)
        orders = self._amazon_orders([found_one.order_id for found_one in found])
        held = sum(
            orders[found_one.order_id]._amazon_register_buyer_cancellation(
                found_one.reason, found_one.last_updated
            )
            for found_one in found
            if found_one.order_id in orders
        )
        summary.append(
            self.env._(
                "Orders API: buyer requests: %(count)s, new: %(new)s, of orders unknown in "
                "Odoo: %(unknown)s.",
                count=len(found),
                new=held,
                unknown=len([f for f in found if f.order_id not in orders]),
            )
        )
        state.read_until = until
        return "\n".join(summary)

    def _amazon_orders(self, numbers):
        """This account's orders by Amazon order ID, in one query."""
        orders = self.env["sale.order"].search(
            [("amazon_seller_account_id", "=", self.id), ("amazon_order_number", "in", numbers)]
        )
        return {order.amazon_order_number: order for order in orders}

    def _amazon_read_order_report(self, document, charset=None):
        """Register the buyer requests an order report shows; say what it found."""
        report = OrderReport(document, encoding=_known_encoding(charset))
        if not report.has_buyer_cancel_column:
            state = self._amazon_job("buyer_cancellations")
            if not state.warned:
                state.warned = True
                self._message_log(
                    body=self.env._(
                        "Amazon's order report has no buyer cancellation column: in Seller "
                        'Central, Orders > Order Reports, enable "Buyer requested cancel". '
                        "Requests are still read from the Orders API meanwhile."
                    )
                )
            return self.env._("Order report: no buyer cancellation column.")
        requests, unknown_values = {}, []
        orders_seen = set()
        for row in report:
            orders_seen.add(row.order_id)
            if row.buyer_cancel_requested is None and row.buyer_cancel_value:
                unknown_values.append(f"{row.line}: {row.buyer_cancel_value}")
            elif row.buyer_cancel_requested:
                requests.setdefault(row.order_id, row.buyer_cancel_reason)
        orders = self._amazon_orders(list(requests))
        new = sum(
            orders[number]._amazon_register_buyer_cancellation(reason)
            for number, reason in requests.items()
            if number in orders
        )
        unknown_orders = sorted(set(requests) - set(orders))
        text = self.env._(
            "Order report: orders: %(orders)s, buyer requests: %(requests)s, new: %(new)s, of "
            "orders unknown in Odoo: %(unknown)s.",
            orders=len(orders_seen),
            requests=len(requests),
            new=new,
            unknown=len(unknown_orders),
        )
        if unknown_orders:
            text += " " + ", ".join(unknown_orders[:20])
        if unknown_values:
            text += " " + self.env._(
                "Unreadable values (line: value), not held: %(values)s",
                values=", ".join(unknown_values[:20]),
            )
        return text

    def action_test_connection(self):
        self.ensure_one()
        # The test logs in with the stored credentials: managers only, of this account's company.
        if not self.env.su and not self.env.user.has_group(
            "amazon_refund_cancel.group_amazon_manager"
        ):
            raise AccessError(self.env._("Only Amazon managers test seller accounts."))
        self.check_access("write")
        try:
            self._amazon_client().check_connection()
        except AmazonError as error:
            _logger.info("Amazon connection test of account %s failed: %s", self.id, error)
            # A notification, not an error: the failure stays recorded on the account.
            self._amazon_record_connection(error)
            return self._amazon_connection_notification(
                "danger", self.env._("Connection failed"), str(error)
            )
        self._amazon_record_connection()
        return self._amazon_connection_notification(
            "success",
            self.env._("Connection works"),
            self.env._("Amazon accepted the credentials of %(account)s.", account=self.name),
        )

    def _amazon_connection_notification(self, kind, title, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "title": title,
                "message": message,
                "sticky": kind != "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _amazon_record_connection(self, error=None):
        """The last connection test's status, dated: a success clears the last error."""
        self.sudo().write(
            {
                "connection_state": "failed" if error else "ok",
                "connection_checked_at": fields.Datetime.now(),
                "connection_message": str(error) if error else False,
            }
        )

    # -- Amazon's own refunds, from its transactions ---------------------------------------------

    @api.model
    def _cron_read_amazon_refunds(self):
        """Each account records the refunds Amazon made since its last reading."""
        self.env["amazon.job.state"]._run(
            "amazon_refunds",
            self.search([], order="company_id, id"),
            lambda account, state: account._amazon_read_refunds(state),
        )

    def _amazon_read_refunds(self, state=None):
        self.ensure_one()
        state = state or self._amazon_job("amazon_refunds")
        now = fields.Datetime.now()
        since = (
            state.read_until - TRANSACTIONS_OVERLAP
            if state.read_until
            else now - FIRST_TRANSACTIONS_WINDOW
        )
        transactions = self._amazon_client().refund_transactions(since)
        numbers = {transaction.order_id for transaction in transactions}
        orders = self.env["sale.order"].search(
            [
                ("amazon_seller_account_id", "=", self.id),
                ("amazon_order_number", "in", list(numbers)),
            ]
        )
        Request = self.env["amazon.order.request"]
        for order in orders:
            Request._amazon_read_transactions(None, order, since, transactions)
        state.read_until = now
        return self.env._(
            "Refunds Amazon made: %(count)s, of orders known in Odoo: %(known)s.",
            count=len(transactions),
            known=len(orders),
        )

    # -- orders Amazon cancelled -----------------------------------------------------------------

    @api.model
    def _cron_read_cancelled_orders(self):
        self.env["amazon.job.state"]._run(
            "cancelled_orders",
            self.search([], order="company_id, id"),
            lambda account, state: account._amazon_read_cancelled_orders(state),
        )

    def _amazon_read_cancelled_orders(self, state=None):
        """Cancel in Odoo the orders Amazon cancelled, when nothing of them shipped; flag the
        others for the salesperson."""
        self.ensure_one()
        state = state or self._amazon_job("cancelled_orders")
        now = fields.Datetime.now()
        since = state.read_until or now - FIRST_CANCELLED_WINDOW
        numbers = self._amazon_client().cancelled_orders(since)
        orders = self.env["sale.order"].search(
            [
                ("amazon_seller_account_id", "=", self.id),
                ("amazon_order_number", "in", numbers),
                ("state", "!=", "cancel"),
            ]
        )
        for order in orders:
            order._amazon_cancelled_by_amazon()
        state.read_until = now
        return self.env._(
            "Orders Amazon cancelled: %(count)s, cancelled in Odoo: %(cancelled)s.",
            count=len(numbers),
            cancelled=len(orders),
        )
