from datetime import timedelta, timezone
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from ..amazon_api import const
from ..amazon_api.client import AmazonClient
from ..amazon_api.errors import ThrottledError
from ..compat import check_rpc_method
from ..models.amazon_order_importer import AmazonOrderImporter
from ..models.amazon_order_linker import AmazonOrderLinker
from .test_order_link import OrderLinkCase


class OrderImportCase(OrderLinkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.account_a | cls.account_b).write({"order_import": True, "order_link_source": "none"})
        cls.product.taxes_id = cls.tax_10
        cls.tee.write({"list_price": 15.0, "taxes_id": [(6, 0, cls.tax_10.ids)]})

    def _add(self, number, items=(("MUG-1", 2),), account=None, **details):
        """An order at the emulator, bought a day ago: items are (sku, quantity), 20 a unit, 10%
        tax, 5 shipping per line."""
        account = account or self.account_a
        return self.emulator.add_order(
            account.seller_id,
            number,
            account.marketplace_ids[:1].code,
            items=[
                {
                    "order_item_id": f"{number.replace('-', '')[-12:]}{index:02d}",
                    "sku": sku,
                    "quantity": quantity,
                    "prices": {
                        "Principal": 20 * quantity,
                        "Tax": 2 * quantity,
                        "Shipping": 5,
                        "ShippingTax": 0.5,
                    },
                }
                for index, (sku, quantity) in enumerate(items, start=1)
            ],
            **details,
        )

    def _ship(self, number):
        """Amazon ships the order, a little before the import asks (Amazon's lag)."""
        self.emulator.ship(number, when=fields.Datetime.now() - timedelta(minutes=10))

    def _import(self):
        self.env["amazon.order.importer"]._cron_import_orders()

    def _pages_of_ten(self):
        """Amazon's pages hold 100 orders: paging reads the same with 10, for a tenth of the
        orders to create."""
        self.startPatcher(patch.object(const, "ORDERS_PAGE_SIZE", 10))

    def _imported(self, number, account=None):
        return self.env["sale.order"].search(
            [
                ("amazon_seller_account_id", "=", (account or self.account_a).id),
                ("amazon_order_number", "=", number),
            ]
        )

    def _changed_at_amazon(self, emulated_order, account=None):
        """Amazon changed the order after the last import: it is read again on the next one."""
        now = fields.Datetime.now()
        emulated_order.last_updated = (now - timedelta(minutes=5)).replace(tzinfo=timezone.utc)
        (account or self.account_a)._amazon_job("order_import").read_until = now - timedelta(
            minutes=10
        )


