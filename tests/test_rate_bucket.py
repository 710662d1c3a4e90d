import threading
import time
import uuid
from datetime import timedelta
from unittest.mock import patch

from psycopg2 import IntegrityError
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..amazon_api import const
from ..amazon_api.errors import ThrottledError
from ..rate_limit.shared_limiter import SharedRateLimiter
from .common import AmazonEmulatorCase, amazon

# createFeed: 15 tokens, then one every two minutes; a test's seconds add none.
BURST = 15


def committed_buckets(registry, endpoint):
    """{operation: (tokens, rate)} as every connection sees them."""
    with registry.cursor() as cr:
        cr.execute(
            "SELECT operation, tokens, rate FROM amazon_rate_bucket WHERE endpoint = %s",
            [endpoint],
        )
        return {operation: (tokens, rate) for operation, tokens, rate in cr.fetchall()}


def remove_buckets(registry, endpoint):
    with registry.cursor() as cr:
        cr.execute("DELETE FROM amazon_rate_bucket WHERE endpoint = %s", [endpoint])


@tagged("post_install", "-at_install")
class TestSharedQuota(TransactionCase):
    """Workers on their own database connections take from one bucket per seller and operation.

    Takes commit on their own connections, as in production: each test uses an address of its
    own and removes its buckets afterwards.
    """

    def setUp(self):
        super().setUp()
        self.key = (f"http://127.0.0.1/{uuid.uuid4().hex}", "A1SHARED")
        self.addCleanup(remove_buckets, self.registry, self.key[0])

    def _limiter(self):
        return SharedRateLimiter(self.registry)

    def test_two_connections_never_take_more_than_the_bucket_holds(self):
        start = threading.Barrier(2)
        taken, refusals = {}, {}

        def worker(name):
            limiter = self._limiter()
            count = refused = 0
            start.wait()
            for _attempt in range(2 * BURST):
                try:
                    limiter.take(self.key, "createFeed", 0)
                    count += 1
                except ThrottledError:
                    refused += 1
            taken[name] = count
            refusals[name] = refused

        threads = [threading.Thread(target=worker, args=(name,)) for name in ("one", "two")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(sum(taken.values()), BURST, taken)
        self.assertEqual(sum(refusals.values()), 3 * BURST, refusals)
        tokens, rate = committed_buckets(self.registry, self.key[0])["createFeed"]
        self.assertGreaterEqual(tokens, 0)
        self.assertLess(tokens, 1)
        self.assertEqual(rate, amazon.RATE_LIMITS["createFeed"][0])

    def _held_take(self, cr):
        """A take on `cr`, left uncommitted: its row stays locked, as in the middle of a take."""
        cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)

        class HeldLimiter(SharedRateLimiter):
            def _execute(self, query):
                cr.execute(query)
                return cr.fetchall() if cr.description else []

        return HeldLimiter(self.registry).take(self.key, "createFeed", 0)

    def _take_in_thread(self):
        outcome = {}

        def take():
            try:
                outcome["wait"] = self._limiter().take(self.key, "createFeed", 0)
            except ThrottledError as error:
                outcome["refused"] = error

        thread = threading.Thread(target=take)
        thread.start()
        return thread, outcome

    def _leave_one_token(self):
        limiter = self._limiter()
        for _index in range(BURST - 1):
            limiter.take(self.key, "createFeed", 0)

    def test_a_take_waiting_for_another_works_on_what_that_one_left(self):
        self._leave_one_token()
        with self.registry.cursor() as cr:
            self.assertEqual(self._held_take(cr), 0)
            thread, outcome = self._take_in_thread()
            thread.join(timeout=0.5)
            self.assertTrue(thread.is_alive(), "the second take waits for the first one's lock")
            cr.commit()  # pylint: disable=invalid-commit
        thread.join(timeout=30)
        self.assertIn("refused", outcome, "the last token went to the first take")
        self.assertGreater(outcome["refused"].retry_after, 100)

    def test_a_take_rolled_back_leaves_the_token_to_the_next(self):
        self._leave_one_token()
        with self.registry.cursor() as cr:
            self._held_take(cr)
            thread, outcome = self._take_in_thread()
            thread.join(timeout=0.5)
            self.assertTrue(thread.is_alive())
            cr.rollback()
        thread.join(timeout=30)
        self.assertEqual(outcome, {"wait": 0})

    def test_waits_in_line_at_the_rate_and_gives_back_unused_tokens(self):
        limiter = SharedRateLimiter(self.registry, rate_scale=60)
        for _index in range(BURST):
            self.assertEqual(limiter.take(self.key, "createFeed", 0), 0)
        # At 60 times Amazon's pace a token comes every two seconds: callers queue up behind.
        first = limiter.take(self.key, "createFeed", 10)
        second = limiter.take(self.key, "createFeed", 10)
        # Each take refills what the time since the last one brought: a fraction of a second.
        self.assertAlmostEqual(first, 1.05 / (0.0083 * 60), delta=0.3)
        self.assertAlmostEqual(second - first, 1 / (0.0083 * 60), delta=0.3)
        with self.assertRaises(ThrottledError) as refused:
            limiter.take(self.key, "createFeed", 1)
        self.assertGreater(refused.exception.retry_after, 1)
        limiter.release(self.key, "createFeed")
        limiter.release(self.key, "createFeed")
        tokens, _rate = committed_buckets(self.registry, self.key[0])["createFeed"]
        self.assertAlmostEqual(tokens, 0, delta=0.1)

    def test_a_429_empties_the_bucket(self):
        limiter = self._limiter()
        limiter.take(self.key, "getFeed", 0)
        backoff = limiter.throttled(self.key, "getFeed")
        self.assertGreaterEqual(backoff, 1 / 2.0)
        tokens, _rate = committed_buckets(self.registry, self.key[0])["getFeed"]
        self.assertLess(tokens, 1)


