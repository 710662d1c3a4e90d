"""Amazon's vocabulary as the emulated Amazon speaks it, written down from Amazon's own documents.

Paths, operation names, processing statuses and rate limits follow Amazon's OpenAPI models
(feeds and reports 2021-06-30, tokens 2021-03-01, orders 2026-01-01 and v0); feed and report
types follow the SP-API "Feed Type Values" and "Report Type Values" pages; reasons and price
components follow the OrderAdjustment and OrderAcknowledgement schemas. The addon keeps its own
copy in amazon_api/const.py: the two are written separately so that a misreading of Amazon in
one of them cannot pass the tests by construction, and both are checked against Amazon's files.
"""

FEED_ADJUSTMENT = "POST_PAYMENT_ADJUSTMENT_DATA"
FEED_ACKNOWLEDGEMENT = "POST_ORDER_ACKNOWLEDGEMENT_DATA"
# The envelope MessageType each accepted feed type carries.
FEED_MESSAGE_TYPES = {
    FEED_ADJUSTMENT: "OrderAdjustment",
    FEED_ACKNOWLEDGEMENT: "OrderAcknowledgement",
}

REPORT_RETURNS_FLAT = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
REPORT_RETURNS_XML = "GET_XML_RETURNS_DATA_BY_RETURN_DATE"
REPORT_ORDERS_SHIPPING = "GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING"
REPORT_ORDERS_UNSHIPPED = "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING"
REPORT_SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
REPORT_TYPES = (
    REPORT_RETURNS_FLAT,
    REPORT_RETURNS_XML,
    REPORT_ORDERS_SHIPPING,
    REPORT_ORDERS_UNSHIPPED,
    REPORT_SETTLEMENT,
)
RETURNS_REPORTS = (REPORT_RETURNS_FLAT, REPORT_RETURNS_XML)
# Reports with buyers' personal data: their documents need a restricted data token.
RESTRICTED_REPORTS = (REPORT_ORDERS_UNSHIPPED,)
# Amazon refuses a returns report request spanning more days than this.
RETURNS_REPORT_MAX_DAYS = 60

# Feed and Report processingStatus.
PROCESSING_STATUSES = ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE")
FINAL_STATUSES = ("CANCELLED", "DONE", "FATAL")
COMPRESSION_ALGORITHMS = ("GZIP",)

# OrderAdjustment AdjustmentReason.
ADJUSTMENT_REASONS = (
    "CustomerReturn",
    "NoInventory",
    "CustomerCancel",
    "GeneralAdjustment",
    "CouldNotShip",
    "DifferentItem",
    "Abandoned",
    "PriceError",
    "ProductOutofStock",
    "CustomerAddressIncorrect",
    "Exchange",
    "Other",
    "CarrierCreditDecision",
    "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure",
    "TransactionRecord",
    "Undeliverable",
    "RefusedDelivery",
)
# Amazon takes a QuantityCancelled adjustment only for these reasons.
QUANTITY_CANCEL_REASONS = ("NoInventory", "CustomerCancel")

# OrderAcknowledgement CancelReason.
CANCEL_REASONS = (
    "NoInventory",
    "BuyerCanceled",
    "ShippingAddressUndeliverable",
    "CustomerExchange",
    "GeneralAdjustment",
    "CarrierCreditDecision",
    "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure",
    "CustomerReturn",
    "MerchandiseNotReceived",
)

# OrderAdjustment ItemPriceAdjustments/Component/Type.
PRICE_COMPONENTS = (
    "Principal",
    "Shipping",
    "Tax",
    "ShippingTax",
    "GiftWrap",
    "GiftWrapTax",
    "RestockingFee",
    "RestockingFeeTax",
    "Surcharge",
    "ReturnShipping",
    "Goodwill",
    "ExportCharge",
    "COD",
    "CODTax",
    "Other",
    "FreeReplacementReturnShipping",
)
# Components the seller keeps: Amazon wants them as negative amounts, all others positive.
KEPT_COMPONENTS = ("RestockingFee", "RestockingFeeTax")

# 3-7-7 digits, e.g. 112-1234567-1234567.
AMAZON_ORDER_ID_PATTERN = r"^\d{3}-\d{7}-\d{7}$"

# (method, path, operationId) of each SP-API operation served.
SPAPI_OPERATIONS = (
    ("POST", "/tokens/2021-03-01/restrictedDataToken", "createRestrictedDataToken"),
    ("POST", "/feeds/2021-06-30/documents", "createFeedDocument"),
    ("GET", "/feeds/2021-06-30/documents/{feedDocumentId}", "getFeedDocument"),
    ("POST", "/feeds/2021-06-30/feeds", "createFeed"),
    ("GET", "/feeds/2021-06-30/feeds", "getFeeds"),
    ("GET", "/feeds/2021-06-30/feeds/{feedId}", "getFeed"),
    ("DELETE", "/feeds/2021-06-30/feeds/{feedId}", "cancelFeed"),
    ("POST", "/reports/2021-06-30/reports", "createReport"),
    ("GET", "/reports/2021-06-30/reports", "getReports"),
    ("GET", "/reports/2021-06-30/reports/{reportId}", "getReport"),
    ("DELETE", "/reports/2021-06-30/reports/{reportId}", "cancelReport"),
    ("GET", "/reports/2021-06-30/documents/{reportDocumentId}", "getReportDocument"),
    ("GET", "/orders/2026-01-01/orders", "searchOrders"),
    ("GET", "/orders/2026-01-01/orders/{orderId}", "getOrder"),
    ("GET", "/orders/v0/orders/{orderId}/orderItems", "getOrderItems"),
    ("GET", "/finances/2024-06-19/transactions", "listTransactions"),
)

