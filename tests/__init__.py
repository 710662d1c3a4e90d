from . import test_seller_account
from . import test_settings
from . import test_sale_order
from . import test_connection
