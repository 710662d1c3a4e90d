from datetime import timedelta

from odoo import api, fields, models

from ..amazon_api import const

# The first reading of Amazon's transactions looks this far back.
FIRST_TRANSACTIONS_WINDOW = timedelta(days=14)
# Amazon may show a transaction some time after it was posted: read that much again.
TRANSACTIONS_OVERLAP = timedelta(hours=const.TRANSACTIONS_LAG_HOURS)
FIRST_CANCELLED_WINDOW = timedelta(days=7)


class AmazonSellerAccount(models.Model):
    """Settlements, Amazon's own refunds and cancellations, and how they are booked."""

    _inherit = "amazon.seller.account"

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
