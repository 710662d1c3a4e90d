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
    "CustomerCancel": "Buyer's request",
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
GENERAL_ADJUSTMENT = "GeneralAdjustment"
# Adjustment reasons of units that never shipped: a refund of shipped items never has them.
UNSHIPPED_ADJUSTMENT_REASONS = (NO_INVENTORY, CUSTOMER_CANCEL, "CouldNotShip", "ProductOutofStock")
# Amazon accepts only these two reasons for cancelling part of a line's quantity.
QUANTITY_CANCEL_REASONS = (NO_INVENTORY, CUSTOMER_CANCEL)
# A cancel reason (OrderAcknowledgement) as the adjustment reason of part of a line's quantity.
BUYER_CANCELED = "BuyerCanceled"
QUANTITY_CANCEL_REASON_OF = {NO_INVENTORY: NO_INVENTORY, BUYER_CANCELED: CUSTOMER_CANCEL}
# An adjustment's code for a reason a cancellation spells otherwise: one reason to the seller,
# whichever feed carried it.
SAME_REASON = {CUSTOMER_CANCEL: BUYER_CANCELED}

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

# Orders API 2026-01-01 ItemProceedsBreakdown types, and the subtypes of their detailed
# breakdowns (given for TAX and DISCOUNT only), as the price components they charge, tax or
# lower. A DISCOUNT of subtype SHIPPING is a shipping promotion: it lowers the shipping, not the
# item. A discount or tax whose subtype names none of these (OTHER, COD_FEE, DISCOUNT, or no
# detail at all) belongs to the item.
ORDER_PROCEEDS_TAX = "TAX"
ORDER_PROCEEDS_DISCOUNT = "DISCOUNT"
ORDER_PROCEEDS_CHARGES = {"ITEM": PRINCIPAL, "SHIPPING": SHIPPING, "GIFT_WRAP": GIFT_WRAP}
ORDER_PROCEEDS_TAXES = {"ITEM": TAX, "SHIPPING": SHIPPING_TAX, "GIFT_WRAP": GIFT_WRAP_TAX}
# ItemTaxCollection model of tax Amazon withholds and remits as marketplace facilitator.
ORDER_TAX_FACILITATOR = "MARKETPLACE_FACILITATOR"

# Resolutions of Amazon's returns reports, with the labels a seller reads; an unlisted code is
# shown in its words (ExchangeRefund: "Exchange refund").
RETURN_RESOLUTIONS = {
    "StandardRefund": "Refund after the return",
    "ReturnlessRefund": "Refund without return",
}


def return_resolution_label(code):
    """The label of a returns report's resolution code, from its words when Amazon's is unknown."""
    if not code:
        return ""
    if code in RETURN_RESOLUTIONS:
        return RETURN_RESOLUTIONS[code]
    words = "".join(f" {char}" if char.isupper() else char for char in code).split()
    return " ".join(words).capitalize()


