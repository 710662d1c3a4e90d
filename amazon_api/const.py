"""Amazon's names and numbers: feed and report types, reason codes, price components, rate limits.

Everything here comes from Amazon's published schemas and SP-API documentation; the labels are ours.
"""

FEED_ADJUSTMENT = "POST_PAYMENT_ADJUSTMENT_DATA"
FEED_ACKNOWLEDGEMENT = "POST_ORDER_ACKNOWLEDGEMENT_DATA"
FEED_CONTENT_TYPE = "text/xml; charset=UTF-8"
# Amazon's queue advice and the seed agree: at most 15 requests a document.
MAX_MESSAGES_PER_FEED = 15
# Amazon limits feeds by size, not by message count: "Keep file size less than 10 MiB"
# (Feeds API Best Practices, developer-docs.amazon.com/sp-api/docs/feeds-api-best-practices),
# and advises fewer, larger feeds. An adjustment message of an order with several items and all
# their price components stays under 10 KB: 1,000 messages keep a document under the limit.
FEED_MAX_BYTES = 10 * 1024 * 1024
LARGEST_FEED_MESSAGES = 1000

FEED_DONE = "DONE"
FEED_FATAL = "FATAL"
FEED_CANCELLED = "CANCELLED"
FEED_IN_QUEUE = "IN_QUEUE"
FEED_IN_PROGRESS = "IN_PROGRESS"

REPORT_RETURNS_FLAT = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
REPORT_ORDERS_SHIPPING = "GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING"
REPORT_ORDERS_UNSHIPPED = "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING"
# Reports that carry buyer data and need a restricted data token to download.
REPORT_SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
RESTRICTED_REPORTS = (REPORT_ORDERS_UNSHIPPED,)
RETURNS_REPORT_MAX_DAYS = 60

REPORT_DONE = "DONE"
REPORT_FATAL = "FATAL"
REPORT_CANCELLED = "CANCELLED"
REPORT_FINAL_STATUSES = (REPORT_DONE, REPORT_FATAL, REPORT_CANCELLED)

# OrderAdjustment.xsd AdjustmentReason, with the labels a seller reads.
ADJUSTMENT_REASONS = {
    "CustomerReturn": "Customer return",
    "NoInventory": "No stock",
    "CustomerCancel": "Customer cancelled",
    "GeneralAdjustment": "General adjustment",
    "CouldNotShip": "Could not ship",
    "DifferentItem": "Different item sent",
    "Abandoned": "Abandoned by the buyer",
    "PriceError": "Price error",
    "ProductOutofStock": "Product out of stock",
    "CustomerAddressIncorrect": "Customer address incorrect",
    "Exchange": "Exchange",
    "Other": "Other",
    "CarrierCreditDecision": "Carrier credit decision",
    "RiskAssessmentInformationNotValid": "Risk assessment information not valid",
    "CarrierCoverageFailure": "Carrier coverage failure",
    "TransactionRecord": "Transaction record",
    "Undeliverable": "Undeliverable",
    "RefusedDelivery": "Refused delivery",
}
CUSTOMER_RETURN, NO_INVENTORY, CUSTOMER_CANCEL = "CustomerReturn", "NoInventory", "CustomerCancel"
# Amazon accepts only these two reasons for cancelling part of a line's quantity.
QUANTITY_CANCEL_REASONS = (NO_INVENTORY, CUSTOMER_CANCEL)
# A cancel reason (OrderAcknowledgement) as the adjustment reason of part of a line's quantity.
BUYER_CANCELED = "BuyerCanceled"
QUANTITY_CANCEL_REASON_OF = {NO_INVENTORY: NO_INVENTORY, BUYER_CANCELED: CUSTOMER_CANCEL}

# OrderAcknowledgement.xsd CancelReason.
CANCEL_REASONS = {
    "NoInventory": "No stock",
    "BuyerCanceled": "Buyer's request",
    "ShippingAddressUndeliverable": "Shipping address undeliverable",
    "CustomerExchange": "Customer exchange",
    "GeneralAdjustment": "General adjustment",
    "CarrierCreditDecision": "Carrier credit decision",
    "RiskAssessmentInformationNotValid": "Risk assessment information not valid",
    "CarrierCoverageFailure": "Carrier coverage failure",
    "CustomerReturn": "Customer return",
    "MerchandiseNotReceived": "Merchandise not received",
}

