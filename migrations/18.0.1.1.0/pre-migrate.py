"""Text fields holding Amazon's identifiers end in _number or _ref from 18.0.1.1.0 on, so that no
reader takes them for relations. Their columns, field definitions and indexes are renamed in place:
values, tracking history and indexes of big tables are kept, nothing is rebuilt."""

from odoo.tools.sql import column_exists, index_exists, rename_column

RENAMED_FIELDS = [
    ("amazon.rma", "amazon_rma_id", "amazon_rma_number"),
    ("amazon.rma.import.line", "amazon_rma_id", "amazon_rma_number"),
    ("amazon.feed.batch", "feed_id", "feed_number"),
    ("amazon.feed.batch", "amazon_document_id", "feed_document_ref"),
    ("amazon.order.request", "feed_id", "feed_number"),
    ("amazon.order.request", "amazon_adjustment_id", "amazon_adjustment_ref"),
    ("amazon.order.request.line", "merchant_adjustment_item_id", "merchant_adjustment_item_ref"),
    ("amazon.rma.import", "amazon_report_id", "amazon_report_ref"),
    ("amazon.settlement", "amazon_report_id", "amazon_report_ref"),
    ("amazon.settlement", "settlement_id", "settlement_ref"),
    ("amazon.settlement.line", "adjustment_id", "adjustment_ref"),
    ("amazon.settlement.line", "merchant_adjustment_item_id", "merchant_adjustment_item_ref"),
    ("amazon.seller.account", "buyer_cancel_report_id", "buyer_cancel_report_ref"),
]


def rename_field(cr, model, old, new):
    table = model.replace(".", "_")
    if column_exists(cr, table, old) and not column_exists(cr, table, new):
        rename_column(cr, table, old, new)
        # The ORM names its indexes after the column; renamed, Odoo finds the index it expects.
        old_index, new_index = f"{table}__{old}_index", f"{table}__{new}_index"
        if index_exists(cr, old_index) and not index_exists(cr, new_index):
            cr.execute(f'ALTER INDEX "{old_index}" RENAME TO "{new_index}"')
    cr.execute(
        "UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s "
        "AND NOT EXISTS (SELECT 1 FROM ir_model_fields WHERE model = %s AND name = %s)",
        (new, model, old, model, new),
    )
    prefix = f"field_{table}__"
    cr.execute(
        "UPDATE ir_model_data SET name = %s WHERE module = 'amazon_refund_cancel' "
        "AND model = 'ir.model.fields' AND name = %s "
        "AND NOT EXISTS (SELECT 1 FROM ir_model_data WHERE module = 'amazon_refund_cancel' "
        "AND name = %s)",
        (prefix + new, prefix + old, prefix + new),
    )


def empty_extension_views(cr):
    """The addon's views are reloaded from its files during the upgrade. Until each is, an
    extension view still naming an old field fails the check of the view it extends."""
    cr.execute(
        "UPDATE ir_ui_view view SET arch_db = jsonb_build_object('en_US', '<data/>') "
        "FROM ir_model_data data WHERE data.module = 'amazon_refund_cancel' "
        "AND data.model = 'ir.ui.view' AND data.res_id = view.id AND view.inherit_id IS NOT NULL"
    )


def migrate(cr, version):
    for model, old, new in RENAMED_FIELDS:
        rename_field(cr, model, old, new)
    empty_extension_views(cr)
