from . import amazon_import_wizard_mixin
from . import amazon_refund_wizard
from . import amazon_refund_wizard_line
from . import amazon_cancel_wizard
from . import amazon_cancel_wizard_line
from . import amazon_rma_import_wizard
from . import amazon_settlement_import_wizard
from . import amazon_order_import_wizard
