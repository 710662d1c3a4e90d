import re
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..amazon_api import const
from ..amazon_api.client import AmazonClient
from ..amazon_api.errors import RetryableError
from .common import AmazonEmulatorCase


class SimulatedCrash(Exception):
    """The process dies right after Amazon answered, before anything else is recorded."""


def _crash_after(method_name):
    """Amazon does the work, then the process dies before recording Amazon's answer."""
    original = getattr(AmazonClient, method_name)

    def crashing(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise SimulatedCrash(method_name)

    return patch.object(AmazonClient, method_name, crashing)


@tagged("post_install", "-at_install", "amazon_http")
class TestRequestPipeline(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.Batch = self.env["amazon.feed.batch"]
        self.Request = self.env["amazon.order.request"]

    def _orders(self, count, prefix="113"):
        return [self._emulated_order(f"{prefix}-{index:07d}-0000001") for index in range(count)]

    def _queue_mode(self, auto_submit=False):
        self.company_a.write(
            {"amazon_queue_requests": True, "amazon_queue_auto_submit": auto_submit}
        )

    def _refill_quotas(self):
        """As after hours: every bucket of the account full, ours in the database and Amazon's."""
        with self.registry.cursor() as cr:
            cr.execute(
                "UPDATE amazon_rate_bucket SET tokens = burst WHERE endpoint = %s",
                [self.emulator.url],
            )
        self.emulator.reset_rate_limits()

    def _created_feeds(self):
        return [
            path
            for method, path, _query, status in self.emulator.requests
            if method == "POST" and path == "/feeds/2021-06-30/feeds" and status == 202
        ]

    def _messages_at_amazon(self):
        """Every (order, MessageID) Amazon received, one entry per message of every feed."""
        return [
            message.amazon_order_id
            for feed in self.emulator.feeds.values()
            for message in feed.messages
        ]

    def _send_until_crash(self, batch, crash):
        """Send `batch` until `crash` fires; what was not committed by then is lost."""

        def commit(batch_self):
            batch_self.env.flush_all()
            batch_self.env.cr.execute("SAVEPOINT simulated_commit")

        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT simulated_commit")
        with patch.object(type(self.Batch), "_commit", commit), crash:
            try:
                batch._send()
            except SimulatedCrash:
                self.env.cr.execute("ROLLBACK TO SAVEPOINT simulated_commit")
                self.env.invalidate_all(flush=False)
            else:
                self.fail("The send did not crash")

    def _finish_at_amazon(self, batches):
        self.emulator.process_feeds()
        batches._follow()

    def test_immediate_mode_sends_each_request_alone(self):
        orders = self._orders(2)
        requests = self._refund_request(orders[0]) | self._refund_request(orders[1])
        self.assertTrue(all(requests.mapped("send_immediately")))
        self.Batch._cron_send_requests()
        batches = requests.batch_id
        self.assertEqual(len(batches), 2)
        self.assertEqual(set(batches.mapped("state")), {"submitted"})
        self.assertEqual(set(requests.mapped("state")), {"sent"})
        self.assertTrue(all(batches.mapped("feed_number")))
        self._finish_at_amazon(batches)
        self.assertEqual(set(requests.mapped("state")), {"done"})
        self.assertEqual(set(batches.mapped("state")), {"done"})
        self.assertEqual(batches.mapped("ok_count"), [1, 1])
        refunded = self.emulator.orders[orders[0].amazon_order_number].items
        self.assertEqual(str(next(iter(refunded.values())).refunded["Principal"]), "10.00")

    def test_manual_processing_of_40_requests_makes_batches_of_15_15_10(self):
        self._queue_mode()
        requests = self.Request.browse(
            [self._refund_request(order).id for order in self._orders(40)]
        )
        self.Batch._cron_send_requests()
        self.assertEqual(set(requests.mapped("state")), {"queued"}, "queued waits for a manager")
        action = requests.with_user(self.manager_a).action_process()
        batches = requests.batch_id
        self.assertEqual(sorted(batches.mapped("request_count")), [10, 15, 15])
        for batch in batches:
            self.assertIn(batch.name, action["params"]["message"])
            self.assertEqual(
                sorted(batch.request_ids.mapped("message_number")),
                list(range(1, batch.request_count + 1)),
            )
        self.Batch._cron_send_requests()
        self.assertEqual(len(self._created_feeds()), 3)
        self.assertEqual(set(batches.mapped("processed_by_id")), {self.manager_a})
        self.assertEqual(set(requests.mapped("sent_by_id")), {self.manager_a})
        self._finish_at_amazon(batches)
        self.assertEqual(set(requests.mapped("state")), {"done"})
        self.assertEqual(
            sorted(self._messages_at_amazon()), sorted(requests.mapped("amazon_order_number"))
        )

    def test_one_process_sends_refunds_and_cancellations_each_in_their_own_documents(self):
        """A refund and a partial cancellation are both Amazon adjustments: one Process still
        puts each in a document of its own type."""
        self._queue_mode()
        refund = self._refund_request(self._orders(1)[0])
        unshipped = self._emulated_order("113-0000099-0000001", shipped=False)
        unshipped.action_confirm()
        cancellation = self.Request._amazon_new(
            unshipped,
            "cancellation",
            "NoInventory",
            [{"order_line_id": unshipped.order_line.id, "quantity_cancelled": 1}],
        )
        cancellation._queue()
        self.assertEqual(refund.feed_type, cancellation.feed_type)
        action = (refund | cancellation).with_user(self.manager_a).action_process()
        self.assertEqual(len((refund | cancellation).batch_id), 2)
        self.assertNotEqual(refund.batch_id, cancellation.batch_id)
        self.assertTrue(
            action["params"]["message"].startswith("1 refund and 1 cancellation in batches "),
            action["params"]["message"],
        )
        with self.assertRaisesRegex(UserError, "Only queued requests can be processed"):
            refund.with_user(self.manager_a).action_process()

    def test_process_refuses_users(self):
        self._queue_mode()
        request = self._refund_request(self._orders(1)[0])
        with self.assertRaises(AccessError):
            request.with_user(self.user_a).action_process()
        with self.assertRaises(AccessError):
            self.Batch.with_user(self.user_a).create(
                {"seller_account_id": self.account_a.id, "feed_type": const.FEED_ADJUSTMENT}
            )

    def test_auto_submit_sends_queued_requests_in_batches(self):
        self._queue_mode(auto_submit=True)
        requests = self.Request.browse(
            [self._refund_request(order).id for order in self._orders(16)]
        )
        self.assertFalse(any(requests.mapped("send_immediately")))
        self.Batch._cron_auto_submit()
        self.assertEqual(sorted(requests.batch_id.mapped("request_count")), [1, 15])
        self.Batch._cron_send_requests()
        self.assertEqual(set(requests.mapped("state")), {"sent"})

    def test_each_request_gets_its_own_outcome(self):
        self._queue_mode()
        # Let the too large refund through Odoo's own check, for Amazon to refuse it.
        self.company_a.amazon_allow_over_refund = True
        good, too_much, good_too = self._orders(3)
        requests = (
            self._refund_request(good)
            | self._refund_request(too_much, principal=500)
            | self._refund_request(good_too)
        )
        requests.with_user(self.manager_a).action_process()
        batch = requests.batch_id
        self.assertEqual(len(batch), 1)
        self.Batch._cron_send_requests()
        self._finish_at_amazon(batch)
        refused = requests.filtered(lambda r: r.order_id == too_much)
        self.assertEqual(refused.state, "error")
        self.assertTrue(refused.result_code and refused.result_message)
        self.assertEqual((requests - refused).mapped("state"), ["done", "done"])
        self.assertEqual((batch.ok_count, batch.error_count), (2, 1))
        self.assertEqual(batch.state, "done")
        activity = too_much.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn(refused.name, activity.note)

    def test_fatal_feed_is_never_resent(self):
        requests = self._refund_request(self._orders(1)[0])
        self.emulator.next_feed_outcome = "FATAL"
        self.Batch._cron_send_requests()
        batch = requests.batch_id
        self._finish_at_amazon(batch)
        self.assertEqual(batch.state, "failed")
        self.assertEqual(requests.state, "error")
        self.assertIn("may have been applied", requests.result_message)
        self.Batch._cron_send_requests()
        self.assertEqual(len(self._created_feeds()), 1)

    def test_stuck_batch_raises_one_activity(self):
        request = self._refund_request(self._orders(1)[0])
        self.emulator.next_feed_outcome = "STUCK"
        self.Batch._cron_send_requests()
        batch = request.batch_id
        self.emulator.process_feeds()
        batch._follow()
        self.assertFalse(batch.activity_ids, "not stuck yet")
        batch.submitted_at = fields.Datetime.now() - timedelta(hours=3)
        batch._follow()
        batch._follow()
        self.assertEqual(len(batch.activity_ids), 1)
        self.assertEqual(batch.state, "submitted")
        self.assertEqual(batch.feed_status, "IN_PROGRESS")

    def test_withdraw_reject_retry(self):
        self._queue_mode()
        self.company_a.amazon_allow_over_refund = True
        withdrawn_order, rejected_order, retried_order = self._orders(3)
        withdrawn = self._refund_request(withdrawn_order)
        rejected = self._refund_request(rejected_order)
        retried = self._refund_request(retried_order, principal=500)
        withdrawn.with_user(self.user_a).action_withdraw()
        rejected.with_user(self.manager_a).action_reject()
        with self.assertRaises(AccessError):
            retried.with_user(self.user_a).action_reject()
        self.assertEqual((withdrawn.state, rejected.state), ("withdrawn", "rejected"))
        with self.assertRaisesRegex(UserError, "Only queued requests can be processed"):
            (rejected | retried).with_user(self.manager_a).action_process()
        retried.with_user(self.manager_a).action_process()
        self.Batch._cron_send_requests()
        self._finish_at_amazon(retried.batch_id)
        self.assertEqual(retried.state, "error")
        retried.line_ids.amount_principal = 5
        retried.with_user(self.manager_a).action_retry()
        self.assertEqual(retried.state, "queued")
        self.assertFalse(retried.batch_id)
        retried.with_user(self.manager_a).action_process()
        self.Batch._cron_send_requests()
        self._finish_at_amazon(retried.batch_id)
        self.assertEqual(retried.state, "done")
        sent_orders = self._messages_at_amazon()
        self.assertNotIn(withdrawn_order.amazon_order_number, sent_orders)
        self.assertNotIn(rejected_order.amazon_order_number, sent_orders)
        self.assertEqual(sent_orders.count(retried_order.amazon_order_number), 2)

    def test_crash_after_upload_then_rerun_sends_once(self):
        request = self._refund_request(self._orders(1)[0])
        self.Batch._batch_requests(request, one_per_batch=True)
        batch = request.batch_id
        self._send_until_crash(batch, _crash_after("create_feed_document"))
        self.assertEqual(batch.state, "draft")
        batch._send()
        self.assertEqual(batch.state, "submitted")
        self.assertEqual(len(self._created_feeds()), 1)

    def test_crash_after_create_feed_then_rerun_finds_the_feed(self):
        request = self._refund_request(self._orders(1)[0])
        self.Batch._batch_requests(request, one_per_batch=True)
        batch = request.batch_id
        self._send_until_crash(batch, _crash_after("create_feed"))
        self.assertEqual(batch.state, "uploaded")
        self.assertTrue(batch.create_feed_attempted_at)
        batch._send()
        self.assertEqual(batch.state, "submitted")
        self.assertEqual(len(self._created_feeds()), 1)
        self.assertEqual(batch.feed_number, next(iter(self.emulator.feeds)))
        self._finish_at_amazon(batch)
        self.assertEqual(request.state, "done")
        self.assertEqual(self._messages_at_amazon(), [request.amazon_order_number])

    def test_create_feed_lost_on_the_way_is_sent_after_the_grace_time(self):
        request = self._refund_request(self._orders(1)[0])
        self.Batch._batch_requests(request, one_per_batch=True)
        batch = request.batch_id
        self._send_until_crash(
            batch, patch.object(AmazonClient, "create_feed", side_effect=SimulatedCrash)
        )
        batch._send()
        self.assertEqual(batch.state, "uploaded", "Amazon may still list it: wait")
        self.assertFalse(self._created_feeds())
        batch.create_feed_attempted_at -= timedelta(minutes=10)
        batch._send()
        self.assertEqual(batch.state, "submitted")
        self.assertEqual(len(self._created_feeds()), 1)

    def test_throttling_storm_delivers_everything_later(self):
        self._queue_mode()
        requests = self.Request.browse(
            [self._refund_request(order).id for order in self._orders(40)]
        )
        requests.with_user(self.manager_a).action_process()
        batches = requests.batch_id
        self.emulator.inject("createFeed", status=429, times=4)
        for _attempt in range(10):
            self.Batch._cron_send_requests()
            self.assertFalse(requests.filtered(lambda r: r.state == "error"))
            if set(batches.mapped("state")) == {"submitted"}:
                break
            waiting = batches.filtered(lambda b: b.state != "submitted")
            self.assertTrue(all(waiting.mapped("next_attempt_at")))
            # Time passes: Amazon's quota and ours fill up again.
            self._refill_quotas()
            waiting.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.assertEqual(set(batches.mapped("state")), {"submitted"})
        self.assertEqual(self.emulator.throttled_count, 4)
        self._finish_at_amazon(batches)
        self.assertEqual(set(requests.mapped("state")), {"done"})
        self.assertEqual(len(self._messages_at_amazon()), 40)

    def test_idle_scheduled_runs_are_cheap(self):
        self.env.flush_all()
        with self.assertQueryCount(5):
            self.Batch._cron_send_requests()
        with self.assertQueryCount(5):
            self.Batch._cron_auto_submit()
        with self.assertQueryCount(5):
            self.Batch._cron_follow_batches()

    def test_batching_queries_grow_with_batches_not_requests(self):
        self._queue_mode()
        one = self._refund_request(self._orders(1, prefix="114")[0])
        fifteen = self.Request.browse(
            [self._refund_request(order).id for order in self._orders(15, prefix="115")]
        )
        thirty = self.Request.browse(
            [self._refund_request(order).id for order in self._orders(30, prefix="116")]
        )
        counts = []
        for requests in (one, fifteen, thirty):
            self.env.flush_all()
            before = self.cr.sql_log_count
            self.Batch._batch_requests(requests)
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
        self.assertLessEqual(counts[1], counts[0] + 2, counts)
        self.assertLessEqual(counts[2], 2 * counts[1] + 2, counts)

    def test_company_isolation(self):
        order_b = self._emulated_order("117-0000001-0000001", account=self.account_b)
        request_b = self._refund_request(order_b)
        request_a = self._refund_request(self._orders(1)[0])
        self.Batch._cron_send_requests()
        visible = self.Request.with_user(self.manager_a).search([])
        self.assertIn(request_a, visible)
        self.assertNotIn(request_b, visible)
        batches = self.Batch.with_user(self.manager_a).search([])
        self.assertIn(request_a.batch_id, batches)
        self.assertNotIn(request_b.batch_id, batches)
        with self.assertRaises(AccessError):
            request_b.with_user(self.manager_a).action_reject()

    def _cancellation_request(self, order):
        request = self.Request.create(
            {
                "request_type": "cancellation",
                "order_id": order.id,
                "seller_account_id": order.amazon_seller_account_id.id,
                "reason": "NoInventory",
                "line_ids": [
                    Command.create(
                        {
                            "order_line_id": order.order_line.id,
                            "quantity_cancelled": int(order.order_line.product_uom_qty),
                        }
                    )
                ],
            }
        )
        request._queue()
        return request

    def test_a_feed_in_doubt_keeps_the_other_batches_of_its_account_waiting(self):
        """B1's createFeed never reaches Amazon; B2's reaches it but its answer is lost. A feed
        found in Amazon's list then belongs to one batch only: nothing lost, nothing sent twice."""
        self._queue_mode()
        orders = [
            self._emulated_order(f"119-{index:07d}-0000001", shipped=False) for index in range(16)
        ]
        requests = self.Request.browse([self._cancellation_request(order).id for order in orders])
        requests.with_user(self.manager_a).action_process()
        first, second = requests.batch_id.sorted("id")
        self.assertEqual((first.request_count, second.request_count), (15, 1))
        timeout = RetryableError("createFeed: Amazon did not answer in time")
        with patch.object(AmazonClient, "create_feed", side_effect=timeout):
            first._send()
        self.assertEqual(first.state, "uploaded")
        with _crash_after("create_feed"):
            second._send()
        self.assertEqual(second.state, "uploaded", "it waits for the first batch's feed")
        self.assertFalse(second.create_feed_attempted_at)
        self.assertFalse(self._created_feeds(), "the second batch did not call createFeed")
        # Amazon never listed the first batch's feed: after the grace time it is sent again.
        first.create_feed_attempted_at -= timedelta(minutes=10)
        first._send()
        second._send()
        self.assertEqual((first.state, second.state), ("submitted", "submitted"))
        self._finish_at_amazon(first | second)
        self.assertEqual(set(requests.mapped("state")), {"done"})
        self.assertEqual(
            sorted(self._messages_at_amazon()),
            sorted(order.amazon_order_number for order in orders),
        )
        self.assertEqual(len(self._created_feeds()), 2)

    def _follow_with_report(self, batch, rewrite):
        """Follow `batch` once, Amazon's processing report changed by `rewrite` on the way."""
        original = AmazonClient.download_feed_result

        def rewritten(client, document_id):
            return rewrite(original(client, document_id))

        self.emulator.process_feeds()
        with patch.object(AmazonClient, "download_feed_result", rewritten):
            batch._follow()

    def _assert_held_for_a_manager(self, batch, requests):
        self.assertEqual(batch.state, "failed")
        self.assertEqual(set(requests.mapped("state")), {"error"})
        self.assertFalse(requests.credit_note_id.filtered(lambda move: move.state == "posted"))
        activity = batch.activity_ids
        self.assertEqual(activity.user_id, self.manager_a)
        self.assertIn("does not match", activity.note)

    def test_a_report_counting_fewer_messages_marks_nothing_done(self):
        self._queue_mode()
        requests = self.Request.browse(
            [self._refund_request(order).id for order in self._orders(3, prefix="120")]
        )
        requests.with_user(self.manager_a).action_process()
        batch = requests.batch_id
        self.Batch._cron_send_requests()

        def fewer(report):
            return re.sub(rb"<MessagesProcessed>3<", b"<MessagesProcessed>2<", report)

        self._follow_with_report(batch, fewer)
        self._assert_held_for_a_manager(batch, requests)
        self.assertIn("Amazon processed: 2; messages this batch sent: 3", batch.last_error)

    def test_a_report_naming_messages_not_sent_marks_nothing_done(self):
        self._queue_mode()
        self.company_a.amazon_allow_over_refund = True
        good, refused = self._orders(2, prefix="121")
        requests = self._refund_request(good) | self._refund_request(refused, principal=500)
        requests.with_user(self.manager_a).action_process()
        batch = requests.batch_id
        self.Batch._cron_send_requests()

        def foreign(report):
            self.assertIn(b"<MessageID>2</MessageID>", report)
            return report.replace(b"<MessageID>2</MessageID>", b"<MessageID>7</MessageID>")

        self._follow_with_report(batch, foreign)
        self._assert_held_for_a_manager(batch, requests)
        self.assertIn("MessageIDs 7", batch.last_error)

    def test_amazon_refusing_to_report_ends_in_a_visible_failure(self):
        request = self._refund_request(self._orders(1, prefix="122")[0])
        self.Batch._cron_send_requests()
        batch = request.batch_id
        self.emulator.process_feeds()
        self.emulator.inject("getFeed", status=403, times=10)
        for _attempt in range(5):
            self.assertEqual(batch.state, "submitted")
            batch._follow()
        self.assertEqual(batch.state, "failed")
        self.assertEqual(request.state, "error")
        self.assertIn("refuses to report", request.result_message)
        self.assertTrue(batch.activity_ids)
