import unittest

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import AmazonEmulatorCase

try:
    from odoo_test_helper import FakeModelLoader
except AttributeError:  # its release of today reads registry internals that 19.0 renamed
    FakeModelLoader = None


class OrderLinkCase(AmazonEmulatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tee = cls.env["product.product"].create(
            {"name": "Amazon Tee", "default_code": "TEE-1", "is_storable": True}
        )
        ref_field = cls.env["ir.model.fields"]._get("sale.order", "client_order_ref")
        for account in cls.account_a | cls.account_b:
            account.write({"order_link_source": "field", "order_link_field_id": ref_field.id})

    def _amazon_order(self, number, items, account=None, channel="MFN"):
        """The order at the emulator: items are (order item id, sku, quantity)."""
        account = account or self.account_a
        self.emulator.add_order(
            account.seller_id,
            number,
            account.marketplace_ids[:1].code,
            fulfillment_channel=channel,
            items=[
                {
                    "order_item_id": code,
                    "sku": sku,
                    "quantity": quantity,
                    "prices": {"Principal": 20 * quantity},
                }
                for code, sku, quantity in items
            ],
        )

    def _plain_order(self, lines, company=None, **values):
        """An order as another connector or a person enters it, without the addon's fields."""
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "company_id": (company or self.company_a).id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": quantity})
                    for product, quantity in lines
                ],
                **values,
            }
        )

    def _link(self):
        self.env["amazon.order.linker"]._cron_link_orders()

    def _deliver(self, order):
        picking = order.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking._action_done()

    def _send_and_answer(self, requests):
        self.env["amazon.feed.batch"]._cron_send_requests()
        self.emulator.process_feeds()
        requests.batch_id._follow()

    def _cancel_all(self, order):
        """Cancel Order through the dialog, every unshipped unit, and Amazon's answer."""
        form = Form(self.env["amazon.cancel.wizard"].with_context(default_order_id=order.id))
        form.reason = "NoInventory"
        form.save().action_cancel_order()
        request = order.amazon_request_ids.sorted("id")[-1:]
        self._send_and_answer(request)
        return request


