import logging
from datetime import timedelta

import psycopg2
from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, split_every

from ..amazon_api import const, documents
from ..amazon_api.errors import (
    PermanentError,
    ReportParseError,
    RetryableError,
    ThrottledError,
)
from ..amazon_api.processing_report import parse_processing_report
from ..compat import Constraint
from ..utils import claim_free_rows, commit_unless_testing
from .amazon_order_request import FEED_TYPES

_logger = logging.getLogger(__name__)

BATCH_STATES = [
    ("draft", "To Send"),
    ("uploaded", "Document Uploaded"),
    ("submitted", "Sent to Amazon"),
    ("done", "Processed"),
    ("failed", "Failed"),
]
SENDABLE_STATES = ("draft", "uploaded")
# Amazon's processing statuses of a feed (getFeed), as the seller reads them.
FEED_STATUSES = [
    (const.FEED_IN_QUEUE, "Waiting at Amazon"),
    (const.FEED_IN_PROGRESS, "Being processed"),
    (const.FEED_DONE, "Processed"),
    (const.FEED_CANCELLED, "Cancelled by Amazon"),
    (const.FEED_FATAL, "Stopped by Amazon"),
]
# Batches still on their way whose last call failed (Amazon unreachable, down, throttling):
# the sender tries them again later.
NEEDS_ATTENTION_BATCH_DOMAIN = [
    ("state", "in", (*SENDABLE_STATES, "submitted")),
    ("attempt_count", ">", 0),
]
# Amazon lists a new feed within seconds; past this, a feed missing from the list never got there.
FEED_LISTING_GRACE = timedelta(minutes=5)
# Feeds created this long before our createFeed call still count: Amazon's clock is not ours.
FEED_CLOCK_SKEW = timedelta(minutes=1)
FEED_POLL_INTERVAL = timedelta(minutes=2)
# Another worker is calling createFeed for the account: its call ends within CALL_DURATION
# (the client's timeout is 30 s), usually within a second.
BUSY_SLOT_RETRY = timedelta(seconds=5)
CALL_DURATION = timedelta(minutes=1)
MAX_RETRY_DELAY = 3600
# A scheduled action starts within a minute of its trigger; later than this, it is not running.
NEXT_ATTEMPT_LATE = timedelta(minutes=5)
MAX_REPORT_ATTEMPTS = 5
# Batches handled per scheduled run; the run asks to be called again when more remain.
BATCHES_PER_RUN = 20


