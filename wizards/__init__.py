from . import amazon_rma_import_wizard