@tagged("post_install", "-at_install")
class TestOrderLink(OrderLinkCase):
    def test_link_from_customer_reference_reads_item_ids_from_amazon(self):
        number = "111-2000001-0000001"
        self._amazon_order(
            number, [("20000010000001", "MUG-1", 2), ("20000010000002", "TEE-1", 1)], channel="AFN"
        )
        order = self._plain_order([(self.product, 2), (self.tee, 1)], client_order_ref=number)
        self._link()
        self.assertEqual(order.amazon_seller_account_id, self.account_a)
        self.assertEqual(order.amazon_order_number, number)
        self.assertEqual(order.amazon_seller_marketplace_id, self.marketplace_us)
        self.assertEqual(order.amazon_fulfillment, "amazon")
        self.assertEqual(
            order.order_line.mapped("amazon_order_item_code"), ["20000010000001", "20000010000002"]
        )
        self.assertEqual(order.amazon_link_state, "linked")
        self.assertFalse(order.amazon_link_note)
        self.assertIn(
            ("GET", f"/orders/2026-01-01/orders/{number}"),
            [(method, path) for method, path, _query, _status in self.emulator.requests],
        )
        self.assertFalse(
            [path for _m, path, _q, _s in self.emulator.requests if path.startswith("/orders/v0")]
        )

    def test_linked_order_refunds_end_to_end(self):
        number = "111-2000001-0000002"
        self._amazon_order(number, [("20000010000003", "MUG-1", 2)])
        self.emulator.ship(number)
        order = self._plain_order([(self.product, 2)], client_order_ref=number)
        self._link()
        order.action_confirm()
        self._deliver(order)
        request = self._refund_request(order, principal=10.0)
        self._send_and_answer(request)
        self.assertEqual(request.state, "done")
        item = self.emulator.orders[number].items["20000010000003"]
        self.assertEqual(float(item.refunded["Principal"]), 10.0)

    def test_linked_order_cancels_end_to_end(self):
        number = "111-2000001-0000003"
        self._amazon_order(number, [("20000010000004", "MUG-1", 2)])
        order = self._plain_order([(self.product, 2)], client_order_ref=number)
        self._link()
        order.action_confirm()
        request = self._cancel_all(order)
        self.assertEqual(request.state, "done")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(self.emulator.orders[number].fulfillment_status, "CANCELLED")

    def test_unmatched_lines_and_items_are_listed_with_why(self):
        number = "111-2000001-0000004"
        self._amazon_order(
            number,
            [("20000010000005", "MUG-1", 3), ("20000010000006", "UNKNOWN-SKU", 1)],
        )
        order = self._plain_order([(self.product, 2), (self.tee, 1)], client_order_ref=number)
        self._link()
        # Nothing matched: not linked, and why.
        self.assertEqual(order.amazon_link_state, "failed")
        self.assertFalse(order.amazon_order_number)
        self.assertFalse(any(order.order_line.mapped("amazon_order_item_code")))
        note = order.amazon_link_note
        self.assertIn("Amazon sold 3, the order's lines of", note)
        self.assertIn("UNKNOWN-SKU", note)
        self.assertIn("no product has the internal reference", note)
        self.assertIn("Amazon Tee", note)
        self.assertIn(
            order,
            self.env["sale.order"].search([("amazon_link_state", "in", ("partial", "failed"))]),
        )

    def test_sku_of_two_products_is_not_matched(self):
        self.env["product.product"].create({"name": "Other mug", "default_code": "MUG-1"})
        number = "111-2000001-0000005"
        self._amazon_order(number, [("20000010000007", "MUG-1", 2)])
        order = self._plain_order([(self.product, 2)], client_order_ref=number)
        self._link()
        self.assertEqual(order.amazon_link_state, "failed")
        self.assertFalse(order.order_line.amazon_order_item_code)
        self.assertIn("SKU MUG-1 matches several products", order.amazon_link_note)

    def test_sku_mapping_of_the_account_matches(self):
        number = "111-2000001-0000006"
        self._amazon_order(number, [("20000010000008", "AMZ-TEE-RED", 1)])
        self.account_a.sku_mapping_ids = [
            Command.create({"seller_sku": "AMZ-TEE-RED", "product_id": self.tee.id})
        ]
        order = self._plain_order([(self.tee, 1)], client_order_ref=number)
        self._link()
        self.assertEqual(order.amazon_link_state, "linked")
        self.assertEqual(order.order_line.amazon_order_item_code, "20000010000008")

    def test_origin_as_order_field(self):
        self.account_a.order_link_field_id = self.env["ir.model.fields"]._get(
            "sale.order", "origin"
        )
        number = "111-2000001-0000007"
        self._amazon_order(number, [("20000010000009", "MUG-1", 2)])
        order = self._plain_order([(self.product, 2)], origin=number)
        self._link()
        self.assertEqual(order.amazon_order_number, number)
        self.assertEqual(order.order_line.amazon_order_item_code, "20000010000009")

    def test_not_an_amazon_order_id_is_skipped_with_why(self):
        order = self._plain_order([(self.product, 2)], client_order_ref="PO 4471")
        self._link()
        self.assertFalse(order.amazon_seller_account_id)
        self.assertEqual(order.amazon_link_state, "failed")
        self.assertIn("'PO 4471' is not an Amazon order ID", order.amazon_link_note)
        with self.assertRefused("is not an Amazon order ID"):
            order.with_user(self.user_a).action_amazon_link()

    def test_order_unknown_to_amazon_is_not_linked(self):
        order = self._plain_order([(self.product, 2)], client_order_ref="111-2000001-0000099")
        self._link()
        self.assertFalse(order.amazon_seller_account_id)
        self.assertEqual(order.amazon_link_state, "failed")
        self.assertIn("Amazon does not know order 111-2000001-0000099", order.amazon_link_note)

    def test_order_id_linked_elsewhere_is_refused_naming_both(self):
        number = "111-2000001-0000008"
        first = self._create_amazon_order(self.account_a, number)
        second = self._plain_order([(self.product, 2)], client_order_ref=number)
        with self.assertRefused(f"already linked to {first.name}.*{second.name} is not linked"):
            second.with_user(self.user_a).action_amazon_link()
        self._link()
        self.assertFalse(second.amazon_seller_account_id)
        self.assertIn(first.name, second.amazon_link_note)

    def test_link_action_queues_and_scheduled_action_links(self):
        number = "111-2000001-0000009"
        self._amazon_order(number, [("20000010000010", "MUG-1", 2)])
        order = self._plain_order([(self.product, 2)], client_order_ref="typo")
        self._link()
        self.assertEqual(order.amazon_link_state, "failed")
        order.client_order_ref = number
        requests_before = len(self.emulator.requests)
        cron = self.env.ref("amazon_refund_cancel.ir_cron_amazon_link_orders")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        order.with_user(self.user_a).action_amazon_link()
        # Nothing is asked of Amazon in the user's transaction: the scheduled action does it.
        self.assertEqual(len(self.emulator.requests), requests_before)
        self.assertTrue(order.amazon_link_requested)
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1
        )
        self._link()
        self.assertFalse(order.amazon_link_requested)
        self.assertEqual(order.amazon_link_state, "linked")
        self.assertEqual(order.order_line.amazon_order_item_code, "20000010000010")

    def test_own_fields_typed_by_hand_get_item_ids(self):
        self.account_a.order_link_source = "own"
        number = "111-2000001-0000010"
        self._amazon_order(number, [("20000010000011", "MUG-1", 2)])
        order = self._plain_order(
            [(self.product, 2)],
            amazon_seller_account_id=self.account_a.id,
            amazon_order_number=number,
        )
        self._link()
        self.assertEqual(order.amazon_link_state, "linked")
        self.assertEqual(order.amazon_seller_marketplace_id, self.marketplace_us)
        self.assertEqual(order.amazon_fulfillment, "merchant")
        self.assertEqual(order.order_line.amazon_order_item_code, "20000010000011")

    def test_orders_of_each_company_link_to_its_own_account(self):
        number_a, number_b = "111-2000001-0000011", "111-2000001-0000012"
        self._amazon_order(number_a, [("20000010000012", "MUG-1", 2)])
        self._amazon_order(number_b, [("20000010000013", "MUG-1", 2)], account=self.account_b)
        order_a = self._plain_order([(self.product, 2)], client_order_ref=number_a)
        order_b = self._plain_order(
            [(self.product, 2)], company=self.company_b, client_order_ref=number_b
        )
        self.account_b.order_link_source = "none"
        self._link()
        self.assertEqual(order_a.amazon_seller_account_id, self.account_a)
        self.assertFalse(order_b.amazon_seller_account_id)
        self.assertFalse(order_b.amazon_link_state)
        self.account_b.order_link_source = "field"
        self._link()
        self.assertEqual(order_b.amazon_seller_account_id, self.account_b)
        self.assertEqual(order_b.order_line.amazon_order_item_code, "20000010000013")

    def test_link_states_are_not_writable_by_users(self):
        order = self._plain_order([(self.product, 2)], client_order_ref="111-2000001-0000013")
        for user in (self.user_a, self.manager_a):
            with self.assertRaises(AccessError):
                order.with_user(user).write({"amazon_link_state": "linked"})
            with self.assertRaises(AccessError):
                order.with_user(user).write({"amazon_link_requested": True})
        salesman = new_test_user(
            self.env,
            login="salesman_no_amazon",
            name="Salesman",
            groups="sales_team.group_sale_salesman",
        )
        with self.assertRaises(AccessError):
            order.with_user(salesman).action_amazon_link()

    def test_connector_preset_needs_its_fields(self):
        with self.assertRaisesRegex(ValidationError, "sale.order.amz_order_reference"):
            self.account_a.order_link_source = "amazon_ept"


