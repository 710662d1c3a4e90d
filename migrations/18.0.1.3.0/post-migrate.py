"""18.0.1.3.0: each scheduled job keeps its own state per seller account.

The read-until dates, the reports and pages in progress and the last results that the seller
account held for every job move to the job's record. The reading error the settlement, refund
and cancellation jobs shared cannot be told apart: each of the three gets it until its next run.
Odoo drops the account's old columns once the upgrade ends.
Return reasons become records, which RMA lines and refund rules point to.
"""

from odoo import SUPERUSER_ID, Command, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists

# Job: {state column: account column}.
MOVES = {
    "buyer_cancellations": {
        "read_until": "buyer_cancel_synced_until",
        "resume_ref": "buyer_cancel_report_ref",
        "warned": "buyer_cancel_column_warned",
        "summary": "buyer_cancel_last_run",
    },
    "order_import": {
        "read_until": "order_import_synced_until",
        "resume_ref": "order_import_page_token",
        "resume_ref_at": "order_import_page_token_at",
        "window_start": "order_import_window_start",
        "window_end": "order_import_window_end",
        "summary": "order_import_last_run",
    },
    "returns_import": {"read_until": "rma_imported_until"},
    "settlements": {"read_until": "settlement_seen_until", "last_error": "amazon_sync_error"},
    "amazon_refunds": {"read_until": "transactions_read_until", "last_error": "amazon_sync_error"},
    "cancelled_orders": {
        "read_until": "cancelled_orders_read_until",
        "last_error": "amazon_sync_error",
    },
}


def move_job_states(cr):
    for job, columns in MOVES.items():
        present = {
            target: source
            for target, source in columns.items()
            if column_exists(cr, "amazon_seller_account", source)
        }
        if not present:
            continue
        targets = [SQL.identifier(target) for target in present]
        sources = [SQL.identifier("account", source) for source in present.values()]
        # A false flag is no state to keep.
        kept = SQL(" OR ").join(
            SQL("(%s IS NOT NULL AND %s::text NOT IN ('', 'false'))", source, source)
            for source in sources
        )
        error = (
            SQL.identifier("account", present["last_error"]) if "last_error" in present else None
        )
        cr.execute(
            SQL(
                """INSERT INTO amazon_job_state
                       (account_id, company_id, job, state, %(targets)s,
                        create_uid, write_uid, create_date, write_date)
                   SELECT account.id, account.company_id, %(job)s, %(state)s, %(sources)s,
                          1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
                     FROM amazon_seller_account account
                    WHERE %(kept)s
                   ON CONFLICT (account_id, job) DO NOTHING""",
                targets=SQL(", ").join(targets),
                job=job,
                state=SQL("CASE WHEN %s IS NOT NULL THEN 'failed' END", error)
                if error
                else SQL("NULL"),
                sources=SQL(", ").join(sources),
                kept=kept,
            )
        )


def link_return_reasons(env):
    """Return reasons and conditions become records: the RMA lines' codes and the rules' typed
    codes (the former columns reason_codes and condition_codes, comma-separated) point to them;
    reason codes Amazon does not list are created, flagged for review."""
    cr = env.cr
    Reason = env["amazon.return.reason"]
    Reason._amazon_load_published()
    cr.execute(
        "SELECT DISTINCT reason FROM amazon_rma_line WHERE reason_id IS NULL AND reason <> ''"
    )
    codes = [row[0] for row in cr.fetchall()]
    for code, reason in Reason._amazon_resolve(codes).items():
        cr.execute(
            """UPDATE amazon_rma_line SET reason_id = %s
                WHERE reason_id IS NULL AND TRIM(reason) = %s""",
            (reason.id, code),
        )
    conditions = {
        condition.code: condition.id for condition in env["amazon.return.condition"].search([])
    }
    Rule = env["amazon.return.refund.rule"].with_context(active_test=False)
    for column, field in (("reason_codes", "reason_ids"), ("condition_codes", "condition_ids")):
        typed = _typed_codes(cr, column)
        if field == "reason_ids":
            reasons = Reason._amazon_resolve({code for codes in typed.values() for code in codes})
            ids = {code: reason.id for code, reason in reasons.items()}
        else:
            # The rules' check refused unknown conditions: every typed one is known.
            ids = conditions
        for rule_id, codes in typed.items():
            Rule.browse(rule_id)[field] = [
                Command.set([ids[code] for code in codes if code in ids])
            ]
        if typed:
            cr.execute(
                SQL("UPDATE amazon_return_refund_rule SET %s = NULL", SQL.identifier(column))
            )
    env.invalidate_all()


def _typed_codes(cr, column):
    """{rule id: codes} of a former comma-separated column of the rules, if it is there."""
    cr.execute(
        """SELECT 1 FROM information_schema.columns
            WHERE table_name = 'amazon_return_refund_rule' AND column_name = %s""",
        (column,),
    )
    if not cr.fetchone():
        return {}
    cr.execute(
        SQL(
            "SELECT id, %s FROM amazon_return_refund_rule WHERE %s <> ''",
            SQL.identifier(column),
            SQL.identifier(column),
        )
    )
    return {
        rule_id: [code.strip() for code in text.split(",") if code.strip()]
        for rule_id, text in cr.fetchall()
    }


def migrate(cr, version):
    if version:
        move_job_states(cr)
        link_return_reasons(api.Environment(cr, SUPERUSER_ID, {}))