# Usage plans per seller and application: (requests per second, burst), from each operation's
# description in Amazon's models.
RATE_LIMITS = {
    "createRestrictedDataToken": (1.0, 10),
    "createFeedDocument": (0.5, 15),
    "getFeedDocument": (0.0222, 10),
    "createFeed": (0.0083, 15),
    "getFeeds": (0.0222, 10),
    "getFeed": (2.0, 15),
    "cancelFeed": (2.0, 15),
    "createReport": (0.0167, 15),
    "getReports": (0.0222, 10),
    "getReport": (2.0, 15),
    "cancelReport": (0.0222, 10),
    "getReportDocument": (0.0167, 15),
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    "getOrderItems": (0.5, 30),
    "listTransactions": (0.5, 10),
}

# Refunds by who made them: the seller's feed, Amazon or Seller Central, an A-to-z guarantee
# claim, a chargeback. Each with its settlement transaction-type and its Finances 2024-06-19
# transactionType.
# Finances 2024-06-19 item breakdowns of a refund as Amazon's answers write them, per feed price
# component: (group, leaf). The model leaves breakdownType open; these are the names of real
# answers (ProductCharges -> OurPricePrincipal, OurPriceTax; ShippingCharges -> ShippingPrincipal,
# ShippingTax; gift wrap spelt Giftwrap). Other components keep their feed name, in
# ProductCharges.
TRANSACTION_PRODUCT_CHARGES = "ProductCharges"
TRANSACTION_BREAKDOWNS = {
    "Principal": (TRANSACTION_PRODUCT_CHARGES, "OurPricePrincipal"),
    "Tax": (TRANSACTION_PRODUCT_CHARGES, "OurPriceTax"),
    "Shipping": ("ShippingCharges", "ShippingPrincipal"),
    "ShippingTax": ("ShippingCharges", "ShippingTax"),
    "GiftWrap": ("GiftWrapCharges", "Giftwrap"),
    "GiftWrapTax": ("GiftWrapCharges", "GiftwrapTax"),
}

REFUND_KINDS = {
    "feed": ("Refund", "Refund"),
    "amazon": ("Refund", "Refund"),
    "atoz": ("A-to-z Guarantee Refund", "GuaranteeClaim"),
    "chargeback": ("Chargeback Refund", "Chargeback"),
}

# (marketplace id, country code, currency, name), from the SP-API "Marketplace IDs" page.
MARKETPLACES = (
    ("A2EUQ1WTGCTBG2", "CA", "CAD", "Amazon.ca"),
    ("ATVPDKIKX0DER", "US", "USD", "Amazon.com"),
    ("A1AM78C64UM0Y8", "MX", "MXN", "Amazon.com.mx"),
    ("A2Q3Y263D00KWC", "BR", "BRL", "Amazon.com.br"),
    ("A28R8C7NBKEWEA", "IE", "EUR", "Amazon.ie"),
    ("A1RKKUPIHCS9HS", "ES", "EUR", "Amazon.es"),
    ("A1F83G8C2ARO7P", "GB", "GBP", "Amazon.co.uk"),
    ("A13V1IB3VIYZZH", "FR", "EUR", "Amazon.fr"),
    ("AMEN7PMS3EDWL", "BE", "EUR", "Amazon.com.be"),
    ("A1805IZSGTT6HS", "NL", "EUR", "Amazon.nl"),
    ("A1PA6795UKMFR9", "DE", "EUR", "Amazon.de"),
    ("APJ6JRA9NG5V4", "IT", "EUR", "Amazon.it"),
    ("A2NODRKZP88ZB9", "SE", "SEK", "Amazon.se"),
    ("A1C3SOZRARQ6R3", "PL", "PLN", "Amazon.pl"),
    ("ARBP9OOSHTCHU", "EG", "EGP", "Amazon.eg"),
    ("A33AVAJ2PDY3EV", "TR", "TRY", "Amazon.com.tr"),
    ("A17E79C6D8DWNP", "SA", "SAR", "Amazon.sa"),
    ("A2VIGQ35RCS4UG", "AE", "AED", "Amazon.ae"),
    ("A21TJRUUN4KGV", "IN", "INR", "Amazon.in"),
    ("A19VAU5U5O7RUS", "SG", "SGD", "Amazon.sg"),
    ("A39IBJ37TRP1C6", "AU", "AUD", "Amazon.com.au"),
    ("A1VC38T7YXB528", "JP", "JPY", "Amazon.co.jp"),
)
