"""The emulator refuses what Amazon refuses, as Amazon's models state it, for every operation the
client calls: required parameters and body fields, "either ... or" and "exactly one of" rules,
parameters that exclude others, tokens that must come alone, and next pages that must repeat
the first call's filters. The rules are read from the models' text, not written here; only a
valid call per operation is, which each rule then breaks in one way."""

import json
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from spapi_emulator import Emulator

REPO_ROOT = Path(__file__).resolve().parents[2]
SELLER = "A1CONSTRAINTS01"
US = "ATVPDKIKX0DER"
ORDER_ID = "111-0000001-0000001"
ITEM = "10000000000001"
TOKEN_PARAMS = ("nextToken", "paginationToken")

EITHER = re.compile(r"Either `?(\w+)`? or `?(\w+)`? is required")
EXACTLY_ONE = re.compile(r"exactly one of `(\w+)` and `(\w+)`")
EXCLUDES = re.compile(r"If `(\w+)` is provided, neither `(\w+)` nor `(\w+)` may be provided")
ALONE = re.compile(r"as the only parameter")
SAME = re.compile(r"(must be provided with the same values|include the same arguments as the call)")
FREE = re.compile(r"with the exception of `(\w+)` and `(\w+)`")
REQUIRED_UNLESS = re.compile(r"required if you do not specify an? ([a-z ]+?)\.")


def client_operations():
    """The operationIds the client calls, from its source."""
    source = (REPO_ROOT / "amazon_api" / "client.py").read_text()
    return sorted(set(re.findall(r"_call\(\s*\"(\w+)\"", source)))