@tagged("post_install", "-at_install", "amazon_http")
class TestOrderImport(OrderImportCase):
    def test_new_unshipped_order_is_created_and_confirmed(self):
        emulated = self._add("112-3000001-0000001", items=(("MUG-1", 2), ("TEE-1", 1)))
        self._import()
        order = self._imported("112-3000001-0000001")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.amazon_order_status, "UNSHIPPED")
        self.assertEqual(order.amazon_fulfillment, "merchant")
        self.assertEqual(order.amazon_seller_marketplace_id, self.marketplace_us)
        self.assertEqual(
            order.date_order, emulated.purchase_date.replace(tzinfo=None, microsecond=0)
        )
        self.assertEqual(order.partner_id.name, "Amazon customer (Amazon.com)")
        items = order.order_line.filtered("amazon_order_item_code")
        self.assertEqual(items.mapped("product_id"), self.product | self.tee)
        self.assertEqual(items.mapped("price_unit"), [20.0, 20.0])
        self.assertEqual(items.mapped("product_uom_qty"), [2.0, 1.0])
        self.assertEqual(items._amazon_taxes(), self.tax_10)
        shipping = order.order_line - items
        self.assertEqual(shipping.product_id, self.shipping_product)
        self.assertEqual(shipping.price_unit, 10.0)
        self.assertEqual(order.amount_untaxed, 70.0)
        self.assertTrue(order.picking_ids)
        self.assertIn("1 created", self.account_a._amazon_job("order_import").summary)
        # The same order read again is updated, never duplicated.
        self._changed_at_amazon(emulated)
        self._import()
        self.assertEqual(len(self._imported("112-3000001-0000001")), 1)
        self.assertIn("1 updated", self.account_a._amazon_job("order_import").summary)
        # A second customer of the marketplace is the same Amazon customer.
        self._add("112-3000001-0000002")
        self.account_a._amazon_job("order_import").read_until = fields.Datetime.now() - timedelta(
            days=2
        )
        self._import()
        self.assertEqual(self._imported("112-3000001-0000002").partner_id, order.partner_id)

    def test_order_cancelled_by_amazon_is_cancelled_with_a_note(self):
        emulated = self._add("112-3000002-0000001")
        self._import()
        order = self._imported("112-3000002-0000001")
        self.assertEqual(order.state, "sale")
        self.emulator.amazon_cancel("112-3000002-0000001")
        self._changed_at_amazon(emulated)
        self._import()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.amazon_order_status, "CANCELLED")
        self.assertTrue(
            [b for b in order.message_ids.mapped("body") if "Amazon cancelled this order" in b]
        )
        self.assertFalse(order.amazon_request_ids, "Amazon is not told what it did itself")

    def test_pending_order_waits_until_amazon_releases_it(self):
        emulated = self._add("112-3000003-0000001", status="PENDING")
        self._import()
        self.assertFalse(self._imported("112-3000003-0000001"))
        self.assertIn("1 waiting", self.account_a._amazon_job("order_import").summary)
        self.emulator.release("112-3000003-0000001")
        self._changed_at_amazon(emulated)
        self._import()
        self.assertEqual(self._imported("112-3000003-0000001").state, "sale")

    def test_fba_order_is_imported_as_such_and_never_offered_for_cancellation(self):
        stock = self.env.ref("stock.stock_location_stock")
        self.env["stock.quant"]._update_available_quantity(self.product, stock, 10)
        self._add("112-3000004-0000001", fulfillment_channel="AFN")
        self._ship("112-3000004-0000001")
        self._import()
        order = self._imported("112-3000004-0000001")
        self.assertEqual(order.amazon_fulfillment, "amazon")
        self.assertEqual(order.amazon_order_status, "SHIPPED")
        line = order.order_line.filtered("amazon_order_item_code")
        self.assertEqual(line.qty_delivered, 2)
        self.assertFalse(order.picking_ids.filtered(lambda p: p.state != "cancel"))
        self.assertEqual(self.product.with_context(location=stock.id).qty_available, 10)
        with self.assertRefused("fulfilled by Amazon"):
            order.with_user(self.user_a).action_amazon_cancel()
        with self.assertRefused("fulfilled by Amazon"):
            order.with_user(self.user_a).action_cancel()

    def test_shipped_history_is_delivered_without_moving_stock(self):
        self.account_a.order_import_shipped_history = True
        stock = self.env.ref("stock.stock_location_stock")
        self.env["stock.quant"]._update_available_quantity(self.product, stock, 10)
        self._add("112-3000005-0000001")
        self._ship("112-3000005-0000001")
        self._import()
        order = self._imported("112-3000005-0000001")
        self.assertEqual(order.amazon_fulfillment, "merchant")
        self.assertEqual(order.order_line.filtered("amazon_order_item_code").qty_delivered, 2)
        self.assertEqual(self.product.with_context(location=stock.id).qty_available, 10)
        self.assertFalse(order.picking_ids.filtered(lambda p: p.state != "cancel"))

    def test_all_pages_are_read_and_a_throttled_search_resumes_from_its_page(self):
        self.account_b.order_import = False
        self._pages_of_ten()
        for index in range(1, 26):
            self._add(f"112-3000007-{index:07d}")
        real_search = AmazonClient.search_orders
        calls = []

        def throttled_on_second_page(client, *args, **kwargs):
            calls.append(kwargs.get("pagination_token"))
            if len(calls) == 2:
                raise ThrottledError("searchOrders: throttled", retry_after=180)
            return real_search(client, *args, **kwargs)

        with patch.object(AmazonClient, "search_orders", throttled_on_second_page):
            self._import()
        token = self.account_a._amazon_job("order_import").resume_ref
        self.assertTrue(token)
        self.assertFalse(self.account_a._amazon_job("order_import").read_until)
        state = self.account_a._amazon_job("order_import")
        self.assertIn("10 created", state.summary)
        self.assertIn("Stopped", state.summary)
        self.assertEqual(state.state, "failed")
        cron = self.env.ref("amazon_refund_cancel.ir_cron_amazon_import_orders")
        self.assertTrue(
            self.env["ir.cron.trigger"].search(
                [("cron_id", "=", cron.id), ("call_at", ">", fields.Datetime.now())]
            )
        )
        self._import()
        searches = [
            q for _m, p, q, _s in self.emulator.requests if p == "/orders/2026-01-01/orders"
        ]
        self.assertEqual(len(searches), 3, "the throttled call never reached Amazon")
        self.assertFalse(searches[0].get("paginationToken"))
        self.assertEqual(searches[1].get("paginationToken"), [token])
        self.assertTrue(searches[2].get("paginationToken"))
        for name in ("lastUpdatedAfter", "lastUpdatedBefore", "marketplaceIds"):
            self.assertEqual([search[name] for search in searches], [searches[0][name]] * 3, name)
        orders = self.env["sale.order"].search([("amazon_order_number", "like", "112-3000007-")])
        self.assertEqual(len(orders), 25)
        self.assertTrue(self.account_a._amazon_job("order_import").read_until)
        self.assertFalse(self.account_a._amazon_job("order_import").resume_ref)

    def test_eleven_pages_in_one_run(self):
        self.account_b.order_import = False
        self._pages_of_ten()
        for index in range(1, 102):
            self._add(f"112-3000016-{index:07d}", items=(("MUG-1", 1),))
        self._import()
        searches = [
            q for _m, p, q, _s in self.emulator.requests if p == "/orders/2026-01-01/orders"
        ]
        self.assertEqual(len(searches), 11)
        orders = self.env["sale.order"].search([("amazon_order_number", "like", "112-3000016-")])
        self.assertEqual(len(orders), 101)
        self.assertEqual(set(orders.mapped("state")), {"sale"})
        self.assertIn("101 created", self.account_a._amazon_job("order_import").summary)
        self.assertFalse(self.account_a._amazon_job("order_import").resume_ref)
        self.assertTrue(self.account_a._amazon_job("order_import").read_until)

    def _stop_after_the_first_page(self):
        """An import throttled after its first page: the next page is saved."""
        real_search = AmazonClient.search_orders

        def throttled_on_second_page(client, *args, **kwargs):
            if kwargs.get("pagination_token"):
                raise ThrottledError("searchOrders: throttled", retry_after=180)
            return real_search(client, *args, **kwargs)

        with patch.object(AmazonClient, "search_orders", throttled_on_second_page):
            self._import()
        self.assertTrue(self.account_a._amazon_job("order_import").resume_ref)

    def _pending_triggers(self):
        cron = self.env.ref("amazon_refund_cancel.ir_cron_amazon_import_orders")
        return self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])

    def test_amazon_refusing_a_next_page_is_not_an_expired_page(self):
        self.account_b.order_import = False
        self._pages_of_ten()
        for index in range(1, 16):
            self._add(f"112-3000017-{index:07d}", items=(("MUG-1", 1),))
        self._stop_after_the_first_page()
        token = self.account_a._amazon_job("order_import").resume_ref
        triggers = self._pending_triggers()
        self.emulator.inject("searchOrders", status=400)
        self._import()
        # Reading the window again would be refused the same way, at once, again and again.
        self.assertEqual(self.account_a._amazon_job("order_import").resume_ref, token)
        self.assertFalse(self._pending_triggers() - triggers, "no new run asked at once")
        state = self.account_a._amazon_job("order_import")
        self.assertEqual(state.state, "failed")
        self.assertIn("InvalidInput", state.last_error)
        self._import()
        orders = self.env["sale.order"].search([("amazon_order_number", "like", "112-3000017-")])
        self.assertEqual(len(orders), 15, "every order once, none lost")
        self.assertFalse(self.account_a._amazon_job("order_import").resume_ref)

    def test_a_page_kept_over_a_day_reads_the_window_again(self):
        self.account_b.order_import = False
        self._pages_of_ten()
        for index in range(1, 16):
            self._add(f"112-3000018-{index:07d}", items=(("MUG-1", 1),))
        self._stop_after_the_first_page()
        # A day later Amazon no longer knows the page.
        self.emulator.advance(24 * 3600 + 60)
        self.account_a._amazon_job("order_import").resume_ref_at -= timedelta(hours=24, minutes=1)
        self._import()
        self.assertFalse(self.account_a._amazon_job("order_import").resume_ref)
        self.assertTrue(self._pending_triggers(), "the window is read again at once")
        self._import()
        orders = self.env["sale.order"].search([("amazon_order_number", "like", "112-3000018-")])
        self.assertEqual(len(orders), 15)
        self.assertFalse(self.account_a._amazon_job("order_import").resume_ref)

    def test_unmatched_sku_gives_a_note_or_skips_per_account(self):
        self._add("112-3000008-0000001", items=(("MUG-1", 1), ("NO-SUCH-SKU", 1)))
        self._import()
        order = self._imported("112-3000008-0000001")
        self.assertEqual(order.state, "sale")
        note = order.order_line.filtered(lambda line: line.display_type == "line_note")
        self.assertIn("NO-SUCH-SKU", note.name)
        self.account_a.order_import_unmatched = "skip"
        self._add("112-3000008-0000002", items=(("NO-SUCH-SKU", 1),))
        self.account_a._amazon_job("order_import").read_until = fields.Datetime.now() - timedelta(
            days=2
        )
        self._import()
        self.assertFalse(self._imported("112-3000008-0000002"))
        self.assertIn("1 skipped", self.account_a._amazon_job("order_import").summary)

    def test_buyer_and_address_with_the_restricted_role(self):
        self.account_a.order_import_buyer_data = True
        self._add("112-3000009-0000001", buyer_name="Jane Buyer", buyer_email="jane@buyer.example")
        self._import()
        partner = self._imported("112-3000009-0000001").partner_id
        self.assertEqual(partner.name, "Jane Buyer")
        self.assertEqual(partner.email, "jane@buyer.example")
        self.assertEqual(
            (partner.street, partner.city, partner.zip), ("410 Terry Ave N", "Seattle", "98101")
        )
        self.assertEqual(partner.country_id.code, "US")
        self.assertEqual(partner.state_id.code, "WA")
        tokens = [p for _m, p, _q, _s in self.emulator.requests if "restrictedDataToken" in p]
        self.assertTrue(tokens)

    def test_promotions_gift_wrap_ship_by_and_marketplace_facilitator_tax(self):
        ship_by = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        self.emulator.add_order(
            self.account_a.seller_id,
            "112-3000014-0000001",
            self.marketplace_us.code,
            items=[
                {
                    "order_item_id": "30000140000001",
                    "sku": "MUG-1",
                    "quantity": 2,
                    "promotion_ids": ["SPRING-10"],
                    "prices": {"Principal": 40, "Discount": -4, "GiftWrap": 3, "Tax": 3.6},
                }
            ],
            latest_ship_date=ship_by,
            facilitator_tax=True,
        )
        self._import()
        order = self._imported("112-3000014-0000001")
        self.assertEqual(order.amazon_ship_by, ship_by)
        line = order.order_line.filtered("amazon_order_item_code")
        self.assertEqual((line.price_unit, line.discount), (20.0, 10.0))
        self.assertEqual(line.price_subtotal, 36.0)
        self.assertFalse(line._amazon_taxes(), "tax Amazon collects is not the seller's revenue")
        self.assertIn("SPRING-10", line.name)
        self.assertIn("Gift wrap charged by Amazon: 3.00", line.name)

    def test_no_tax_on_shipping_amazon_collects_as_marketplace_facilitator(self):
        self.shipping_product.taxes_id = self.tax_10
        prices = {"Principal": 10, "Tax": 0.8, "Shipping": 3.99, "ShippingTax": 0.32}
        for number, facilitator in (("112-3000019-0000001", True), ("112-3000019-0000002", False)):
            self.emulator.add_order(
                self.account_a.seller_id,
                number,
                self.marketplace_us.code,
                items=[
                    {"order_item_id": number[-7:] + "0000001", "sku": "MUG-1", "prices": prices}
                ],
                facilitator_tax=facilitator,
            )
        self._import()
        collected = self._imported("112-3000019-0000001")
        self.assertFalse(collected.order_line._amazon_taxes(), "neither the item nor the shipping")
        self.assertEqual(collected.amount_tax, 0.0)
        self.assertEqual(collected.amount_total, 13.99)
        own = self._imported("112-3000019-0000002")
        shipping = own.order_line.filtered(lambda line: not line.amazon_order_item_code)
        self.assertEqual(shipping._amazon_taxes(), self.tax_10)
        self.assertEqual(own.amount_tax, 1.40)

    def test_promotions_go_to_the_line_they_lower(self):
        self.emulator.add_order(
            self.account_a.seller_id,
            "112-3000020-0000001",
            self.marketplace_us.code,
            items=[
                {
                    "order_item_id": "30000200000001",
                    "sku": "MUG-1",
                    "promotion_ids": ["FREE-SHIPPING"],
                    "prices": {
                        "Principal": 10,
                        "Shipping": 4.99,
                        "ShippingDiscount": -4.99,
                        "GiftWrap": 3,
                        "GiftWrapDiscount": -1,
                    },
                },
                {
                    "order_item_id": "30000200000002",
                    "sku": "TEE-1",
                    "prices": {"Principal": 20, "Discount": -5, "Shipping": 5.01},
                },
            ],
            facilitator_tax=True,
        )
        self._import()
        order = self._imported("112-3000020-0000001")
        mug, tee = order.order_line.filtered("amazon_order_item_code")
        self.assertEqual((mug.price_unit, mug.discount, mug.price_subtotal), (10.0, 0.0, 10.0))
        self.assertIn("Gift wrap charged by Amazon: 2.00", mug.name)
        self.assertEqual((tee.price_unit, tee.discount, tee.price_subtotal), (20.0, 25.0, 15.0))
        shipping = order.order_line - mug - tee
        self.assertEqual(shipping.price_unit, 10.0)
        self.assertEqual(shipping.price_subtotal, 5.01, "the promotion lowers the shipping")
        self.assertEqual(order.amount_total, 30.01)

    def test_fiscal_position_of_the_account_maps_taxes(self):
        tax_0 = self.env["account.tax"].create({"name": "Amazon export 0%", "amount": 0})
        self.account_a.order_import_fiscal_position_id = self._tax_mapping(self.tax_10, tax_0)
        self._add("112-3000015-0000001")
        self._import()
        order = self._imported("112-3000015-0000001")
        self.assertEqual(order.fiscal_position_id, self.account_a.order_import_fiscal_position_id)
        self.assertEqual(order.order_line.filtered("amazon_order_item_code")._amazon_taxes(), tax_0)

    def _tax_mapping(self, source, destination):
        """A fiscal position mapping `source` to `destination`: 19.0 notes the mapping on the
        destination tax, 18.0 on the fiscal position."""
        Position = self.env["account.fiscal.position"]
        if "account.fiscal.position.tax" in self.env:
            return Position.create(
                {
                    "name": "Amazon export",
                    "tax_ids": [
                        Command.create({"tax_src_id": source.id, "tax_dest_id": destination.id})
                    ],
                }
            )
        position = Position.create({"name": "Amazon export"})
        destination.write(
            {
                "fiscal_position_ids": [Command.link(position.id)],
                "original_tax_ids": [Command.link(source.id)],
            }
        )
        return position

    def test_each_company_imports_its_own_account(self):
        self._add("112-3000010-0000001")
        self._add("112-3000010-0000002", account=self.account_b)
        self.account_b.order_import = False
        self._import()
        self.assertEqual(self._imported("112-3000010-0000001").company_id, self.company_a)
        self.assertFalse(self._imported("112-3000010-0000002", account=self.account_b))
        self.account_b.order_import = True
        self._import()
        order_b = self._imported("112-3000010-0000002", account=self.account_b)
        self.assertEqual(order_b.company_id, self.company_b)
        self.assertEqual(len(self._imported("112-3000010-0000001")), 1)

    def test_import_by_order_id(self):
        self._add("112-3000011-0000001")
        self.account_a._amazon_job("order_import").read_until = fields.Datetime.now()
        requests_before = len(self.emulator.requests)
        form = Form(self.env["amazon.order.import.wizard"].with_user(self.user_a))
        form.seller_account_id = self.account_a
        form.order_numbers = "112-3000011-0000001"
        form.save().action_import()
        self.assertEqual(len(self.emulator.requests), requests_before)
        self.assertEqual(self.account_a.order_import_requested, "112-3000011-0000001")
        self._import()
        self.assertEqual(self._imported("112-3000011-0000001").state, "sale")
        self.assertFalse(self.account_a.order_import_requested)
        form = Form(self.env["amazon.order.import.wizard"].with_user(self.user_a))
        form.seller_account_id = self.account_a
        form.order_numbers = "112-3000011-0000001 ORDER-7"
        with self.assertRefused("ORDER-7"):
            form.save().action_import()

    def test_imported_order_refunds_and_cancels_end_to_end(self):
        self._add("112-3000012-0000001")
        self._add("112-3000012-0000002")
        self._ship("112-3000012-0000001")
        self._import()
        shipped = self._imported("112-3000012-0000001")
        self._deliver(shipped)
        request = self._refund_request(shipped, principal=20.0)
        self._send_and_answer(request)
        self.assertEqual(request.state, "done")
        emulated = self.emulator.orders["112-3000012-0000001"]
        [item] = emulated.items.values()
        self.assertEqual(float(item.refunded["Principal"]), 20.0)
        unshipped = self._imported("112-3000012-0000002")
        cancellation = self._cancel_all(unshipped)
        self.assertEqual(cancellation.state, "done")
        self.assertEqual(unshipped.state, "cancel")
        self.assertEqual(
            self.emulator.orders["112-3000012-0000002"].fulfillment_status, "CANCELLED"
        )


