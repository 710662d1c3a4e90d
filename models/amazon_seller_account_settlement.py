from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..amazon_api import const
from ..amazon_api.errors import AmazonError
from ..utils import check_system_fields, commit_unless_testing

# The first reading of Amazon's transactions looks this far back.
FIRST_TRANSACTIONS_WINDOW = timedelta(days=14)
# Amazon may show a transaction some time after it was posted: read that much again.
TRANSACTIONS_OVERLAP = timedelta(hours=const.TRANSACTIONS_LAG_HOURS)
FIRST_CANCELLED_WINDOW = timedelta(days=7)


class AmazonSellerAccount(models.Model):
    """Settlements, Amazon's own refunds and cancellations, and how they are booked."""

    _inherit = "amazon.seller.account"

    settlement_seen_until = fields.Datetime(
        string="Settlements Seen Until",
        copy=False,
        help="The scheduled import lists the settlement reports Amazon made since then.",
    )
    amazon_sync_error = fields.Char(
        string="Last Reading Error",
        readonly=True,
        copy=False,
        help="Why the last reading of settlements, refunds or cancelled orders stopped.",
    )
    transactions_read_until = fields.Datetime(string="Transactions Read Until", copy=False)
    cancelled_orders_read_until = fields.Datetime(string="Cancelled Orders Read Until", copy=False)
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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_system_fields(self, vals, ["amazon_sync_error"])
        return super().create(vals_list)

    def write(self, vals):
        check_system_fields(self, vals, ["amazon_sync_error"])
        return super().write(vals)

    # -- Amazon's own refunds, from its transactions ---------------------------------------------

    @api.model
    def _cron_read_amazon_refunds(self):
        """Each account records the refunds Amazon made since its last reading."""
        accounts = self.search([], order="company_id, id")
        for company, company_accounts in accounts.grouped("company_id").items():
            for account in company_accounts.with_company(company):
                account._amazon_read_refunds()
                commit_unless_testing(self.env)

    def _amazon_read_refunds(self):
        self.ensure_one()
        now = fields.Datetime.now()
        since = (
            self.transactions_read_until - TRANSACTIONS_OVERLAP
            if self.transactions_read_until
            else now - FIRST_TRANSACTIONS_WINDOW
        )
        try:
            transactions = self._amazon_client().refund_transactions(since)
        except (AmazonError, UserError) as error:
            self.sudo().amazon_sync_error = str(error)
            return
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
        self.sudo().transactions_read_until = now

    # -- orders Amazon cancelled -----------------------------------------------------------------

    @api.model
    def _cron_read_cancelled_orders(self):
        accounts = self.search([], order="company_id, id")
        for company, company_accounts in accounts.grouped("company_id").items():
            for account in company_accounts.with_company(company):
                account._amazon_read_cancelled_orders()
                commit_unless_testing(self.env)

    def _amazon_read_cancelled_orders(self):
        """Cancel in Odoo the orders Amazon cancelled, when nothing of them shipped; flag the
        others for the salesperson."""
        self.ensure_one()
        now = fields.Datetime.now()
        since = self.cancelled_orders_read_until or now - FIRST_CANCELLED_WINDOW
        try:
            numbers = self._amazon_client().cancelled_orders(since)
        except (AmazonError, UserError) as error:
            self.sudo().amazon_sync_error = str(error)
            return
        orders = self.env["sale.order"].search(
            [
                ("amazon_seller_account_id", "=", self.id),
                ("amazon_order_number", "in", numbers),
                ("state", "!=", "cancel"),
            ]
        )
        for order in orders:
            order._amazon_cancelled_by_amazon()
        self.sudo().cancelled_orders_read_until = now