# Return reasons of Amazon's returns reports: code, the label a seller reads, whether the seller
# is at fault (None: not known), and the other spellings Amazon writes for the same reason.
# Source: Seller Central help "Customer returns report"
# (https://sellercentral.amazon.com/help/hub/reference/external/G200453320), its "Customer
# Reason" table of the FBA customer returns report's codes, which the seller-fulfilled returns
# report writes with its "CR-" prefix; and the "AMZ-PG-" codes the seller-fulfilled returns
# report writes for the category-specific reasons of that table (APP: apparel, the table's
# APPAREL_*; WJ: watches and jewelry, its JEWELRY_*; without a category: BAD-DESC, MISORDERED),
# as real reports show them (a 2025 US report: AMZ-PG-WJ-TOO-SMALL). At fault: defective,
# damaged, wrong or extra item sent, not as described, missing parts, arrived late or never;
# the other reasons are the buyer's choice ("buyer's remorse"). Loaded as amazon.return.reason
# records; a code seen in a report and not listed here is created from its code and flagged
# for review.
RETURN_REASONS = {
    "DEFECTIVE": ("Defective or does not work", True, ()),
    "WARRANTY": ("Defective after arrival (warranty)", True, ()),
    "DAMAGED_BY_CARRIER": ("Damaged in transit", True, ()),
    "DAMAGED_BY_FC": ("Damaged before shipping", True, ()),
    "SWITCHEROO": ("Wrong item sent", True, ()),
    "EXTRA_ITEM": ("Extra item received", True, ()),
    "NOT_AS_DESCRIBED": ("Not as described", True, ()),
    "AMZ-PG-BAD-DESC": ("Inaccurate description", True, ("BAD_DESC",)),
    "MISSING_PARTS": ("Missing parts or accessories", True, ()),
    "MISSED_ESTIMATED_DELIVERY": ("Arrived too late", True, ()),
    "NEVER_ARRIVED": ("Never arrived", True, ()),
    "UNWANTED_ITEM": ("No longer needed", False, ()),
    "ORDERED_WRONG_ITEM": ("Bought by mistake", False, ()),
    "AMZ-PG-MISORDERED": ("Wrong style, size or colour ordered", False, ("MISORDERED",)),
    "FOUND_BETTER_PRICE": ("Better price found", False, ()),
    "NOT_COMPATIBLE": ("Incompatible or not useful", False, ()),
    "PART_NOT_COMPATIBLE": ("Part not compatible", False, ()),
    "EXCESSIVE_INSTALLATION": ("Installation too demanding", False, ()),
    "QUALITY_UNACCEPTABLE": ("Performance or quality not adequate", False, ()),
    "UNAUTHORIZED_PURCHASE": ("Purchase not approved", False, ()),
    "DID_NOT_LIKE_COLOR": ("Colour not liked", False, ()),
    "DID_NOT_LIKE_FABRIC": ("Fabric not liked", False, ()),
    "AMZ-PG-APP-TOO-SMALL": ("Too small (apparel)", False, ("APPAREL_TOO_SMALL", "APP_TOO_SMALL")),
    "AMZ-PG-APP-TOO-LARGE": ("Too large (apparel)", False, ("APPAREL_TOO_LARGE", "APP_TOO_LARGE")),
    "AMZ-PG-APP-STYLE": ("Style not as expected (apparel)", False, ("APPAREL_STYLE", "APP_STYLE")),
    "AMZ-PG-WJ-TOO-SMALL": ("Too small (watches and jewelry)", False, ("JEWELRY_TOO_SMALL",)),
    "AMZ-PG-WJ-TOO-LARGE": ("Too large (watches and jewelry)", False, ("JEWELRY_TOO_LARGE",)),
    "JEWELRY_BATTERY": ("Battery dead (watches and jewelry)", True, ()),
    "JEWELRY_BAD_CLASP": ("Clasp broken (watches and jewelry)", True, ()),
    "JEWELRY_LOOSE_STONE": ("Stone missing or loose (watches and jewelry)", True, ()),
    "JEWELRY_NO_CERT": ("Promised certificate missing (watches and jewelry)", True, ()),
    "JEWELRY_NO_DOCS": ("Manual or warranty missing (watches and jewelry)", True, ()),
    "JEWELRY_TARNISHED": ("Tarnished (watches and jewelry)", True, ()),
    "POOR_FIT": ("Poor fit", False, ()),
    "NO_REASON_GIVEN": ("No reason given", False, ()),
    "UNDELIVERABLE_REFUSED": ("Undeliverable: refused by the buyer", False, ()),
    "UNDELIVERABLE_UNCLAIMED": ("Undeliverable: not claimed", False, ()),
    "UNDELIVERABLE_INSUFFICIENT_ADDRESS": ("Undeliverable: address insufficient", False, ()),
    "UNDELIVERABLE_FAILED_DELIVERY_ATTEMPTS": (
        "Undeliverable: delivery attempts failed",
        False,
        (),
    ),
    "UNDELIVERABLE_CARRIER_MISS_SORTED": ("Undeliverable: missorted by the carrier", True, ()),
    "UNDELIVERABLE_MISSING_LABEL": ("Undeliverable: label missing", True, ()),
    "UNDELIVERABLE_UNKNOWN": ("Undeliverable: cause unknown", None, ()),
}
# Prefixes Amazon puts before the same reason code in one report and not in another.
RETURN_REASON_PREFIXES = ("CR-",)
# The "AMZ-PG-" families of the seller-fulfilled returns report as the reasons of the "Customer
# Reason" table they spell (AMZ-PG-APP-TOO-SMALL is APPAREL_TOO_SMALL), longest first.
RETURN_REASON_FAMILIES = (("AMZ-PG-APP-", "APPAREL-"), ("AMZ-PG-WJ-", "JEWELRY-"), ("AMZ-PG-", ""))
# The last words of an unseen code that tell its category: True when the seller is at fault.
RETURN_REASON_SUFFIXES = {
    "TOO-SMALL": False,
    "TOO-LARGE": False,
    "STYLE": False,
    "POOR-FIT": False,
    "MISORDERED": False,
    "UNWANTED-ITEM": False,
    "ORDERED-WRONG-ITEM": False,
    "FOUND-BETTER-PRICE": False,
    "NOT-COMPATIBLE": False,
    "QUALITY-UNACCEPTABLE": False,
    "UNAUTHORIZED-PURCHASE": False,
    "NO-REASON-GIVEN": False,
    "DID-NOT-LIKE-COLOR": False,
    "DID-NOT-LIKE-FABRIC": False,
    "REFUSED": False,
    "DEFECTIVE": True,
    "WARRANTY": True,
    "DAMAGED": True,
    "BAD-DESC": True,
    "NOT-AS-DESCRIBED": True,
    "MISSING-PARTS": True,
    "SWITCHEROO": True,
    "EXTRA-ITEM": True,
    "MISSED-ESTIMATED-DELIVERY": True,
    "NEVER-ARRIVED": True,
    "BATTERY": True,
    "BAD-CLASP": True,
    "LOOSE-STONE": True,
    "NO-CERT": True,
    "NO-DOCS": True,
    "TARNISHED": True,
}