@tagged("post_install", "-at_install")
class TestOrderImportAccess(OrderImportCase):
    def test_import_dialog_per_group_and_company(self):
        salesman = new_test_user(
            self.env,
            login="salesman_import",
            name="Salesman",
            groups="sales_team.group_sale_salesman",
        )
        with self.assertRaises(AccessError):
            self.env["amazon.order.import.wizard"].with_user(salesman).create(
                {"seller_account_id": self.account_a.id, "order_numbers": "112-3000013-0000001"}
            )
        for user in (self.user_a, self.manager_a):
            wizard = (
                self.env["amazon.order.import.wizard"]
                .with_user(user)
                .create(
                    {"seller_account_id": self.account_b.id, "order_numbers": "112-3000013-0000001"}
                )
            )
            with self.assertRaises(AccessError):
                wizard.action_import()
        self.assertFalse(self.account_b.order_import_requested)
        for user in (self.user_a, self.manager_a):
            with self.assertRaises(AccessError):
                self.account_a.with_user(user).write({"order_import_requested": "x"})
            with self.assertRaises(AccessError):
                self._create_amazon_order(self.account_a, "112-3000013-0000002").with_user(
                    user
                ).write({"amazon_order_status": "SHIPPED"})

    def test_background_work_is_not_callable_remotely(self):
        # Linking and importing talk to Amazon: only their scheduled actions run them.
        for model_class in (AmazonOrderLinker, AmazonOrderImporter):
            methods = [name for name, value in vars(model_class).items() if callable(value)]
            self.assertIn("_cron_link_orders", dir(AmazonOrderLinker))
            for name in methods:
                with self.assertRaises(AccessError, msg=f"{model_class._name}.{name}"):
                    check_rpc_method(self.env[model_class._name], name)
