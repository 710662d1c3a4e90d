from odoo import modules


def commit_unless_testing(env):
    """Make finished work survive a crash in scheduled actions; a test runs in one transaction
    that it rolls back, so there nothing is committed."""
    if not modules.module.current_test:
        env.cr.commit()  # pylint: disable=invalid-commit