@tagged("post_install", "-at_install", "amazon_http")
class TestSharedQuotaWithAmazon(AmazonEmulatorCase):
    def test_buckets_follow_the_rate_amazon_announces(self):
        client = self.account_a._amazon_client()
        with patch.dict(amazon.RATE_LIMITS, {"getFeeds": (0.0005, 10)}):
            client.get_feeds(const.FEED_ADJUSTMENT)
        tokens, rate = committed_buckets(self.registry, self.emulator.url)["getFeeds"]
        self.assertEqual(rate, 0.0005)
        self.assertAlmostEqual(tokens, 9, delta=0.01)

    def test_accounts_of_one_seller_share_its_quota(self):
        """Two companies selling as one Amazon seller spend one quota."""
        twin = self._create_account(self.company_b, self.account_a.seller_id, self.marketplace_us)
        self._emulate_account(twin)
        # A rate slow enough that no token comes back while the test runs, however slowly.
        with patch.dict(amazon.RATE_LIMITS, {"getFeeds": (0.0001, 10)}):
            self.account_a._amazon_client().get_feeds(const.FEED_ADJUSTMENT)
            twin._amazon_client().get_feeds(const.FEED_ADJUSTMENT)
        tokens, _rate = committed_buckets(self.registry, self.emulator.url)["getFeeds"]
        self.assertAlmostEqual(tokens, 8, delta=0.01)

    def test_a_batch_out_of_quota_is_rescheduled_without_waiting(self):
        self.company_a.amazon_queue_requests = True
        order = self._emulated_order("141-0000001-0000001")
        request = self._refund_request(order)
        batch = self.env["amazon.feed.batch"]._batch_requests(request)
        limiter = self.account_a._amazon_client().limiter
        key = (self.emulator.url, self.account_a.seller_id)
        for _index in range(BURST):
            limiter.take(key, "createFeed", 0)
        started = time.monotonic()
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.assertLess(time.monotonic() - started, 5, "no sleeping for two minutes")
        self.assertEqual(batch.state, "uploaded")
        self.assertEqual(request.state, "sending")
        self.assertFalse(batch.create_feed_attempted_at)
        self.assertIn("rate limit", batch.last_error)
        self.env.flush_all()
        self.env.invalidate_all()
        due = fields.Datetime.now() + timedelta(seconds=1 / 0.0083)
        self.assertAlmostEqual(batch.next_attempt_at, due, delta=timedelta(seconds=10))
        sender = self.env.ref("amazon_refund_cancel.ir_cron_amazon_send_requests")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", sender.id)])
        self.assertIn(batch.next_attempt_at, triggers.mapped("call_at"))
        calls = [path for _method, path, _query, _status in self.emulator.requests]
        self.assertIn("/feeds/2021-06-30/documents", calls)
        self.assertNotIn("/feeds/2021-06-30/feeds", calls)

    def test_a_busy_create_feed_slot_is_tried_again_in_seconds_while_the_call_may_run(self):
        self.company_a.amazon_queue_requests = True
        requests = self.env["amazon.order.request"].browse(
            [
                self._refund_request(self._emulated_order(f"143-000000{index}-0000001")).id
                for index in range(2)
            ]
        )
        first, second = self.env["amazon.feed.batch"]._batch_requests(requests, one_per_batch=True)
        (first | second).write({"state": "uploaded", "feed_document_ref": "doc"})
        self.assertTrue(first._claim_create_feed())
        now = fields.Datetime.now()
        self.assertFalse(second._claim_create_feed())
        self.assertLessEqual(second.next_attempt_at, now + timedelta(seconds=6))
        # Long after the call began, its outcome waits for Amazon's feed list: minutes.
        first.create_feed_attempted_at = now - timedelta(minutes=10)
        self.assertFalse(second._claim_create_feed())
        self.assertGreaterEqual(second.next_attempt_at, now + timedelta(minutes=2))


