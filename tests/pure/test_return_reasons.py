from amazon_api import const


def test_spellings_of_one_code_read_alike():
    assert const.return_reason_key("CR-DEFECTIVE") == const.return_reason_key("DEFECTIVE")
    assert const.return_reason_key(" cr-unwanted_item ") == "UNWANTED-ITEM"
    assert const.return_reason_key("AMZ-PG-APP-TOO-SMALL") != const.return_reason_key(
        "AMZ-PG-WJ-TOO-SMALL"
    ), "each category's family is a code of its own"
    # The seller-fulfilled report's AMZ-PG- families spell the FBA report's reasons.
    assert const.return_reason_key("AMZ-PG-WJ-TOO-SMALL") == const.return_reason_key(
        "JEWELRY_TOO_SMALL"
    )
    assert const.return_reason_key("AMZ-PG-APP-STYLE") == const.return_reason_key("APPAREL_STYLE")
    assert const.return_reason_key("AMZ-PG-MISORDERED") == const.return_reason_key("MISORDERED")


def test_published_codes_are_classified_and_spelled_once():
    keys = {}
    for code, (label, fault, aliases) in const.RETURN_REASONS.items():
        assert label and fault in (True, False, None), code
        for spelling in (code, *aliases):
            key = const.return_reason_key(spelling)
            assert keys.setdefault(key, code) == code, (spelling, keys[key])
    assert keys[const.return_reason_key("APPAREL_TOO_SMALL")] == "AMZ-PG-APP-TOO-SMALL"
    assert keys[const.return_reason_key("JEWELRY_TOO_SMALL")] == "AMZ-PG-WJ-TOO-SMALL"
    assert keys[const.return_reason_key("CR-MISORDERED")] == "AMZ-PG-MISORDERED"
    # The real US report's code: labelled, the buyer's choice.
    assert const.RETURN_REASONS["AMZ-PG-WJ-TOO-SMALL"][:2] == (
        "Too small (watches and jewelry)",
        False,
    )
    for code in ("DEFECTIVE", "SWITCHEROO", "NOT_AS_DESCRIBED", "AMZ-PG-BAD-DESC", "WARRANTY"):
        assert const.RETURN_REASONS[code][1] is True, code


def test_every_family_of_the_customer_reason_table_is_listed():
    """Seller Central's "Customer Reason" table: apparel and jewelry reasons, undeliverables."""
    keys = {
        const.return_reason_key(spelling)
        for code, (_label, _fault, aliases) in const.RETURN_REASONS.items()
        for spelling in (code, *aliases)
    }
    for code in (
        "APPAREL_TOO_SMALL",
        "APPAREL_TOO_LARGE",
        "APPAREL_STYLE",
        "JEWELRY_TOO_SMALL",
        "JEWELRY_TOO_LARGE",
        "JEWELRY_BATTERY",
        "JEWELRY_BAD_CLASP",
        "JEWELRY_LOOSE_STONE",
        "JEWELRY_NO_CERT",
        "JEWELRY_NO_DOCS",
        "MISORDERED",
        "WARRANTY",
        "NEVER_ARRIVED",
        "UNDELIVERABLE_REFUSED",
    ):
        assert const.return_reason_key(code) in keys, code


def test_published_codes_and_their_endings_agree():
    """An unseen code ending like a published one is classified as that one is."""
    for code, (_label, fault, _aliases) in const.RETURN_REASONS.items():
        guessed = const.return_reason_guess(f"AMZ-PG-XX-{const.return_reason_key(code)}")[1]
        assert guessed in (fault, None), code


def test_unseen_codes_are_labelled_and_classified_by_their_ending():
    assert const.return_reason_guess("AMZ-PG-HB-TOO-SMALL") == ("Hb too small", False)
    assert const.return_reason_guess("CR-ARRIVED_DEFECTIVE_TWICE") == (
        "Arrived defective twice",
        True,
    )
    assert const.return_reason_guess("AMZ-PG-DAMAGED") == ("Damaged", True)
    assert const.return_reason_guess("CR-SOMETHING_NEW") == ("Something new", None)
    assert const.return_reason_guess("AMZ-PG-WJ-BAD-CLASP-AGAIN") == (
        "Jewelry bad clasp again",
        None,
    ), "only the last words tell"
    assert const.return_reason_guess("AMZ-PG-WJ-LOOSE-STONE") == ("Jewelry loose stone", True)
    assert const.return_reason_guess("AMZ-PG-SH-NOT-COMPATIBLE") == ("Sh not compatible", False)
    assert const.return_reason_guess("AMZ-PG-SH-STYLES") == ("Sh styles", None), "whole words"


def test_restocking_fee_cap_is_amazons():
    assert const.RESTOCKING_FEE_MAX_PERCENT == 20.0
    assert "RestockingFee" in const.KEPT_COMPONENTS
