from itertools import count

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AmazonEmulatorCase

# Who, each in company A: the addon's groups and those that meet Amazon orders in other apps.
PORTAL, INTERNAL, SALES, STOCK = "portal", "internal user", "salesperson", "warehouse user"
USER, MANAGER, ADMIN = "Amazon User", "Amazon Manager", "system admin"
EVERYONE = (PORTAL, INTERNAL, SALES, STOCK, USER, MANAGER, ADMIN)
EMPLOYEES = (INTERNAL, SALES, STOCK, USER, MANAGER, ADMIN)
AMAZON = (USER, MANAGER, ADMIN)
MANAGERS = (MANAGER, ADMIN)

# Per model and operation, who succeeds on a record of their own company and on one of the
# other company; shared models (no company) have one answer for both. Everyone else is denied.
EXPECTED = {
    "amazon.seller.marketplace": {
        "read": (EMPLOYEES, EMPLOYEES),
        "write": ((ADMIN,), (ADMIN,)),
        "create": ((), ()),
        "unlink": ((), ()),
    },
    "amazon.rate.bucket": {
        "read": ((ADMIN,), (ADMIN,)),
        "write": ((), ()),
        "create": ((), ()),
        "unlink": ((), ()),
    },
    "amazon.seller.account": {
        "read": (EMPLOYEES, ()),
        "write": (MANAGERS, ()),
        "create": (MANAGERS, ()),
        "unlink": (MANAGERS, ()),
    },
    "amazon.job.state": {
        "read": (MANAGERS, ()),
        "write": ((), ()),
        "create": ((), ()),
        "unlink": ((), ()),
    },
    "amazon.order.request": {"read": (AMAZON, ()), "write": ((), ()), "create": ((), ())},
    "amazon.order.request.line": {"read": (AMAZON, ()), "write": ((), ()), "create": ((), ())},
    "amazon.feed.batch": {"read": (AMAZON, ()), "write": ((), ()), "create": ((), ())},
    "amazon.rma": {
        "read": (AMAZON, ()),
        "write": (AMAZON, ()),
        "create": ((), ()),
        "unlink": (MANAGERS, ()),
    },
    "amazon.rma.line": {"read": (AMAZON, ()), "write": ((), ()), "create": ((), ())},
    "amazon.rma.import": {
        "read": (AMAZON, ()),
        "write": ((), ()),
        "create": ((), ()),
        "unlink": (MANAGERS, ()),
    },
    "amazon.sku.mapping": {
        "read": (AMAZON, ()),
        "write": (MANAGERS, ()),
        "create": (MANAGERS, ()),
        "unlink": (MANAGERS, ()),
    },
    "amazon.return.refund.rule": {
        "read": (AMAZON, ()),
        "write": (MANAGERS, ()),
        "create": (MANAGERS, ()),
        "unlink": (MANAGERS, ()),
    },
    "amazon.settlement": {"read": (AMAZON, ()), "write": ((), ()), "create": ((), ())},
    # The money of each order item: Amazon's answers and the addon's checks, read only.
    "amazon.item.ledger": {"read": (AMAZON, ()), "write": ((), ()), "create": ((), ())},
    "amazon.item.ledger.refund": {"read": (AMAZON, ()), "write": ((), ()), "create": ((), ())},
    # The conditions Receive records, shared and fixed.
    "amazon.return.condition": {
        "read": (EMPLOYEES, EMPLOYEES),
        "write": ((), ()),
        "create": ((), ()),
    },
    # Amazon's reasons, shared: made by the system, labels corrected by managers.
    "amazon.return.reason": {
        "read": (EMPLOYEES, EMPLOYEES),
        "write": (MANAGERS, MANAGERS),
        "create": ((), ()),
    },
}
# Requests, their lines, batches, RMA lines and settlements are never deleted by anyone: the
# unlink of those is in test_hostile_rpc. Each operation is tried with a new record.
for operations in EXPECTED.values():
    operations.setdefault("unlink", ((), ()))


class _Rollback(Exception):
    pass


