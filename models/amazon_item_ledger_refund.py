from odoo import api, fields, models

from ..compat import UNIT_PRECISION

REFUND_KINDS = [
    ("amazon", "Amazon / Seller Central"),
    ("atoz", "A-to-z Guarantee"),
    ("chargeback", "Chargeback"),
    ("returnless", "Returnless refund"),
]
REFUND_SOURCES = [
    ("returns_report", "Returns report"),
    ("finances", "Amazon's transactions"),
    ("settlement", "Settlement"),
]


class AmazonItemLedgerRefund(models.Model):
    """A refund Amazon made itself on an order item, recorded once whichever of its reports
    (returns report, transactions, settlements) told it first, and marked seen by each."""

    _name = "amazon.item.ledger.refund"
    _description = "Refund Amazon Made on an Order Item"
    _inherit = "amazon.price.components.mixin"
    _order = "posted_at desc, id desc"
    _check_company_auto = True

    ledger_id = fields.Many2one(
        "amazon.item.ledger", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="ledger_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="ledger_id.currency_id")
    order_id = fields.Many2one(related="ledger_id.order_id", store=True, index=True)
    product_id = fields.Many2one(related="ledger_id.product_id")
    kind = fields.Selection(REFUND_KINDS, string="Refunded By", required=True, readonly=True)
    source = fields.Selection(REFUND_SOURCES, string="First Seen In", required=True, readonly=True)
    seen_in_returns_report = fields.Boolean(readonly=True)
    seen_in_finances = fields.Boolean(string="Seen in Transactions", readonly=True)
    seen_in_settlement = fields.Boolean(readonly=True)
    amazon_refund_ref = fields.Char(
        string="Amazon Refund ID",
        readonly=True,
        index="btree_not_null",
        help="Amazon's adjustment (or transaction) id of the refund.",
    )
    posted_at = fields.Datetime(string="Refunded On", readonly=True)
    recorded_at = fields.Datetime(
        string="Recorded On", default=fields.Datetime.now, readonly=True, required=True
    )
    estimated = fields.Boolean(
        readonly=True,
        help="The returns report gives no split of the refund: the amounts are the returned "
        "units' share of what was charged, until Amazon's transactions or settlement tell.",
    )
    rma_id = fields.Many2one("amazon.rma", string="RMA", readonly=True, index="btree_not_null")
    request_id = fields.Many2one(
        "amazon.order.request",
        string="Booked As",
        readonly=True,
        index="btree_not_null",
        help="The refund of origin Amazon that books this refund's credit note.",
    )
    quantity = fields.Float(digits=UNIT_PRECISION, readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        refunds = super().create(vals_list)
        refunds.rma_id._amazon_follow_safet()
        return refunds

    def write(self, vals):
        rmas = self.rma_id
        result = super().write(vals)
        if {"rma_id", "posted_at", "estimated"} & set(vals):
            # Amazon's refund date may be the later date the SAFE-T file-by date counts from.
            (rmas | self.rma_id)._amazon_follow_safet()
        return result

    def _describe(self):
        self.ensure_one()
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        return self.env._(
            "%(amount)s on %(date)s (%(kind)s)",
            amount=self.currency_id.format(self.amount_total),
            date=fields.Date.to_string(self.posted_at) if self.posted_at else "?",
            kind=kinds[self.kind],
        )
