"""Finances 2024-06-19 refunds read by Amazon's breakdown names, at any depth: what the seam
knows counts, what it does not is listed and skipped, what cannot be read is marked so."""

import json
import logging
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from test_client import ORDER_ID, _connection, emulator  # noqa: F401

from amazon_api import const
from amazon_api.client import AmazonClient, _refund_items
from amazon_api.ratelimit import RateLimiter

ITEM = "11111111111111"
TRANSACTIONS_PATH = "/finances/2024-06-19/transactions"


@pytest.fixture
def client(emulator, clock):  # noqa: F811
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    return AmazonClient(_connection(emulator), limiter=limiter, max_wait=float("inf"))


def _money(amount, currency="USD"):
    return {"currencyCode": currency, "currencyAmount": amount}


def _node(name, amount=None, *children, currency="USD"):
    node = {"breakdownType": name}
    if amount is not None:
        node["breakdownAmount"] = _money(amount, currency)
    if children:
        node["breakdowns"] = list(children)
    return node


def _transaction(*breakdowns):
    """A refund of one item as Amazon's answers write it."""
    return {
        "relatedIdentifiers": [
            {"relatedIdentifierName": "ORDER_ID", "relatedIdentifierValue": ORDER_ID}
        ],
        "transactionType": "Refund",
        "transactionId": "tx-1",
        "postedDate": "2026-01-05T10:00:00Z",
        "totalAmount": _money(-17.02),
        "items": [
            {
                "relatedIdentifiers": [
                    {
                        "itemRelatedIdentifierName": "ORDER_ADJUSTMENT_ITEM_ID",
                        "itemRelatedIdentifierValue": "amzn1.adj.1",
                    }
                ],
                "breakdowns": list(breakdowns),
                "contexts": [
                    {"contextType": "ProductContext", "sku": "MUG-1", "quantityShipped": 1}
                ],
            }
        ],
    }


def test_a_real_refund_is_read_by_amazons_names_at_any_depth():
    (refund,) = _refund_items(
        _transaction(
            _node(
                "ProductCharges",
                -20.65,
                _node("OurPricePrincipal", -19.95),
                _node("OurPriceTax", -1.70),
                _node("OurPriceDiscount", 1.00),
            ),
            _node(
                "ShippingCharges",
                -5.40,
                _node("ShippingPrincipal", -4.99),
                _node("ShippingTax", -0.41),
            ),
            _node(
                "AmazonFees",
                2.39,
                _node("Commission", 2.99, _node("Base", 2.75), _node("Tax", 0.24)),
                _node("RefundCommission", -0.60),
            ),
            _node("Tax", 1.70, _node("MarketplaceFacilitatorTax-Principal", 1.70)),
        )
    )
    assert refund.unreadable is None and refund.unknown == ()
    # What the buyer got back, net of the promotion Amazon took back.
    assert refund.amounts == {
        const.PRINCIPAL: Decimal("18.95"),
        const.TAX: Decimal("1.70"),
        const.SHIPPING: Decimal("4.99"),
        const.SHIPPING_TAX: Decimal("0.41"),
    }
    assert refund.promotions == {const.PRINCIPAL: Decimal("1.00")}
    # A fee's own Base and Tax are the fee's: never the item's tax.
    assert refund.fees == {
        "Commission": Decimal("2.99"),
        "RefundCommission": Decimal("-0.60"),
        "MarketplaceFacilitatorTax-Principal": Decimal("1.70"),
    }
    assert (refund.adjustment_id, refund.sku, refund.quantity) == ("amzn1.adj.1", "MUG-1", 1)


def test_feed_component_names_are_not_amazons_transaction_names(caplog):
    # The old reading took leaves named like feed components; Amazon does not write them so.
    with caplog.at_level(logging.WARNING):
        (refund,) = _refund_items(
            _transaction(
                _node("ProductCharges", -21.6, _node("Principal", -20), _node("Tax", -1.6))
            )
        )
    assert refund.amounts == {} and refund.fees == {}
    assert "ProductCharges/Principal" in refund.unreadable
    assert "cannot be read" in caplog.text


