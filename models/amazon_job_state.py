import logging
import random
import time

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..amazon_api.errors import AmazonError
from ..compat import Constraint, commit_cron_progress
from ..utils import commit_unless_testing, testing

_logger = logging.getLogger(__name__)

JOBS = [
    ("buyer_cancellations", "Buyer cancellation requests"),
    ("order_import", "Order import"),
    ("returns_import", "Returns reports"),
    ("settlements", "Settlements"),
    ("amazon_refunds", "Refunds Amazon made"),
    ("cancelled_orders", "Orders Amazon cancelled"),
    ("order_link", "Order linking"),
]
# Odoo's ir.cron gives up on a serialization failure and waits for the job's next interval
# (hours for some); a few quick tries with jitter get past a colliding transaction.
JOB_TRIES = 4
JOB_RETRY_DELAY = 0.5


class AmazonJobState(models.Model):
    """What one scheduled job knows of one seller account: how far it read, what it waits for,
    how its last run went. Each job writes its own record only, so jobs running at the same time
    never update the same row."""

    _name = "amazon.job.state"
    _description = "Amazon Scheduled Job State"
    _check_company_auto = True
    _order = "account_id, job"
    _rec_name = "job"

    account_id = fields.Many2one(
        "amazon.seller.account",
        string="Seller Account",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
        readonly=True,
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, readonly=True)
    job = fields.Selection(JOBS, required=True, readonly=True)
    state = fields.Selection(
        [("ok", "Succeeded"), ("failed", "Failed")], string="Last Run", readonly=True
    )
    last_run_at = fields.Datetime(string="Last Run On", readonly=True)
    last_success_at = fields.Datetime(string="Last Success", readonly=True)
    last_error = fields.Text(readonly=True)
    summary = fields.Text(string="Last Result", readonly=True)
    read_until = fields.Datetime(
        string="Read Until", readonly=True, help="The next run asks Amazon from then on."
    )
    # A request in progress at Amazon: a report being made, the next page of a search.
    resume_ref = fields.Char(readonly=True)
    resume_ref_at = fields.Datetime(readonly=True)
    window_start = fields.Datetime(readonly=True)
    window_end = fields.Datetime(readonly=True)
    warned = fields.Boolean(readonly=True)

    _account_job_unique = Constraint("unique(account_id, job)", "One state per job and account.")

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system()
        return super().create(vals_list)

    def write(self, vals):
        self._check_system()
        return super().write(vals)

    def _check_system(self):
        # Written by the jobs only, which run as the system: never by a user or by RPC.
        if not self.env.su:
            raise AccessError(
                self.env._("The state of Amazon's scheduled jobs is set by the jobs only.")
            )

    @api.model
    def _of(self, account, job):
        """The state of `job` for `account`, made on its first run: only that job makes it,
        and Odoo runs a scheduled action in one process at a time."""
        states = self.sudo()
        state = states.search([("account_id", "=", account.id), ("job", "=", job)])
        return state or states.create({"account_id": account.id, "job": job})

    # -- running a job -------------------------------------------------------------------------

    @api.model
    def _run_per_company(self, records, work, one_by_one=False, limit=None):
        """Run `work` on the records of each company as that company (scheduled actions run as
        the superuser): on all of them at once, or `one_by_one`; with a `limit`, on that many
        records a run, the others left to the next run. Each call of `work` is committed with
        the progress it makes."""
        todo = records[:limit] if limit else records
        done = 0
        for company, company_records in todo.grouped("company_id").items():
            company_records = company_records.with_company(company)
            for unit in company_records if one_by_one else [company_records]:
                work(unit)
                done += len(unit)
                if not testing():
                    commit_cron_progress(self.env, len(unit), done, len(records) - done)

    @api.model
    def _run(self, job, accounts, work):
        """Run `work(account, state)` for each account, company by company, each account in
        transactions of its own. `work` returns a summary or raises AmazonError or UserError for
        a failed run; the state records either in a short transaction after the work."""
        self._run_per_company(
            accounts,
            lambda account: self.with_company(account.company_id)._run_account(job, account, work),
            one_by_one=True,
        )

    def _run_account(self, job, account, work):
        try:
            self._retry_collisions(
                f"{job} of account {account.id}", lambda: self._run_once(job, account, work)
            )
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as collision:
            # Given up until the next run: the job's state says so, in a transaction of its own.
            self._of(account, job)._record(None, collision)
            commit_unless_testing(self.env)

    def _run_once(self, job, account, work):
        try:
            summary, error = work(account, self._of(account, job)), None
        except (AmazonError, UserError) as failure:
            summary, error = None, failure
            _logger.info("Amazon job %s of account %s: %s", job, account.id, failure)
        # The work is committed whole before its state says how it went; a collision with
        # another transaction surfaces at this flush at the latest.
        self.env.flush_all()
        commit_unless_testing(self.env)
        self._of(account, job)._record(summary, error)

    @api.model
    def _retry_collisions(self, what, function):
        """Run `function()` and commit. On a serialization failure, a deadlock or a lock not
        available, undo the whole transaction (its snapshot would collide again) and run it
        again at once, a few times with jitter; then raise. Callers commit before, so that
        what is undone is `function`'s work only."""
        for attempt in range(1, JOB_TRIES + 1):
            try:
                result = function()
                self.env.flush_all()
                commit_unless_testing(self.env)
                return result
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as collision:
                self.env.cr.rollback()
                if attempt == JOB_TRIES:
                    _logger.error(
                        "Amazon: %s collided %s times with other transactions, given up "
                        "until its next run: %s",
                        what,
                        attempt,
                        collision,
                    )
                    raise
                delay = random.uniform(0.5, 1.5) * JOB_RETRY_DELAY * attempt
                _logger.info(
                    "Amazon: %s collided with another transaction, run again in %.2fs: %s",
                    what,
                    delay,
                    collision,
                )
                time.sleep(delay)

    def _record(self, summary, error=None):
        self.ensure_one()
        now = fields.Datetime.now()
        values = {"state": "failed" if error else "ok", "last_run_at": now}
        if error:
            values["last_error"] = str(error.args[0] if isinstance(error, UserError) else error)
        else:
            values.update(last_error=False, last_success_at=now)
        if summary is not None or not error:
            values["summary"] = summary or False
        self.write(values)
