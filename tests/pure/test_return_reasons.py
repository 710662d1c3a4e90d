from amazon_api import const


def test_spellings_of_one_code_read_alike():
    assert const.return_reason_key("CR-DEFECTIVE") == const.return_reason_key("DEFECTIVE")
    assert const.return_reason_key(" cr-unwanted_item ") == "UNWANTED-ITEM"
    assert const.return_reason_key("AMZ-PG-APP-TOO-SMALL") != const.return_reason_key(
        "AMZ-PG-WJ-TOO-SMALL"
    ), "each category's family is a code of its own"


def test_published_codes_are_classified_and_spelled_once():
    keys = {}
    for code, (label, fault, aliases) in const.RETURN_REASONS.items():
        assert label and fault in (True, False), code
        for spelling in (code, *aliases):
            key = const.return_reason_key(spelling)
            assert key not in keys, (spelling, keys.get(key))
            keys[key] = code
    assert keys[const.return_reason_key("APPAREL_TOO_SMALL")] == "AMZ-PG-APP-TOO-SMALL"
    assert const.RETURN_REASONS["AMZ-PG-WJ-TOO-SMALL"][1] is False
    for code in ("DEFECTIVE", "SWITCHEROO", "NOT_AS_DESCRIBED", "AMZ-PG-BAD-DESC"):
        assert const.RETURN_REASONS[code][1] is True, code


def test_unseen_codes_are_labelled_and_classified_by_their_ending():
    assert const.return_reason_guess("AMZ-PG-HB-TOO-SMALL") == ("Hb too small", False)
    assert const.return_reason_guess("CR-ARRIVED_DEFECTIVE_TWICE") == (
        "Arrived defective twice",
        True,
    )
    assert const.return_reason_guess("AMZ-PG-DAMAGED") == ("Damaged", True)
    assert const.return_reason_guess("CR-SOMETHING_NEW") == ("Something new", None)


def test_restocking_fee_cap_is_amazons():
    assert const.RESTOCKING_FEE_MAX_PERCENT == 20.0
    assert "RestockingFee" in const.KEPT_COMPONENTS
