"""18.0.1.4.0: Amazon's whole list of return reasons; its AMZ-PG- codes read as the reasons of
the "Customer Reason" table they spell (AMZ-PG-WJ-TOO-SMALL is JEWELRY_TOO_SMALL).

A reason made earlier from a spelling that is now one of a listed reason is merged into the
listed reason: RMA lines and refund rules point to the listed one. AMZ-PG-MISORDERED, read as
ORDERED_WRONG_ITEM until now, is a reason of its own: its lines move to it, and rules naming
the former reason name it too, so that each rule still matches the returns it matched.
"""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

from odoo.addons.amazon_refund_cancel.amazon_api import const

# {former reason: reason split off it}, by code.
SPLIT = {"ORDERED_WRONG_ITEM": "AMZ-PG-MISORDERED"}


def merge_return_reasons(env):
    cr = env.cr
    Reason = env["amazon.return.reason"].with_context(active_test=False)
    Reason._amazon_load_published()
    relation = env["amazon.return.refund.rule"]._fields["reason_ids"]
    # In SQL: a rule kept as it was, whatever its checks say of the reasons' categories now.
    moves = []
    for former, split in SPLIT.items():
        reasons = Reason._amazon_resolve([former, split])
        if reasons[former] != reasons[split]:
            moves.append((reasons[former].id, reasons[split].id, False))
    keys = Reason._amazon_keys()
    merged = Reason.browse()
    for reason in Reason.search([]):
        listed = keys[const.return_reason_key(reason.code)]
        if listed != reason.id:
            moves.append((reason.id, listed, True))
            merged |= reason
    for source, target, drop in moves:
        cr.execute(
            SQL(
                """INSERT INTO %(table)s (%(rule)s, %(reason)s)
                   SELECT %(rule)s, %(target)s FROM %(table)s WHERE %(reason)s = %(source)s
                   ON CONFLICT DO NOTHING""",
                table=SQL.identifier(relation.relation),
                rule=SQL.identifier(relation.column1),
                reason=SQL.identifier(relation.column2),
                source=source,
                target=target,
            )
        )
        if drop:
            cr.execute(
                SQL(
                    "DELETE FROM %s WHERE %s = %s",
                    SQL.identifier(relation.relation),
                    SQL.identifier(relation.column2),
                    source,
                )
            )
    env.invalidate_all()
    # Each line to the reason its code reads as now.
    Line = env["amazon.rma.line"]
    lines = Line.search_fetch([("reason", "!=", False)], ["reason", "reason_id"])
    resolved = Reason._amazon_resolve(lines.mapped("reason"))
    targets = {}
    for line in lines:
        reason = resolved.get(line.reason.strip(), Reason)
        if reason and line.reason_id != reason:
            targets.setdefault(reason, Line)
            targets[reason] |= line
    for reason, moved in targets.items():
        moved.write({"reason_id": reason.id})
    merged.filtered(lambda reason: not Line.search_count([("reason_id", "=", reason.id)])).unlink()


def migrate(cr, version):
    if version:
        merge_return_reasons(api.Environment(cr, SUPERUSER_ID, {}))
