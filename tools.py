from odoo import modules, tools


def commit_unless_testing(env):
    """Make finished work survive a crash in scheduled actions; a test runs in one transaction
    that it rolls back, so there nothing is committed. Odoo's runner marks a running test, other
    runners (pytest-odoo) only test mode, as account.move's _can_commit checks both."""
    if not tools.config["test_enable"] and not modules.module.current_test:
        env.cr.commit()  # pylint: disable=invalid-commit
