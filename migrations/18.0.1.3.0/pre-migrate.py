"""18.0.1.3.0: the seller account's bookkeeping fields are gone; the addon's extension views
that still name them are emptied until the upgrade reloads them from the files."""


def empty_extension_views(cr):
    """The addon's views are reloaded from its files during the upgrade. Until each is, an
    extension view still naming an old field fails the check of the view it extends."""
    cr.execute(
        "UPDATE ir_ui_view view SET arch_db = jsonb_build_object('en_US', '<data/>') "
        "FROM ir_model_data data WHERE data.module = 'amazon_refund_cancel' "
        "AND data.model = 'ir.ui.view' AND data.res_id = view.id AND view.inherit_id IS NOT NULL"
    )


def migrate(cr, version):
    if version:
        empty_extension_views(cr)
