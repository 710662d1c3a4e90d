import psycopg2

from odoo import modules, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL


def testing():
    """Whether tests run: a test runs in one transaction that it rolls back, so nothing may be
    committed. Odoo's runner marks a running test, other runners (pytest-odoo) only test mode."""
    return tools.config["test_enable"] or modules.module.current_test


def commit_unless_testing(env):
    """Make finished work survive a crash in scheduled actions, but in a test."""
    if not testing():
        env.cr.commit()  # pylint: disable=invalid-commit


def claim_free_rows(records, condition=None):
    """The records among `records` that no other transaction holds, and whose rows meet
    `condition` (an SQL test on the table's columns), locked until this transaction ends and read
    anew. A row another transaction changed since this one began is theirs too: locking it would
    fail the whole transaction, so the lock is tried in a savepoint."""
    if not records:
        return records
    records.flush_recordset()
    try:
        with records.env.cr.savepoint(flush=False):
            records.env.cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE id IN %s AND %s ORDER BY id FOR UPDATE SKIP LOCKED",
                    SQL.identifier(records._table),
                    tuple(records.ids),
                    condition or SQL("TRUE"),
                ),
                # Rows of other workers are an expected answer, not an error worth a log line.
                log_exceptions=False,
            )
            claimed = records.browse([row[0] for row in records.env.cr.fetchall()])
    except psycopg2.errors.SerializationFailure:
        return records.browse()
    claimed.invalidate_recordset()
    return claimed


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