@tagged("post_install", "-at_install")
class TestRpcMatrix(AmazonEmulatorCase):
    """Create, read, write and unlink of every model of the addon, by every group, on records
    of their own company and of the other one, as RPC calls them: the table above, exactly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = {"company_id": cls.company_a.id, "company_ids": [Command.set(cls.company_a.ids)]}
        cls.users = {
            PORTAL: new_test_user(cls.env, "matrix_portal", groups="base.group_portal", **company),
            INTERNAL: new_test_user(cls.env, "matrix_internal", **company),
            SALES: new_test_user(
                cls.env, "matrix_sales", groups="sales_team.group_sale_salesman", **company
            ),
            STOCK: new_test_user(
                cls.env, "matrix_stock", groups="stock.group_stock_user", **company
            ),
            USER: cls.user_a,
            MANAGER: cls.manager_a,
            ADMIN: new_test_user(
                cls.env,
                "matrix_admin",
                groups="base.group_system,amazon_refund_cancel.group_amazon_manager",
                **company,
            ),
        }
        cls.accounts = {"own": cls.account_a, "other": cls.account_b}
        cls.orders = {
            side: cls._create_amazon_order(account, f"131-0000{index}00-0000001")
            for index, (side, account) in enumerate(cls.accounts.items(), start=7)
        }
        cls.serial = count()

    # -- values of a new record of each model, for a company ------------------------------------

    def _values(self, model, side):
        number = next(self.serial)
        account, order = self.accounts[side], self.orders[side]
        company = account.company_id
        request = {
            "request_type": "refund",
            "order_id": order.id,
            "seller_account_id": account.id,
            "reason": "CustomerReturn",
            "line_ids": [Command.create({"order_line_id": order.order_line.id, "quantity": 1})],
        }
        rma = {
            "amazon_rma_number": f"DMATRIX{number}",
            "seller_account_id": account.id,
            "order_id": order.id,
            "line_ids": [
                Command.create(
                    {
                        "product_id": self.product.id,
                        "quantity": 1,
                        "order_line_id": order.order_line.id,
                    }
                )
            ],
        }
        values = {
            "amazon.seller.marketplace": {
                "name": f"Market {number}",
                "code": f"AMATRIX{number}",
                "country_id": self.env.ref("base.fr").id,
                "currency_id": self.env.ref("base.EUR").id,
                "region": "eu",
            },
            "amazon.rate.bucket": {
                "endpoint": "https://matrix.example",
                "seller_id": account.seller_id,
                "operation": f"op{number}",
            },
            "amazon.seller.account": {
                "name": f"Matrix {number}",
                "company_id": company.id,
                "seller_id": f"A1MATRIX{number}",
                "region": "na",
                "marketplace_ids": [Command.set(self.marketplace_us.ids)],
                # Active accounts need credentials, which only system admins enter.
                "active": False,
            },
            "amazon.job.state": lambda: {
                "account_id": self._new("amazon.seller.account", side).id,
                "job": "settlements",
            },
            "amazon.order.request": request,
            "amazon.order.request.line": lambda: {
                "request_id": self._new("amazon.order.request", side).id,
                "order_line_id": order.order_line.id,
                "quantity": 1,
            },
            "amazon.feed.batch": {
                "seller_account_id": account.id,
                "feed_type": "POST_PAYMENT_ADJUSTMENT_DATA",
            },
            "amazon.rma": rma,
            "amazon.rma.line": lambda: {
                "rma_id": self._new("amazon.rma", side).id,
                "product_id": self.product.id,
                "quantity": 1,
                "order_line_id": order.order_line.id,
            },
            "amazon.rma.import": {"source": "manual", "seller_account_id": account.id},
            "amazon.sku.mapping": {
                "account_id": account.id,
                "seller_sku": f"SKU-{number}",
                "product_id": self.product.id,
            },
            "amazon.return.refund.rule": {"name": f"Rule {number}", "company_id": company.id},
            "amazon.return.reason": {"code": f"CR-MATRIX_{number}", "name": f"Matrix {number}"},
            # The six exist: a new one takes a code freed within the attempt's savepoint.
            "amazon.return.condition": lambda: self._free_condition(number),
            "amazon.settlement": {
                "source": "manual",
                "seller_account_id": account.id,
                "state": "failed",
            },
            "amazon.item.ledger": lambda: {
                "order_line_id": self._new_order(side).order_line.id,
                "order_id": self.orders[side].id,
                "company_id": company.id,
                "seller_account_id": account.id,
                "charged_source": "snapshot",
            },
            "amazon.item.ledger.refund": lambda: {
                "ledger_id": self._new("amazon.item.ledger", side).id,
                "source": "finances",
                "kind": "amazon",
                "amount_principal": 1.0,
            },
        }[model]
        # A line's parent is made only when a line is asked for.
        return values() if callable(values) else values

    def _new_order(self, side):
        account = self.accounts[side]
        return self._create_amazon_order(account, f"131-{next(self.serial):07d}-0000002")

    def _free_condition(self, number):
        condition = self.env["amazon.return.condition"].search([("code", "=", "wrong_item")])
        condition.unlink()
        return {"code": "wrong_item", "name": f"Condition {number}"}

    def _new(self, model, side):
        """A record made by the system."""
        return self.env[model].create(self._values(model, side))

    WRITES = {
        "amazon.seller.marketplace": {"name": "Renamed"},
        "amazon.rate.bucket": {"tokens": 15},
        "amazon.seller.account": {"name": "Renamed"},
        "amazon.job.state": {"read_until": "2026-01-01 00:00:00"},
        "amazon.order.request": {"reason": "GeneralAdjustment"},
        "amazon.order.request.line": {"quantity": 2},
        "amazon.feed.batch": {"feed_number": "50001"},
        "amazon.rma": {"resolution": "exchange"},
        "amazon.rma.line": {"quantity": 2},
        "amazon.rma.import": {"file_name": "renamed.txt"},
        "amazon.sku.mapping": {"seller_sku": "RENAMED"},
        "amazon.return.refund.rule": {"name": "Renamed"},
        "amazon.return.reason": {"name": "Renamed"},
        "amazon.return.condition": {"name": "Renamed"},
        "amazon.settlement": {"file_name": "renamed.txt"},
        "amazon.item.ledger": {"charged_principal": 1000.0},
        "amazon.item.ledger.refund": {"amount_principal": 0.0},
    }

    def _attempt(self, user, model, operation, side):
        """'allowed' or 'denied'; whatever the call did is rolled back."""
        env = self.env(user=user)
        try:
            with self.env.cr.savepoint():
                if operation == "create":
                    values = self._values(model, side)
                    env[model].create(values)
                else:
                    record = self._new(model, side).with_env(env)
                    if operation == "read":
                        record.read(["display_name"])
                    elif operation == "write":
                        record.write(self.WRITES[model])
                    else:
                        record.unlink()
                env.flush_all()
                raise _Rollback
        except _Rollback:
            outcome = "allowed"
        except AccessError:
            outcome = "denied"
        self.env.invalidate_all()
        return outcome

    def test_every_model_group_and_company(self):
        mismatches = []
        tally = {"attempts": 0, "denied": 0, "allowed": 0}
        for model, operations in EXPECTED.items():
            shared = "company_id" not in self.env[model]._fields
            for operation, (own, other) in operations.items():
                for side, allowed in (("own", own), ("other", other)):
                    if shared and side == "other":
                        continue
                    for who in EVERYONE:
                        outcome = self._attempt(self.users[who], model, operation, side)
                        tally["attempts"] += 1
                        tally[outcome] += 1
                        expected = "allowed" if who in allowed else "denied"
                        if outcome != expected:
                            mismatches.append(f"{model} {operation} {side}: {who} {outcome}")
        self.assertFalse(mismatches, "\n".join(mismatches))
        # 17 models, 7 groups, 4 operations, both companies (shared models: one).
        self.assertEqual(tally, {"attempts": 840, "denied": 752, "allowed": 88})
