"""18.0.1.3.0: each scheduled job keeps its own state per seller account.

The read-until dates, the reports and pages in progress and the last results that the seller
account held for every job move to the job's record. The reading error the settlement, refund
and cancellation jobs shared cannot be told apart: each of the three gets it until its next run.
Odoo drops the account's old columns once the upgrade ends.
"""

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


def migrate(cr, version):
    if version:
        move_job_states(cr)
