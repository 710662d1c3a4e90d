import re
import threading
import unittest

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged

from .common import EMULATOR_MISSING, Emulator

try:
    from ..spapi_emulator.server import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
except ImportError:
    DEMO_CLIENT_ID = DEMO_CLIENT_SECRET = DEMO_REFRESH_TOKEN = None


@tagged("post_install", "-at_install", "amazon_http")
class TestConcurrentJobs(TransactionCase):
    """Every Amazon scheduled action of one account started at the same moment, each on its own
    database connection as Odoo's cron workers run them: none fails on another's writes.

    Only committed data is visible across connections, so the test commits its data through a
    cursor of its own and removes it afterwards.
    """

    @classmethod
    def setUpClass(cls):
        if EMULATOR_MISSING:
            raise unittest.SkipTest(EMULATOR_MISSING)
        super().setUpClass()
        cls.emulator = Emulator(feed_delay=60, report_delay=60).start()
        cls.addClassCleanup(cls.emulator.stop)

    def _committed(self, function):
        with self.registry.cursor() as cr:
            result = function(api.Environment(cr, SUPERUSER_ID, {}))
            cr.commit()  # pylint: disable=invalid-commit
        return result

    def _make_account(self, env):
        company = env.ref("base.main_company")
        self.emulator.add_seller(
            "A1JOBS", DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, f"{DEMO_REFRESH_TOKEN}-A1JOBS"
        )
        settings = {
            "amazon_import_rma_report": company.amazon_import_rma_report,
            "amazon_queue_requests": company.amazon_queue_requests,
            "amazon_queue_auto_submit": company.amazon_queue_auto_submit,
        }
        company.write(
            {
                "amazon_import_rma_report": True,
                "amazon_queue_requests": True,
                "amazon_queue_auto_submit": True,
            }
        )
        account = env["amazon.seller.account"].create(
            {
                "name": "Jobs seller",
                "company_id": company.id,
                "seller_id": "A1JOBS",
                "marketplace_ids": [
                    Command.set(env.ref("amazon_refund_cancel.marketplace_us").ids)
                ],
                "endpoint": "custom",
                "custom_api_url": self.emulator.url,
                "custom_lwa_url": self.emulator.lwa_url,
                "lwa_client_id": DEMO_CLIENT_ID,
                "lwa_client_secret": DEMO_CLIENT_SECRET,
                "lwa_refresh_token": f"{DEMO_REFRESH_TOKEN}-A1JOBS",
                "order_import": True,
            }
        )
        return account.id, settings

    def _remove(self, env, account_id, settings):
        env["amazon.rma.import"].search([("seller_account_id", "=", account_id)]).unlink()
        env["amazon.seller.account"].browse(account_id).unlink()
        env.ref("base.main_company").write(settings)
        env.cr.execute("DELETE FROM amazon_rate_bucket WHERE endpoint = %s", [self.emulator.url])

    @staticmethod
    def _amazon_jobs(env):
        """(name, model, method) of every scheduled action of the addon."""
        crons = env["ir.model.data"].search(
            [("module", "=", "amazon_refund_cancel"), ("model", "=", "ir.cron")]
        )
        jobs = []
        for data in crons:
            cron = env["ir.cron"].browse(data.res_id)
            method = re.fullmatch(r"model\.(\w+)\(\)", cron.code.strip()).group(1)
            jobs.append((data.name, cron.model_id.model, method))
        return jobs

    def test_every_job_of_an_account_at_once(self):
        account_id, settings = self._committed(self._make_account)
        self.addCleanup(self._committed, lambda env: self._remove(env, account_id, settings))
        jobs = self._committed(self._amazon_jobs)
        self.assertGreaterEqual(len(jobs), 13)

        started = threading.Barrier(len(jobs))
        failures = {}

        def run(name, model, method):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    # Every job's transaction has seen the account before any of them writes.
                    env["amazon.seller.account"].browse(account_id).mapped("name")
                    started.wait(timeout=60)
                    getattr(env[model], method)()
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception as error:  # noqa: BLE001 - what failed is the test's finding
                failures[name] = repr(error)

        threads = [threading.Thread(target=run, args=job) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a job never ended")
        self.assertEqual(failures, {})

        def check(env):
            states = env["amazon.job.state"].search([("account_id", "=", account_id)])
            ran = {state.job: state for state in states if state.last_run_at}
            # Each reading of Amazon recorded its own run, and none of them an error.
            self.assertEqual(
                set(ran),
                {
                    "buyer_cancellations",
                    "order_import",
                    "returns_import",
                    "settlements",
                    "amazon_refunds",
                    "cancelled_orders",
                    "order_link",
                },
            )
            self.assertEqual({state.state for state in ran.values()}, {"ok"}, ran)

        self._committed(check)

    def test_a_collision_is_tried_again_without_half_recorded_work(self):
        """A user asks for more orders while the order import runs: the import's clearing of
        the request collides; the whole attempt is undone and run again, which imports all."""
        account_id, settings = self._committed(self._make_account)
        self.addCleanup(self._committed, lambda env: self._remove(env, account_id, settings))
        first, second = "112-9000001-0000001", "112-9000002-0000001"
        self._committed(
            lambda env: (
                env["amazon.seller.account"]
                .browse(account_id)
                .write({"order_import_requested": first})
            )
        )
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account = env["amazon.seller.account"].browse(account_id)
            self.assertEqual(account.order_import_requested, first, "the job's snapshot")
            self._committed(
                lambda other: (
                    other["amazon.seller.account"]
                    .browse(account_id)
                    .write({"order_import_requested": f"{first} {second}"})
                )
            )
            attempts = []

            def work(account, state):
                attempts.append(account.order_import_requested)
                return env["amazon.order.importer"]._import_account(account, state)

            env["amazon.job.state"]._run("order_import", account, work)
            cr.commit()  # pylint: disable=invalid-commit
        # The first attempt collided on the account; the second one read the user's change.
        self.assertEqual(attempts, [first, f"{first} {second}"])

        def check(env):
            account = env["amazon.seller.account"].browse(account_id)
            self.assertFalse(account.order_import_requested)
            state = account._amazon_job("order_import")
            self.assertEqual(state.state, "ok")
            # Amazon knows neither order: each is reported once, the undone attempt left none.
            for number in (first, second):
                logged = env["mail.message"].search(
                    [
                        ("model", "=", "amazon.seller.account"),
                        ("res_id", "=", account_id),
                        ("body", "ilike", number),
                    ]
                )
                self.assertEqual(len(logged), 1, number)

        self._committed(check)
