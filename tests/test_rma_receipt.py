from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import AmazonCase
from .common_rma import RmaImportMixin, receive, returns_flat_file
from .test_rma import _deliver


@tagged("post_install", "-at_install")
class TestRmaReceipt(RmaImportMixin, AmazonCase):
    """Receive records the condition of each item and puts the units where they belong."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.locations = {}
        for company in (cls.company_a, cls.company_b):
            warehouse = cls.env["stock.warehouse"].search([("company_id", "=", company.id)])[:1]
            cls.env["stock.quant"]._update_available_quantity(
                cls.product, warehouse.lot_stock_id, 20
            )
            damaged, opened = cls.env["stock.location"].create(
                [
                    {
                        "name": name,
                        "location_id": warehouse.view_location_id.id,
                        "company_id": company.id,
                    }
                    for name in (f"Damaged {company.name}", f"Opened {company.name}")
                ]
            )
            company.write(
                {
                    "amazon_location_customer_damaged_id": damaged.id,
                    "amazon_location_carrier_damaged_id": damaged.id,
                    "amazon_location_opened_id": opened.id,
                }
            )
            cls.locations[company] = (warehouse.lot_stock_id, damaged, opened)
        cls.user_b = cls._create_user("amazon_user_b_receipt", cls.company_b, "group_amazon_user")
        cls.storekeeper = new_test_user(
            cls.env,
            "receipt_storekeeper",
            groups="stock.group_stock_user",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        cls.internal = new_test_user(
            cls.env,
            "receipt_internal",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )

    def _rma(self, number, items=3, account=None):
        """An RMA of `items` rows of one MUG-1 each, from an order of 3 shipped MUG-1."""
        account = account or self.account_a
        order = self._create_amazon_order(account, number, lines=(("MUG-1", 3),))
        _deliver(order)
        rma_number = f"R{number[4:11]}"
        rows = [{"Order ID": number, "Amazon RMA ID": rma_number} for _item in range(items)]
        self._import(returns_flat_file(*rows), account=account)
        return order.amazon_rma_ids

    def _quantity(self, location):
        return sum(
            self.env["stock.quant"]
            .search([("product_id", "=", self.product.id), ("location_id", "=", location.id)])
            .mapped("quantity")
        )

    def _validate(self, pickings):
        for move in pickings.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        pickings.button_validate()

    def test_mixed_conditions_go_to_their_locations(self):
        stock, damaged, opened = self.locations[self.company_a]
        rma = self._rma("116-0000001-0000001")
        self.assertEqual(len(rma.line_ids), 3)
        before = self._quantity(stock)
        receive(rma, ["sellable", "customer_damaged", "not_returned"], user=self.user_a)
        self.assertEqual(
            rma.line_ids.mapped("condition"), ["sellable", "customer_damaged", "not_returned"]
        )
        pickings = rma.picking_ids
        self.assertEqual(len(pickings), 2, "one return per destination")
        self.assertEqual(sum(pickings.move_ids.mapped("product_uom_qty")), 2)
        self.assertEqual(
            pickings.filtered(lambda p: p.location_dest_id == damaged).move_ids.product_uom_qty, 1
        )
        self._validate(pickings)
        self.assertEqual(rma.state, "received")
        self.assertEqual(self._quantity(stock), before + 1, "the sellable unit is back in stock")
        self.assertEqual(self._quantity(damaged), 1)
        self.assertEqual(self._quantity(opened), 0)
        move_lines = pickings.move_ids.move_line_ids
        self.assertEqual(
            sorted(move_lines.mapped(lambda ml: (ml.location_dest_id.id, ml.quantity))),
            sorted([(stock.id, 1.0), (damaged.id, 1.0)]),
        )
        self.assertEqual(
            rma.order_id.order_line.qty_delivered, 1, "the unit not returned stays delivered"
        )

    def test_condition_without_location_goes_to_the_return_location(self):
        stock, _damaged, _opened = self.locations[self.company_a]
        rma = self._rma("116-0000002-0000001", items=1)
        receive(rma, ["wrong_item"])
        self.assertEqual(rma.picking_ids.location_dest_id, stock)

    def test_nothing_returned_makes_no_return(self):
        rma = self._rma("116-0000003-0000001", items=2)
        receive(rma, ["not_returned", "not_returned"])
        self.assertFalse(rma.picking_ids)
        self.assertEqual(rma.line_ids.mapped("condition"), ["not_returned"] * 2)
        self.assertIn("Nothing came back", rma.message_ids[0].body)

    def test_each_company_its_own_locations(self):
        rma_b = self._rma("116-0000005-0000001", items=2, account=self.account_b)
        receive(rma_b, ["carrier_damaged", "opened"], user=self.user_b)
        _stock_b, damaged_b, opened_b = self.locations[self.company_b]
        self.assertEqual(rma_b.picking_ids.location_dest_id, damaged_b | opened_b)
        self._validate(rma_b.picking_ids)
        self.assertEqual((self._quantity(damaged_b), self._quantity(opened_b)), (1, 1))
        self.assertEqual(self._quantity(self.locations[self.company_a][1]), 0)

    def test_warehouse_user_receives_others_are_refused(self):
        rma = self._rma("116-0000006-0000001", items=1)
        with self.assertRaises(AccessError):
            self.env["amazon.rma.receive.wizard"].with_user(self.internal)._open_for(rma)
        with self.assertRaises(AccessError):
            receive(rma, user=self.user_b)
        action = self.env["amazon.rma.receive.wizard"].with_user(self.storekeeper)._open_for(rma)
        wizard = self.env["amazon.rma.receive.wizard"].with_user(self.storekeeper)
        wizard = wizard.browse(action["res_id"])
        with Form(wizard) as form, form.line_ids.edit(0) as line:
            line.condition = "customer_damaged"
        wizard.action_receive()
        self.assertEqual(rma.line_ids.condition, "customer_damaged")
        self.assertEqual(rma.picking_ids.location_dest_id, self.locations[self.company_a][1])

    def test_items_of_another_rma_are_refused(self):
        rma = self._rma("116-0000007-0000001", items=1)
        other = self._rma("116-0000008-0000001", items=1)
        wizard = (
            self.env["amazon.rma.receive.wizard"]
            .with_user(self.user_a)
            .create(
                {
                    "rma_id": rma.id,
                    "line_ids": [
                        Command.create(
                            {"rma_line_id": other.line_ids.id, "condition": "not_returned"}
                        )
                    ],
                }
            )
        )
        with self.assertRaisesRegex(UserError, "not items of"):
            wizard.action_receive()
        self.assertFalse(other.line_ids.condition)
