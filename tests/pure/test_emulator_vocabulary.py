"""The emulator's own copy of Amazon's vocabulary agrees with Amazon's models and feed schemas.

The emulator must not borrow the addon's constants: a misreading of Amazon there would then pass
every test by construction. Feed and report type names are free strings in Amazon's models (the
SP-API "Feed Type Values" and "Report Type Values" pages list them), so only the message type each
feed type carries is checked, against the envelope schema.
"""

import ast
import json
import re
from pathlib import Path

import pytest
from lxml import etree

from spapi_emulator import amazon
from spapi_emulator.server import ROUTES, UNSIGNED_OPERATIONS

EMULATOR_DIR = Path(amazon.__file__).parent
MODEL_FILES = (
    "feeds_2021-06-30.json",
    "reports_2021-06-30.json",
    "tokens_2021-03-01.json",
    "orders_2026-01-01.json",
    "ordersV0.json",
    "finances_2024-06-19.json",
)
XSD = "{http://www.w3.org/2001/XMLSchema}"
# An operation's description holds its usage plan as a table row: | rate | burst |.
USAGE_PLAN = re.compile(r"\|\s*([0-9.]+)\s*\|\s*([0-9]+)\s*\|")


@pytest.fixture(scope="module")
def models(spapi_models_dir):
    return {name: json.loads((spapi_models_dir / name).read_text()) for name in MODEL_FILES}


@pytest.fixture(scope="module")
def operations(models):
    """(METHOD, path) -> the operation object of Amazon's models."""
    found = {}
    for model in models.values():
        for path, item in model["paths"].items():
            for method, operation in item.items():
                if method != "parameters":
                    found[(method.upper(), path)] = operation
    return found


def test_emulator_does_not_import_the_addon():
    for source in sorted(EMULATOR_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1, f"{source.name} imports from outside the emulator"
                assert not (node.module or "").startswith("amazon_api"), source.name
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
                assert not any(name.startswith("amazon_api") for name in names), source.name


def test_every_operation_is_amazons(operations):
    for method, path, operation_id in amazon.SPAPI_OPERATIONS:
        assert (method, path) in operations, f"{method} {path} is not in Amazon's models"
        assert operations[(method, path)]["operationId"] == operation_id


def test_every_route_is_amazons_or_the_emulators_own(operations):
    served = {
        (method, path) for method, path, operation in ROUTES if operation not in UNSIGNED_OPERATIONS
    }
    assert served == {(method, path) for method, path, _operation in amazon.SPAPI_OPERATIONS}
    assert served <= set(operations)


def test_rate_limits_are_amazons_usage_plans(operations):
    by_name = {op_id: (method, path) for method, path, op_id in amazon.SPAPI_OPERATIONS}
    assert set(amazon.RATE_LIMITS) == set(by_name)
    for operation_id, (rate, burst) in amazon.RATE_LIMITS.items():
        description = operations[by_name[operation_id]]["description"]
        plan = USAGE_PLAN.search(description)
        assert plan, f"no usage plan in the description of {operation_id}"
        assert (rate, burst) == (float(plan.group(1)), int(plan.group(2))), operation_id


def test_processing_statuses_are_amazons(models):
    for name, definition in (
        ("feeds_2021-06-30.json", "Feed"),
        ("reports_2021-06-30.json", "Report"),
    ):
        model = models[name]
        enum = model["definitions"][definition]["properties"]["processingStatus"]["enum"]
        assert sorted(amazon.PROCESSING_STATUSES) == sorted(enum), definition
        assert set(amazon.FINAL_STATUSES) < set(enum)
        document = model["definitions"][f"{definition}Document"]["properties"]
        assert sorted(amazon.COMPRESSION_ALGORITHMS) == sorted(
            document["compressionAlgorithm"]["enum"]
        )
        listing = model["paths"][f"/{name.split('_')[0]}/2021-06-30/{name.split('_')[0]}"]["get"]
        [statuses] = [p for p in listing["parameters"] if p["name"] == "processingStatuses"]
        assert sorted(amazon.PROCESSING_STATUSES) == sorted(statuses["items"]["enum"])


def test_feed_and_report_types_are_free_strings_in_the_models(models):
    """Nothing to compare them with in the models: if Amazon ever enumerates them, this fails."""
    feed = models["feeds_2021-06-30.json"]["definitions"]["CreateFeedSpecification"]
    report = models["reports_2021-06-30.json"]["definitions"]["CreateReportSpecification"]
    for declared in (feed["properties"]["feedType"], report["properties"]["reportType"]):
        assert declared["type"] == "string" and "enum" not in declared
    assert all(re.fullmatch(r"POST_[A-Z_]+_DATA", name) for name in amazon.FEED_MESSAGE_TYPES)
    assert all(re.fullmatch(r"GET_[A-Z0-9_]+", name) for name in amazon.REPORT_TYPES)


def _enumeration(schema_file, element_name):
    tree = etree.parse(str(schema_file))
    [element] = [node for node in tree.iter(f"{XSD}element") if node.get("name") == element_name]
    return [node.get("value") for node in element.iter(f"{XSD}enumeration")]


def test_feed_message_types_are_in_amazons_envelope(xsd_dir):
    allowed = _enumeration(xsd_dir / "amzn-envelope.xsd", "MessageType")
    assert set(amazon.FEED_MESSAGE_TYPES.values()) <= set(allowed)
    assert "ProcessingReport" in allowed


def test_reasons_and_components_are_amazons(xsd_dir):
    adjustment = xsd_dir / "OrderAdjustment.xsd"
    assert sorted(amazon.ADJUSTMENT_REASONS) == sorted(_enumeration(adjustment, "AdjustmentReason"))
    assert set(amazon.QUANTITY_CANCEL_REASONS) < set(amazon.ADJUSTMENT_REASONS)
    cancel = _enumeration(xsd_dir / "OrderAcknowledgement.xsd", "CancelReason")
    assert sorted(amazon.CANCEL_REASONS) == sorted(cancel)
    tree = etree.parse(str(adjustment))
    [buyer_price] = [
        node
        for node in tree.iter(f"{XSD}complexType")
        if node.get("name") == "AdjustmentBuyerPrice"
    ]
    components = [node.get("value") for node in buyer_price.iter(f"{XSD}enumeration")]
    assert sorted(amazon.PRICE_COMPONENTS) == sorted(components)
    assert set(amazon.KEPT_COMPONENTS) < set(components)
