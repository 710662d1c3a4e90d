from . import test_seller_account
from . import test_settings
from . import test_sale_order
from . import test_connection
from . import test_request_pipeline
from . import test_concurrent_senders
from . import test_refund
from . import test_cancel
