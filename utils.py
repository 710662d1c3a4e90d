from odoo import modules, tools
from odoo.exceptions import AccessError


def commit_unless_testing(env):
    """Make finished work survive a crash in scheduled actions; a test runs in one transaction
    that it rolls back, so there nothing is committed. Odoo's runner marks a running test, other
    runners (pytest-odoo) only test mode, as account.move's _can_commit checks both."""
    if not tools.config["test_enable"] and not modules.module.current_test:
        env.cr.commit()  # pylint: disable=invalid-commit


def check_system_fields(records, vals, names):
    """Refuse a user's create or write of `names`: Amazon's answers and workflow fields change
    only through the addon's own checked methods, which write them as the system."""
    if records.env.su:
        return
    refused = [name for name in names if name in vals]
    if refused:
        raise AccessError(
            records.env._(
                "%(fields)s of %(model)s are set by Odoo only, from Amazon's answers and the "
                "actions that check them.",
                fields=", ".join(records._fields[name].string for name in refused),
                model=records._description,
            )
        )
