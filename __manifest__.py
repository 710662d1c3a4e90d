{
    "name": "Amazon Refunds & Cancellations",
    "summary": "Refund, cancel and process Amazon returns from Odoo, one by one or in batches",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Amazon Refunds & Cancellations contributors",
    "depends": ["sale_stock", "mail"],
    "external_dependencies": {"python": ["python-amazon-sp-api>=2.1,<2.2", "lxml"]},
    "data": [
        "security/amazon_security.xml",
        "security/ir.model.access.csv",
        "data/amazon_seller_marketplace_data.xml",
        "views/amazon_menus.xml",
        "views/amazon_seller_account_views.xml",
        "views/amazon_seller_marketplace_views.xml",
        "views/sale_order_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": [
        "demo/amazon_demo.xml",
    ],
}
