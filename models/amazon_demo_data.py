from odoo import Command, api, models

DEMO_SALESPERSON = "base.user_admin"


class AmazonDemoData(models.AbstractModel):
    """Demo orders that need apps the addon does not depend on: made only where they are
    installed, which an XML record cannot check."""

    _name = "amazon.demo.data"
    _description = "Amazon Demo Data"

    @api.model
    def _create_kit_order(self, account_id, partner_id, component_ids, tax_id):
        """A confirmed Amazon order of a kit, when Manufacturing is installed."""
        if "mrp.bom" not in self.env:
            return
        kit = self.env["product.product"].create(
            {"name": "Desk Set: Mug and Notebook", "default_code": "EMU-KIT-01", "list_price": 19.5}
        )
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": kit.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [
                    Command.create({"product_id": component_id, "product_qty": 1})
                    for component_id in component_ids
                ],
            }
        )
        self._create_order(
            account_id, partner_id, kit, tax_id, "111-4000057-1451383", "31000006074282"
        )

    @api.model
    def _create_dropship_order(self, account_id, partner_id, tax_id):
        """A confirmed Amazon order of a product the vendor ships to the buyer, when Dropship is
        installed, with the purchase that makes the vendor ship it."""
        route = self.env.ref("stock_dropshipping.route_drop_shipping", raise_if_not_found=False)
        if not route:
            return
        vendor = self.env["res.partner"].create(
            {"name": "Oak Furniture Wholesale (dropship vendor)", "is_company": True}
        )
        product = self.env["product.product"].create(
            {
                "name": "Standing Desk, Oak, 140 cm",
                "default_code": "EMU-DESK-DROP",
                "type": "consu",
                "list_price": 329.0,
                "route_ids": [Command.set(route.ids)],
                "seller_ids": [Command.create({"partner_id": vendor.id, "price": 210.0})],
            }
        )
        order = self._create_order(
            account_id, partner_id, product, tax_id, "111-4000059-1467221", "31000006283746"
        )
        # Confirmed, so that the vendor's delivery to the buyer is on the order.
        order._get_purchase_orders().button_confirm()

    def _create_order(self, account_id, partner_id, product, tax_id, order_number, item_code):
        account = self.env["amazon.seller.account"].browse(account_id)
        order = self.env["sale.order"].create(
            {
                "partner_id": partner_id,
                "user_id": self.env.ref(DEMO_SALESPERSON).id,
                "amazon_seller_account_id": account.id,
                "amazon_order_number": order_number,
                "amazon_seller_marketplace_id": account.marketplace_ids[:1].id,
                "amazon_fulfillment": "merchant",
                "client_order_ref": order_number,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "tax_id": [Command.set([tax_id])],
                            "amazon_order_item_code": item_code,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        return order
