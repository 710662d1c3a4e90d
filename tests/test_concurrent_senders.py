from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestConcurrentSenders(TransactionCase):
    """Two senders on their own database connections, as two workers or a worker and a user.

    Only committed data is visible across connections, so this test commits its data through a
    cursor of its own and removes it afterwards.
    """

    def _committed(self, function):
        with self.registry.cursor() as cr:
            result = function(api.Environment(cr, SUPERUSER_ID, {}))
            # Other connections must see it.
            cr.commit()  # pylint: disable=invalid-commit
        return result

    def _make_requests(self, env):
        company = env.ref("base.main_company")
        account = env["amazon.seller.account"].create(
            {
                "name": "Concurrency seller",
                "company_id": company.id,
                "seller_id": "A1CONCURRENT",
                "marketplace_ids": [
                    Command.set(env.ref("amazon_refund_cancel.marketplace_us").ids)
                ],
                "active": False,
            }
        )
        partner = env["res.partner"].create({"name": "Concurrency buyer"})
        product = env["product.product"].create({"name": "Concurrency mug"})
        order = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "amazon_seller_account_id": account.id,
                "amazon_order_number": "118-0000001-0000001",
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 40,
                            "amazon_order_item_code": "11800000010001",
                        }
                    )
                ],
            }
        )
        requests = env["amazon.order.request"].create(
            [
                {
                    "request_type": "refund",
                    "order_id": order.id,
                    "seller_account_id": account.id,
                    "reason": "CustomerReturn",
                    "state": "queued",
                    "line_ids": [
                        Command.create(
                            {"order_line_id": order.order_line.id, "amount_principal": 1.0}
                        )
                    ],
                }
                for _index in range(40)
            ]
        )
        return requests.ids, (account.id, partner.id, product.id, order.id)

    def _remove(self, env, request_ids, records):
        account_id, partner_id, product_id, order_id = records
        requests = env["amazon.order.request"].browse(request_ids)
        batches = requests.batch_id
        requests.unlink()
        batches.unlink()
        env["sale.order"].browse(order_id).unlink()
        env["product.product"].browse(product_id).unlink()
        env["res.partner"].browse(partner_id).unlink()
        env["amazon.seller.account"].browse(account_id).unlink()

    def test_two_senders_put_each_request_in_exactly_one_batch(self):
        request_ids, records = self._committed(self._make_requests)
        self.addCleanup(self._committed, lambda env: self._remove(env, request_ids, records))

        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            requests1 = env1["amazon.order.request"].browse(request_ids)
            requests2 = env2["amazon.order.request"].browse(request_ids)
            # Both start, the first one on part of the queue while the second takes it all.
            requests2.mapped("state")
            first = env1["amazon.feed.batch"]._batch_requests(requests1[:20])
            second = env2["amazon.feed.batch"]._batch_requests(requests2)
            cr1.commit()
            cr2.commit()
            # A third round on the same connection finds nothing left to batch.
            again = env2["amazon.feed.batch"]._batch_requests(requests2)
            cr2.commit()
            self.assertFalse(again)
            self.assertEqual(len(first.request_ids), 20)
            self.assertEqual(len(second.request_ids), 20)
            self.assertFalse(set(first.request_ids.ids) & set(second.request_ids.ids))

        def check(env):
            requests = env["amazon.order.request"].browse(request_ids)
            self.assertEqual(set(requests.mapped("state")), {"sending"})
            self.assertEqual(len(requests.batch_id), 4)
            self.assertEqual(sorted(requests.batch_id.mapped("request_count")), [5, 5, 15, 15])

        self._committed(check)

    def test_one_create_feed_in_doubt_per_account_across_connections(self):
        """A second worker, whose transaction began before the first one recorded its createFeed
        call, still sees that the account's slot is taken."""
        request_ids, records = self._committed(self._make_requests)
        self.addCleanup(self._committed, lambda env: self._remove(env, request_ids, records))

        def two_uploaded_batches(env):
            requests = env["amazon.order.request"].browse(request_ids)
            batches = env["amazon.feed.batch"]._batch_requests(requests[:2], one_per_batch=True)
            batches.write({"state": "uploaded", "feed_document_ref": "doc"})
            return batches.ids

        first_id, second_id = self._committed(two_uploaded_batches)
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            first = api.Environment(cr1, SUPERUSER_ID, {})["amazon.feed.batch"].browse(first_id)
            second = api.Environment(cr2, SUPERUSER_ID, {})["amazon.feed.batch"].browse(second_id)
            self.assertEqual(second.state, "uploaded", "the second transaction has begun")
            self.assertTrue(first._claim_create_feed())
            cr1.commit()
            self.assertFalse(second._claim_create_feed())
            self.assertFalse(second.create_feed_attempted_at)
            self.assertTrue(second.next_attempt_at)
            cr2.rollback()
        self._committed(
            lambda env: env["amazon.feed.batch"].browse(first_id).write({"state": "failed"})
        )

    def test_a_sender_with_an_old_list_leaves_a_batch_being_sent_alone(self):
        """The scheduled sender found the batch due; another worker claimed its createFeed call
        since: the batch is not due any more and the late sender does not touch it."""
        request_ids, records = self._committed(self._make_requests)
        self.addCleanup(self._committed, lambda env: self._remove(env, request_ids, records))

        def uploaded_batch(env):
            requests = env["amazon.order.request"].browse(request_ids)
            batch = env["amazon.feed.batch"]._batch_requests(requests[:1])
            batch.write({"state": "uploaded", "feed_document_ref": "doc"})
            return batch.id

        batch_id = self._committed(uploaded_batch)
        self._committed(
            lambda env: self.assertTrue(
                env["amazon.feed.batch"].browse(batch_id)._claim_create_feed()
            )
        )
        with self.registry.cursor() as cr:
            late = api.Environment(cr, SUPERUSER_ID, {})["amazon.feed.batch"].browse(batch_id)
            self.assertFalse(late._lock(("uploaded",), due_only=True))
            late._send_due()
            self.assertEqual(late.state, "uploaded")
            self.assertGreater(late.next_attempt_at, late.create_feed_attempted_at)
        self._committed(
            lambda env: env["amazon.feed.batch"].browse(batch_id).write({"state": "failed"})
        )
