from datetime import timedelta

from odoo import Command, api, fields, models

from ..compat import field_name

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

    @api.model
    def _create_report_history(self, account_id, partner_id, product_ids, tax_id):
        """Past months of refunds, a refused refund, a cancellation and returns, as Amazon
        answered them, so that the reports under Sales ▸ Reporting ▸ Amazon have something to
        show. Their orders are fulfilled by Amazon, or cancelled."""
        mug, tshirt, notebook, lamp = self.env["product.product"].browse(product_ids)
        now = fields.Datetime.now()
        Request = self.env["amazon.order.request"].sudo()

        def past_order(number, product, quantity, item_code, days_ago, channel="amazon"):
            order = self._create_order(
                account_id, partner_id, product, tax_id, number, item_code, quantity, channel
            )
            order.date_order = now - timedelta(days=days_ago)
            return order

        def answered(request, days_ago, applied=True, message=False):
            """The request as Amazon answered it `days_ago`: sent, then applied or refused."""
            for state in ("queued", "sending", "sent"):
                request._set_state(state)
            if applied:
                request._on_applied()
            else:
                request._on_refused("AmazonRefused", message)
            request.sudo().write(
                {
                    "requested_at": now - timedelta(days=days_ago),
                    "done_at": applied and now - timedelta(days=days_ago - 1),
                }
            )
            return request

        def refund(order, reason, principal, days_ago, applied=True, rma=None, message=False):
            line = order.order_line[:1]
            request = Request._amazon_new(
                order,
                "refund",
                reason,
                [
                    {
                        "order_line_id": line.id,
                        "quantity": 1,
                        "amount_principal": principal,
                        "amount_tax": round(principal * 0.08, 2),
                    }
                ],
                rma=rma,
            )
            return answered(request, days_ago, applied, message)

        def rma(order, number, reason, delivered_days_ago):
            line = order.order_line[:1]
            return (
                self.env["amazon.rma"]
                .sudo()
                .create(
                    {
                        "amazon_rma_number": number,
                        "seller_account_id": account_id,
                        "order_id": order.id,
                        "return_reason": reason,
                        "request_date": fields.Date.today()
                        - timedelta(days=delivered_days_ago + 4),
                        "amazon_delivery_date": fields.Date.today()
                        - timedelta(days=delivered_days_ago),
                        "line_ids": [
                            Command.create(
                                {
                                    "product_id": line.product_id.id,
                                    "quantity": 1,
                                    "order_line_id": line.id,
                                    "reason": reason,
                                }
                            )
                        ],
                    }
                )
            )

        mugs = past_order("111-3000001-0000001", mug, 3, "30000000000011", 75)
        mug_return = rma(mugs, "DEMORMA0001", "CR-DEFECTIVE", 66)
        refund(mugs, "CustomerReturn", 12.5, 65, rma=mug_return)
        shirts = past_order("111-3000002-0000001", tshirt, 2, "30000000000021", 45)
        shirt_return = rma(shirts, "DEMORMA0002", "AMZ-PG-APP-TOO-SMALL", 40)
        refund(shirts, "CustomerReturn", 19.99, 36, rma=shirt_return)
        refund(shirts, "PriceError", 2.0, 20)
        lamps = past_order("111-3000003-0000001", lamp, 1, "30000000000031", 30)
        refund(
            lamps,
            "GeneralAdjustment",
            60.0,
            12,
            applied=False,
            message="The refund is more than the buyer paid for the item.",
        )
        notebooks = past_order(
            "111-3000004-0000001", notebook, 4, "30000000000041", 15, channel="merchant"
        )
        cancellation = Request._amazon_new(
            notebooks,
            "cancellation",
            "NoInventory",
            [{"order_line_id": notebooks.order_line.id, "quantity_cancelled": 4}],
        )
        answered(cancellation, 14)

    def _create_order(
        self,
        account_id,
        partner_id,
        product,
        tax_id,
        order_number,
        item_code,
        quantity=1,
        channel="merchant",
    ):
        account = self.env["amazon.seller.account"].browse(account_id)
        order = self.env["sale.order"].create(
            {
                "partner_id": partner_id,
                "user_id": self.env.ref(DEMO_SALESPERSON).id,
                "amazon_seller_account_id": account.id,
                "amazon_order_number": order_number,
                "amazon_seller_marketplace_id": account.marketplace_ids[:1].id,
                "amazon_fulfillment": channel,
                "client_order_ref": order_number,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            field_name(self.env["sale.order.line"], "tax_id"): [
                                Command.set([tax_id])
                            ],
                            "amazon_order_item_code": item_code,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        return order