# Restocking fees, from Amazon's policy update of 30 September 2020 for seller-fulfilled returns
# (sellercentral.amazon.com/forums/t/698297, pointing to the Seller Central help "Guidelines for
# charging restocking fees"): an item returned within Amazon's return policy and in its
# original condition carries no restocking fee; only items returned out of policy (after the
# return window) or in used or damaged condition may carry one, never when the seller is at
# fault (defective, damaged in transit, wrong item, not as described). Most cases are capped at
# 20 % of the item price; higher fees, for a few product types, need a photo of the item
# uploaded in Seller Central, which a feed cannot carry: the addon refuses fees above 20 %.
RESTOCKING_FEE_MAX_PERCENT = 20.0
# Amazon's standard return window: a return requested later is out of policy.
RETURN_WINDOW_DAYS = 30


def return_reason_key(code):
    """A returns report's reason code as every spelling of it reads: without the prefix Amazon
    adds in one report only, an "AMZ-PG-" family as the reason it spells, "_" read as "-"."""
    code = (code or "").strip().upper().replace("_", "-")
    for prefix in RETURN_REASON_PREFIXES:
        if code.startswith(prefix):
            code = code[len(prefix) :]
            break
    for family, reason in RETURN_REASON_FAMILIES:
        if code.startswith(family):
            return reason + code[len(family) :]
    return code