@tagged("post_install", "-at_install")
class TestRateBucketRpc(AmazonEmulatorCase):
    """Quotas change through the limiter only: no group writes them over RPC."""

    def test_no_group_writes_a_bucket(self):
        admin = new_test_user(
            self.env,
            "bucket_admin",
            groups="base.group_system,amazon_refund_cancel.group_amazon_manager",
            company_id=self.company_a.id,
        )
        bucket = self.env["amazon.rate.bucket"].create(
            {"endpoint": "copy", "seller_id": "A1SELLERA", "operation": "getFeeds", "tokens": 1}
        )
        company = {"company_id": self.company_a.id}
        for who, user in {
            "internal user": new_test_user(self.env, "bucket_internal", **company),
            "Sales user": new_test_user(
                self.env, "bucket_salesman", groups="sales_team.group_sale_salesman", **company
            ),
            "Amazon User": self.user_a,
            "Amazon Manager": self.manager_a,
            "system admin": admin,
        }.items():
            env = self.env(user=user)
            attempts = {
                "refill": lambda env=env: bucket.with_env(env).write({"tokens": 15}),
                "raise the rate": lambda env=env: bucket.with_env(env).write({"rate": 100}),
                "create": lambda env=env: env["amazon.rate.bucket"].create(
                    {"endpoint": "x", "seller_id": "A1SELLERA", "operation": "createFeed"}
                ),
                "delete": lambda env=env: bucket.with_env(env).unlink(),
            }
            for attempt, call in attempts.items():
                with self.subTest(who=who, attempt=attempt), self.assertRaises(AccessError):
                    call()
        self.assertEqual(bucket.tokens, 1)
        # Buckets name every company's sellers and addresses: system admins only read them.
        self.assertEqual(bucket.with_user(admin).read(["tokens"])[0]["tokens"], 1)
        for user in (self.user_a, self.manager_a):
            with self.subTest(who=user.login), self.assertRaises(AccessError):
                bucket.with_user(user).read(["tokens", "seller_id", "endpoint"])


@tagged("post_install", "-at_install")
class TestBatchSize(AmazonEmulatorCase):
    def _queue(self, count):
        self.company_a.write({"amazon_queue_requests": True, "amazon_queue_auto_submit": True})
        return self.env["amazon.order.request"].browse(
            [
                self._refund_request(self._emulated_order(f"142-{index:07d}-0000001")).id
                for index in range(count)
            ]
        )

    def test_a_manager_raises_the_batch_size_and_sees_the_queue_shorten(self):
        requests = self._queue(40)
        self.assertEqual(self.account_a.feed_batch_size, 15)
        # 3 feeds fit in the burst of 15 createFeed calls.
        self.assertEqual(
            self.account_a.queue_forecast,
            "40 requests in 3 documents: all sent to Amazon at once.",
        )
        key = (self.emulator.url, self.account_a.seller_id)
        limiter = self.account_a._amazon_client().limiter
        for _index in range(14):
            limiter.take(key, "createFeed", 0)
        self.account_a.invalidate_recordset(["queue_forecast"])
        # One token left: two more feeds wait about two minutes each.
        self.assertEqual(
            self.account_a.queue_forecast,
            "40 requests in 3 documents: all sent to Amazon in about 4 minutes, as Amazon limits "
            "how often documents are sent.",
        )
        self.account_a.with_user(self.manager_a).feed_batch_size = 40
        self.assertEqual(
            self.account_a.queue_forecast,
            "40 requests in 1 document: all sent to Amazon at once.",
        )
        self.env["amazon.feed.batch"]._cron_auto_submit()
        self.assertEqual(requests.batch_id.mapped("request_count"), [40])
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.assertEqual(set(requests.mapped("state")), {"sent"})
        self.assertEqual(len(self.emulator.feeds), 1)
        self.emulator.process_feeds()
        self.assertEqual(len(next(iter(self.emulator.feeds.values())).messages), 40)

    def test_batch_size_has_amazons_bounds_and_users_cannot_change_it(self):
        with self.assertRaises(AccessError):
            self.account_a.with_user(self.user_a).feed_batch_size = 100
        for size in (0, 1001):
            with (
                self.subTest(size=size),
                self.assertRaises(IntegrityError),
                mute_logger("odoo.sql_db"),
            ):
                self.account_a.with_user(self.manager_a).feed_batch_size = size
                self.account_a.flush_recordset()