def test_an_unknown_leaf_is_logged_and_skipped_never_a_refund(caplog):
    with caplog.at_level(logging.WARNING):
        (refund,) = _refund_items(
            _transaction(
                _node(
                    "ProductCharges",
                    -22.0,
                    _node("OurPricePrincipal", -20.0),
                    _node("BrandNewCharge", -2.0),
                    _node("EmptyCharge", 0),
                ),
            )
        )
    assert refund.unreadable is None
    assert refund.amounts == {const.PRINCIPAL: Decimal("20.0")}
    assert refund.unknown == ("ProductCharges/BrandNewCharge",), "a zero leaf holds no money"
    assert "ProductCharges/BrandNewCharge" in caplog.text


@pytest.mark.parametrize(
    "item_breakdowns, why",
    [
        (None, "no breakdowns"),
        ([_node("ProductCharges", -2.0, _node("Surprise", -2.0))], "ProductCharges/Surprise"),
        ([_node("OurPricePrincipal", None)], "OurPricePrincipal has no amount"),
        ([_node("OurPricePrincipal", "twenty")], "OurPricePrincipal has no amount"),
        ([_node("OurPricePrincipal", -20.0, currency="EUR")], "is in EUR, not USD"),
        (["OurPricePrincipal"], "not an object"),
        ([_node("AmazonFees", 2.0, _node("Commission", 2.0))], "no price component"),
    ],
)
def test_a_transaction_that_cannot_be_read_is_marked_with_why(item_breakdowns, why):
    transaction = _transaction()
    transaction["items"][0]["breakdowns"] = item_breakdowns
    (refund,) = _refund_items(transaction)
    assert why in refund.unreadable
    assert refund.amounts == {}, "nothing of it counts"


def test_one_unreadable_item_leaves_the_others_readable():
    transaction = _transaction(_node("OurPricePrincipal", -5.0))
    transaction["items"].append({"breakdowns": [_node("Mystery", -1.0)]})
    good, bad = _refund_items(transaction)
    assert good.unreadable is None and good.amounts == {const.PRINCIPAL: Decimal("5.0")}
    assert bad.unreadable and bad.order_id == ORDER_ID


@pytest.fixture
def finances_model(spapi_models_dir):
    """Amazon's Finances model as it is: its contexts are an allOf of open objects, which a
    strict reading (no undeclared property) would refuse whatever the answer."""
    jsonschema = pytest.importorskip("jsonschema")
    path = spapi_models_dir / "finances_2024-06-19.json"
    if not path.is_file():
        pytest.skip(f"Amazon's Finances model is not at {path}")
    model = json.loads(path.read_text())

    def validate(path, body):
        ref = model["paths"][path]["get"]["responses"]["200"]["schema"]["$ref"]
        schema = {"$ref": ref, "definitions": model["definitions"]}
        jsonschema.Draft4Validator(schema).validate(body)

    return validate


def test_emulator_nests_breakdowns_as_amazon_writes_them(
    client,
    emulator,  # noqa: F811
    finances_model,
):
    since = emulator.now() - timedelta(days=1)
    emulator.amazon_refund(
        ORDER_ID, ITEM, {"Principal": "20.00", "Tax": "1.60", "Shipping": "4.00"}
    )
    answer = httpx.get(
        emulator.url + TRANSACTIONS_PATH,
        params={"postedAfter": since.strftime("%Y-%m-%dT%H:%M:%SZ")},
        headers={"x-amz-access-token": emulator.access_token_for(emulator.refunds[0].seller_id)},
    )
    assert answer.status_code == 200
    finances_model(TRANSACTIONS_PATH, answer.json())
    (transaction,) = answer.json()["payload"]["transactions"]
    groups = {
        group["breakdownType"]: [leaf["breakdownType"] for leaf in group["breakdowns"]]
        for group in transaction["items"][0]["breakdowns"]
    }
    assert groups == {
        "ProductCharges": ["OurPricePrincipal", "OurPriceTax"],
        "ShippingCharges": ["ShippingPrincipal"],
        "AmazonFees": ["Commission", "RefundCommission"],
    }
    (refund,) = client.refund_transactions(since, order_id=ORDER_ID)
    assert refund.unreadable is None and refund.unknown == ()
    assert refund.amounts == {
        const.PRINCIPAL: Decimal("20.0"),
        const.TAX: Decimal("1.6"),
        const.SHIPPING: Decimal("4.0"),
    }
