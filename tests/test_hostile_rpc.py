from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AmazonEmulatorCase


@tagged("post_install", "-at_install")
class TestHostileRpc(AmazonEmulatorCase):
    """Every group tries, as over RPC, what only the addon's checked methods may do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = {"company_id": cls.company_a.id, "company_ids": [Command.set(cls.company_a.ids)]}
        cls.internal = new_test_user(cls.env, "hostile_internal", **company)
        cls.salesman = new_test_user(
            cls.env, "hostile_salesman", groups="sales_team.group_sale_salesman", **company
        )
        cls.user_b = cls._create_user("amazon_user_b", cls.company_b, "group_amazon_user")
        cls.admin = new_test_user(
            cls.env,
            "hostile_admin",
            groups="base.group_system,amazon_refund_cancel.group_amazon_manager",
            **company,
        )
        cls.everyone = {
            "internal user": cls.internal,
            "Sales user": cls.salesman,
            "Amazon User A": cls.user_a,
            "Amazon Manager A": cls.manager_a,
            "Amazon User B": cls.user_b,
            "system admin": cls.admin,
        }

    def setUp(self):
        super().setUp()
        self.order = self._emulated_order("131-0000001-0000001")
        self.queued = self._refund_request(self.order, principal=5.0)
        self.failed = self._refund_request(self.order, principal=5.0)
        self.failed.write({"state": "error", "result_message": "Refused by Amazon"})
        self.env["amazon.feed.batch"]._batch_requests(self.queued)
        self.batch = self.queued.batch_id
        self.other_line = self._emulated_order("131-0000002-0000001").order_line
        self.rma = self.env["amazon.rma"].create(
            {
                "amazon_rma_number": "DHOSTILERMA",
                "seller_account_id": self.account_a.id,
                "order_id": self.order.id,
                "line_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "quantity": 1,
                            "order_line_id": self.order.order_line.id,
                        }
                    )
                ],
            }
        )
        self.rma_import = self.env["amazon.rma.import"].create(
            {"source": "manual", "seller_account_id": self.account_a.id}
        )

    def _attempts(self):
        """Each a way to forge Amazon's answers, money or workflow through plain ORM calls."""
        Request = self.env["amazon.order.request"]
        return {
            "create a done request": lambda env: Request.with_env(env).create(
                {
                    "request_type": "refund",
                    "order_id": self.order.id,
                    "seller_account_id": self.account_a.id,
                    "reason": "CustomerReturn",
                    "state": "done",
                    "line_ids": [
                        Command.create(
                            {"order_line_id": self.order.order_line.id, "amount_principal": 9}
                        )
                    ],
                }
            ),
            "reject a request by write": lambda env: self.queued.with_env(env).write(
                {"state": "rejected"}
            ),
            "queue a request in error": lambda env: self.failed.with_env(env).write(
                {"state": "queued"}
            ),
            "change an amount": lambda env: self.failed.line_ids.with_env(env).write(
                {"amount_principal": 999}
            ),
            "add a line of another order": lambda env: (
                self.env["amazon.order.request.line"]
                .with_env(env)
                .create(
                    {
                        "request_id": self.queued.id,
                        "order_line_id": self.other_line.id,
                        "amount_principal": 1,
                    }
                )
            ),
            "delete a request line": lambda env: self.queued.line_ids.with_env(env).unlink(),
            "delete a request": lambda env: self.failed.with_env(env).unlink(),
            "create a batch": lambda env: (
                self.env["amazon.feed.batch"]
                .with_env(env)
                .create({"seller_account_id": self.account_a.id, "feed_type": self.batch.feed_type})
            ),
            "set a batch's feed": lambda env: self.batch.with_env(env).write(
                {"feed_number": "50001", "state": "done"}
            ),
            "delete a batch": lambda env: self.batch.with_env(env).unlink(),
            "hold or release an order": lambda env: self.order.with_env(env).write(
                {"amazon_on_hold": True, "amazon_buyer_cancel_state": "declined"}
            ),
            "cancel units of a line": lambda env: self.order.order_line.with_env(env).write(
                {"amazon_quantity_cancelled": 1}
            ),
            "record Amazon's report for a job": lambda env: (
                self.account_a._amazon_job("buyer_cancellations")
                .with_env(env)
                .write({"resume_ref": "12345"})
            ),
            "clear an account's connection error": lambda env: self.account_a.with_env(env).write(
                {"connection_state": "ok", "connection_message": False}
            ),
            "forge a return rate": lambda env: (
                self.env["amazon.return.rate.report"]
                .with_env(env)
                .create({"product_id": self.product.id, "quantity_sold": 100})
            ),
            "change a marketplace ID": lambda env: self.marketplace_us.with_env(env).write(
                {"code": "A1FORGED"}
            ),
            "create an RMA": lambda env: (
                self.env["amazon.rma"]
                .with_env(env)
                .create(
                    {
                        "amazon_rma_number": "FORGEDRMA",
                        "seller_account_id": self.account_a.id,
                        "order_id": self.order.id,
                    }
                )
            ),
            "close an RMA by write": lambda env: self.rma.with_env(env).write(
                {"closing_state": "closed"}
            ),
            "forge a SAFE-T reimbursement": lambda env: self.rma.with_env(env).write(
                {"safet_reimbursed_amount": 500, "safet_claim_state": "Granted"}
            ),
            "silence an RMA's deadline alert": lambda env: self.rma.with_env(env).write(
                {"deadline_alert": "overdue"}
            ),
            "mark an RMA returnless": lambda env: self.rma.with_env(env).write(
                {"returnless": True, "a_to_z_claim": True}
            ),
            "change a returned quantity": lambda env: self.rma.line_ids.with_env(env).write(
                {"quantity": 100}
            ),
            "add an RMA line": lambda env: (
                self.env["amazon.rma.line"]
                .with_env(env)
                .create(
                    {
                        "rma_id": self.rma.id,
                        "product_id": self.product.id,
                        "quantity": 5,
                        "order_line_id": self.order.order_line.id,
                    }
                )
            ),
            "delete an RMA line": lambda env: self.rma.line_ids.with_env(env).unlink(),
            "record a condition by write": lambda env: self.rma.line_ids.with_env(env).write(
                {"condition": "sellable"}
            ),
            "finish an import by write": lambda env: self.rma_import.with_env(env).write(
                {"state": "done", "created_count": 50}
            ),
            "create an import": lambda env: (
                self.env["amazon.rma.import"]
                .with_env(env)
                .create({"source": "manual", "seller_account_id": self.account_a.id})
            ),
            "add an import row": lambda env: (
                self.env["amazon.rma.import.line"]
                .with_env(env)
                .create({"import_id": self.rma_import.id, "result": "created"})
            ),
        }

    def test_workflow_and_money_fields_refused_to_every_group(self):
        for who, user in self.everyone.items():
            env = self.env(user=user)
            for attempt, call in self._attempts().items():
                with self.subTest(who=who, attempt=attempt), self.assertRaises(AccessError):
                    call(env)
        self.assertEqual(self.queued.state, "sending")
        self.assertEqual(self.failed.state, "error")
        self.assertEqual(self.failed.line_ids.amount_principal, 5.0)
        self.assertEqual(self.queued.line_ids.order_line_id, self.order.order_line)
        self.assertFalse(self.order.amazon_on_hold)
        self.assertEqual((self.rma.state, self.rma.line_ids.quantity), ("open", 1))
        self.assertEqual((self.rma_import.state, self.rma_import.created_count), ("pending", 0))

    def test_conditions_recorded_by_receivers_of_the_company_only(self):
        refused = {"internal user", "Sales user", "Amazon User B"}
        for who, user in self.everyone.items():
            if who not in refused:
                continue
            with self.subTest(who=who), self.assertRaises(AccessError):
                wizard = self.env["amazon.rma.receive.wizard"].with_user(user)
                wizard.create(
                    {
                        "rma_id": self.rma.id,
                        "line_ids": [
                            Command.create(
                                {"rma_line_id": self.rma.line_ids.id, "condition": "sellable"}
                            )
                        ],
                    }
                ).action_receive()
        self.assertFalse(self.rma.line_ids.condition)
        self.assertFalse(self.rma.picking_ids)

    def test_requests_readable_by_amazon_staff_of_their_company_only(self):
        readers = {"Amazon User A", "Amazon Manager A", "system admin"}
        for who, user in self.everyone.items():
            with self.subTest(who=who):
                request = self.queued.with_user(user)
                if who in readers:
                    self.assertEqual(request.amount_total, 5.0)
                    self.assertEqual(request.batch_id.with_user(user).name, self.batch.name)
                else:
                    with self.assertRaises(AccessError):
                        request.read(["amount_total"])

    def test_secrets_and_endpoint_for_system_admins_only(self):
        attacker = {
            "endpoint": "custom",
            "custom_api_url": "https://attacker.example.com",
            "custom_lwa_url": "https://attacker.example.com/token",
        }
        for who, user in self.everyone.items():
            if who == "system admin":
                continue
            account = self.account_a.with_user(user)
            with self.subTest(who=who, attempt="read secrets"), self.assertRaises(AccessError):
                account.read(["lwa_client_secret", "lwa_refresh_token"])
            with self.subTest(who=who, attempt="redirect"), self.assertRaises(AccessError):
                account.write(attacker)
            with self.subTest(who=who, attempt="API address"), self.assertRaises(AccessError):
                account.write({"custom_api_url": "https://attacker.example.com"})
        self.account_a.with_user(self.manager_a).write({"name": "Renamed by the manager"})
        self.assertEqual(self.account_a.custom_api_url, self.emulator.url)

    def test_new_token_address_needs_the_secrets_again(self):
        account = self.account_a.with_user(self.admin)
        with self.assertRefused("enter its LWA client secret and refresh token"):
            account.write({"custom_lwa_url": "https://proxy.example.com/token"})
        with self.assertRefused("enter its LWA client secret and refresh token"):
            account.write({"endpoint": "production"})
        account.write(
            {
                "custom_lwa_url": "https://proxy.example.com/token",
                "lwa_client_secret": "new-secret",
                "lwa_refresh_token": "Atzr|new-token",
            }
        )
        self.assertEqual(self.account_a.lwa_client_secret, "new-secret")
        # The same address again, or another SP-API address, keeps the stored secrets.
        account.write(
            {"custom_api_url": "http://127.0.0.1:9", "custom_lwa_url": account.custom_lwa_url}
        )
        self.assertEqual(self.account_a.custom_api_url, "http://127.0.0.1:9")

    def test_test_connection_for_managers_of_the_account_only(self):
        logins_before = self._logins()
        for who in ("internal user", "Sales user", "Amazon User A", "Amazon User B"):
            with self.subTest(who=who), self.assertRaises(AccessError):
                self.account_a.with_user(self.everyone[who]).action_test_connection()
        with self.assertRaises(AccessError):
            self.account_b.with_user(self.manager_a).action_test_connection()
        self.assertEqual(self._logins(), logins_before, "nobody refused reached Amazon")
        action = self.account_a.with_user(self.manager_a).action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self._logins(), logins_before + 1)

    def _logins(self):
        return sum(1 for _m, path, _q, _s in self.emulator.requests if path == "/auth/o2/token")

    def test_queue_actions_check_the_group_and_company_in_the_method(self):
        actions = {
            "Process": lambda r: r.action_process(),
            "Reject": lambda r: r.action_reject(),
            "Retry": lambda r: r.action_retry(),
            "Correct": lambda r: r.action_correct(),
            "Mark as Done": lambda r: r.action_mark_done(),
        }
        for who in ("internal user", "Sales user", "Amazon User A", "Amazon User B"):
            for name, action in actions.items():
                with self.subTest(who=who, action=name), self.assertRaises(AccessError):
                    action(self.failed.with_user(self.everyone[who]))
        for who in ("internal user", "Sales user", "Amazon User B"):
            with self.subTest(who=who, action="Withdraw"), self.assertRaises(AccessError):
                self.failed.with_user(self.everyone[who]).action_withdraw()
        order_b = self._emulated_order("131-0000003-0000001", account=self.account_b)
        request_b = self._refund_request(order_b)
        for name, action in actions.items():
            with self.subTest(who="Amazon Manager A", action=name), self.assertRaises(AccessError):
                action(request_b.with_user(self.manager_a))
        self.assertEqual(self.failed.state, "error")
        self.assertEqual(request_b.state, "queued")
        self.failed.with_user(self.admin).action_reject()
        self.assertEqual(self.failed.state, "rejected")

    def test_users_ask_for_refunds_only_through_the_dialog(self):
        order = self._shipped_order("131-0000004-0000001")
        wizard = (
            self.env["amazon.refund.wizard"]
            .with_user(self.user_a)
            .with_context(default_order_id=order.id)
            .create({"reason": "CustomerReturn"})
        )
        wizard.line_ids.write({"amount_principal": 500.0})
        with self.assertRefused("more than the"):
            wizard.action_refund()
        Request = self.env["amazon.order.request"]
        self.assertFalse(Request.search([("order_id", "=", order.id)]))
        wizard.line_ids.write({"amount_principal": 1.0, "amount_shipping": 0, "amount_tax": 0})
        wizard.line_ids.write({"amount_shipping_tax": 0})
        wizard.action_refund()
        request = Request.search([("order_id", "=", order.id)])
        self.assertEqual((request.state, request.requested_by_id), ("queued", self.user_a))
        self.assertEqual(request.amount_total, 2.0)

    def test_rma_decisions_only_through_their_actions(self):
        for who in ("internal user", "Sales user", "Amazon User B"):
            with self.subTest(who=who), self.assertRaises(AccessError):
                self.rma.with_user(self.everyone[who]).action_close()
        self.rma.with_user(self.user_a).resolution = "exchange"
        self.rma.with_user(self.user_a).action_close()
        self.assertEqual((self.rma.state, self.rma.resolution), ("closed", "exchange"))