def _resolve(model, node):
    while isinstance(node, dict) and "$ref" in node:
        node = model["definitions"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _descriptions(model, node, seen):
    """Every description reachable from a schema node (the answer's Pagination says how to page)."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            if name in seen:
                return
            seen.add(name)
            yield from _descriptions(model, model["definitions"][name], seen)
            return
        if isinstance(node.get("description"), str):
            yield node["description"]
        for value in node.values():
            yield from _descriptions(model, value, seen)
    elif isinstance(node, list):
        for value in node:
            yield from _descriptions(model, value, seen)


def _camel(words):
    first, *rest = words.split()
    return first + "".join(word.capitalize() for word in rest)


def read_rules(model, operation):
    """The constraints of one operation, as (kind, details...) tuples."""
    rules = []
    parameters = operation.get("parameters", [])
    names = [parameter["name"] for parameter in parameters]
    answer = operation.get("responses", {}).get("200", {}).get("schema", {})
    answer_text = " ".join(_descriptions(model, answer, set()))
    for parameter in parameters:
        name, text = parameter["name"], parameter.get("description", "")
        if parameter["in"] == "body":
            schema = _resolve(model, parameter["schema"])
            rules.append(("body",))
            for field in schema.get("required", []):
                rules.append(("body_field", field))
                items = _resolve(model, schema["properties"][field].get("items", {}))
                for item_field in items.get("required", []):
                    rules.append(("body_item_field", field, item_field))
            continue
        if parameter["in"] == "query" and parameter.get("required"):
            rules.append(("required", name))
        for first, second in EITHER.findall(text):
            rules.append(("either", first, second))
        for first, second in EXACTLY_ONE.findall(text):
            rules.append(("exactly_one", *sorted((first, second))))
        for given, *excluded in EXCLUDES.findall(text):
            rules.extend(("excludes", given, other) for other in excluded)
        for words in REQUIRED_UNLESS.findall(text):
            unless = tuple(other for other in names if other.startswith(_camel(words)))
            assert unless, f"{name}: no parameter is a {words}"
            rules.append(("required_unless", name, unless))
        if name in TOKEN_PARAMS:
            if ALONE.search(text):
                rules.append(("token_alone", name))
            same = SAME.search(text) or SAME.search(answer_text)
            if same:
                free = FREE.search(text) or FREE.search(answer_text)
                rules.append(("same_filters", name, free.groups() if free else ()))
    # One rule per wording: the same sentence may sit on several parameters.
    return list(dict.fromkeys(rules))


@pytest.fixture(scope="module")
def spapi(spapi_models_dir):
    """operationId -> (model, HTTP method, path template, operation) over Amazon's models; of
    two operations with one id (getOrder of Orders v0 and 2026-01-01), the one not deprecated."""
    operations = {}
    for path in sorted(spapi_models_dir.glob("*.json")):
        model = json.loads(path.read_text())
        for template, methods in model.get("paths", {}).items():
            for method, operation in methods.items():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                known = operations.get(operation["operationId"])
                if known is None or known[3].get("deprecated"):
                    operations[operation["operationId"]] = (
                        model,
                        method.upper(),
                        template,
                        operation,
                    )
    return operations


class Clock:
    def __call__(self):
        return 1000.0


@pytest.fixture(scope="module")
def emulator():
    emulator = Emulator(clock=Clock(), enforce_rate_limits=False)
    emulator.add_seller(SELLER, "client", "secret", "Atzr|constraints")
    with emulator:
        yield emulator


@pytest.fixture(scope="module")
def world(emulator):
    """Amazon's side of every valid call, two of each listed thing so that pages of one have a
    next page: orders, refunds, settlement reports, feeds."""
    for number in (ORDER_ID, "111-0000001-0000002"):
        emulator.add_order(
            SELLER,
            number,
            US,
            [{"order_item_id": ITEM, "sku": "MUG-1", "prices": {"Principal": "10.00"}}],
        )
        emulator.ship(number)
        emulator.amazon_refund(number, ITEM, {"Principal": "1.00"})
        emulator.close_settlement(SELLER)
        emulator.advance(60)
    emulator.transactions_page_size = 1
    emulator.advance(600)
    http = httpx.Client(timeout=5)
    headers = {"x-amz-access-token": emulator.access_token_for(SELLER)}
    document = http.post(
        f"{emulator.url}/feeds/2021-06-30/documents",
        json={"contentType": "text/xml; charset=UTF-8"},
        headers=headers,
    ).json()
    http.put(document["url"], content=b"<AmazonEnvelope/>")
    feed = {
        "feedType": "POST_ORDER_ACKNOWLEDGEMENT_DATA",
        "marketplaceIds": [US],
        "inputFeedDocumentId": document["feedDocumentId"],
    }
    feed_ids = [
        http.post(f"{emulator.url}/feeds/2021-06-30/feeds", json=feed, headers=headers).json()[
            "feedId"
        ]
        for _feed in range(2)
    ]
    report = next(iter(emulator.reports.values()))
    yield {
        "http": http,
        "headers": headers,
        "feed": feed,
        "feedId": feed_ids[0],
        "feedDocumentId": document["feedDocumentId"],
        "reportId": report.report_id,
        "reportDocumentId": report.document_id,
        "since": (emulator.now() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    http.close()


def valid_call(operation, world):
    """(path values, query, body) of a call Amazon accepts; searches ask for pages of one so
    that a next page exists."""
    since = world["since"]
    calls = {
        "createFeedDocument": ({}, {}, {"contentType": "text/xml; charset=UTF-8"}),
        "createFeed": ({}, {}, world["feed"]),
        "getFeed": ({"feedId": world["feedId"]}, {}, None),
        "getFeeds": ({}, {"feedTypes": "POST_ORDER_ACKNOWLEDGEMENT_DATA", "pageSize": "1"}, None),
        "getFeedDocument": ({"feedDocumentId": world["feedDocumentId"]}, {}, None),
        "createReport": (
            {},
            {},
            {"reportType": "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE", "marketplaceIds": [US]},
        ),
        "getReport": ({"reportId": world["reportId"]}, {}, None),
        "getReports": (
            {},
            {"reportTypes": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", "pageSize": "1"},
            None,
        ),
        "getReportDocument": ({"reportDocumentId": world["reportDocumentId"]}, {}, None),
        "createRestrictedDataToken": (
            {},
            {},
            {
                "restrictedResources": [
                    {"method": "GET", "path": f"/orders/2026-01-01/orders/{ORDER_ID}"}
                ]
            },
        ),
        "searchOrders": (
            {},
            {"lastUpdatedAfter": since, "marketplaceIds": US, "maxResultsPerPage": "1"},
            None,
        ),
        "getOrder": ({"orderId": ORDER_ID}, {"includedData": "PROCEEDS"}, None),
        "listTransactions": ({}, {"postedAfter": since, "marketplaceId": US}, None),
    }
    return calls[operation]


def _send(world, emulator, method, template, values, query, body):
    path = re.sub(r"\{(\w+)\}", lambda match: values[match.group(1)], template)
    return world["http"].request(
        method,
        emulator.url + path,
        params=query,
        json=body,
        headers=world["headers"],
    )


def _refused(answer, why):
    assert answer.status_code == 400, f"{why}: {answer.status_code} {answer.text}"
    assert answer.json()["errors"][0]["code"] == "InvalidInput", why


def _accepted(answer, why):
    assert answer.status_code < 300, f"{why}: {answer.status_code} {answer.text}"


def _time_or(query, name):
    return query.get(name) or query.get("lastUpdatedAfter") or query.get("postedAfter")


def _next_token(answer):
    payload = answer.json()
    payload = payload.get("payload", payload)
    return payload.get("nextToken") or (payload.get("pagination") or {}).get("nextToken")


def check_rule(rule, call, send):
    """Break the valid call the way `rule` forbids: Amazon's 400 InvalidInput."""
    values, query, body = call
    kind, *details = rule
    if kind == "body":
        _refused(send(values, query, None), "no body")
    elif kind == "body_field":
        (field,) = details
        _refused(send(values, query, {k: v for k, v in body.items() if k != field}), field)
    elif kind == "body_item_field":
        field, item_field = details
        items = [{k: v for k, v in body[field][0].items() if k != item_field}]
        _refused(send(values, query, {**body, field: items}), f"{field}[].{item_field}")
    elif kind == "required":
        (name,) = details
        _refused(send(values, {k: v for k, v in query.items() if k != name}, body), name)
    elif kind == "either":
        rest = {k: v for k, v in query.items() if k not in details}
        _refused(send(values, rest, body), f"neither {details}")
    elif kind == "exactly_one":
        rest = {k: v for k, v in query.items() if k not in details}
        _refused(send(values, rest, body), f"none of {details}")
        both = {**rest, **{name: _time_or(query, name) for name in details}}
        _refused(send(values, both, body), f"both of {details}")
    elif kind == "excludes":
        given, other = details
        rest = {k: v for k, v in query.items() if not k.endswith(("After", "Before"))}
        both = {**rest, given: _time_or(query, given), other: _time_or(query, other)}
        _refused(send(values, both, body), f"{given} with {other}")
    elif kind == "required_unless":
        name, unless = details
        rest = {k: v for k, v in query.items() if k != name and k not in unless}
        _refused(send(values, rest, body), f"no {name} nor {unless}")
        related = {unless[0]: "ORDER_ID", unless[1]: ORDER_ID} if len(unless) == 2 else {}
        _accepted(send(values, {**rest, **related}, body), f"{unless} instead of {name}")
    elif kind == "token_alone":
        (name,) = details
        token = _next_token(send(values, query, body))
        assert token, "the valid call has a next page"
        _refused(send(values, {**query, name: token}, body), f"{name} with other parameters")
        _accepted(send(values, {name: token}, body), f"{name} alone")
    elif kind == "same_filters":
        name, free = details
        token = _next_token(send(values, query, body))
        assert token, "the valid call has a next page"
        for dropped in query:
            if dropped in free:
                continue
            rest = {k: v for k, v in query.items() if k != dropped}
            _refused(send(values, {**rest, name: token}, body), f"{name} without {dropped}")
        changed = {k: v for k, v in query.items() if k.endswith(("After", "Before"))}
        for moved in changed:
            earlier = {**query, moved: "2020-01-01T00:00:00Z", name: token}
            _refused(send(values, earlier, body), f"{name} with another {moved}")
        _accepted(send(values, {**query, name: token}, body), f"{name} with the same filters")
        if free:
            others = {**query, name: token, free[0]: "2"} if free[0] in query else None
            if others:
                _accepted(send(values, others, body), f"{free[0]} may change")
    else:
        raise AssertionError(f"No check for {kind}")


def test_every_client_operation_is_in_amazons_models(spapi):
    operations = client_operations()
    assert "searchOrders" in operations and "listTransactions" in operations
    assert set(operations) <= set(spapi), set(operations) - set(spapi)


def test_the_models_state_the_rules_this_test_reads(spapi):
    """The reading of the models finds every kind of rule: none of the checks below is empty."""
    kinds = {
        rule[0]
        for operation in client_operations()
        for rule in read_rules(spapi[operation][0], spapi[operation][3])
    }
    assert kinds == {
        "body",
        "body_field",
        "body_item_field",
        "either",
        "exactly_one",
        "excludes",
        "required_unless",
        "token_alone",
        "same_filters",
    }


@pytest.mark.parametrize("operation", client_operations())
def test_emulator_refuses_what_the_models_forbid_and_accepts_valid_calls(
    spapi, emulator, world, operation
):
    model, method, template, spec = spapi[operation]
    call = valid_call(operation, world)

    def send(values, query, body):
        return _send(world, emulator, method, template, values, query, body)

    _accepted(send(*call), f"the valid {operation}")
    for rule in read_rules(model, spec):
        check_rule(rule, call, send)
