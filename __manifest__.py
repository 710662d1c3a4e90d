{
    "name": "Amazon Refunds & Cancellations",
    "summary": "Refund, cancel and process Amazon returns from Odoo, one by one or in batches",
    "version": "18.0.1.1.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Amazon Refunds & Cancellations contributors",
    "development_status": "Alpha",
    "installable": True,
    "depends": ["sale_management", "sale_stock", "mail"],
    # Below 2.2: amazon_api/client.py uses the library's private httpx transport module
    # (sp_api.base._transport_httpx) and its `_transport` attribute, which may change in any
    # release.
    "external_dependencies": {"python": ["python-amazon-sp-api>=2.1,<2.2", "lxml"]},
    "data": [
        "security/amazon_security.xml",
        "security/ir.model.access.csv",
        "data/amazon_seller_marketplace_data.xml",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_activity_type_data.xml",
        "views/amazon_menus.xml",
        "views/amazon_sku_mapping_views.xml",
        "views/amazon_seller_account_views.xml",
        "views/amazon_seller_marketplace_views.xml",
        "views/amazon_order_request_views.xml",
        "views/amazon_feed_batch_views.xml",
        "views/amazon_rma_views.xml",
        "views/amazon_rma_import_views.xml",
        "wizards/amazon_rma_import_wizard_views.xml",
        "wizards/amazon_order_import_wizard_views.xml",
        "views/sale_order_views.xml",
        "views/amazon_settlement_views.xml",
        "wizards/amazon_settlement_import_wizard_views.xml",
        "views/stock_picking_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/amazon_refund_wizard_views.xml",
        "wizards/amazon_cancel_wizard_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "amazon_refund_cancel/static/src/tours/*.js",
        ],
    },
    "demo": [
        "demo/amazon_demo.xml",
    ],
}
