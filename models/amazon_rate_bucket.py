from odoo import api, fields, models
from odoo.tools import config

from ..compat import Constraint
from ..rate_limit.shared_limiter import SharedRateLimiter

# Quotas refill this many times faster than Amazon's: for benchmarks against an emulator scaled
# alike, set in the server's configuration file only; never in production.
RATE_SCALE_OPTION = "amazon_rate_scale"


class AmazonRateBucket(models.Model):
    """Amazon's quota of one seller for one operation, as a token bucket all workers share.

    Rows change only through `SharedRateLimiter`, one short transaction per token, so that every
    worker and server sees each token taken at once.
    """

    _name = "amazon.rate.bucket"
    _description = "Amazon Rate Limit Bucket"
    _order = "seller_id, operation"
    _rec_name = "operation"

    endpoint = fields.Char(string="SP-API Address", required=True, readonly=True)
    seller_id = fields.Char(string="Seller ID", required=True, readonly=True)
    operation = fields.Char(required=True, readonly=True)
    rate = fields.Float(
        string="Requests per Second",
        readonly=True,
        help="Amazon's rate, as it last announced it for this seller.",
    )
    burst = fields.Integer(readonly=True)
    tokens = fields.Float(
        readonly=True,
        help="Calls left at the last refill; below zero, calls promised to waiting workers.",
    )
    refilled_at = fields.Datetime(readonly=True)

    _operation_unique = Constraint(
        "unique(endpoint, seller_id, operation)",
        "A seller has one bucket per operation.",
    )

    @api.model
    def _limiter(self):
        """The limiter of this database, shared with every other worker and server on it."""
        return SharedRateLimiter(self.env.registry, float(config.get(RATE_SCALE_OPTION) or 1))
