import logging
import tempfile
from datetime import timedelta

from odoo import Command, api, fields, models

from ..amazon_api import const
from ..amazon_api.errors import ReportParseError
from ..compat import Constraint, domain_or
from ..importers.settlement import SettlementFileError, SettlementReader
from ..importers.settlement_matcher import SettlementMatcher
from ..utils import commit_unless_testing

_logger = logging.getLogger(__name__)

# The first scheduled run looks this far back for settlements (Amazon keeps them 90 days).
FIRST_LOOKBACK = timedelta(days=90)


class AmazonSettlement(models.Model):
    _name = "amazon.settlement"
    _inherit = ["amazon.sequence.mixin", "amazon.import.log.mixin", "mail.thread"]
    _description = "Amazon Settlement"
    _order = "deposit_date desc, id desc"
    _check_company_auto = True

    settlement_ref = fields.Char(string="Settlement ID", readonly=True, index=True)
    state = fields.Selection(
        [("done", "Imported"), ("failed", "Failed")],
        string="Status",
        required=True,
        readonly=True,
        default="done",
        index=True,
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    date_start = fields.Datetime(string="Period Start", readonly=True)
    date_end = fields.Datetime(string="Period End", readonly=True)
    deposit_date = fields.Datetime(readonly=True)
    total_amount = fields.Monetary(string="Total", readonly=True)
    row_count = fields.Integer(string="Rows", readonly=True)
    refund_count = fields.Integer(string="Refunds", readonly=True)
    matched_count = fields.Integer(string="Matched", readonly=True)
    difference_count = fields.Integer(string="Differences", readonly=True)
    amazon_count = fields.Integer(string="Refunded by Amazon", readonly=True)
    excess_count = fields.Integer(
        string="More than Charged",
        readonly=True,
        help="Refunds of Amazon's that are more than it charged for the item, less what it "
        "refunded already: not booked, for a manager to check.",
    )
    commission_returned = fields.Monetary(readonly=True)
    commission_kept = fields.Monetary(readonly=True)
    move_id = fields.Many2one(
        "account.move", string="Journal Entry", readonly=True, check_company=True
    )
    line_ids = fields.One2many("amazon.settlement.line", "settlement_id", string="Refund Lines")
    relisted_report_refs = fields.Char(
        string="Also Listed As",
        readonly=True,
        help="Other reports of Amazon holding this settlement: each was downloaded once and is "
        "never downloaded again.",
    )

    _settlement_unique = Constraint(
        "unique(seller_account_id, settlement_ref)",
        "This settlement is already imported for this seller account.",
    )

    def action_view_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_refund_cancel.amazon_order_request_action"
        )
        action["domain"] = [("id", "in", self.line_ids.request_id.ids)]
        action["context"] = {}
        return action

    # -- importing a file ----------------------------------------------------------------------

    @api.model
    def _import_settlement(self, account, content, source, file_name=None, report_id=None):
        """Import a V2 settlement flat file of `account` (bytes, or a binary file read from its
        start, never held whole but to be attached): every refund of it, or nothing when the
        file cannot be trusted. Returns the settlement and whether it is new; the same
        settlement again returns the one imported before."""
        reader = SettlementReader(self.env, account)
        values = {
            "source": source,
            "seller_account_id": account.id,
            "file_name": file_name,
            "amazon_report_ref": report_id,
            "done_at": fields.Datetime.now(),
        }
        try:
            reader.read_file(content)
        except (ReportParseError, SettlementFileError) as error:
            settlement = self.create(
                {
                    **values,
                    "state": "failed",
                    "message": self.env._(
                        "The settlement cannot be imported, so nothing of it was: %(error)s",
                        error=error,
                    ),
                }
            )
            settlement._attach(content, file_name)
            return settlement, False
        earlier = self.search(
            [
                ("seller_account_id", "=", account.id),
                ("settlement_ref", "=", reader.summary.settlement_id),
                ("state", "=", "done"),
            ],
            limit=1,
        )
        if earlier:
            earlier._record_report(report_id)
            return earlier, False
        summary = reader.summary
        with self.env.cr.savepoint():
            settlement = self.create(
                {
                    **values,
                    "settlement_ref": summary.settlement_id,
                    "currency_id": reader.currency.id,
                    "date_start": summary.start,
                    "date_end": summary.end,
                    "deposit_date": summary.deposit_date or summary.end,
                    "total_amount": float(summary.total_amount),
                    "row_count": reader.row_count,
                    "refund_count": len(reader.items),
                }
            )
            settlement._attach(content, file_name)
            counts = SettlementMatcher(settlement, reader).apply()
            settlement.write(
                {
                    **{f"{result}_count": count for result, count in counts.items()},
                    "commission_returned": float(reader.commission_returned),
                    "commission_kept": float(reader.commission_kept),
                }
            )
            settlement._amazon_book_commission()
        return settlement, True

    def _record_report(self, report_id):
        """Amazon listed this settlement again under `report_id`: remembered, so that report is
        never downloaded again."""
        self.ensure_one()
        if not report_id or report_id in self._report_refs():
            return
        self.relisted_report_refs = " ".join(filter(None, [self.relisted_report_refs, report_id]))

    def _report_refs(self):
        """Every report of Amazon known to hold these settlements."""
        return {
            ref
            for settlement in self
            for ref in [
                settlement.amazon_report_ref,
                *(settlement.relisted_report_refs or "").split(),
            ]
            if ref
        }

    def _attach(self, content, file_name):
        if not isinstance(content, bytes):
            content.seek(0)
            content = content.read()
        self.attachment_id = (
            self.env["ir.attachment"]
            .with_context(amazon_attachment_not_indexed=True)
            .create(
                {
                    "name": file_name or f"{self.name.replace('/', '-')}.txt",
                    "raw": content,
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )

    def _amazon_book_commission(self):
        """A journal entry for the commission Amazon gave back and kept on refunds, when the
        account says where; without that the settlement is only recorded."""
        self.ensure_one()
        account = self.seller_account_id
        journal = account.settlement_journal_id
        returned, kept = self.commission_returned, self.commission_kept
        if not journal or not journal.default_account_id or not (returned or kept):
            return
        if not account.settlement_commission_account_id or not account.settlement_fee_account_id:
            return
        clearing = journal.default_account_id
        label = self.env._("Amazon settlement %(id)s", id=self.settlement_ref)
        lines = []
        if returned:
            lines += [
                (
                    clearing,
                    returned,
                    0.0,
                    self.env._("%(label)s: commission returned", label=label),
                ),
                (account.settlement_commission_account_id, 0.0, returned, label),
            ]
        if kept:
            lines += [
                (account.settlement_fee_account_id, kept, 0.0, label),
                (clearing, 0.0, kept, self.env._("%(label)s: commission kept", label=label)),
            ]
        company_currency = self.company_id.currency_id
        move_lines = []
        for ledger, debit, credit, name in lines:
            amount = debit - credit
            balance = self.currency_id._convert(
                amount, company_currency, self.company_id, self.deposit_date or fields.Date.today()
            )
            move_lines.append(
                Command.create(
                    {
                        "account_id": ledger.id,
                        "name": name,
                        "currency_id": self.currency_id.id,
                        "amount_currency": amount,
                        "balance": balance,
                    }
                )
            )
        move = (
            self.env["account.move"]
            .sudo()
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "company_id": self.company_id.id,
                    "date": (self.deposit_date or fields.Datetime.now()).date(),
                    "ref": label,
                    "line_ids": move_lines,
                }
            )
        )
        move.action_post()
        self.move_id = move

    # -- scheduled import ----------------------------------------------------------------------

    @api.model
    def _cron_import_settlements(self):
        """Each account of every company imports the settlements Amazon made since its last."""
        self.env["amazon.job.state"]._run(
            "settlements",
            self.env["amazon.seller.account"].search([], order="company_id, id"),
            lambda account, state: self.with_company(
                account.company_id
            )._import_account_settlements(account, state),
        )

    @api.model
    def _import_account_settlements(self, account, state=None):
        """List the settlement reports Amazon finished since the last one seen and import each
        one once; how many were imported."""
        state = state or account._amazon_job("settlements")
        since = state.read_until or fields.Datetime.now() - FIRST_LOOKBACK
        client = account._amazon_client()
        reports = client.settlement_reports(created_since=since)
        # A settlement is known by its id whatever report lists it: a report that held one
        # already imported is not downloaded again.
        report_ids = [report.report_id for report in reports]
        known = (
            self.search(
                [
                    ("seller_account_id", "=", account.id),
                    *domain_or(
                        [
                            [("amazon_report_ref", "in", report_ids)],
                            *([("relisted_report_refs", "ilike", ref)] for ref in report_ids),
                        ]
                    ),
                ]
            )._report_refs()
            if report_ids
            else set()
        )
        newest = state.read_until
        imported = 0
        for report in sorted(reports, key=lambda r: (r.created_time or since, r.report_id)):
            if report.report_id in known or not report.document_id:
                continue
            # An error here stops the run: this report and the ones after it are read next
            # time; those imported so far stay, committed with the date they were read until.
            with tempfile.TemporaryFile() as handle:
                client.download_report(report.document_id, handle, const.REPORT_SETTLEMENT)
                handle.seek(0)
                self._import_settlement(account, handle, "scheduled", report_id=report.report_id)
            imported += 1
            if report.created_time and (not newest or report.created_time > newest):
                newest = report.created_time
            state.read_until = newest
            commit_unless_testing(self.env)
        return self.env._("Settlements imported: %(count)s.", count=imported)
