from odoo import fields, models

from ..compat import Constraint
from .amazon_rma_line import RETURN_CONDITIONS


class AmazonReturnCondition(models.Model):
    """A condition Receive records, as a record: refund rules pick conditions as tags, in the
    words the Receive dialog shows."""

    _name = "amazon.return.condition"
    _description = "Amazon Return Condition"
    _order = "sequence, id"

    code = fields.Selection(RETURN_CONDITIONS, required=True, readonly=True)
    name = fields.Char(string="Condition", required=True, translate=True, readonly=True)
    sequence = fields.Integer(readonly=True)

    _code_unique = Constraint("unique(code)", "This condition is already recorded.")