# OrderAdjustment.xsd ItemPriceAdjustments/Component/Type.
PRICE_COMPONENTS = {
    "Principal": "Item price",
    "Shipping": "Shipping",
    "Tax": "Tax",
    "ShippingTax": "Shipping tax",
    "GiftWrap": "Gift wrap",
    "GiftWrapTax": "Gift wrap tax",
    "RestockingFee": "Restocking fee",
    "RestockingFeeTax": "Restocking fee tax",
    "Surcharge": "Surcharge",
    "ReturnShipping": "Return shipping",
    "Goodwill": "Goodwill",
    "ExportCharge": "Export charge",
    "COD": "Cash on delivery",
    "CODTax": "Cash on delivery tax",
    "Other": "Other",
    "FreeReplacementReturnShipping": "Free replacement return shipping",
}
PRINCIPAL, TAX, SHIPPING, SHIPPING_TAX = "Principal", "Tax", "Shipping", "ShippingTax"
GIFT_WRAP, GIFT_WRAP_TAX = "GiftWrap", "GiftWrapTax"
RESTOCKING_FEE, RESTOCKING_FEE_TAX = "RestockingFee", "RestockingFeeTax"
# Money the seller keeps: sent as negative amounts, everything else is money back to the buyer.
KEPT_COMPONENTS = (RESTOCKING_FEE, RESTOCKING_FEE_TAX)

# V2 settlement transaction types of money given back to a buyer, with the kind of refund each
# is when no request of the seller made it.
SETTLEMENT_REFUND_TYPES = {
    "Refund": "amazon",
    "A-to-z Guarantee Refund": "atoz",
    "Chargeback Refund": "chargeback",
}
# Other transaction types of V2 settlements: sales, fees and transfers, nothing given back.
SETTLEMENT_OTHER_TYPES = (
    "Order",
    "other-transaction",
    "ServiceFee",
    "Adjustment",
    "CouponRedemptionFee",
    "Liquidations",
    "Liquidations Adjustments",
    "Current Reserve Amount",
    "Previous Reserve Amount Balance",
    "Transfer",
    "Debt",
    "Successful charge",
    "Payable to Amazon",
    "Lightning Deal Fee",
    "SellerDealPayment",
    "FBA Inventory Reimbursement",
    "Retrocharge",
    "RetrochargeReversal",
    "Subscription Fee",
)
# Settlement amount types of a refund: money given back, fees, and promotions taken back.
SETTLEMENT_ITEM_PRICE = "ItemPrice"
SETTLEMENT_ITEM_FEES = "ItemFees"
SETTLEMENT_PROMOTION = "Promotion"
# ItemFees descriptions: the referral fee Amazon gives back, and the part it keeps for the refund.
SETTLEMENT_COMMISSION = "Commission"
SETTLEMENT_REFUND_COMMISSION = "RefundCommission"

# Finances 2024-06-19 transaction types of money given back to a buyer, by kind of refund.
TRANSACTION_REFUND_TYPES = {
    "Refund": "amazon",
    "GuaranteeClaim": "atoz",
    "Chargeback": "chargeback",
}
TRANSACTION_ORDER_ID = "ORDER_ID"
TRANSACTION_ADJUSTMENT_ITEM_ID = "ORDER_ADJUSTMENT_ITEM_ID"
# Amazon may show a transaction up to 48 hours after it happened.
TRANSACTIONS_LAG_HOURS = 48

# Orders API 2026-01-01 fulfillmentStatus of an order Amazon cancelled.
ORDER_CANCELLED = "CANCELLED"

# 3-7-7 digits, e.g. 112-1234567-1234567; order item codes are 14 digits.
AMAZON_ORDER_ID_PATTERN = r"^\d{3}-\d{7}-\d{7}$"
AMAZON_ORDER_ITEM_CODE_PATTERN = r"^\d{14}$"

# Rate limits per seller account and application: (requests per second, burst).
RATE_LIMITS = {
    "createFeed": (0.0083, 15),
    "createFeedDocument": (0.5, 15),
    "getFeed": (2.0, 15),
    "getFeeds": (0.0222, 10),
    "getFeedDocument": (0.0222, 10),
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getReports": (0.0222, 10),
    "getReportDocument": (0.0167, 15),
    "createRestrictedDataToken": (1.0, 10),
    "searchOrders": (0.0056, 20),
    "listTransactions": (0.5, 10),
}

REGIONS = {
    "na": {
        "name": "North America",
        "endpoint": "https://sellingpartnerapi-na.amazon.com",
        "sandbox": "https://sandbox.sellingpartnerapi-na.amazon.com",
        "aws_region": "us-east-1",
    },
    "eu": {
        "name": "Europe",
        "endpoint": "https://sellingpartnerapi-eu.amazon.com",
        "sandbox": "https://sandbox.sellingpartnerapi-eu.amazon.com",
        "aws_region": "eu-west-1",
    },
    "fe": {
        "name": "Far East",
        "endpoint": "https://sellingpartnerapi-fe.amazon.com",
        "sandbox": "https://sandbox.sellingpartnerapi-fe.amazon.com",
        "aws_region": "us-west-2",
    },
}
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
