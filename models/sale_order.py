from odoo import Command, api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    amazon_seller_account_id = fields.Many2one(
        "amazon.seller.account",
        string="Amazon Account",
        check_company=True,
        index="btree_not_null",
        copy=False,
    )
    amazon_order_number = fields.Char(
        string="Amazon Order ID", index="btree_not_null", copy=False, tracking=True
    )
    amazon_fulfillment = fields.Selection(
        [("merchant", "Merchant"), ("amazon", "Amazon")],
        string="Fulfilled By",
        copy=False,
        help="Merchant: you ship the order (MFN). Amazon: Amazon ships it from its "
        "fulfilment centres (FBA).",
    )
    amazon_seller_marketplace_id = fields.Many2one(
        "amazon.seller.marketplace",
        string="Amazon Marketplace",
        copy=False,
        domain="[('id', 'in', amazon_marketplace_allowed_ids)]",
    )
    amazon_marketplace_allowed_ids = fields.Many2many(
        related="amazon_seller_account_id.marketplace_ids"
    )

    amazon_request_ids = fields.One2many(
        "amazon.order.request", "order_id", string="Amazon Requests"
    )
    amazon_request_count = fields.Integer(compute="_compute_amazon_request_count")

    _sql_constraints = [
        (
            "amazon_order_number_unique",
            "unique(amazon_seller_account_id, amazon_order_number)",
            "This Amazon order ID is already on another order of the same seller account.",
        ),
    ]

    @api.depends("amazon_request_ids")
    def _compute_amazon_request_count(self):
        for order in self:
            order.amazon_request_count = len(order.amazon_request_ids)

    def action_view_amazon_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_refund_cancel.amazon_order_request_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id}
        return action

    @api.model
    def _amazon_create_demo_kit_order(self, account_id, partner_id, component_ids):
        """Demo data: a confirmed Amazon order of a kit, when manufacturing is installed."""
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
        account = self.env["amazon.seller.account"].browse(account_id)
        order = self.create(
            {
                "partner_id": partner_id,
                "amazon_seller_account_id": account.id,
                "amazon_order_number": "111-4000057-1451383",
                "amazon_seller_marketplace_id": account.marketplace_ids[:1].id,
                "amazon_fulfillment": "merchant",
                "order_line": [
                    Command.create(
                        {
                            "product_id": kit.id,
                            "product_uom_qty": 1,
                            "amazon_order_item_code": "31000006074282",
                        }
                    )
                ],
            }
        )
        order.action_confirm()

    amazon_rma_ids = fields.One2many("amazon.rma", "order_id", string="Amazon RMAs")
    amazon_rma_count = fields.Integer(compute="_compute_amazon_rma_count")

    @api.depends("amazon_rma_ids")
    def _compute_amazon_rma_count(self):
        for order in self:
            order.amazon_rma_count = len(order.amazon_rma_ids)

    def action_view_amazon_rmas(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_refund_cancel.amazon_rma_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {}
        return action