class AmazonFeedBatch(models.Model):
    _name = "amazon.feed.batch"
    _description = "Amazon Feed Batch"
    _inherit = [
        "amazon.sequence.mixin",
        "amazon.seller.account.owned.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Batch ID")
    feed_type = fields.Selection(FEED_TYPES, required=True, readonly=True)
    state = fields.Selection(
        BATCH_STATES,
        string="Status",
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    request_ids = fields.One2many("amazon.order.request", "batch_id", string="Requests")
    request_count = fields.Integer(compute="_compute_request_count")
    feed_document_ref = fields.Char(string="Feed Document ID", readonly=True, copy=False)
    feed_number = fields.Char(string="Document Number", readonly=True, copy=False, index=True)
    feed_status = fields.Selection(FEED_STATUSES, string="Amazon Status", readonly=True)
    create_feed_attempted_at = fields.Datetime(readonly=True, copy=False)
    submitted_at = fields.Datetime(readonly=True)
    done_at = fields.Datetime(readonly=True)
    next_attempt_at = fields.Datetime(readonly=True, index=True)
    attempt_count = fields.Integer(string="Failed Attempts", readonly=True)
    next_attempt_late = fields.Boolean(
        string="Late",
        compute="_compute_next_attempt_late",
        help="The next attempt should have run already: the scheduled actions may be stopped.",
    )
    last_error = fields.Text(readonly=True)
    processed_by_id = fields.Many2one("res.users", string="Processed By", readonly=True)
    document_attachment_id = fields.Many2one("ir.attachment", string="Document", readonly=True)
    report_attachment_id = fields.Many2one(
        "ir.attachment", string="Processing Report", readonly=True
    )
    ok_count = fields.Integer(string="Accepted", readonly=True)
    warning_count = fields.Integer(string="Warnings", readonly=True)
    error_count = fields.Integer(string="Errors", readonly=True)
    stuck_alerted = fields.Boolean(readonly=True)

    _feed_unique = Constraint(
        "unique(seller_account_id, feed_number)",
        "Amazon's feed is already recorded on another batch.",
    )

    def init(self):
        # One batch at a time per account and feed type may have a createFeed call whose outcome
        # is unknown: a feed found later in Amazon's list then belongs to that batch alone.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS amazon_feed_batch_create_feed_unknown "
            "ON amazon_feed_batch (seller_account_id, feed_type) "
            "WHERE state = 'uploaded' AND create_feed_attempted_at IS NOT NULL"
        )

    def _compute_next_attempt_late(self):
        late_after = fields.Datetime.now() - NEXT_ATTEMPT_LATE
        for batch in self:
            batch.next_attempt_late = bool(
                batch.state in (*SENDABLE_STATES, "submitted")
                and batch.next_attempt_at
                and batch.next_attempt_at < late_after
            )

    def _compute_request_count(self):
        counts = dict(
            self.env["amazon.order.request"]._read_group(
                [("batch_id", "in", self.ids)], ["batch_id"], ["__count"]
            )
        )
        for batch in self:
            batch.request_count = counts.get(batch, 0)

    # -- plumbing ------------------------------------------------------------------------------

    def _commit(self):
        """Make a step of a send survive a crash (tests replace it to simulate crashes)."""
        commit_unless_testing(self.env)

    def _lock(self, states, due_only=False):
        """Lock this batch if no other transaction holds it and it is still in `states` (and
        due, with `due_only`: the list of due batches a sender works through gets old)."""
        self.ensure_one()
        due = SQL("AND (next_attempt_at IS NULL OR next_attempt_at <= %s)", fields.Datetime.now())
        return bool(
            claim_free_rows(self, SQL("state IN %s %s", tuple(states), due if due_only else SQL()))
        )

    @api.model
    def _trigger_sender(self, at=None):
        self.env.ref("amazon_refund_cancel.ir_cron_amazon_send_requests")._trigger(at)

    @api.model
    def _trigger_follower(self, at=None):
        self.env.ref("amazon_refund_cancel.ir_cron_amazon_follow_batches")._trigger(at)

    def _notify_user(self, user, title, message, kind="success"):
        if user:
            user._bus_send(
                "simple_notification",
                {"type": kind, "title": title, "message": message, "sticky": kind != "success"},
            )

    # -- batching ------------------------------------------------------------------------------

    @api.model
    def _batch_requests(self, requests, processed_by=None, one_per_batch=False):
        """Claim the queued requests among `requests` and put them in batches.

        Requests that another transaction holds are skipped: each request ends up in exactly
        one batch. A batch holds one account's requests of one type and feed type, at most the
        account's batch size (15 unless a manager raised it).
        """
        claimed = requests._claim_queued()
        batches = self.browse()
        groups = claimed.grouped(
            lambda request: (request.seller_account_id, request.request_type, request.feed_type)
        )
        for (account, _request_type, feed_type), group in groups.items():
            size = 1 if one_per_batch else account.feed_batch_size
            for chunk in split_every(size, group.ids, self.env["amazon.order.request"].browse):
                batch = self.sudo().create(
                    {
                        "seller_account_id": account.id,
                        "feed_type": feed_type,
                        "processed_by_id": processed_by and processed_by.id,
                    }
                )
                chunk._set_sending(batch)
                self._number_messages(chunk)
                batches |= batch
        return batches

    @api.model
    def _number_messages(self, requests):
        """Give each request of a new batch its MessageID, in one query for the whole batch."""
        requests.flush_recordset()
        self.env.cr.execute(
            SQL(
                "UPDATE amazon_order_request AS request SET message_number = numbered.position "
                "FROM unnest(%s::int[]) WITH ORDINALITY AS numbered(id, position) "
                "WHERE request.id = numbered.id",
                requests.ids,
            )
        )
        requests.invalidate_recordset(["message_number"])

    # -- sending -------------------------------------------------------------------------------

    def _send(self, due_only=False):
        """Send each batch, committing after every step: a crash neither loses nor repeats one."""
        for batch in self:
            if not batch._lock(SENDABLE_STATES, due_only):
                continue
            try:
                client = batch.seller_account_id._amazon_client()
                if batch.state == "draft":
                    batch._upload_document(client)
                    # Its commit ended the lock: another sender may have taken the batch since.
                    if not batch._lock(("uploaded",), due_only):
                        continue
                if batch.state == "uploaded":
                    batch._create_feed(client)
            except RetryableError as error:
                batch._postpone(error)
            except (PermanentError, UserError) as error:
                batch._fail(str(error.args[0] if isinstance(error, UserError) else error))
            self._commit()

    def _send_due(self):
        self._send(due_only=True)

    def _upload_document(self, client):
        messages = self._messages_to_send(client)
        if not messages:
            self.write({"state": "failed", "last_error": self.env._("No request left to send.")})
            return
        if self.feed_type == const.FEED_ACKNOWLEDGEMENT:
            content = documents.build_acknowledgement_feed(
                self.seller_account_id.seller_id, messages
            )
        else:
            currency = self.request_ids[:1].currency_id.name
            content = documents.build_adjustment_feed(
                self.seller_account_id.seller_id, messages, currency
            )
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{self.name}.xml",
                "raw": content,
                "mimetype": "application/xml",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        document_id = client.create_feed_document(content)
        self.write(
            {
                "state": "uploaded",
                "feed_document_ref": document_id,
                "document_attachment_id": attachment.id,
            }
        )
        self._commit()

    def _messages_to_send(self, client):
        """Each request's message, checked once more; a request that no longer passes, or that
        Amazon already refunded itself, stays out of the document, in error."""
        messages = []
        sending = self.request_ids.filtered(lambda r: r.state == "sending")
        sending -= sending._amazon_read_amazon_refunds(client)
        for request in sending:
            try:
                request._check_before_sending()
                messages.append(request._amazon_message(request.message_number))
            except UserError as error:
                request._on_refused(False, error.args[0])
        return messages

    def _create_feed(self, client):
        feed_id = None
        if self.create_feed_attempted_at:
            feed_id = self._find_lost_feed(client)
            if not feed_id and fields.Datetime.now() < (
                self.create_feed_attempted_at + FEED_LISTING_GRACE
            ):
                self._wait(FEED_LISTING_GRACE.total_seconds(), error=None)
                return
        if not feed_id:
            # The token first: a wait for the account's quota must not hold its createFeed slot.
            client.reserve_feed_submission()
            if not self._claim_create_feed():
                client.unreserve_feed_submission()
                return
            self._commit()
            if not self._lock(("uploaded",)):
                client.unreserve_feed_submission()
                return
            try:
                feed_id = client.create_feed(self.feed_type, self.feed_document_ref)
            except ThrottledError:
                # A throttled call certainly made no feed: the next try needs no search.
                self.create_feed_attempted_at = False
                raise
        now = fields.Datetime.now()
        self.write(
            {
                "state": "submitted",
                "feed_number": feed_id,
                "feed_status": const.FEED_IN_QUEUE,
                "submitted_at": now,
                "next_attempt_at": now + FEED_POLL_INTERVAL,
                "attempt_count": 0,
                "last_error": False,
            }
        )
        sender = self.processed_by_id or self.request_ids[:1].requested_by_id
        sent = self.request_ids.filtered(lambda r: r.state == "sending")
        sent._set_sent(sender)
        sent._message_log_batch(
            bodies={
                request.id: self.env._(
                    "Sent to Amazon in batch %(batch)s, Document Number %(feed)s.",
                    batch=self.name,
                    feed=feed_id,
                )
                for request in sent
            }
        )
        self._trigger_follower(now + FEED_POLL_INTERVAL)
        self._notify_user(
            self.processed_by_id,
            self.env._("Sent to Amazon"),
            self.env._(
                "Batch %(batch)s: Document Number %(feed)s, 1 request.",
                batch=self.name,
                feed=feed_id,
            )
            if len(sent) == 1
            else self.env._(
                "Batch %(batch)s: Document Number %(feed)s, %(count)s requests.",
                batch=self.name,
                feed=feed_id,
                count=len(sent),
            ),
        )

    def _claim_create_feed(self):
        """Record that this batch calls createFeed, unless another batch of the account and feed
        type has such a call whose outcome is unknown: then wait for that one to be settled."""
        self.flush_model()
        try:
            with self.env.cr.savepoint(flush=False):
                # Raw SQL: a busy slot is an expected answer, not an error worth a log line.
                self.env.cr.execute(
                    # Not due while the call may be on its way: senders with an older list of
                    # due batches leave it alone.
                    SQL(
                        "UPDATE amazon_feed_batch SET create_feed_attempted_at = %s, "
                        "next_attempt_at = %s WHERE id = %s",
                        fields.Datetime.now(),
                        fields.Datetime.now() + CALL_DURATION,
                        self.id,
                    ),
                    log_exceptions=False,
                )
        except psycopg2.errors.UniqueViolation:
            self._wait(self._busy_slot_delay(), error=None)
            self.last_error = self.env._(
                "Waiting until Amazon confirms the feed of an earlier batch of this account."
            )
            return False
        finally:
            self.invalidate_recordset(["create_feed_attempted_at", "next_attempt_at"])
        return True

    def _busy_slot_delay(self):
        """Seconds until the account's createFeed slot is likely free: a call in progress ends
        within seconds; a call whose outcome is unknown waits for Amazon's feed list."""
        holder = self.search(
            [
                ("seller_account_id", "=", self.seller_account_id.id),
                ("feed_type", "=", self.feed_type),
                ("state", "=", "uploaded"),
                ("create_feed_attempted_at", "!=", False),
                ("id", "!=", self.id),
            ],
            limit=1,
        )
        # A holder this transaction cannot see yet claimed the slot a moment ago.
        if not holder or fields.Datetime.now() < holder.create_feed_attempted_at + CALL_DURATION:
            return BUSY_SLOT_RETRY.total_seconds()
        return FEED_POLL_INTERVAL.total_seconds()

    def _find_lost_feed(self, client):
        """The feed createFeed made before a crash kept us from recording it, if Amazon has it.

        Amazon's feed list does not name a feed's document, so the feed is the first one of this
        type created since our call that no other batch of the account claims. Batches of an
        account are sent one after the other, so feeds and batches come in the same order.
        """
        since = self.create_feed_attempted_at - FEED_CLOCK_SKEW
        feeds = client.get_feeds(self.feed_type, created_since=since)
        if not feeds:
            return None
        known = set(
            self.search(
                [
                    ("seller_account_id", "=", self.seller_account_id.id),
                    ("feed_number", "in", [feed.feed_id for feed in feeds]),
                ]
            ).mapped("feed_number")
        )
        unclaimed = sorted(
            (feed for feed in feeds if feed.feed_id not in known),
            key=lambda feed: (feed.created_time, feed.feed_id),
        )
        return unclaimed[0].feed_id if unclaimed else None

    def _postpone(self, error):
        if isinstance(error, ThrottledError):
            delay = error.retry_after
        else:
            delay = min(60 * 2**self.attempt_count, MAX_RETRY_DELAY)
        self._wait(delay, error)

    def _wait(self, seconds, error):
        """Come back in `seconds`: the batch keeps its requests and its place."""
        at = fields.Datetime.now() + timedelta(seconds=max(seconds, 1))
        self.write(
            {
                "next_attempt_at": at,
                "attempt_count": self.attempt_count + (0 if error is None else 1),
                "last_error": error and str(error),
            }
        )
        if self.state in SENDABLE_STATES:
            self._trigger_sender(at)
        else:
            self._trigger_follower(at)

    def _fail(self, message):
        """Amazon refused the batch before creating a feed: nothing of it was applied."""
        self.write({"state": "failed", "last_error": message})
        self.request_ids.filtered(lambda r: r.state == "sending")._on_refused(False, message)

    # -- following -----------------------------------------------------------------------------

    def _follow(self):
        """Ask Amazon how each submitted batch went and give every request its outcome."""
        for batch in self:
            if not batch._lock(("submitted",)):
                continue
            client = batch.seller_account_id._amazon_client()
            try:
                feed = client.get_feed(batch.feed_number)
                batch.feed_status = feed.status
                if feed.status == const.FEED_DONE:
                    batch._apply_report(client.download_feed_result(feed.result_document_id))
                elif feed.status in (const.FEED_FATAL, const.FEED_CANCELLED):
                    batch._abort(feed.status, label=batch._feed_status_label())
                else:
                    batch._watch_stuck()
                    batch._wait(FEED_POLL_INTERVAL.total_seconds(), error=None)
            except (ReportParseError, PermanentError) as error:
                # Amazon may answer better on a later try, but not forever.
                if batch.attempt_count + 1 >= MAX_REPORT_ATTEMPTS:
                    batch._abort(
                        self.env._("processing report unreadable")
                        if isinstance(error, ReportParseError)
                        else self.env._("Amazon refuses to report on the feed"),
                        detail=str(error),
                    )
                else:
                    batch._postpone(RetryableError(str(error)))
            except RetryableError as error:
                batch._postpone(error)
            self._commit()

    def _apply_report(self, content):
        report = parse_processing_report(content)
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{self.name}-processing-report.xml",
                "raw": content,
                "mimetype": "application/xml",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        self.report_attachment_id = attachment
        sent = self.request_ids.filtered(lambda r: r.state == "sent")
        mismatch = self._report_mismatch(report, sent)
        if mismatch:
            self._abort(self.env._("processing report does not match the feed"), mismatch)
            return
        counts = {"ok": 0, "warning": 0, "error": 0}
        for request in sent:
            kind, code, text = report.outcome(request.message_number)
            counts[kind] += 1
            if kind == "error":
                request._on_refused(code, text)
            else:
                request._on_applied(code, text)
        self.write(
            {
                "state": "done",
                "done_at": fields.Datetime.now(),
                "ok_count": counts["ok"],
                "warning_count": counts["warning"],
                "error_count": counts["error"],
                "next_attempt_at": False,
                "last_error": False,
            }
        )
        self.activity_unlink(["mail.mail_activity_data_todo"])

    def _report_mismatch(self, report, sent):
        """Why the report cannot be the answer to the messages this batch sent, or None.

        A report that does not count exactly our messages, or that names others, belongs to
        another feed or is wrong: trusting it could mark done what Amazon never applied.
        """
        sent_ids = set(sent.mapped("message_number"))
        unknown = sorted(set(report.results) - sent_ids)
        whole_document_refused = report.document_errors and not report.processed
        if unknown:
            return self.env._(
                "It names MessageIDs %(unknown)s, which this batch did not send.",
                unknown=", ".join(map(str, unknown)),
            )
        if report.processed != len(sent_ids) and not whole_document_refused:
            return self.env._(
                "Messages Amazon processed: %(processed)s; messages this batch sent: %(sent)s.",
                processed=report.processed if report.processed is not None else "?",
                sent=len(sent_ids),
            )
        return None

    def _abort(self, status, detail=None, label=None):
        """Amazon stopped the feed midway: some requests may be applied, so none is resent.
        `status` is Amazon's status or what went wrong; `label` says Amazon's status plainly."""
        message = self.env._(
            "Amazon stopped processing batch %(batch)s (%(status)s). Some of its requests may "
            "have been applied: check the order in Seller Central, then retry, reject or mark "
            "the request done.",
            batch=self.name,
            status=label or status,
        )
        if detail:
            message = f"{message}\n{detail}"
        self.write({"state": "failed", "last_error": message, "next_attempt_at": False})
        amazon_status = status if status in (const.FEED_FATAL, const.FEED_CANCELLED) else False
        self.request_ids.filtered(lambda r: r.state == "sent")._on_in_doubt(amazon_status, message)
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=self._manager_to_alert().id or self.env.uid,
            summary=self.env._("Check this batch in Seller Central"),
            note=escape(message),
        )

    def _feed_status_label(self):
        self.ensure_one()
        labels = dict(self._fields["feed_status"]._description_selection(self.env))
        return labels.get(self.feed_status, self.feed_status)

    def _manager_to_alert(self):
        """Whoever processed the batch, or else an Amazon manager of its company."""
        return self.processed_by_id or self.env["amazon.seller.account"]._amazon_manager(
            self.company_id
        )

    def _watch_stuck(self):
        """A feed Amazon keeps waiting gets the attention of whoever sent it, once."""
        limit = timedelta(minutes=self.company_id.amazon_stuck_feed_minutes or 120)
        if self.stuck_alerted or fields.Datetime.now() < self.submitted_at + limit:
            return
        self.stuck_alerted = True
        user = self.processed_by_id or self.request_ids[:1].requested_by_id
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=user.id or self.env.uid,
            summary=self.env._("Amazon has not processed this batch yet"),
            note=escape(
                self.env._(
                    "Batch %(batch)s (Document Number %(feed)s) is still %(status)s at Amazon.",
                    batch=self.name,
                    feed=self.feed_number,
                    status=self._feed_status_label(),
                )
            ),
        )

    # -- actions -------------------------------------------------------------------------------

    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(
            "amazon_refund_cancel.group_amazon_manager"
        ):
            raise AccessError(self.env._("Only Amazon managers send batches."))
        self.check_access("read")

    def _refuse_unless(self, states, action):
        wrong = self.filtered(lambda batch: batch.state not in states)
        if wrong:
            raise UserError(
                self.env._(
                    "%(action)s applies to batches %(states)s only: %(batches)s.",
                    action=action,
                    states=", ".join(
                        dict(self._fields["state"]._description_selection(self.env))[state]
                        for state in states
                    ),
                    batches=", ".join(wrong.mapped("name")),
                )
            )

    def action_send_now(self):
        """Send Now: the sender takes these batches at once instead of at their next attempt;
        the call to Amazon happens there, not in the user's transaction."""
        self._check_manager()
        self._refuse_unless(SENDABLE_STATES, self.env._("Send Now"))
        self.sudo().write({"next_attempt_at": False})
        self._trigger_sender()
        return self._action_notification(
            self.env._("Sending"),
            self.env._(
                "%(batches)s will be sent in a moment.", batches=", ".join(self.mapped("name"))
            ),
        )

    def action_check_status(self):
        """Check Status: ask Amazon about these submitted batches now, in the background."""
        self._check_manager()
        self._refuse_unless(("submitted",), self.env._("Check Status"))
        self.sudo().write({"next_attempt_at": False})
        self._trigger_follower()
        return self._action_notification(
            self.env._("Checking"),
            self.env._(
                "Amazon is asked about %(batches)s in a moment.",
                batches=", ".join(self.mapped("name")),
            ),
        )

    def _action_notification(self, title, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": title,
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # -- scheduled actions ---------------------------------------------------------------------

    @api.model
    def _due_domain(self, states):
        return [
            ("state", "in", states),
            "|",
            ("next_attempt_at", "=", False),
            ("next_attempt_at", "<=", fields.Datetime.now()),
        ]

    @api.model
    def _cron_send_requests(self):
        """Batch the requests sent one by one, then send every batch due, company by company."""
        requests = self.env["amazon.order.request"].search(
            [("state", "=", "queued"), ("send_immediately", "=", True), ("batch_id", "=", False)]
        )
        if requests:
            self.env["amazon.job.state"]._retry_collisions(
                "batching requests sent one by one",
                lambda: self._batch_requests(requests, one_per_batch=True),
            )
        batches = self.search(self._due_domain(SENDABLE_STATES), order="id")
        self._run_by_company(batches, "_send_due")

    @api.model
    def _cron_auto_submit(self):
        """Queued requests of the companies that auto-submit go out in batches of the
        account's size. Each batch is committed at once, so that senders start on the first."""
        Request = self.env["amazon.order.request"]
        requests = Request.search(
            [
                ("state", "=", "queued"),
                ("batch_id", "=", False),
                ("company_id.amazon_queue_requests", "=", True),
                ("company_id.amazon_queue_auto_submit", "=", True),
            ],
            order="id",
        )
        made = 0
        groups = requests.grouped(lambda request: (request.seller_account_id, request.feed_type))
        for (account, _feed_type), group in groups.items():
            for chunk in split_every(account.feed_batch_size, group.ids, Request.browse):
                if self.env["amazon.job.state"]._retry_collisions(
                    f"auto-submit of account {account.id}",
                    lambda chunk=chunk: self._batch_requests(chunk),
                ):
                    made += 1
                    if made == 1:
                        self._trigger_sender()
                        # Committed now: a collision of the next chunk undoes that chunk only.
                        self._commit()
        if made > 1:
            self._trigger_sender()

    @api.model
    def _cron_follow_batches(self):
        batches = self.search(self._due_domain(("submitted",)), order="id")
        self._run_by_company(batches, "_follow")

    def _run_by_company(self, batches, method):
        """Work company by company, a bounded number of batches a run."""
        jobs = self.env["amazon.job.state"]
        jobs._run_per_company(
            batches,
            lambda company_batches: jobs._retry_collisions(
                f"{method} of company {company_batches.company_id.id}",
                getattr(company_batches, method),
            ),
            limit=BATCHES_PER_RUN,
        )
