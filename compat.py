"""What differs between the Odoo series the addon runs on, 18.0 and 19.0. The rest of the addon
asks here rather than testing versions: each answer comes from what the running Odoo has, but for
the one name only data tells."""

from odoo import api, models, release
from odoo.service import model as rpc_model

__all__ = [
    "UNIT_PRECISION",
    "Constraint",
    "call_kw",
    "check_rpc_method",
    "commit_cron_progress",
    "domain_or",
    "field_name",
]

try:
    from odoo.fields import Domain
except ImportError:  # 18.0
    Domain = None
    from odoo.osv import expression

# What the RPC layer calls a model's method with: the tests call it as a user's RPC would.
call_kw = getattr(rpc_model, "call_kw", None) or api.call_kw


def check_rpc_method(model, name):
    """Raise AccessError where RPC refuses to call the method `name` of `model`."""
    if hasattr(rpc_model, "get_public_method"):
        rpc_model.get_public_method(model, name)
    else:
        models.check_method_name(name)


if hasattr(models, "Constraint"):
    Constraint = models.Constraint
else:  # 18.0

    class Constraint:
        """19.0's table constraint, `_name = Constraint(definition, message)` in a model's class,
        as the entry (name, definition, message) of the model's `_sql_constraints` that 18.0
        reads: the constraint has the same name in the database on both."""

        def __init__(self, definition, message=""):
            self.definition = definition
            self.message = message

        def __set_name__(self, owner, name):
            constraint = (name.removeprefix("_"), self.definition, self.message)
            owner._sql_constraints = [*vars(owner).get("_sql_constraints", []), constraint]


# Fields 19.0 renamed: (model, name on 18.0) -> name on 19.0.
RENAMED_FIELDS = {
    ("sale.order.line", "tax_id"): "tax_ids",
    ("sale.order.line", "product_uom"): "product_uom_id",
    ("res.users", "groups_id"): "group_ids",
    ("ir.actions.server", "groups_id"): "group_ids",
    # Users who have the group, through another group too, as 18.0's field lists them.
    ("res.groups", "users"): "all_user_ids",
}


def field_name(model, name):
    """The name the running Odoo gives the field `name` (its name on 18.0) of `model`."""
    renamed = RENAMED_FIELDS.get((model._name, name))
    return renamed if renamed in model._fields else name


# The decimal precision of product quantities. It is data, read only once a database runs, while
# a field's digits are named when its class is: this one answer goes by the series.
UNIT_PRECISION = "Product Unit" if release.version_info[0] >= 19 else "Product Unit of Measure"


def domain_or(domains):
    """The domain matching any of `domains`, as a list."""
    if Domain is not None:
        return list(Domain.OR(domains))
    return expression.OR(domains)


def commit_cron_progress(env, processed, done, remaining):
    """Commit the work a scheduled action did so far, `processed` more units making `done`, and
    show its progress: 19.0 does both in one call; 18.0 shows it, then the work is committed."""
    cron = env["ir.cron"]
    if hasattr(cron, "_commit_progress"):
        cron._commit_progress(processed, remaining=remaining)
    else:
        cron._notify_progress(done=done, remaining=remaining)
        env.cr.commit()  # pylint: disable=invalid-commit