@tagged("post_install", "-at_install")
class TestSkuMappingAccess(OrderLinkCase):
    def test_users_read_managers_change_own_company_only(self):
        mapping = self.env["amazon.sku.mapping"].create(
            {"account_id": self.account_a.id, "seller_sku": "S-1", "product_id": self.tee.id}
        )
        other = self.env["amazon.sku.mapping"].create(
            {"account_id": self.account_b.id, "seller_sku": "S-2", "product_id": self.product.id}
        )
        as_user = self.env["amazon.sku.mapping"].with_user(self.user_a)
        self.assertEqual(as_user.search([]), mapping)
        with self.assertRaises(AccessError):
            as_user.create(
                {"account_id": self.account_a.id, "seller_sku": "S-3", "product_id": self.tee.id}
            )
        with self.assertRaises(AccessError):
            mapping.with_user(self.user_a).write({"seller_sku": "S-9"})
        with self.assertRaises(AccessError):
            mapping.with_user(self.user_a).unlink()
        as_manager = self.env["amazon.sku.mapping"].with_user(self.manager_a)
        mapping.with_user(self.manager_a).write({"seller_sku": "S-4"})
        self.assertEqual(mapping.seller_sku, "S-4")
        with self.assertRaises(AccessError):
            other.with_user(self.manager_a).read(["seller_sku"])
        created = as_manager.create(
            {"account_id": self.account_a.id, "seller_sku": "S-5", "product_id": self.tee.id}
        )
        created.unlink()


