"""Refunds as the Finances API 2024-06-19 shows them (listTransactions)."""

from . import amazon
from .report_content import COMMISSION_RATE, MARKETPLACE_NAMES, REFUND_FEE_CAP, REFUND_FEE_RATE
from .state import ZERO

CENT = ZERO.__class__("0.01")


def _money(amount, currency):
    return {"currencyCode": currency, "currencyAmount": float(amount)}


def _breakdown(kind, amount, currency, children=None):
    entry = {"breakdownType": kind, "breakdownAmount": _money(amount, currency)}
    if children:
        entry["breakdowns"] = children
    return entry


def refund_transaction(refund, order):
    """One Transaction of a refund: money given back negative for the seller, the referral fee
    Amazon returns positive and its refund administration fee negative, each breakdown nested
    in its group and named as Amazon's answers name them."""
    currency = order.currency
    item = order.items[refund.order_item_id]
    groups = {}
    for component, amount in refund.amounts.items():
        if amount:
            group, name = amazon.TRANSACTION_BREAKDOWNS.get(
                component, (amazon.TRANSACTION_PRODUCT_CHARGES, component)
            )
            groups.setdefault(group, []).append((name, -amount))
    breakdowns = [
        _breakdown(
            group,
            sum((amount for _name, amount in children), ZERO),
            currency,
            [_breakdown(name, amount, currency) for name, amount in children],
        )
        for group, children in groups.items()
    ]
    total = sum((-amount for amount in refund.amounts.values()), ZERO)
    principal = refund.amounts.get("Principal", ZERO)
    if principal > 0:
        commission = (principal * COMMISSION_RATE).quantize(CENT)
        fee = min((commission * REFUND_FEE_RATE).quantize(CENT), REFUND_FEE_CAP)
        fees = [
            _breakdown("Commission", commission, currency),
            _breakdown("RefundCommission", -fee, currency),
        ]
        breakdowns.append(_breakdown("AmazonFees", commission - fee, currency, fees))
        total += commission - fee
    return {
        "sellingPartnerMetadata": {
            "sellingPartnerId": refund.seller_id,
            "accountType": "Standard Orders",
            "marketplaceId": order.marketplace_id,
        },
        "relatedIdentifiers": [
            {"relatedIdentifierName": "ORDER_ID", "relatedIdentifierValue": order.amazon_order_id}
        ],
        "transactionType": amazon.REFUND_KINDS[refund.kind][1],
        "transactionId": f"tx-{refund.adjustment_id}",
        "transactionStatus": "RELEASED",
        "description": "Refund Order",
        "postedDate": refund.posted.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "totalAmount": _money(total, currency),
        "marketplaceDetails": {
            "marketplaceId": order.marketplace_id,
            "marketplaceName": MARKETPLACE_NAMES.get(order.marketplace_id, ""),
        },
        "items": [
            {
                "description": item.sku,
                "totalAmount": _money(total, currency),
                "relatedIdentifiers": [
                    {
                        "itemRelatedIdentifierName": "ORDER_ADJUSTMENT_ITEM_ID",
                        "itemRelatedIdentifierValue": refund.adjustment_id,
                    }
                ],
                "breakdowns": breakdowns,
                "contexts": [
                    {
                        "contextType": "ProductContext",
                        "sku": item.sku,
                        "quantityShipped": item.quantity_shipped,
                        "fulfillmentNetwork": "AFN"
                        if order.fulfillment_channel == "AFN"
                        else "MFN",
                    }
                ],
            }
        ],
    }