def return_reason_guess(code):
    """The label and fault (True, False, or None when unknown) of a code Amazon does not list:
    its words, and the category its known last words tell."""
    key = return_reason_key(code)
    label = key.replace("-", " ").strip().capitalize() or code
    fault = next(
        (
            fault
            for suffix, fault in RETURN_REASON_SUFFIXES.items()
            if key == suffix or key.endswith(f"-{suffix}")
        ),
        None,
    )
    if fault is None and ("DEFECTIVE" in key or "DAMAGED" in key):
        fault = True
    return label, fault


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
# Finances 2024-06-19 item breakdowns: the model leaves breakdownType open, and real answers nest
# the charges in groups (ProductCharges -> OurPricePrincipal, OurPriceTax; ShippingCharges ->
# ShippingPrincipal, ShippingTax; AmazonFees -> Commission, RefundCommission...). The groups
# are walked through; the names below are read wherever they sit, and whatever they contain
# belongs to them (a fee's own Base and Tax are the fee's, not the item's tax).
# Charges given back to the buyer, as the addon's price components; the seller's amounts are
# negative. Gift wrap is spelt Giftwrap in these answers; RestockingFee, Goodwill and
# ReturnShipping keep the names of the v0 financial events' ChargeType.
TRANSACTION_CHARGES = {
    "OurPricePrincipal": PRINCIPAL,
    "OurPriceTax": TAX,
    "ShippingPrincipal": SHIPPING,
    "ShippingTax": SHIPPING_TAX,
    "Giftwrap": GIFT_WRAP,
    "GiftwrapTax": GIFT_WRAP_TAX,
    "RestockingFee": RESTOCKING_FEE,
    "Goodwill": "Goodwill",
    "ReturnShipping": "ReturnShipping",
}
# Promotions taken back on a refund (positive for the seller), by the component they lowered.
TRANSACTION_PROMOTIONS = {
    "OurPriceDiscount": PRINCIPAL,
    "OurPriceTaxDiscount": TAX,
    "ShippingDiscount": SHIPPING,
    "ShippingTaxDiscount": SHIPPING_TAX,
}
# Fees Amazon charges or gives back, and tax it withholds as marketplace facilitator: the
# seller's money, never the buyer's.
TRANSACTION_FEES = (
    "Commission",
    "RefundCommission",
    "FixedClosingFee",
    "VariableClosingFee",
    "DigitalServicesFee",
    "FBAPerUnitFulfillmentFee",
    "ShippingChargeback",
    "GiftwrapChargeback",
    "ShippingHB",
    "SalesTaxCollectionFee",
    "MarketplaceFacilitatorTax-Principal",
    "MarketplaceFacilitatorTax-Shipping",
    "MarketplaceFacilitatorTax-Giftwrap",
)
# Amazon may show a transaction up to 48 hours after it happened.
TRANSACTIONS_LAG_HOURS = 48

# Orders API 2026-01-01 fulfillmentStatus of an order Amazon cancelled, of one shipped whole,
# and of orders waiting for the buyer's payment.
ORDER_CANCELLED = "CANCELLED"
ORDER_SHIPPED = "SHIPPED"
ORDER_WAITING_FOR_PAYMENT = ("PENDING", "PENDING_AVAILABILITY")
# Orders API 2026-01-01 fulfilledBy: Amazon ships the order (FBA) or the seller does.
FULFILLED_BY_AMAZON = "AMAZON"
FULFILLED_BY_MERCHANT = "MERCHANT"

# searchOrders maxResultsPerPage: Amazon's largest page, the fewest calls of a rate-limited search.
ORDERS_PAGE_SIZE = 100

# 3-7-7 digits, e.g. 112-1234567-1234567; order item codes are 14 digits.
AMAZON_ORDER_ID_PATTERN = r"^\d{3}-\d{7}-\d{7}$"
AMAZON_ORDER_ITEM_CODE_PATTERN = r"^\d{14}$"

# The operation that submits a feed: its quota decides how fast the queue of requests is sent.
CREATE_FEED = "createFeed"
# Rate limits per seller account and application: (requests per second, burst).
RATE_LIMITS = {
    CREATE_FEED: (0.0083, 15),
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

# SAFE-T (Seller Assurance for E-commerce Transactions) claims must be filed within 30 calendar
# days, counted from the later of the return's delivery scan at the seller and the refund date
# (for a return that never arrives, from the carrier's last scan). Amazon cut the window from
# 60 to 30 days for seller-fulfilled orders from 16 February 2026, as reported in Seller Central
# news and by sellers' advisers (e.g. myamazonguy.com "Amazon SAFE-T Claim Filing Window Shrinks
# to 30 Days", estorefactory.com "Amazon reduces SAFE-T claim window to 30 days"); it had been 60
# days of the refund since 2019. Sources disagree for some marketplaces: sellers in the UAE
# report a 7-day window for damaged returns. The 30 days of the current US policy are used, the
# rule Amazon published most recently; the deadline shown is a reminder, Seller Central decides.
SAFET_CLAIM_WINDOW_DAYS = 30

# The order's status in the Orders API, stored on the order as Amazon reports it.
ORDER_STATUSES = [
    ("PENDING_AVAILABILITY", "Pending availability"),
    ("PENDING", "Pending"),
    ("UNSHIPPED", "Unshipped"),
    ("PARTIALLY_SHIPPED", "Partially shipped"),
    ("SHIPPED", "Shipped"),
    ("CANCELLED", "Cancelled"),
    ("UNFULFILLABLE", "Unfulfillable"),
]
# The adjustment reason of a refund Amazon made itself, recorded as a request of Amazon's.
OTHER_REASON = "Other"
