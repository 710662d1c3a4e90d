from odoo import fields, models
from odoo.tools import SQL


class AmazonReturnRateReport(models.Model):
    """Units returned against units sold on Amazon, per product and seller account."""

    _name = "amazon.return.rate.report"
    _description = "Amazon Return Rate"
    _auto = False
    _order = "return_rate desc, product_id"
    # What the view reads: searching it first writes pending changes of these to the database.
    _depends = {
        "sale.order": ["amazon_seller_account_id", "company_id", "state"],
        "sale.order.line": ["order_id", "product_id", "product_uom_qty"],
        "amazon.rma": ["seller_account_id", "state"],
        "amazon.rma.line": ["rma_id", "product_id", "quantity"],
    }

    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    seller_account_id = fields.Many2one(
        "amazon.seller.account", string="Seller Account", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    quantity_sold = fields.Float(string="Units Sold", readonly=True)
    quantity_returned = fields.Float(string="Units Returned", readonly=True)
    return_rate = fields.Float(
        string="Return Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Units returned for every 100 units sold. Grouped by anything but the product, it "
        "is the average of the products' rates.",
    )

    def init(self):
        # Sold: confirmed Amazon orders. Returned: RMAs neither cancelled nor for another order.
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %s AS (
                    WITH sold AS (
                        SELECT line.product_id, sale.amazon_seller_account_id AS account_id,
                               sale.company_id, SUM(line.product_uom_qty) AS quantity
                          FROM sale_order_line line
                          JOIN sale_order sale ON sale.id = line.order_id
                         WHERE sale.amazon_seller_account_id IS NOT NULL
                           AND sale.state = 'sale' AND line.product_id IS NOT NULL
                         GROUP BY line.product_id, sale.amazon_seller_account_id, sale.company_id
                    ), returned AS (
                        SELECT rma_line.product_id, rma.seller_account_id AS account_id,
                               SUM(rma_line.quantity) AS quantity
                          FROM amazon_rma_line rma_line
                          JOIN amazon_rma rma ON rma.id = rma_line.rma_id
                         WHERE rma.state != 'cancelled'
                         GROUP BY rma_line.product_id, rma.seller_account_id
                    )
                    SELECT ROW_NUMBER() OVER (ORDER BY sold.product_id, sold.account_id) AS id,
                           sold.product_id, sold.account_id AS seller_account_id,
                           sold.company_id, sold.quantity AS quantity_sold,
                           COALESCE(returned.quantity, 0) AS quantity_returned,
                           CASE WHEN sold.quantity > 0
                                THEN 100.0 * COALESCE(returned.quantity, 0) / sold.quantity
                                ELSE 0 END AS return_rate
                      FROM sold
                      LEFT JOIN returned ON returned.product_id = sold.product_id
                                        AND returned.account_id = sold.account_id
                )
                """,
                SQL.identifier(self._table),
            )
        )