@tagged("post_install", "-at_install")
@unittest.skipIf(
    FakeModelLoader is None, "odoo-test-helper cannot add the connector's fields on this series"
)
class TestOrderLinkFromConnector(OrderLinkCase):
    """Orders another connector imported: its fields exist only through a test model."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .fake_connector_models import (
            FakeConnectorOrderLineBinding,
            FakeConnectorSaleOrder,
            FakeConnectorSaleOrderLine,
        )

        cls.loader.update_registry(
            (FakeConnectorSaleOrder, FakeConnectorSaleOrderLine, FakeConnectorOrderLineBinding)
        )

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def test_preset_takes_order_and_item_ids_from_the_connector(self):
        self.account_a.order_link_source = "sale_amazon"
        number = "111-2000002-0000001"
        self._amazon_order(number, [("20000020000001", "MUG-1", 2), ("20000020000002", "X", 1)])
        order = self._plain_order(
            [(self.product, 2), (self.tee, 1)], amazon_order_ref=number, amazon_channel="fbm"
        )
        # The connector knows the item of the tee, whose SKU alone would not match.
        order.order_line[1].amazon_item_ref = "20000020000002"
        self._link()
        self.assertEqual(order.amazon_link_state, "linked")
        self.assertEqual(order.amazon_order_number, number)
        self.assertEqual(order.amazon_fulfillment, "merchant")
        self.assertEqual(
            order.order_line.mapped("amazon_order_item_code"), ["20000020000001", "20000020000002"]
        )
        # The connector's own fields are left as they were.
        self.assertEqual(order.amazon_order_ref, number)
        self.assertEqual(order.order_line.mapped("amazon_item_ref"), [False, "20000020000002"])

    def test_chosen_field_of_a_connector(self):
        self.account_a.order_link_field_id = self.env["ir.model.fields"]._get(
            "sale.order", "amazon_order_ref"
        )
        number = "111-2000002-0000002"
        self._amazon_order(number, [("20000020000003", "MUG-1", 2)])
        order = self._plain_order([(self.product, 2)], amazon_order_ref=number)
        self._link()
        self.assertEqual(order.amazon_order_number, number)
        self.assertEqual(order.order_line.amazon_order_item_code, "20000020000003")

    def test_emipro_preset_leaves_its_charge_lines_alone(self):
        self.account_a.order_link_source = "amazon_ept"
        number = "111-2000002-0000003"
        self._amazon_order(number, [("20000020000004", "MUG-1", 2)], channel="AFN")
        order = self._plain_order(
            [(self.product, 2), (self.tee, 1)], amz_order_reference=number, amz_fulfillment_by="FBA"
        )
        # The connector puts gift wrap on a line of its own, with a suffixed item id.
        order.order_line[0].amazon_order_item_id = "20000020000004"
        order.order_line[1].amazon_order_item_id = "20000020000004_gift_wrap"
        self._link()
        self.assertEqual(order.amazon_link_state, "linked")
        self.assertEqual(order.amazon_fulfillment, "amazon")
        self.assertEqual(
            order.order_line.mapped("amazon_order_item_code"), ["20000020000004", False]
        )

    def test_oca_preset_reads_item_ids_of_its_order_lines(self):
        self.account_a.order_link_source = "connector_amazon"
        number = "111-2000002-0000004"
        self._amazon_order(number, [("20000020000005", "MUG-1", 2), ("20000020000006", "Y", 1)])
        order = self._plain_order([(self.product, 2), (self.tee, 1)], client_order_ref=number)
        self.env["amz.order.line"].create(
            {"sale_order_line_id": order.order_line[1].id, "order_item_id": "20000020000006"}
        )
        self._link()
        self.assertEqual(order.amazon_link_state, "linked")
        self.assertEqual(
            order.order_line.mapped("amazon_order_item_code"), ["20000020000005", "20000020000006"]
        )
        self.assertEqual(self.env["amz.order.line"].search([]).order_item_id, "20000020000006")


@tagged("post_install", "-at_install")
class TestOrderLinkAsAmazonWritesIt(OrderLinkCase):
    """Linking reads Amazon's order as it is: items only, charged amounts, one account's error
    its own."""

    def test_shipping_product_line_is_not_an_unmatched_item(self):
        number = "111-2000002-0000001"
        self._amazon_order(number, [("20000020000001", "MUG-1", 2)])
        order = self._plain_order(
            [(self.product, 2), (self.shipping_product, 1)], client_order_ref=number
        )
        self._link()
        self.assertEqual(order.amazon_link_state, "linked", order.amazon_link_note)
        self.assertFalse(order.amazon_link_note)
        mug = order.order_line.filtered(lambda line: line.product_id == self.product)
        self.assertEqual(mug.amazon_order_item_code, "20000020000001")
        self.assertFalse((order.order_line - mug).amazon_order_item_code)

    def test_linked_order_takes_what_amazon_charged(self):
        number = "111-2000002-0000002"
        self._amazon_order(number, [("20000020000002", "MUG-1", 2)])
        order = self._plain_order([(self.product, 2)], client_order_ref=number)
        order.order_line.price_unit = 999.0
        order.action_confirm()
        self._link()
        ledger = self.env["amazon.item.ledger"]._for_lines(order.order_line)[order.order_line]
        # Not the 999.00 typed on the line: what Amazon charged.
        self.assertEqual((ledger.charged_source, ledger.charged_principal), ("amazon", 40.0))

    def test_order_none_of_whose_lines_match_is_not_linked(self):
        number = "111-2000002-0000003"
        self._amazon_order(number, [("20000020000003", "MUG-1", 2)])
        order = self._plain_order([(self.tee, 3)], client_order_ref=number)
        self._link()
        self.assertEqual(order.amazon_link_state, "failed")
        self.assertIn("No line of", order.amazon_link_note)
        self.assertIn("not linked", order.amazon_link_note)
        self.assertFalse(order.amazon_seller_account_id)
        self.assertFalse(order.amazon_order_number)
        self.assertFalse(order.amazon_fulfillment)
        self.assertFalse(order.order_line.amazon_order_item_code)

    def test_an_account_that_does_not_answer_stops_only_its_own_orders(self):
        unreachable = self._create_account(
            self.company_a,
            "A1SELLERDOWN",
            self.marketplace_us,
            endpoint="custom",
            custom_api_url="http://127.0.0.1:9",
            custom_lwa_url="http://127.0.0.1:9/auth/o2/token",
            order_link_source="field",
            order_link_field_id=self.env["ir.model.fields"]._get("sale.order", "origin").id,
        )
        down_number, up_number = "111-2000002-0000004", "111-2000002-0000005"
        self._amazon_order(up_number, [("20000020000005", "MUG-1", 2)])
        waiting = self._plain_order([(self.product, 2)], origin=down_number)
        linked = self._plain_order([(self.product, 2)], client_order_ref=up_number)
        self._link()
        self.assertEqual(linked.amazon_link_state, "linked")
        self.assertFalse(waiting.amazon_link_state, "it waits for the next run")
        States = self.env["amazon.job.state"]
        down = States._of(unreachable, "order_link")
        self.assertEqual(down.state, "failed")
        self.assertIn("Cannot reach", down.last_error)
        self.assertEqual(States._of(self.account_a, "order_link").state, "ok")
