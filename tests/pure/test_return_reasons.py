from amazon_api import const


def test_codes_read_with_or_without_their_prefix():
    assert const.return_reason_label("CR-DEFECTIVE") == "Defective or does not work"
    assert const.return_reason_label("DEFECTIVE") == "Defective or does not work"
    assert const.return_reason_label("AMZ-PG-APP-TOO-SMALL") == "Too small"
    assert const.return_reason_label("APPAREL_TOO_SMALL") == "Too small"


def test_unknown_codes_show_as_they_are():
    assert const.return_reason_label("CR-SOMETHING_NEW") == "CR-SOMETHING_NEW"
    assert const.return_reason_category("CR-SOMETHING_NEW") is False
    assert const.return_reason_label("") == ""


def test_seller_fault_and_buyer_remorse():
    seller_fault = (
        "CR-DEFECTIVE",
        "CR-DAMAGED_BY_CARRIER",
        "CR-SWITCHEROO",
        "CR-NOT_AS_DESCRIBED",
        "AMZ-PG-BAD-DESC",
        "CR-MISSING_PARTS",
        "CR-MISSED_ESTIMATED_DELIVERY",
    )
    for code in seller_fault:
        assert const.return_reason_category(code) == "seller_fault", code
    for code in ("CR-UNWANTED_ITEM", "CR-FOUND_BETTER_PRICE", "AMZ-PG-APP-TOO-LARGE"):
        assert const.return_reason_category(code) == "buyer_remorse", code


def test_restocking_fee_cap_is_amazons():
    assert const.RESTOCKING_FEE_MAX_PERCENT == 20.0
    assert "RestockingFee" in const.KEPT_COMPONENTS
