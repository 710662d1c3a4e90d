import io
import logging
import tempfile
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..amazon_api import const
from ..amazon_api.errors import AmazonError, PermanentError, ReportParseError, RetryableError
from ..amazon_api.reports import iter_returns
from ..amazon_api.xml_safety import content_size
from ..importers.returns import ReturnsImporter
from ..utils import claim_free_rows, commit_unless_testing

_logger = logging.getLogger(__name__)

FIRST_WINDOW = timedelta(days=30)
MAX_WINDOW = timedelta(days=const.RETURNS_REPORT_MAX_DAYS)
# Amazon may list a return requested just before a window's end only in a later report.
WINDOW_OVERLAP = timedelta(days=1)
# No new report is asked for when the last window ended less than this ago.
MIN_WINDOW_GAP = timedelta(hours=1)
REPORT_POLL_DELAY = timedelta(minutes=2)
# Files whose content (decompressed: a small gzip may hold much) is up to this size are imported
# in the user's request; larger ones in the background, far from the request time limit of a
# multi-worker server.
IMMEDIATE_MAX_BYTES = 2 * 1024 * 1024
IMPORT_RESULTS = [
    ("created", "Created"),
    ("updated", "Updated"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
]


class AmazonRmaImport(models.Model):
    _name = "amazon.rma.import"
    _inherit = ["amazon.sequence.mixin", "amazon.import.log.mixin"]
    _description = "Amazon Returns Import"
    _order = "id desc"
    _check_company_auto = True

    state = fields.Selection(
        [
            ("pending", "Waiting for Amazon"),
            ("queued", "Queued"),
            ("running", "Importing"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        string="Status",
        required=True,
        default="pending",
        readonly=True,
        index=True,
    )
    date_from = fields.Datetime(string="Returns From", readonly=True)
    date_to = fields.Datetime(string="Returns Until", readonly=True)
    created_count = fields.Integer(string="Created", readonly=True)
    updated_count = fields.Integer(string="Updated", readonly=True)
    read_count = fields.Integer(
        string="RMAs Read", readonly=True, help="How far a background import has come."
    )
    line_ids = fields.One2many("amazon.rma.import.line", "import_id", string="Rows")

    def action_view_rmas(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_refund_cancel.amazon_rma_action"
        )
        action["domain"] = [("id", "in", self.line_ids.rma_id.ids)]
        action["context"] = {}
        return action

    # -- importing a file ----------------------------------------------------------------------

    def _import_file(self, source, encoding=None):
        """Import a returns report (bytes or binary file): every good RMA of it, or nothing at
        all when the file cannot be read."""
        self.ensure_one()
        importer = ReturnsImporter(self)
        try:
            with self.env.cr.savepoint():
                importer.run(iter_returns(source, encoding=encoding))
        except ReportParseError as error:
            self._unreadable(error)
            return False
        self._done(importer)
        return True

    def _unreadable(self, error):
        self.write(
            {
                "state": "failed",
                "done_at": fields.Datetime.now(),
                "message": self.env._(
                    "The file cannot be read, so nothing was imported: %(error)s", error=error
                ),
            }
        )

    def _done(self, importer):
        self.write(
            {
                "state": "done",
                "done_at": fields.Datetime.now(),
                "message": "\n".join(importer.summary()) or False,
                **{f"{result}_count": count for result, count in importer.counts.items()},
            }
        )

    def _open_file(self):
        """The uploaded file as a binary stream, read from the filestore rather than loaded."""
        attachment = self.attachment_id.sudo()
        if attachment.store_fname:
            return open(attachment._full_path(attachment.store_fname), "rb")
        return io.BytesIO(attachment.raw or b"")

    def _import_upload(self):
        """Import the uploaded file now if its content is small, else queue it for the
        background. Counting stops past the limit, and a bomb is refused while counting."""
        self.ensure_one()
        try:
            with self._open_file() as stream:
                size = content_size(stream, IMMEDIATE_MAX_BYTES)
        except ReportParseError as error:
            self._unreadable(error)
            return
        if size > IMMEDIATE_MAX_BYTES:
            self.state = "queued"
            self.env.ref("amazon_refund_cancel.ir_cron_amazon_import_returns_files")._trigger()
            return
        with self._open_file() as stream:
            self._import_file(stream)

    @api.model
    def _cron_import_files(self):
        """Import the files queued by users, one at a time, each in its own transactions."""
        while True:
            log = self._claim_queued()
            if not log:
                return
            self.env["amazon.job.state"]._run_per_company(
                log, lambda log: log._import_in_background()
            )

    @api.model
    def _claim_queued(self):
        queued = self.search([("state", "=", "queued")], order="id", limit=1)
        if not queued:
            return queued
        # When another worker imports it, the rest of the queue is left to that worker too.
        return claim_free_rows(queued, SQL("state = 'queued'"))

    def _import_in_background(self):
        """Import the file a chunk at a time, each committed with the progress shown on the log;
        tell the user when it is over, however it ends."""
        self.ensure_one()
        self.write({"state": "running", "read_count": 0})
        commit_unless_testing(self.env)
        try:
            self._import_in_chunks()
        except Exception as error:
            # The chunks committed so far stay imported and counted; the log must not show
            # "Importing" forever.
            _logger.exception("Amazon returns import %s stopped", self.name)
            self._stopped(error)
        self._notify_done()

    def _import_in_chunks(self):
        """Check that the whole file can be read, then import it."""
        try:
            with self._open_file() as stream:
                for _record in iter_returns(stream):
                    pass
        except ReportParseError as error:
            self._unreadable(error)
            return

        def progress(importer):
            self.write(
                {
                    "read_count": sum(importer.counts.values()),
                    **{f"{result}_count": count for result, count in importer.counts.items()},
                }
            )
            commit_unless_testing(self.env)

        importer = ReturnsImporter(self, on_chunk=progress)
        with self._open_file() as stream:
            importer.run(iter_returns(stream))
        self._done(importer)

    def _stopped(self, error):
        self.env.invalidate_all(flush=False)
        self.write(
            {
                "state": "failed",
                "done_at": fields.Datetime.now(),
                "message": self.env._(
                    "The import stopped at an unexpected error, %(count)s RMAs of the file read; "
                    "what they made stays imported. Import the file again to finish it: %(error)s",
                    count=self.read_count,
                    error=error,
                ),
            }
        )

    def _notify_done(self):
        if self.state == "done":
            message = self.env._(
                "%(name)s: %(created)s created, %(updated)s updated, %(skipped)s skipped, "
                "%(failed)s failed.",
                name=self.name,
                created=self.created_count,
                updated=self.updated_count,
                skipped=self.skipped_count,
                failed=self.failed_count,
            )
        else:
            message = f"{self.name}: {self.message}"
        self.user_id._bus_send(
            "simple_notification",
            {
                "type": "success" if self.state == "done" else "danger",
                "title": self.env._("Amazon returns import finished"),
                "message": message,
                "sticky": True,
            },
        )

    # -- scheduled import ----------------------------------------------------------------------

    @api.model
    def _cron_import_returns(self):
        """Each account of the companies that import RMAs catches up with Amazon's returns."""
        accounts = self.env["amazon.seller.account"].search(
            [("company_id.amazon_import_rma_report", "=", True)], order="company_id, id"
        )
        self.env["amazon.job.state"]._run(
            "returns_import",
            accounts,
            lambda account, state: self.with_company(account.company_id)._import_account_returns(
                account, state
            ),
        )

    @api.model
    def _import_account_returns(self, account, state=None):
        """Request, follow and import the account's returns reports, one window after another,
        as far as Amazon has them ready; come back later for a report still in the works."""
        state = state or account._amazon_job("returns_import")
        while True:
            pending = self.search(
                [("seller_account_id", "=", account.id), ("state", "=", "pending")],
                order="id",
                limit=1,
            )
            try:
                client = account._amazon_client()
                if not pending:
                    pending = self._request_next_window(account, client, state)
                    if not pending:
                        return
                    commit_unless_testing(self.env)
                if not pending._follow_report(client, state):
                    return
            except (AmazonError, UserError) as error:
                pending._amazon_error(account, error)
                raise
            commit_unless_testing(self.env)

    def _amazon_error(self, account, error):
        """Record why the import of `account` stopped; a failed import is asked for anew on the
        next run, a retryable one is tried again soon."""
        message = str(error.args[0] if isinstance(error, UserError) else error)
        _logger.info("Amazon returns import of account %s: %s", account.id, message)
        if not self:
            self.create(
                {
                    "source": "scheduled",
                    "seller_account_id": account.id,
                    "state": "failed",
                    "done_at": fields.Datetime.now(),
                    "message": self.env._(
                        "Amazon did not take the request for the returns report: %(error)s",
                        error=message,
                    ),
                }
            )
        elif isinstance(error, (PermanentError, UserError)):
            self.write({"state": "failed", "done_at": fields.Datetime.now(), "message": message})
        else:
            self.message = message
        if isinstance(error, RetryableError):
            self._trigger_import(fields.Datetime.now() + REPORT_POLL_DELAY)

    @api.model
    def _request_next_window(self, account, client, state):
        """Ask Amazon for the returns since the last import; None when that was just now."""
        now = fields.Datetime.now()
        until = state.read_until
        if not until:
            start = now - FIRST_WINDOW
        elif now - until < MIN_WINDOW_GAP:
            return None
        else:
            start = until - WINDOW_OVERLAP
        end = min(start + MAX_WINDOW, now)
        report_id = client.request_report(const.REPORT_RETURNS_FLAT, start, end)
        return self.create(
            {
                "source": "scheduled",
                "seller_account_id": account.id,
                "date_from": start,
                "date_to": end,
                "amazon_report_ref": report_id,
            }
        )

    def _follow_report(self, client, state):
        """Import the report if Amazon made it; True when the next window may follow at once."""
        self.ensure_one()
        report = client.get_report(self.amazon_report_ref)
        if report.status == const.REPORT_DONE:
            with tempfile.TemporaryFile() as handle:
                charset = client.download_report(
                    report.document_id, handle, const.REPORT_RETURNS_FLAT
                )
                handle.seek(0)
                imported = self._import_file(handle, encoding=charset)
        elif report.status == const.REPORT_CANCELLED:
            # Amazon cancels a report that has no data.
            self.write(
                {
                    "state": "done",
                    "done_at": fields.Datetime.now(),
                    "message": self.env._("Amazon had no return in this period."),
                }
            )
            imported = True
        elif report.status == const.REPORT_FATAL:
            self.write(
                {
                    "state": "failed",
                    "done_at": fields.Datetime.now(),
                    "message": self.env._(
                        "Amazon could not make the returns report; the next run asks again."
                    ),
                }
            )
            return False
        else:
            self._trigger_import(fields.Datetime.now() + REPORT_POLL_DELAY)
            return False
        if imported:
            state.read_until = self.date_to
        return imported

    @api.model
    def _trigger_import(self, at=None):
        self.env.ref("amazon_refund_cancel.ir_cron_amazon_import_returns")._trigger(at)
